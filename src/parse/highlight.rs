//! Code highlighting with syntect, as CSS classes (`hl-` prefixed) so that
//! one stylesheet serves light and dark. The syntax set is loaded once per
//! process, on first use.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::OnceLock;

use syntect::highlighting::ThemeSet;
use syntect::html::{ClassStyle, css_for_theme_with_class_style, line_tokens_to_classed_spans};
use syntect::parsing::{ParseState, ScopeStack, SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };
const LIGHT_THEME: &str = "InspiredGitHub";
const DARK_THEME: &str = "base16-ocean.dark";

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// A fenced block as HTML: highlighted when the language is known, plain
/// (escaped) otherwise. Never fails on any input.
pub fn code_block(code: &str, lang: &str) -> String {
    let lang = lang.trim();
    let set = syntaxes();
    let highlighted = (!lang.is_empty())
        .then(|| set.find_syntax_by_token(lang))
        .flatten()
        .and_then(|syntax| LINES.with_borrow_mut(|lines| highlight(code, syntax, set, lines)));
    let body = highlighted.unwrap_or_else(|| crate::html::escape(code));
    if lang.is_empty() {
        format!("<pre class=\"code\"><code>{body}</code></pre>\n")
    } else {
        let lang = crate::html::escape(lang);
        format!(
            "<pre class=\"code\" data-lang=\"{lang}\"><code class=\"language-{lang}\">{body}</code></pre>\n"
        )
    }
}

/// What syntect's `ClassedHTMLGenerator` does, line by line, but asking the
/// memo first: a line's HTML and the states after it depend only on the
/// states before it and its text.
fn highlight(code: &str, syntax: &SyntaxReference, set: &SyntaxSet, lines: &mut LineMemo) -> Option<String> {
    let mut state = States { parse: ParseState::new(syntax), scopes: ScopeStack::new() };
    let mut open_spans: isize = 0;
    let mut html = String::with_capacity(code.len() * 4);
    for line in LinesWithEndings::from(code) {
        if let Some(known) = lines.find_mut(line, &state) {
            html.push_str(&known.html);
            open_spans += known.span_delta;
            state = known.after.clone();
            continue;
        }
        let before = (line.len() <= LineMemo::LONGEST_LINE).then(|| state.clone());
        let ops = state.parse.parse_line(line, set).ok()?;
        let (piece, span_delta) =
            line_tokens_to_classed_spans(line, &ops, CLASS_STYLE, &mut state.scopes).ok()?;
        html.push_str(&piece);
        open_spans += span_delta;
        if let Some(before) = before {
            lines.remember(
                line,
                Known { before, after: state.clone(), html: piece.into(), span_delta, used: false },
            );
        }
    }
    for _ in 0..open_spans {
        html.push_str("</span>");
    }
    Some(html)
}

thread_local! {
    static LINES: RefCell<LineMemo> = RefCell::new(LineMemo::default());
}

/// The parser's state between two lines: the syntax's context stack and the
/// scopes whose spans are open.
#[derive(Clone, PartialEq, Eq)]
struct States {
    parse: ParseState,
    scopes: ScopeStack,
}

/// One highlighted line: from the states before it, its HTML and the states after.
struct Known {
    before: States,
    after: States,
    html: Box<str>,
    span_delta: isize,
    /// Found again since the memo last filled up.
    used: bool,
}

/// Lines already highlighted by this thread, by text. Highlighting is most of a
/// cold build's parsing, and code repeats lines (closing braces, blank lines,
/// imports) far more than prose repeats sentences. Bounded: when full, it
/// keeps only the lines found again since it last filled up.
#[derive(Default)]
struct LineMemo {
    by_text: HashMap<Box<str>, Vec<Known>, foldhash::fast::RandomState>,
    entries: usize,
}

impl LineMemo {
    const LONGEST_LINE: usize = 160;
    const MOST_ENTRIES: usize = 4_096;
    const MOST_STATES_PER_LINE: usize = 8;

