//! `SiteTest`: a site in a temp folder, built with the real binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use scraper::{Html, Selector};

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
