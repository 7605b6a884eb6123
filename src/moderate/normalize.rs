//! A comment as the spam rules read it: what a reader sees, spelled the
//! way a filter compares. Spammers dodge word lists with markup and
//! entities (`sub&#115;cribe`), look-alike letters (`chаnnel` with a
//! Cyrillic `а`, `𝐜𝐡𝐚𝐧𝐧𝐞𝐥`), zero-width characters, accents, leetspeak
//! (`ch4nnel`), letters spaced out (`s u b s c r i b e`) and stretched
//! (`pleeease`). The normal form undoes each, and every character of it
//! remembers where in the body it came from, so a rule's span still
//! points at what the reader typed.

use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;
use unicode_normalization::UnicodeNormalization;

/// The body, decoded and folded: lower case ASCII where a letter has an
/// ASCII look-alike, HTML tags as spaces, entities decoded, no zero-width
/// characters or accents, leetspeak inside words undone, spaced-out
/// letters joined and runs of three or more of a letter cut to one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Normalized {
    pub text: String,
    /// For each byte of `text`, the range of the body it came from; empty
    /// when `text` is the body lower-cased, byte for byte (most comments).
    origin: Vec<Range<u32>>,
}

/// A character of the normal form and the range of the body it stands for.
type Piece = (char, Range<u32>);

impl Normalized {
    pub fn of(body: &str) -> Normalized {
        if let Some(text) = plain_ascii(body) {
            return Normalized { text, origin: Vec::new() };
        }
        let pieces = decode(body);
        let pieces = fold(pieces);
        let pieces = undo_leetspeak(pieces);
        let pieces = join_spaced_letters(pieces);
        let pieces = cut_stretched_letters(pieces);
        let mut text = String::with_capacity(pieces.len());
        let mut origin = Vec::with_capacity(pieces.len());
        for (c, from) in pieces {
            text.push(c);
            origin.extend(std::iter::repeat_n(from, c.len_utf8()));
        }
        Normalized { text, origin }
    }

    /// The range of the body that `range` of the normal form came from.
    pub fn original(&self, range: Range<usize>) -> Range<usize> {
        if range.start >= range.end || range.end > self.text.len() {
            return 0..0;
        }
        if self.origin.is_empty() {
            return range;
        }
        let start = self.origin[range.start].start as usize;
        let end = self.origin[range.end - 1].end as usize;
        start..end.max(start)
    }
}

/// The normal form of a body that needs nothing but lower case: ASCII, no
/// markup or entities, no leetspeak inside a word, no spaced-out or
/// stretched letters. Most comments; `None` for the others.
fn plain_ascii(body: &str) -> Option<String> {
    let bytes = body.as_bytes();
    if !body.is_ascii() || body.contains(['<', '&']) {
        return None;
    }
    let letter = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_alphabetic);
    let alnum = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_alphanumeric);
    let mut single_run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        // Leetspeak between letters (`ch4nnel`, `fr33dom`) needs undoing.
        if leet(char::from(b)).is_some() && i > 0 && letter(i - 1) {
            let end = (i..bytes.len()).find(|&j| leet(char::from(bytes[j])).is_none()).unwrap_or(bytes.len());
            if letter(end) {
                return None;
            }
        }
        if b.is_ascii_alphabetic()
            && i >= 2
            && bytes[i - 1].eq_ignore_ascii_case(&b)
            && bytes[i - 2].eq_ignore_ascii_case(&b)
        {
            return None;
        }
        // Letters standing alone, one separator apart: spaced out.
        if alnum(i) && !(i > 0 && alnum(i - 1)) && !alnum(i + 1) {
            single_run += 1;
            if single_run >= 4 {
                return None;
            }
        } else if alnum(i) {
            single_run = 0;
        }
    }
    Some(body.to_ascii_lowercase())
}

fn tag() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r#"^</?[A-Za-z][A-Za-z0-9-]*(?:\s+[^<>]*?)?\s*/?>"#).expect("valid regex"))
}

fn entity() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
            .expect("valid regex")
    })
}