    fn find_mut(&mut self, line: &str, before: &States) -> Option<&Known> {
        let known = self.by_text.get_mut(line)?.iter_mut().find(|known| known.before == *before)?;
        known.used = true;
        Some(known)
    }

    fn remember(&mut self, line: &str, known: Known) {
        if self.entries >= Self::MOST_ENTRIES {
            self.keep_only_used();
        }
        let states = self.by_text.entry(line.into()).or_default();
        if states.len() < Self::MOST_STATES_PER_LINE {
            states.push(known);
            self.entries += 1;
        }
    }

    /// Forgets the lines not found again since the last time, and clears the
    /// marks; if the kept lines still fill half the memo, forgets them all.
    fn keep_only_used(&mut self) {
        self.by_text.retain(|_, states| {
            states.retain_mut(|known| std::mem::take(&mut known.used));
            !states.is_empty()
        });
        self.entries = self.by_text.values().map(Vec::len).sum();
        if self.entries >= Self::MOST_ENTRIES / 2 {
            self.by_text.clear();
            self.entries = 0;
        }
    }
}

/// `syntax.css`: the light theme, and the dark one under `prefers-color-scheme`.
pub fn stylesheet() -> String {
    let themes = ThemeSet::load_defaults();
    let css = |name: &str| {
        themes
            .themes
            .get(name)
            .and_then(|t| css_for_theme_with_class_style(t, CLASS_STYLE).ok())
            .unwrap_or_default()
    };
    format!(
        "/* Generated by parlor: code highlighting, light ({LIGHT_THEME}) and dark ({DARK_THEME}). */\n{}\n@media (prefers-color-scheme: dark) {{\n{}\n}}\n",
        css(LIGHT_THEME),
        css(DARK_THEME)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_languages_get_classes() {
        let html = code_block("fn main() {}\n", "rust");
        assert!(html.contains("class=\"hl-"), "{html}");
        assert!(html.contains("language-rust"));
    }

    #[test]
    fn unknown_language_is_plain_and_escaped() {
        let html = code_block("<b>&</b>\n", "no-such-lang");
        assert!(html.contains("&lt;b&gt;&amp;&lt;/b&gt;"), "{html}");
        assert!(!html.contains("hl-"));
    }

    /// The memo must give exactly what syntect's own generator gives, for
    /// lines seen before in another state too (a brace closing a string, a
    /// comment, or a block).
    #[test]
    fn remembered_lines_highlight_as_syntect_does() {
        use syntect::html::ClassedHTMLGenerator;
        let blocks = [
            ("rust", "fn a() {\n    let s = \"}\n\";\n}\n/* }\n}\n*/\n}\n"),
            ("rust", "}\nfn a() {\n}\n"),
            ("python", "def f():\n    \"\"\"\n    }\n    \"\"\"\n    return 1\n"),
            ("javascript", "const s = `\n}\n`;\n}\n// }\n"),
            ("rust", "fn a() {\n    let s = \"}\n\";\n}\n/* }\n}\n*/\n}\n"),
        ];
        let set = syntaxes();
        for round in 0..2 {
            for (lang, code) in blocks {
                let syntax = set.find_syntax_by_token(lang).unwrap();
                let mut expected = ClassedHTMLGenerator::new_with_class_style(syntax, set, CLASS_STYLE);
                for line in LinesWithEndings::from(code) {
                    expected.parse_html_for_line_which_includes_newline(line).unwrap();
                }
                let got = LINES.with_borrow_mut(|lines| highlight(code, syntax, set, lines)).unwrap();
                assert_eq!(got, expected.finalize(), "round {round}, {lang}: {code:?}");
            }
        }
        LINES.with_borrow(|lines| assert!(lines.entries > 10, "lines were remembered"));
    }

    #[test]
    fn stylesheet_has_both_schemes() {
        let css = stylesheet();
        assert!(css.contains("prefers-color-scheme: dark"));
        assert!(css.contains(".hl-"));
    }
}
