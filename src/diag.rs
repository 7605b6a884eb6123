//! Site problems as diagnostics: every stage pushes to one `Diagnostics`
//! and carries on, so a single run reports every problem in a site.
//!
//! A diagnostic names the file, the line and column when it has them, says
//! what is wrong, and (in `help`) what to do about it. Rendering uses miette
//! for the source snippet; the first line is a stable `error: path:line:col:
//! message` that editors and tests can read.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

/// Where in a file a problem is: 1-based line and column, plus the byte
/// range so that a snippet can underline it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub line: usize,
    pub col: usize,
    pub span: std::ops::Range<usize>,
}

impl Location {
    /// The location of byte `offset` (and `len` bytes after it) in `text`.
    pub fn at_offset(text: &str, offset: usize, len: usize) -> Location {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = text[line_start..offset].chars().count() + 1;
        let end = floor_char_boundary(text, (offset + len).min(text.len()));
        Location { line, col, span: offset..end }
    }

    /// The location of the start of 1-based `line` in `text` (column 1).
    pub fn at_line(text: &str, line: usize) -> Location {
        let mut offset = 0;
        for (i, l) in text.split_inclusive('\n').enumerate() {
            if i + 1 == line {
                let len = l.trim_end_matches(['\n', '\r']).len();
                return Location { line, col: 1, span: offset..offset + len };
            }
            offset += l.len();
        }
        Location { line, col: 1, span: text.len()..text.len() }
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Path relative to the site root where possible.
    pub path: PathBuf,
    pub location: Option<Location>,
    pub message: String,
    pub help: Option<String>,
    /// The file's text, for the snippet. Only set when `location` is.
    pub source: Option<std::sync::Arc<str>>,
}

impl Diagnostic {
    pub fn error(path: impl AsRef<Path>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            path: path.as_ref().to_path_buf(),
            location: None,
            message: message.into(),
            help: None,
            source: None,
        }
    }

    pub fn warning(path: impl AsRef<Path>, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(path, message) }
    }

    /// The same problem as a warning: the build goes on without the thing
    /// it is about, and says what happens to it.
    pub fn into_warning(mut self, consequence: &str) -> Diagnostic {
        self.severity = Severity::Warning;
        self.message = format!("{} ({consequence})", self.message);
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Points the diagnostic at `location` in `source` (the whole file's text).
    pub fn at(mut self, source: &str, location: Location) -> Diagnostic {
        self.source = Some(source.into());
        self.location = Some(location);
        self
    }

    /// Points the diagnostic at `line` of its file without holding the
    /// file's text: for problems found after the text was let go (a big
    /// site's comment files are not kept through the build). `read_sources`
    /// reads the file for the snippet before the diagnostic is shown.
    pub fn at_line_of_file(mut self, line: usize) -> Diagnostic {
        self.location = Some(Location { line, col: 1, span: 0..0 });
        self.source = None;
        self
    }

    /// `error: path:line:col: message`: the one line that names the place.
    pub fn headline(&self) -> String {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let path = self.path.display();
        match &self.location {
            Some(loc) => format!("{kind}: {path}:{}:{}: {}", loc.line, loc.col, self.message),
            None => format!("{kind}: {path}: {}", self.message),
        }
    }

    /// The headline, a source snippet when there is one, and the help line.
    pub fn render(&self, color: bool) -> String {
        let mut out = self.headline();
        out.push('\n');
        if let (Some(loc), Some(source)) = (&self.location, &self.source) {
            out.push_str(&snippet(&self.path, source, loc, color));
        }
        if let Some(help) = &self.help {
            let _ = writeln!(out, "  help: {help}");
        }
        out
    }
}

fn snippet(path: &Path, source: &str, loc: &Location, color: bool) -> String {
    let len = loc.span.end.saturating_sub(loc.span.start).max(1);
    let diag =
        MietteDiagnostic::new("").with_label(LabeledSpan::at(loc.span.start..loc.span.start + len, "here"));
    let report = miette::Report::new(diag)
        .with_source_code(NamedSource::new(path.display().to_string(), source.to_string()));
    let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_context_lines(1);
    let mut out = String::new();
    if handler.render_report(&mut out, report.as_ref()).is_err() {
        return String::new();
    }
    // miette's first line repeats the (empty) message; the headline already says it.
    out.lines().skip_while(|l| l.trim().is_empty() || l.trim() == "×").map(|l| format!("{l}\n")).collect()
}

/// Gives each diagnostic made by `at_line_of_file` its file's text (paths
/// are relative to `root`) and the span of its line, so that it shows a
/// snippet like any other. A file that cannot be read keeps the line alone.
pub fn read_sources(root: &Path, diagnostics: &mut [Diagnostic]) {
    for d in diagnostics.iter_mut().filter(|d| d.source.is_none()) {
        let Some(line) = d.location.as_ref().map(|l| l.line) else { continue };
        let Ok(text) = std::fs::read_to_string(root.join(&d.path)) else { continue };
        d.location = Some(Location::at_line(&text, line));
        d.source = Some(text.into());
    }
}

/// Collects diagnostics from every stage, from many threads at once.
#[derive(Debug, Default)]
pub struct Diagnostics {
    items: Mutex<Vec<Diagnostic>>,
}

impl Diagnostics {
    pub fn new() -> Diagnostics {
        Diagnostics::default()
    }

    pub fn push(&self, diagnostic: Diagnostic) {
        self.items.lock().unwrap_or_else(|e| e.into_inner()).push(diagnostic);
    }

    pub fn extend(&self, diagnostics: impl IntoIterator<Item = Diagnostic>) {
        self.items.lock().unwrap_or_else(|e| e.into_inner()).extend(diagnostics);
    }

    /// Nothing has been reported.
    pub fn is_empty(&self) -> bool {
        self.items.lock().unwrap_or_else(|e| e.into_inner()).is_empty()
    }

    pub fn has_errors(&self) -> bool {
        self.items.lock().unwrap_or_else(|e| e.into_inner()).iter().any(|d| d.severity == Severity::Error)
    }

    /// All diagnostics, sorted by path and line so output is stable, each
    /// once: a broken template fails every page that uses it, and should be
    /// reported once, not once a page.
    pub fn into_sorted(self) -> Vec<Diagnostic> {
        let mut items = self.items.into_inner().unwrap_or_else(|e| e.into_inner());
        // Errors before warnings at the same place; equal ones end up adjacent.
        let place = |d: &Diagnostic| d.location.as_ref().map_or((0, 0), |l| (l.line, l.col));
        items.sort_by(|a, b| {
            (&a.path, place(a), b.severity, &a.message).cmp(&(&b.path, place(b), a.severity, &b.message))
        });
        items.dedup_by(|a, b| a.path == b.path && a.location == b.location && a.message == b.message);
        items
    }
}

/// The known name nearest to `unknown`, if one is near enough to be a typo:
/// few edits (a swap of two letters counts as one), or a shared prefix.
pub fn nearest<'a>(unknown: &str, known: &[&'a str]) -> Option<&'a str> {
    let max_edits = (unknown.chars().count() / 3).max(1);
    known
        .iter()
        .map(|k| (strsim::damerau_levenshtein(unknown, k), strsim::jaro_winkler(unknown, k), *k))
        .filter(|(edits, jw, _)| *edits <= max_edits || *jw > 0.85)
        .min_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)))
        .map(|(_, _, k)| k)
}