/// The body's characters as a reader sees them: tags become a space,
/// entities their character, invisible characters nothing.
fn decode(body: &str) -> Vec<Piece> {
    let mut out = Vec::with_capacity(body.len());
    if body.is_ascii() && !body.contains(['<', '&']) {
        out.extend(body.bytes().enumerate().map(|(i, b)| (char::from(b), i as u32..i as u32 + 1)));
        return out;
    }
    let mut i = 0;
    while i < body.len() {
        let rest = &body[i..];
        let at = |len: usize| i as u32..(i + len) as u32;
        if rest.starts_with('<')
            && let Some(m) = tag().find(rest)
        {
            out.push((' ', at(m.end())));
            i += m.end();
            continue;
        }
        if rest.starts_with('&')
            && let Some(m) = entity().find(rest)
            && let Some(c) = decode_entity(&m.as_str()[1..m.end() - 1])
        {
            if !is_invisible(c) {
                out.push((c, at(m.end())));
            }
            i += m.end();
            continue;
        }
        let Some(c) = rest.chars().next() else { break };
        if !is_invisible(c) {
            out.push((c, at(c.len_utf8())));
        }
        i += c.len_utf8();
    }
    out
}

/// The character an entity stands for: any numeric one, and the named
/// ones pasted text carries.
fn decode_entity(name: &str) -> Option<char> {
    if let Some(number) = name.strip_prefix('#') {
        let value = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => number.parse().ok()?,
        };
        return char::from_u32(value);
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" | "ensp" | "emsp" | "thinsp" => ' ',
        "rsquo" | "lsquo" => '\'',
        "ldquo" | "rdquo" => '"',
        "hellip" => '…',
        "mdash" | "ndash" => '-',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "euro" => '€',
        "pound" => '£',
        "yen" => '¥',
        "cent" => '¢',
        "hearts" => '♥',
        "star" => '☆',
        "bull" | "middot" => '·',
        _ => return None,
    })
}

/// Characters that show nothing: zero-width spaces and joiners, direction
/// marks, the soft hyphen, variation selectors, the byte order mark.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
    )
}

/// Each character lower-cased and, where it has one, as its ASCII letter
/// or digit: accents dropped, compatibility forms (`ｃ`, `𝐜`, `ⓒ`)
/// decomposed, symbol look-alikes cured, and a Greek or Cyrillic letter
/// inside a Latin word read as the Latin letter it imitates.
fn fold(mut pieces: Vec<Piece>) -> Vec<Piece> {
    // Most comments are ASCII: lower-cased in place, nothing to decompose.
    if pieces.iter().all(|(c, _)| c.is_ascii()) {
        for (c, _) in &mut pieces {
            c.make_ascii_lowercase();
        }
        return pieces;
    }
    let latin = |p: Option<&Piece>| p.is_some_and(|(c, _)| c.is_ascii_alphabetic());
    let mut out = Vec::with_capacity(pieces.len());
    for (i, (c, from)) in pieces.iter().enumerate() {
        if c.is_ascii() {
            out.push((c.to_ascii_lowercase(), from.clone()));
            continue;
        }
        let mixed = is_greek_or_cyrillic(*c)
            && (latin(i.checked_sub(1).and_then(|j| pieces.get(j))) || latin(pieces.get(i + 1)));
        for folded in fold_char(*c, mixed) {
            out.push((folded, from.clone()));
        }
    }
    out
}

fn is_greek_or_cyrillic(c: char) -> bool {
    matches!(c, '\u{0370}'..='\u{03FF}' | '\u{0400}'..='\u{04FF}')
}

