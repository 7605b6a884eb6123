//! `SiteTest`: a site in a temp folder, built with the real binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use scraper::{ElementRef, Html, Node, Selector};

pub(crate) const CONFIG: &str = "title = \"Test Blog\"\nbase_url = \"https://blog.example.org/\"\nposts_per_page = 2\n\n[authors.ann]\nname = \"Ann Example\"\nbio = \"Answers phones.\"\n";

pub(crate) struct SiteTest {
    root: PathBuf,
    /// The temp folder the site is in, removed on drop (none for `at`).
    _dir: Option<tempfile::TempDir>,
}

pub(crate) struct Run {
    pub(crate) output: Output,
}

impl Run {
    pub(crate) fn code(&self) -> i32 {
        self.output.status.code().unwrap_or(-1)
    }
    pub(crate) fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }
    pub(crate) fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }
    #[track_caller]
    pub(crate) fn assert_ok(&self) -> &Self {
        assert_eq!(self.code(), 0, "stderr:\n{}\nstdout:\n{}", self.stderr(), self.stdout());
        self
    }
}

/// A post's front matter and body, with the usual keys filled in.
pub(crate) fn post(title: &str, date: &str, extra: &str) -> String {
    format!(
        "---\ntitle: {title:?}\ndate: {date}\n{extra}---\n\nThe first paragraph of {title}.\n\nMore text.\n"
    )
}

impl SiteTest {
    /// An empty folder holding only `site.toml`.
    pub(crate) fn new() -> SiteTest {
        SiteTest::with_config(CONFIG)
    }

    pub(crate) fn with_config(config: &str) -> SiteTest {
        let dir = tempfile::tempdir().expect("temp dir");
        let site = SiteTest { root: dir.path().to_path_buf(), _dir: Some(dir) };
        site.file("site.toml", config);
        site
    }

    /// A copy of the site in `tests/fixtures/<name>/`, in a temp folder (the
    /// build writes there, never into the fixture).
    pub(crate) fn from_fixture(name: &str) -> SiteTest {
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
        assert!(fixture.join("site.toml").is_file(), "no site at {}", fixture.display());
        let dir = tempfile::tempdir().expect("temp dir");
        copy_dir(&fixture, dir.path());
        SiteTest { root: dir.path().to_path_buf(), _dir: Some(dir) }
    }

    /// A site already in `root`, which its owner removes.
    pub(crate) fn at(root: &Path) -> SiteTest {
        SiteTest { root: root.to_path_buf(), _dir: None }
    }

    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    pub(crate) fn file(&self, path: &str, text: &str) -> &Self {
        let full = self.root().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
        self
    }

    /// The text of a file of the site (not of its output), e.g. `site.toml`.
    pub(crate) fn source(&self, path: &str) -> String {
        std::fs::read_to_string(self.root().join(path)).unwrap_or_else(|e| panic!("read {path}: {e}"))
    }

    pub(crate) fn remove(&self, path: &str) -> &Self {
        std::fs::remove_file(self.root().join(path)).unwrap();
        self
    }

    pub(crate) fn run(&self, args: &[&str]) -> Run {
        let output = Command::new(env!("CARGO_BIN_EXE_parlor"))
            .arg("--root")
            .arg(self.root())
            .args(args)
            .output()
            .expect("run parlor");
        Run { output }
    }

    pub(crate) fn build(&self) -> Run {
        self.run(&["build"])
    }

    pub(crate) fn public(&self, path: &str) -> PathBuf {
        self.root().join("public").join(path)
    }

    pub(crate) fn exists(&self, path: &str) -> bool {
        self.public(path).exists()
    }

