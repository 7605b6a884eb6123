//! Zola-style shortcodes in a Markdown body: `{{ name(arg="v", n=3) }}`
//! and `{% name(args) %}…body…{% end %}`. This module turns their text into
//! values and names no template engine: each call is cut out of the text
//! and replaced by a marker, two Unicode noncharacters around its index
//! (`U+FDD0 3 U+FDD1`), which Markdown passes through as text and the
//! sanitiser of imported posts keeps. The text is then parsed as Markdown
//! once; the calls go with the HTML to `render`, which has the theme, and
//! splices each call's output where its marker is.
//!
//! What is not a call: anything in a fenced code block or an inline code
//! span (shown as written), `{{ x }}` without parentheses, and the escapes
//! `{{/* name() */}}` and `{%/* name() */%}`, which show the call as text.
//! A call that Markdown puts in an indented code block after all is given
//! back its text there.

use std::cell::RefCell;

use serde::{Deserialize, Serialize};

use super::markdown::{self, RenderedMarkdown};

/// A marker's first and last characters (noncharacters: reserved for a
/// program's own use, never text).
pub const MARK_OPEN: char = '\u{FDD0}';
pub const MARK_CLOSE: char = '\u{FDD1}';

/// One shortcode call, as `render` needs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Call {
    pub name: String,
    pub args: Args,
    /// The body rendered from Markdown (markers of the calls inside it
    /// included), for `{% %}` calls.
    pub body: Option<String>,
    /// The body as written, for shortcodes that read lines (`gallery`).
    pub body_text: Option<String>,
    /// The line of the file the call starts on, 1-based.
    pub line: usize,
}

/// An argument's value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Arg {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    List(Vec<Arg>),
}

impl Arg {
    pub fn as_str(&self) -> Option<&str> {
        if let Arg::Str(s) = self { Some(s) } else { None }
    }
}

/// A call's arguments, in the order written.
pub type Args = Vec<(String, Arg)>;

/// A problem with a call: where it is in the text given, what is wrong and
/// what to do.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub offset: usize,
    pub len: usize,
    pub message: String,
    pub help: String,
}

/// Whether `text` may hold a shortcode at all: a post without `{{` or
/// `{%` skips everything here.
pub fn may_hold(text: &str) -> bool {
    text.contains("{{") || text.contains("{%")
}

/// The marker that stands for call `index`.
pub fn marker(index: usize) -> String {
    format!("{MARK_OPEN}{index}{MARK_CLOSE}")
}

/// The markers in `html`: (start, end, index) of each, in order.
pub fn markers(html: &str) -> impl Iterator<Item = (usize, usize, usize)> + '_ {
    let open_len = MARK_OPEN.len_utf8();
    let mut from = 0;
    std::iter::from_fn(move || {
        loop {
            let start = from + html[from..].find(MARK_OPEN)?;
            let digits_start = start + open_len;
            let digits = html[digits_start..].bytes().take_while(u8::is_ascii_digit).count();
            let close = digits_start + digits;
            from = digits_start;
            if digits > 0 && html[close..].starts_with(MARK_CLOSE) {
                let index = html[digits_start..close].parse().ok()?;
                let end = close + MARK_CLOSE.len_utf8();
                from = end;
                return Some((start, end, index));
            }
        }
    })
}