/// One character folded: its ASCII form when it has one, else itself in
/// lower case. Combining marks (accents, zalgo) fold to nothing.
fn fold_char(c: char, in_latin_word: bool) -> Vec<char> {
    if unicode_normalization::char::is_combining_mark(c) {
        return Vec::new();
    }
    let decomposed: Vec<char> =
        std::iter::once(c).nfkd().filter(|d| !unicode_normalization::char::is_combining_mark(*d)).collect();
    if !decomposed.is_empty() && decomposed.iter().all(char::is_ascii) {
        return decomposed.iter().map(char::to_ascii_lowercase).collect();
    }
    let options = if in_latin_word {
        decancer::Options::default()
    } else if is_letter_lookalike(c) {
        decancer::Options::PURE_HOMOGLYPH
    } else {
        // Currency signs, other scripts, emoji: themselves.
        return c.to_lowercase().collect();
    };
    match decancer::cure_char(c, options) {
        decancer::Translation::Character(cured) if cured.is_ascii_alphanumeric() => vec![cured],
        decancer::Translation::String(cured) if cured.chars().all(|x| x.is_ascii_alphanumeric()) => {
            cured.chars().collect()
        }
        _ => c.to_lowercase().collect(),
    }
}

/// The blocks where letters are imitated by symbols: phonetic and small
/// capital letters, modifier letters, super- and subscripts, letterlike
/// symbols, enclosed and mathematical letters, fullwidth forms.
fn is_letter_lookalike(c: char) -> bool {
    matches!(
        c,
        '\u{0180}'..='\u{02FF}'
            | '\u{1D00}'..='\u{1DBF}'
            | '\u{1E00}'..='\u{1EFF}'
            | '\u{2070}'..='\u{209F}'
            | '\u{2100}'..='\u{214F}'
            | '\u{A720}'..='\u{A7FF}'
            | '\u{FF00}'..='\u{FFEF}'
            | '\u{1D400}'..='\u{1D7FF}'
            | '\u{1F100}'..='\u{1F1FF}'
    )
}

/// The letter a leetspeak character stands for.
fn leet(c: char) -> Option<char> {
    Some(match c {
        '0' => 'o',
        '1' | '!' | '|' => 'i',
        '3' => 'e',
        '4' | '@' => 'a',
        '5' | '$' => 's',
        '7' => 't',
        _ => return None,
    })
}

/// `ch4nnel`, `subscr1be`, `m0ney`: a leetspeak character with a letter on
/// each side (through other leetspeak characters) is that letter. Numbers
/// and prices (`$30`, `4k`, `2020`) keep their digits.
fn undo_leetspeak(mut pieces: Vec<Piece>) -> Vec<Piece> {
    let letter = |c: char| c.is_ascii_alphabetic();
    let mut i = 0;
    while i < pieces.len() {
        if leet(pieces[i].0).is_none() || i == 0 || !letter(pieces[i - 1].0) {
            i += 1;
            continue;
        }
        let end = (i..pieces.len()).find(|&j| leet(pieces[j].0).is_none()).unwrap_or(pieces.len());
        if end < pieces.len() && letter(pieces[end].0) {
            for piece in &mut pieces[i..end] {
                piece.0 = leet(piece.0).unwrap_or(piece.0);
            }
        }
        i = end.max(i + 1);
    }
    pieces
}

/// `s u b s c r i b e`, `f.r.e.e`: four or more single letters or digits
/// with one separator between each are one word; once a comment spaces a
/// word out so, its shorter spaced words (`t o   m e`) are joined too.
fn join_spaced_letters(pieces: Vec<Piece>) -> Vec<Piece> {
    let alnum = |i: usize| pieces.get(i).is_some_and(|(c, _)| c.is_alphanumeric());
    let separator =
        |i: usize| pieces.get(i).is_some_and(|(c, _)| matches!(c, ' ' | '.' | '-' | '_' | '*' | '·' | '•'));
    let single = |i: usize| alnum(i) && !(i > 0 && alnum(i - 1)) && !alnum(i + 1);
    // Each run: its first and last letter, and how many letters.
    let mut runs: Vec<(usize, usize, usize)> = Vec::new();
    let mut i = 0;
    while i < pieces.len() {
        if !single(i) {
            i += 1;
            continue;
        }
        let sep = pieces.get(i + 1).map(|p| p.0);
        let mut end = i;
        while separator(end + 1) && pieces.get(end + 1).map(|p| p.0) == sep && single(end + 2) {
            end += 2;
        }
        runs.push((i, end, (end - i) / 2 + 1));
        i = end + 1;
    }
    let spaced_out = runs.iter().any(|r| r.2 >= 4);
    if !spaced_out {
        return pieces;
    }
    let mut drop = vec![false; pieces.len()];
    for (start, end, letters) in runs {
        if letters >= 2 {
            for j in (start + 1..end).step_by(2) {
                drop[j] = true;
            }
        }
    }
    pieces.into_iter().zip(drop).filter(|(_, d)| !d).map(|(p, _)| p).collect()
}