    pub(crate) fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.public(path)).unwrap_or_else(|e| panic!("read public/{path}: {e}"))
    }

    /// The page at site URL `url` (`/posts/a/`), parsed.
    pub(crate) fn page(&self, url: &str) -> Page {
        let path = url.trim_start_matches('/');
        let path = if path.is_empty() || path.ends_with('/') {
            format!("{path}index.html")
        } else {
            path.to_string()
        };
        Page { html: Html::parse_document(&self.read(&path)) }
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())) {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

pub(crate) struct Page {
    pub(crate) html: Html,
}

impl Page {
    /// Text of every element matching `css`, trimmed and with inner
    /// whitespace folded.
    pub(crate) fn texts(&self, css: &str) -> Vec<String> {
        let sel = Selector::parse(css).unwrap_or_else(|e| panic!("selector {css}: {e:?}"));
        self.html
            .select(&sel)
            .map(|e| e.text().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" "))
            .collect()
    }

    pub(crate) fn attrs(&self, css: &str, attr: &str) -> Vec<String> {
        let sel = Selector::parse(css).unwrap();
        self.html.select(&sel).filter_map(|e| e.value().attr(attr).map(String::from)).collect()
    }

    pub(crate) fn count(&self, css: &str) -> usize {
        let sel = Selector::parse(css).unwrap();
        self.html.select(&sel).count()
    }

    /// The one element matching `css`, serialised by [`pretty_html`].
    pub(crate) fn pretty(&self, css: &str) -> String {
        let sel = Selector::parse(css).unwrap_or_else(|e| panic!("selector {css}: {e:?}"));
        let found: Vec<ElementRef> = self.html.select(&sel).collect();
        assert_eq!(found.len(), 1, "{css} should match one element");
        pretty_html(found[0])
    }
}

/// Elements that start a line of their own in [`pretty_html`].
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hr",
    "html",
    "li",
    "main",
    "nav",
    "ol",
    "option",
    "p",
    "pre",
    "script",
    "section",
    "select",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
];

fn is_block(node: &Node) -> bool {
    node.as_element().is_some_and(|e| BLOCKS.contains(&e.name()))
}

/// An element as HTML for a snapshot: each block element (`<p>`, `<li>`,
/// `<section>`...) on its own line, indented by its depth; inline content
/// on one line with its whitespace folded; `<pre>` as it is. Attributes
/// come in the order scraper keeps them (by name).
pub(crate) fn pretty_html(element: ElementRef<'_>) -> String {
    let mut out = String::new();
    write_pretty(element, 0, &mut out);
    out
}

fn write_pretty(element: ElementRef<'_>, depth: usize, out: &mut String) {
    let indent = "  ".repeat(depth);
    if element.value().name() == "pre" {
        out.push_str(&format!("{indent}{}\n", element.html()));
        return;
    }
    if !element.descendants().skip(1).any(|n| is_block(n.value())) {
        out.push_str(&format!("{indent}{}\n", fold(&element.html())));
        return;
    }
    let name = element.value().name();
    let attrs: String =
        element.value().attrs().map(|(k, v)| format!(" {k}=\"{}\"", escape(v, true))).collect();
    out.push_str(&format!("{indent}<{name}{attrs}>\n"));
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        let line = fold(run);
        if !line.is_empty() {
            out.push_str(&format!("{indent}  {line}\n"));
        }
        run.clear();
    };
    for child in element.children() {
        match child.value() {
            node if is_block(node) => {
                flush(&mut run, out);
                write_pretty(ElementRef::wrap(child).unwrap(), depth + 1, out);
            }
            Node::Element(_) => run.push_str(&ElementRef::wrap(child).unwrap().html()),
            Node::Text(text) => run.push_str(&escape(text, false)),
            Node::Comment(comment) => run.push_str(&format!("<!--{}-->", &**comment)),
            _ => {}
        }
    }
    flush(&mut run, out);
    out.push_str(&format!("{indent}</{name}>\n"));
}

/// Runs of whitespace as one space, none at the ends.
fn fold(html: &str) -> String {
    html.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Text or an attribute value escaped as html5ever (scraper's `html()`)
/// escapes them.
fn escape(text: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '\u{a0}' => out.push_str("&nbsp;"),
            '"' if attribute => out.push_str("&quot;"),
            '<' if !attribute => out.push_str("&lt;"),
            '>' if !attribute => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// The YAML front matter of a file parlor wrote, read as YAML: tests say
/// what a key holds, not how it was quoted.
pub(crate) fn front(text: &str) -> serde_norway::Value {
    let rest = text.strip_prefix("---\n").unwrap_or_else(|| panic!("no front matter in {text}"));
    let end = rest.find("\n---\n").unwrap_or_else(|| panic!("no end to the front matter in {text}"));
    serde_norway::from_str(&rest[..end + 1]).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// The string a front matter key holds, `""` when it has none.
pub(crate) fn key(text: &str, path: &str) -> String {
    let mut v = front(text);
    for part in path.split('.') {
        v = v.get(part).cloned().unwrap_or(serde_norway::Value::Null);
    }
    match v {
        serde_norway::Value::String(s) => s,
        serde_norway::Value::Bool(b) => b.to_string(),
        serde_norway::Value::Null => String::new(),
        other => serde_norway::to_string(&other).unwrap().trim_end().to_string(),
    }
}