/// `text` (a post's body, whose first line is line `first_line` of its
/// file) as HTML with a marker for each shortcode call, and the calls; or
/// every problem with its calls.
pub fn render(text: &str, first_line: usize) -> Result<RenderedMarkdown, Vec<Problem>> {
    // A marker character written in the text is no marker: made U+FFFD,
    // which is as long, so offsets stay right.
    let cleaned;
    let text = if text.contains([MARK_OPEN, MARK_CLOSE]) {
        cleaned = text.replace([MARK_OPEN, MARK_CLOSE], "\u{FFFD}");
        cleaned.as_str()
    } else {
        text
    };
    let mut scanner = Scanner::new(text, first_line);
    let (main, _) = scanner.scan(0, None);
    if !scanner.problems.is_empty() {
        return Err(scanner.problems);
    }
    let Scanner { calls, spans, bodies, .. } = scanner;
    // Calls Markdown put in code after all (an indented block) get their
    // text back; their markers are then nowhere, which is right.
    let restored = RefCell::new(vec![false; calls.len()]);
    let restore = |code: &str| -> String {
        let mut out = String::with_capacity(code.len());
        let mut last = 0;
        for (start, end, index) in markers(code) {
            out.push_str(&code[last..start]);
            match spans.get(index) {
                Some(span) => {
                    out.push_str(&text[span.clone()]);
                    restored.borrow_mut()[index] = true;
                }
                None => out.push_str(&code[start..end]),
            }
            last = end;
        }
        out.push_str(&code[last..]);
        out
    };
    let mut rendered = markdown::render_restoring(&main, &restore);
    rendered.html = unwrap_lone_markers(&rendered.html);
    rendered.summary_html = unwrap_lone_markers(&rendered.summary_html);
    let mut calls: Vec<Call> = calls;
    for (call, body) in calls.iter_mut().zip(bodies) {
        if let Some(body) = body {
            let md = markdown::render_restoring(&body, &restore);
            rendered.words += md.words;
            call.body = Some(unwrap_lone_markers(&md.html));
        }
    }
    // Every call must show somewhere: in the text, in another's body, or
    // as text in code.
    let mut placed = restored.into_inner();
    let bodies = calls.iter().filter_map(|c| c.body.as_deref());
    for html in std::iter::once(rendered.html.as_str()).chain(bodies) {
        for (_, _, index) in markers(html) {
            if let Some(p) = placed.get_mut(index) {
                *p = true;
            }
        }
    }
    let lost: Vec<Problem> = placed
        .iter()
        .enumerate()
        .filter(|(_, placed)| !**placed)
        .map(|(i, _)| Problem {
            offset: spans[i].start,
            len: spans[i].len(),
            message: format!("shortcode `{}` is where its output cannot go", calls[i].name),
            help: "a shortcode cannot stand in a link's or an image's address or a heading's id; put it in a paragraph of its own".into(),
        })
        .collect();
    if !lost.is_empty() {
        return Err(lost);
    }
    rendered.shortcodes = calls;
    Ok(rendered)
}

/// A paragraph that holds nothing but a marker is replaced by the marker:
/// a shortcode alone in its paragraph stands for the paragraph (a figure
/// cannot sit in a `<p>`).
fn unwrap_lone_markers(html: &str) -> String {
    if !html.contains(MARK_OPEN) {
        return html.to_string();
    }
    let mut out = String::with_capacity(html.len());
    let mut last = 0;
    for (start, end, _) in markers(html) {
        let opens = html[..start].ends_with("<p>") && start - 3 >= last;
        let closes = html[end..].starts_with("</p>");
        if opens && closes {
            out.push_str(&html[last..start - 3]);
            out.push_str(&html[start..end]);
            last = end + 4;
        } else {
            out.push_str(&html[last..end]);
            last = end;
        }
    }
    out.push_str(&html[last..]);
    out
}

/// The scan of one body: what it found, and where.
struct Scanner<'t> {
    text: &'t str,
    first_line: usize,
    /// Calls in the order their scans finished (inner calls before the
    /// call whose body holds them).
    calls: Vec<Call>,
    /// Each call's text.
    spans: Vec<std::ops::Range<usize>>,
    /// Each call's body, with markers, to be rendered.
    bodies: Vec<Option<String>>,
    problems: Vec<Problem>,
    /// The last offset whose line was counted, and its line.
    counted: (usize, usize),
}

/// Where a fenced code block is open: its fence character and length.
type Fence = (u8, usize);