/// `pleeeease`, `subscribeeee`: three or more of one letter are one.
fn cut_stretched_letters(pieces: Vec<Piece>) -> Vec<Piece> {
    let stretched = pieces.windows(3).any(|w| w[0].0 == w[1].0 && w[1].0 == w[2].0 && w[0].0.is_alphabetic());
    if !stretched {
        return pieces;
    }
    let mut out: Vec<Piece> = Vec::with_capacity(pieces.len());
    let mut run = 0;
    for (c, from) in pieces {
        let same = out.last().is_some_and(|(last, _)| *last == c && c.is_alphabetic());
        run = if same { run + 1 } else { 1 };
        if run == 3 {
            // The third of a run: the second goes too, the first stands for all.
            if let Some(second) = out.pop()
                && let Some(first) = out.last_mut()
            {
                first.1.end = second.1.end.max(from.end);
            }
            continue;
        }
        if run > 3 {
            if let Some(first) = out.last_mut() {
                first.1.end = from.end;
            }
            continue;
        }
        out.push((c, from));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        Normalized::of(s).text
    }

    #[test]
    fn what_a_reader_sees_is_what_the_rules_read() {
        assert_eq!(norm("Check my <b>CHANNEL</b>!"), "check my  channel !");
        assert_eq!(norm("I&#39;m here &amp; there&nbsp;now"), "i'm here & there now");
        assert_eq!(norm("sub\u{200B}scr\u{200D}ibe"), "subscribe");
        assert_eq!(norm("Suscríbete a mi canal"), "suscribete a mi canal");
        assert_eq!(norm("ｃｈｅｃｋ 𝐦𝐲 ⓒⓗⓐⓝⓝⓔⓛ"), "check my channel");
        // A Cyrillic `а` in a Latin word; a whole Russian sentence stays Russian.
        assert_eq!(norm("chаnnel"), "channel");
        assert_eq!(norm("Поддержка ответила"), "поддержка ответила");
        assert_eq!(norm("ch4nnel subscr1be m0ney"), "channel subscribe money");
        assert_eq!(norm("$30 an hour, 4k, 2020"), "$30 an hour, 4k, 2020");
        assert_eq!(norm("s u b s c r i b e now"), "subscribe now");
        assert_eq!(norm("f.r.e.e"), "free");
        assert_eq!(norm("I am a b c"), "i am a b c");
        assert_eq!(norm("l i k e   t h i s   i f"), "like   this   if");
        assert_eq!(norm("C.H.E.C.K M.Y C.H.A.N.N.E.L"), "check my channel");
        assert_eq!(norm("pleeeease subscribeeeee"), "please subscribe");
        assert_eq!(norm("good channel"), "good channel");
        assert_eq!(norm("z̷̢a̸͝l̵g̶o̴"), "zalgo");
    }

    #[test]
    fn every_span_points_back_at_what_was_typed() {
        let body = "Hi <b>s u b s c r i b e</b> to my ch4nnel &amp; more";
        let n = Normalized::of(body);
        for word in ["subscribe", "channel", "&"] {
            let at = n.text.find(word).unwrap();
            let back = n.original(at..at + word.len());
            let typed = &body[back];
            assert!(["s u b s c r i b e", "ch4nnel", "&amp;"].contains(&typed), "{word} came from {typed:?}");
        }
        let stretched = "pleeeease";
        let n = Normalized::of(stretched);
        assert_eq!(n.original(0..n.text.len()), 0..stretched.len());
    }
}
