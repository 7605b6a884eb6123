//! Words: tokenising comment text, normalising it for comparison, and the
//! small word lists the rules use.

use std::ops::Range;

/// Lower-cased words of `text`: letters, digits, and hyphens or apostrophes
/// inside a word (`post-mortem` is one word). Emoji and punctuation go.
pub(super) fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    each_word(text, |w| {
        out.push(w.to_string());
        true
    });
    out
}

/// How many words `words` would give, without making them.
pub(super) fn word_count(text: &str) -> usize {
    let mut n = 0;
    each_word_range(text, |_| {
        n += 1;
        true
    });
    n
}

/// Calls `f` with each word of `words`, in one buffer, until it returns
/// false.
pub(super) fn each_word(text: &str, mut f: impl FnMut(&str) -> bool) {
    let mut current = String::new();
    each_word_range(text, |range| {
        current.clear();
        for c in text[range].chars() {
            if c == '\u{2019}' {
                current.push('\'');
            } else if c.is_ascii() {
                current.push(c.to_ascii_lowercase());
            } else {
                current.extend(c.to_lowercase());
            }
        }
        f(&current)
    });
}

/// Calls `f` with where each word of `words` is in `text`, until it
/// returns false: runs of letters and digits, with hyphens and apostrophes
/// inside them and a leading `+` before `1`; each Chinese or Japanese
/// character alone.
fn each_word_range(text: &str, mut f: impl FnMut(Range<usize>) -> bool) {
    let mut start: Option<usize> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let next = chars.peek().map(|&(_, n)| n);
        let next_is_word = next.is_some_and(char::is_alphanumeric);
        let joins = matches!(c, '-' | '\'' | '\u{2019}') && start.is_some() && next_is_word;
        if is_cjk(c) {
            // Written without spaces: each character counts as a word.
            if let Some(s) = start.take()
                && !f(s..i)
            {
                return;
            }
            if !f(i..i + c.len_utf8()) {
                return;
            }
        } else if c.is_alphanumeric() {
            start.get_or_insert(i);
        } else if c == '+' && start.is_none() && next == Some('1') {
            start = Some(i);
        } else if joins {
            // Inside the word.
        } else if let Some(s) = start.take()
            && !f(s..i)
        {
            return;
        }
    }
    if let Some(s) = start {
        f(s..text.len());
    }
}

/// Chinese characters and Japanese kana: scripts written without spaces
/// between words.
pub(super) fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF)
}

/// A word with runs of one letter collapsed to one (`goooood` -> `god`,
/// `good` -> `god`), so stretched spellings compare equal.
pub(super) fn squeeze(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    let mut last = None;
    for c in word.chars() {
        if Some(c) != last || !c.is_alphabetic() {
            out.push(c);
        }
        last = Some(c);
    }
    out
}

/// Function words of English, Spanish, German and French: ordinary
/// sentences are full of them, keyword lists have none.
pub(super) fn is_function_word(word: &str) -> bool {
    static SET: std::sync::OnceLock<foldhash::HashSet<&'static str>> = std::sync::OnceLock::new();
    SET.get_or_init(|| FUNCTION_WORDS.iter().copied().collect()).contains(word)
}

#[rustfmt::skip]
const FUNCTION_WORDS: &[&str] = &[
    // English
    "a", "an", "the", "and", "or", "but", "if", "of", "to", "in", "on", "at", "by", "for", "with", "from",
    "about", "as", "into", "that", "this", "these", "those", "it", "its", "is", "are", "was", "were", "be",
    "been", "have", "has", "had", "do", "does", "did", "i", "you", "he", "she", "we", "they", "me", "my",
    "your", "our", "their", "his", "her", "not", "no", "so", "than", "then", "there", "what", "which",
    "who", "when", "how", "would", "could", "should", "can", "will", "just", "all", "some", "any",
    // Spanish
    "el", "la", "los", "las", "un", "una", "y", "o", "de", "del", "que", "en", "por", "para", "con", "es",
    "son", "fue", "se", "su", "sus", "lo", "le", "mi", "tu", "pero", "como", "más", "muy", "yo", "nos",
    // German
    "der", "die", "das", "den", "dem", "des", "ein", "eine", "einen", "und", "oder", "aber", "ist", "sind",
    "war", "zu", "mit", "von", "auf", "für", "nicht", "ich", "du", "wir", "sie", "es", "dass", "auch", "im",
    "am", "bei", "nach", "wie", "hat", "haben", "mein", "kein",
    // French
    "le", "les", "et", "ou", "mais", "est", "sont", "au", "aux", "pour", "avec", "pas", "je", "il", "elle",
    "nous", "vous", "ils", "qui", "dans", "sur", "ce", "cette", "une", "des",
    // Italian and Portuguese
    "il", "di", "che", "non", "per", "una", "sono", "ho", "ha", "da", "nel", "della", "o", "os", "um",
    "uma", "não", "com", "foi", "na", "no", "em", "ao", "mas", "muito",
    // Russian
    "и", "в", "во", "не", "на", "я", "что", "с", "со", "как", "а", "то", "он", "она", "они", "мы", "вы",
    "по", "но", "из", "у", "к", "за", "от", "без", "через", "для", "это", "был", "была", "мне", "меня",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_keep_inner_hyphens_and_drop_emoji() {
        assert_eq!(words("Good post-mortem, JOHN's 👍👍 +1!"), ["good", "post-mortem", "john's", "+1"]);
        assert_eq!(words("Überraschung: ¡qué bien!"), ["überraschung", "qué", "bien"]);
        assert_eq!(words("返金は早かった"), ["返", "金", "は", "早", "か", "っ", "た"]);
    }

    #[test]
    fn squeeze_collapses_stretched_letters() {
        assert_eq!(squeeze("goooood"), squeeze("good"));
        assert_eq!(squeeze("greeeat"), squeeze("great"));
        assert_ne!(squeeze("post"), squeeze("past"));
    }
}