impl<'t> Scanner<'t> {
    fn new(text: &'t str, first_line: usize) -> Scanner<'t> {
        Scanner {
            text,
            first_line,
            calls: Vec::new(),
            spans: Vec::new(),
            bodies: Vec::new(),
            problems: Vec::new(),
            counted: (0, first_line),
        }
    }

    fn line_of(&mut self, offset: usize) -> usize {
        let (from, line) = if offset >= self.counted.0 { self.counted } else { (0, self.first_line) };
        let line = line + self.text[from..offset].bytes().filter(|&b| b == b'\n').count();
        self.counted = (offset, line);
        line
    }

    fn problem(&mut self, offset: usize, len: usize, message: String, help: &str) {
        self.problems.push(Problem { offset, len, message, help: help.to_string() });
    }

    /// The text from `pos` with each call replaced by its marker, up to the
    /// end, or (inside a body opened at `open`) up to its `{% end %}`.
    /// Moves `pos` past what it read. Returns the text and the end of what
    /// it consumed.
    fn scan(&mut self, mut pos: usize, body_of: Option<(usize, &str)>) -> (String, usize) {
        let text = self.text;
        let bytes = text.as_bytes();
        let mut out = String::with_capacity(text.len() - pos + 16);
        let mut fence: Option<Fence> = None;
        let mut at_line_start = pos == 0 || bytes[pos - 1] == b'\n';
        while pos < text.len() {
            if at_line_start {
                let line_end = text[pos..].find('\n').map_or(text.len(), |i| pos + i + 1);
                let line = &text[pos..line_end];
                match (fence, fence_of(line)) {
                    (None, Some(f)) => fence = Some(f),
                    (Some((c, n)), Some((c2, n2))) if c == c2 && n2 >= n && fence_info(line).is_empty() => {
                        fence = None;
                        out.push_str(line);
                        pos = line_end;
                        continue;
                    }
                    _ => {}
                }
                if fence.is_some() {
                    out.push_str(line);
                    pos = line_end;
                    continue;
                }
                at_line_start = false;
            }
            let Some(i) = text[pos..].find(['\n', '`', '{']) else {
                out.push_str(&text[pos..]);
                pos = text.len();
                break;
            };
            out.push_str(&text[pos..pos + i]);
            pos += i;
            let rest = &text[pos..];
            if rest.starts_with('\n') {
                out.push('\n');
                pos += 1;
                at_line_start = true;
            } else if rest.starts_with('`') {
                let end = code_span_end(text, pos);
                out.push_str(&text[pos..end]);
                pos = end;
            } else if let Some(escaped) = escape(rest) {
                out.push_str(&escaped.0);
                pos += escaped.1;
            } else if rest.starts_with("{{") {
                match self.inline_call(pos) {
                    Some(end) => {
                        out.push_str(&marker(self.calls.len() - 1));
                        pos = end;
                    }
                    None => {
                        out.push_str("{{");
                        pos += 2;
                    }
                }
            } else if rest.starts_with("{%") {
                if let Some(end) = end_tag(rest) {
                    match body_of {
                        Some(_) => return (out, pos + end),
                        None => {
                            self.problem(
                                pos,
                                end,
                                "`{% end %}` closes no shortcode".into(),
                                "remove it, or open a body with `{% name(…) %}` above it",
                            );
                            out.push_str(&rest[..end]);
                            pos += end;
                        }
                    }
                } else {
                    match self.body_call(pos) {
                        Some(end) => {
                            out.push_str(&marker(self.calls.len() - 1));
                            pos = end;
                        }
                        None => {
                            out.push_str("{%");
                            pos += 2;
                        }
                    }
                }
            } else {
                out.push('{');
                pos += 1;
            }
        }
        if let Some((open, name)) = body_of {
            let len = self.text[open..].find("%}").map_or(2, |i| i + 2);
            self.problem(
                open,
                len,
                format!("the body of shortcode `{name}` is never closed"),
                "close it with `{% end %}` on a line of its own",
            );
        }
        (out, pos)
    }

    /// `{{ name(args) }}` at `start`: the call recorded, and the end of its
    /// text; `None` when the text there is no call.
    fn inline_call(&mut self, start: usize) -> Option<usize> {
        let (name, args, after) = self.head(start, 2, "}}")?;
        let line = self.line_of(start);
        self.calls.push(Call { name, args, body: None, body_text: None, line });
        self.spans.push(start..after);
        self.bodies.push(None);
        Some(after)
    }

    /// `{% name(args) %}…{% end %}` at `start`: the call and its body
    /// recorded, and the end of its text.
    fn body_call(&mut self, start: usize) -> Option<usize> {
        let (name, args, after_head) = self.head(start, 2, "%}")?;
        let line = self.line_of(start);
        // The body starts on the next line when the head ends its line.
        let rest_of_line = self.text[after_head..].find('\n').map(|i| after_head + i);
        let body_start = match rest_of_line {
            Some(nl) if self.text[after_head..nl].trim().is_empty() => nl + 1,
            _ => after_head,
        };
        let (body, end) = self.scan(body_start, Some((start, &name.clone())));
        let body_text = raw_body(self.text, body_start, end);
        self.calls.push(Call { name, args, body: None, body_text: Some(body_text), line });
        self.spans.push(start..end);
        self.bodies.push(Some(body));
        Some(end)
    }

    /// The name and arguments of a call opened by `open_len` bytes at
    /// `start` and closed by `close`; the end of its head. `None` when the
    /// text is not a call (no `name(`); a call with bad arguments is a
    /// problem, and `None` too.
    fn head(&mut self, start: usize, open_len: usize, close: &str) -> Option<(String, Args, usize)> {
        let text = self.text;
        let mut p = Cursor { text, pos: start + open_len };
        p.skip_ws();
        let name = p.ident()?;
        p.skip_ws();
        if !p.eat("(") {
            return None;
        }
        let mut args: Vec<(String, Arg)> = Vec::new();
        let result = (|| {
            loop {
                p.skip_ws();
                if p.eat(")") {
                    break;
                }
                let key_at = p.pos;
                let key = p.ident().ok_or_else(|| (p.pos, "expected an argument's name".to_string()))?;
                if key == "body" || key == "site" {
                    return Err((key_at, format!("`{key}` is not an argument: the template gets it anyway")));
                }
                if args.iter().any(|(k, _)| *k == key) {
                    return Err((key_at, format!("`{key}` is given twice")));
                }
                p.skip_ws();
                if !p.eat("=") {
                    return Err((p.pos, format!("expected `=` after `{key}`")));
                }
                p.skip_ws();
                let value = p.value(true)?;
                args.push((key, value));
                p.skip_ws();
                if p.eat(",") {
                    continue;
                }
                if p.eat(")") {
                    break;
                }
                return Err((p.pos, "expected `,` or `)`".to_string()));
            }
            p.skip_ws();
            if !p.eat(close) {
                return Err((p.pos, format!("expected `{close}` to close the call")));
            }
            Ok(p.pos)
        })();
        match result {
            Ok(end) => Some((name, args, end)),
            Err((at, message)) => {
                let shown: String = text[start..].chars().take_while(|&c| c != '\n').take(60).collect();
                let open = &text[start..start + open_len];
                self.problem(
                    at,
                    1,
                    format!("bad shortcode call `{shown}`: {message}"),
                    &format!(
                        "write `{open} {name}(name=\"text\", n=3, flag=true, list=[\"a\", \"b\"]) {close}`; to show it as text, write `{open}/* … */{close}`"
                    ),
                );
                None
            }
        }
    }
}

/// The body as written, without the newline before `{% end %}`.
fn raw_body(text: &str, start: usize, end: usize) -> String {
    let inner = &text[start..end];
    let inner = inner.rfind("{%").map_or(inner, |i| &inner[..i]);
    inner.strip_suffix('\n').unwrap_or(inner).trim_end_matches([' ', '\t']).to_string()
}

/// `{% end %}` at the start of `rest`: its length.
fn end_tag(rest: &str) -> Option<usize> {
    let inner = rest.strip_prefix("{%")?;
    let trimmed = inner.trim_start_matches([' ', '\t']);
    let after = trimmed.strip_prefix("end")?;
    let after_ws = after.trim_start_matches([' ', '\t']);
    after_ws.starts_with("%}").then(|| rest.len() - after_ws.len() + 2)
}

/// `{{/* … */}}` or `{%/* … */%}` at the start of `rest`: the text it
/// shows, and its length.
fn escape(rest: &str) -> Option<(String, usize)> {
    let (open, close, shown_open, shown_close) = if rest.starts_with("{{/*") {
        ("{{/*", "*/}}", "{{", "}}")
    } else if rest.starts_with("{%/*") {
        ("{%/*", "*/%}", "{%", "%}")
    } else {
        return None;
    };
    let end = rest[open.len()..].find(close)? + open.len();
    // Quotes as entities: Markdown's smart punctuation leaves them straight.
    let inner = rest[open.len()..end].replace('"', "&quot;").replace('\'', "&#39;");
    Some((format!("{shown_open}{inner}{shown_close}"), end + close.len()))
}

/// A line that opens or closes a fenced code block (after any blockquote
/// markers and indentation): its fence character and length.
fn fence_of(line: &str) -> Option<Fence> {
    let trimmed = line.trim_start_matches([' ', '\t', '>']);
    let c = *trimmed.as_bytes().first()?;
    if c != b'`' && c != b'~' {
        return None;
    }
    let n = trimmed.bytes().take_while(|&b| b == c).count();
    (n >= 3).then_some((c, n))
}

/// What follows a fence on its line.
fn fence_info(line: &str) -> &str {
    let trimmed = line.trim_start_matches([' ', '\t', '>']);
    trimmed.trim_start_matches(['`', '~']).trim()
}

/// The end of the code span opened by the backticks at `start`; just past
/// the backticks when nothing closes it (in its paragraph).
fn code_span_end(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    let n = bytes[start..].iter().take_while(|&&b| b == b'`').count();
    let mut p = start + n;
    while p < bytes.len() {
        if bytes[p] == b'`' {
            let run = bytes[p..].iter().take_while(|&&b| b == b'`').count();
            if run == n {
                return p + run;
            }
            p += run;
        } else if bytes[p] == b'\n' && text[p + 1..].trim_start_matches([' ', '\t']).starts_with('\n') {
            break;
        } else {
            p += 1;
        }
    }
    start + n
}

/// Reads a call's head.
struct Cursor<'t> {
    text: &'t str,
    pos: usize,
}

