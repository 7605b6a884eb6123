//! The theme: the built-in one is compiled into the binary; a site's
//! `themes/<name>/` overrides it file by file (templates, shortcodes and
//! static files). A shortcode's template `shortcodes/figure.html` is a
//! template named `shortcodes/figure.html`.

use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};

use super::{Asset, list_assets, read_text};
use crate::diag::{Diagnostic, Diagnostics};

/// Where a built-in template says it came from.
pub const BUILT_IN_ORIGIN: &str = "(built-in theme)";

static BUILT_IN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

#[derive(Debug, Clone)]
pub struct Template {
    /// The name templates use to refer to it: `post.html`, `partials/nav.html`.
    pub name: String,
    pub text: String,
    /// Where it came from, for diagnostics: a site path, or `(built-in)/...`.
    pub origin: PathBuf,
}

#[derive(Debug, Clone)]
pub enum ThemeFile {
    Embedded { relative: String, bytes: &'static [u8] },
    Disk(Asset),
}

impl ThemeFile {
    pub fn relative(&self) -> &str {
        match self {
            ThemeFile::Embedded { relative, .. } => relative,
            ThemeFile::Disk(a) => &a.relative,
        }
    }
}

#[derive(Debug, Default)]
pub struct Theme {
    pub templates: Vec<Template>,
    pub static_files: Vec<ThemeFile>,
}

impl Theme {
    pub fn load(root: &Path, name: &str, diags: &Diagnostics) -> Theme {
        let mut theme = Theme::built_in();
        let dir = root.join("themes").join(name);
        if !dir.is_dir() {
            if name != "default" {
                diags.push(
                    Diagnostic::error(
                        "site.toml",
                        format!("theme `{name}` not found: no folder `themes/{name}/`"),
                    )
                    .with_help("create the folder, or remove `theme` to use the built-in theme"),
                );
            }
            return theme;
        }
        for (folder, prefix) in [("templates", ""), ("shortcodes", "shortcodes/")] {
            for asset in list_assets(&dir.join(folder), diags) {
                if !asset.relative.ends_with(".html") && !asset.relative.ends_with(".xml") {
                    continue;
                }
                let origin = asset.source.strip_prefix(root).unwrap_or(&asset.source).to_path_buf();
                if let Some(text) = read_text(&asset.source, &origin, diags) {
                    let name = format!("{prefix}{}", asset.relative);
                    theme.templates.retain(|t| t.name != name);
                    theme.templates.push(Template { name, text, origin });
                }
            }
        }
        for asset in list_assets(&dir.join("static"), diags) {
            theme.static_files.retain(|f| f.relative() != asset.relative);
            theme.static_files.push(ThemeFile::Disk(asset));
        }
        theme
    }

    pub fn built_in() -> Theme {
        let mut theme = Theme::default();
        for (folder, prefix) in [("templates", ""), ("shortcodes", "shortcodes/")] {
            if let Some(dir) = BUILT_IN.get_dir(folder) {
                collect_embedded(dir, &mut |file| {
                    let relative = relative_to(file.path(), folder);
                    if let Some(text) = file.contents_utf8() {
                        let origin = PathBuf::from(format!("{BUILT_IN_ORIGIN}/{folder}")).join(&relative);
                        let name = format!("{prefix}{relative}");
                        theme.templates.push(Template { name, text: text.to_string(), origin });
                    }
                });
            }
        }
        if let Some(dir) = BUILT_IN.get_dir("static") {
            collect_embedded(dir, &mut |file| {
                let relative = relative_to(file.path(), "static");
                theme.static_files.push(ThemeFile::Embedded { relative, bytes: file.contents() });
            });
        }
        theme
    }
}

fn collect_embedded(dir: &'static Dir<'static>, f: &mut dyn FnMut(&'static include_dir::File<'static>)) {
    for file in dir.files() {
        f(file);
    }
    for sub in dir.dirs() {
        collect_embedded(sub, f);
    }
}

fn relative_to(path: &Path, prefix: &str) -> String {
    let rel = path.strip_prefix(prefix).unwrap_or(path);
    rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}