/// The help text for an unknown key.
pub fn unknown_key_help(unknown: &str, known: &[&str]) -> String {
    match nearest(unknown, known) {
        Some(k) => format!("did you mean `{k}`?"),
        None => format!("known keys are: {}", known.join(", ")),
    }
}

/// The location of `key` as written at the start of a line in YAML or TOML
/// text (`key:` or `key =`). Falls back to the first line.
pub fn key_location(text: &str, key: &str) -> Location {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let unquoted = trimmed.trim_start_matches(['"', '\'']);
        if let Some(rest) = unquoted.strip_prefix(key) {
            let rest = rest.trim_start_matches(['"', '\'']).trim_start();
            if rest.starts_with(':') || rest.starts_with('=') {
                let start = offset + indent;
                return Location::at_offset(text, start, trimmed.trim_end().len());
            }
        }
        offset += line.len();
    }
    Location::at_line(text, 1)
}

/// `1 post`, `2 posts`.
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_lines_and_columns() {
        let text = "a: 1\nbé: 2\nc: 3\n";
        let loc = Location::at_offset(text, 9, 1);
        assert_eq!((loc.line, loc.col), (2, 4));
    }

    #[test]
    fn identical_diagnostics_are_reported_once() {
        let diags = Diagnostics::new();
        for message in ["broken", "other", "broken", "broken"] {
            diags.push(Diagnostic::error("t.html", message));
        }
        assert_eq!(diags.into_sorted().len(), 2);
    }

    #[test]
    fn nearest_suggests_typos_only() {
        assert_eq!(nearest("tagz", &["title", "tags", "date"]), Some("tags"));
        assert_eq!(nearest("zzzzzz", &["title", "tags"]), None);
    }

    #[test]
    fn key_location_finds_yaml_and_toml_keys() {
        let text = "title: x\n  tagz: [a]\nfoo = 1\n";
        assert_eq!(key_location(text, "tagz").line, 2);
        assert_eq!(key_location(text, "foo").line, 3);
    }

    #[test]
    fn headline_names_file_line_and_column() {
        let text = "title: x\ntagz: y\n";
        let d = Diagnostic::error("content/posts/a.md", "unknown key `tagz`")
            .at(text, key_location(text, "tagz"))
            .with_help("did you mean `tags`?");
        assert_eq!(d.headline(), "error: content/posts/a.md:2:1: unknown key `tagz`");
        let rendered = d.render(false);
        assert!(rendered.contains("tagz: y"), "{rendered}");
        assert!(rendered.contains("help: did you mean `tags`?"));
    }
}