impl<'t> Cursor<'t> {
    fn rest(&self) -> &'t str {
        &self.text[self.pos..]
    }

    fn skip_ws(&mut self) {
        let rest = self.rest();
        self.pos += rest.len() - rest.trim_start().len();
    }

    fn eat(&mut self, s: &str) -> bool {
        let found = self.rest().starts_with(s);
        if found {
            self.pos += s.len();
        }
        found
    }

    /// `[0-9A-Za-z_]+`, as Zola has it.
    fn ident(&mut self) -> Option<String> {
        let n = self.rest().bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_').count();
        (n > 0).then(|| {
            let s = self.rest()[..n].to_string();
            self.pos += n;
            s
        })
    }

    fn value(&mut self, list_allowed: bool) -> Result<Arg, (usize, String)> {
        let at = self.pos;
        let rest = self.rest();
        match rest.chars().next() {
            Some('"') => self.quoted().map(Arg::Str),
            Some(q @ ('\'' | '`')) => {
                let end = rest[1..].find(q).ok_or((at, format!("this string has no closing {q}")))?;
                let s = rest[1..1 + end].to_string();
                self.pos += end + 2;
                Ok(Arg::Str(s))
            }
            Some('[') if list_allowed => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_ws();
                    if self.eat("]") {
                        return Ok(Arg::List(items));
                    }
                    items.push(self.value(false)?);
                    self.skip_ws();
                    if self.eat("]") {
                        return Ok(Arg::List(items));
                    }
                    if !self.eat(",") {
                        return Err((self.pos, "expected `,` or `]` in the list".into()));
                    }
                }
            }
            Some('[') => Err((at, "a list cannot hold a list".into())),
            Some(c) if c.is_ascii_digit() || c == '-' || c == '+' => {
                let n = rest
                    .char_indices()
                    .skip(1)
                    .find(|(_, c)| !(c.is_ascii_digit() || *c == '.' || *c == '_'))
                    .map_or(rest.len(), |(i, _)| i);
                let number = &rest[..n];
                self.pos += n;
                let clean = number.replace('_', "");
                if let Ok(i) = clean.parse::<i64>() {
                    Ok(Arg::Int(i))
                } else if let Ok(f) = clean.parse::<f64>() {
                    Ok(Arg::Float(f))
                } else {
                    Err((at, format!("`{number}` is not a number")))
                }
            }
            _ => {
                if self.eat("true") {
                    return Ok(Arg::Bool(true));
                }
                if self.eat("false") {
                    return Ok(Arg::Bool(false));
                }
                let word: String = rest
                    .chars()
                    .take_while(|c| !matches!(c, ',' | ')' | '(' | ']') && !c.is_whitespace())
                    .collect();
                if word.is_empty() {
                    Err((at, "expected a value: \"text\", a number, true, false or [a list]".into()))
                } else {
                    Err((at, format!("`{word}` is not a value: put text in double quotes, \"{word}\"")))
                }
            }
        }
    }

    /// A double-quoted string with `\"`, `\\`, `\n`, `\t` escapes.
    fn quoted(&mut self) -> Result<String, (usize, String)> {
        let at = self.pos;
        let mut out = String::new();
        let mut chars = self.rest().char_indices().skip(1);
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    self.pos += i + 1;
                    return Ok(out);
                }
                '\\' => match chars.next() {
                    Some((_, '"')) => out.push('"'),
                    Some((_, '\\')) => out.push('\\'),
                    Some((_, 'n')) => out.push('\n'),
                    Some((_, 't')) => out.push('\t'),
                    Some((_, '\'')) => out.push('\''),
                    Some((j, other)) => {
                        return Err((
                            at + j,
                            format!("`\\{other}` is not an escape: use \\\" \\\\ \\n or \\t"),
                        ));
                    }
                    None => break,
                },
                '\n' if out.ends_with('\n') => break,
                c => out.push(c),
            }
        }
        Err((at, "this string has no closing \"".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calls(text: &str) -> Vec<Call> {
        render(text, 1).unwrap().shortcodes
    }

    fn problems(text: &str) -> Vec<Problem> {
        render(text, 1).unwrap_err()
    }

    #[test]
    fn arguments_of_every_kind() {
        let c = calls(
            "{{ figure(src=\"a \\\"b\\\".jpg\", n=3, x=-1.5, flag=true, off=false, list=[\"a\", 'b', `c`],) }}\n",
        );
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].name, "figure");
        let list = Arg::List(vec![Arg::Str("a".into()), Arg::Str("b".into()), Arg::Str("c".into())]);
        let expected = vec![
            ("src".to_string(), Arg::Str("a \"b\".jpg".into())),
            ("n".to_string(), Arg::Int(3)),
            ("x".to_string(), Arg::Float(-1.5)),
            ("flag".to_string(), Arg::Bool(true)),
            ("off".to_string(), Arg::Bool(false)),
            ("list".to_string(), list),
        ];
        assert_eq!(c[0].args, expected);
        let multi = calls("{{ video(\n  src=\"a.mp4\",\n  title=\"Two\\nlines\"\n) }}\n");
        assert_eq!(multi[0].args[1].1, Arg::Str("Two\nlines".into()));
    }

    #[test]
    fn a_call_alone_in_its_paragraph_stands_for_it() {
        let r = render("Before.\n\n{{ youtube(id=\"x\") }}\n\nAn inline {{ icon(name=\"y\") }} call.\n", 1)
            .unwrap();
        assert_eq!(r.shortcodes.len(), 2);
        assert!(r.html.contains(&format!("<p>Before.</p>\n{}\n", marker(0))), "{}", r.html);
        assert!(r.html.contains(&format!("<p>An inline {} call.</p>", marker(1))), "{}", r.html);
    }

    #[test]
    fn code_is_shown_as_written() {
        let text = "```md\n{{ figure(src=\"a.jpg\") }}\n{% bad( %}\n```\n\nInline `{{ figure(src=\"b.jpg\") }}` too, and ``{% x() %}``.\n\n    {{ indented(a=1) }}\n";
        let r = render(text, 1).unwrap();
        assert!(r.html.contains("{{ figure(src=&quot;a.jpg&quot;) }}\n{% bad( %}"), "{}", r.html);
        assert!(r.html.contains("<code>{{ figure(src=\"b.jpg\") }}</code>"), "{}", r.html);
        assert!(r.html.contains("<code>{% x() %}</code>"), "{}", r.html);
        assert!(r.html.contains("{{ indented(a=1) }}"), "indented code gets its text back: {}", r.html);
        assert!(markers(&r.html).next().is_none(), "{}", r.html);
    }

    #[test]
    fn escapes_show_the_call() {
        let r = render("Write {{/* figure(src=\"a.jpg\") */}} or {%/* quote() */%}.\n", 1).unwrap();
        assert!(r.shortcodes.is_empty());
        assert!(r.html.contains("Write {{ figure(src="), "{}", r.html);
        assert!(r.html.contains("or {% quote() %}."), "{}", r.html);
    }

    #[test]
    fn text_that_is_no_call_stays() {
        let r = render("A {{ placeholder }} and {% raw %} and {x}.\n", 1).unwrap();
        assert!(r.shortcodes.is_empty());
        assert!(r.html.contains("A {{ placeholder }} and {% raw %} and {x}."), "{}", r.html);
    }

    #[test]
    fn bodies_are_markdown_and_nest() {
        let text = "Intro.\n\n{% details(summary=\"More\") %}\nSome *text*.\n\n{% quote(source=\"Ann\") %}\nInner **quote**.\n{% end %}\n{% end %}\n\nAfter.\n";
        let r = render(text, 10).unwrap();
        assert_eq!(r.shortcodes.len(), 2);
        let (inner, outer) = (&r.shortcodes[0], &r.shortcodes[1]);
        assert_eq!((inner.name.as_str(), inner.line), ("quote", 15));
        assert_eq!((outer.name.as_str(), outer.line), ("details", 12));
        assert_eq!(inner.body.as_deref(), Some("<p>Inner <strong>quote</strong>.</p>\n"));
        let outer_body = outer.body.as_deref().unwrap();
        assert!(outer_body.contains("<p>Some <em>text</em>.</p>"), "{outer_body}");
        assert!(outer_body.contains(&marker(0)), "{outer_body}");
        assert_eq!(
            outer.body_text.as_deref(),
            Some("Some *text*.\n\n{% quote(source=\"Ann\") %}\nInner **quote**.\n{% end %}")
        );
        assert!(r.html.contains(&marker(1)) && !r.html.contains(&marker(0)), "{}", r.html);
        assert!(r.html.contains("<p>After.</p>"));
    }

    #[test]
    fn errors_name_their_line() {
        let p =
            problems("Line one.\n\n{{ figure(src=a.jpg) }}\n\n{% details(summary=\"x\") %}\nnever closed\n");
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p[0].message.contains("`a.jpg` is not a value"), "{:?}", p[0]);
        assert_eq!(p[0].offset, "Line one.\n\n{{ figure(src=".len());
        assert!(p[1].message.contains("never closed"), "{:?}", p[1]);
        assert_eq!(p[1].offset, "Line one.\n\n{{ figure(src=a.jpg) }}\n\n".len());
        for bad in [
            "{{ f(a=1 b=2) }}",
            "{{ f(a=\"x) }}",
            "{{ f(a=1, a=2) }}",
            "{{ f(body=\"x\") }}",
            "{{ f(a=[[1]]) }}",
            "{{ f(a=\"\\q\") }}",
            "{{ f(a=1) %}",
            "{% end %}",
        ] {
            assert_eq!(problems(bad).len(), 1, "{bad}");
        }
    }

    #[test]
    fn a_call_where_markdown_cannot_keep_it_is_an_error() {
        let p = problems("[link]({{ url(a=1) }})\n");
        assert!(p[0].message.contains("cannot go"), "{p:?}");
    }

    #[test]
    fn markers_are_found_and_stray_ones_ignored() {
        let html = format!("a{}b{MARK_OPEN}x{MARK_CLOSE}{}", marker(12), marker(3));
        let found: Vec<usize> = markers(&html).map(|(_, _, i)| i).collect();
        assert_eq!(found, [12, 3]);
    }
}
