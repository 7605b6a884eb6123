//! The crate is a stack: every module imports only modules below it.
//! This reads `src/` (test modules left out) and fails when an import
//! points up, or when a module is missing from the stack. The same order
//! is drawn in ARCHITECTURE.md, which this checks too.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The modules from the top of the stack down. `main` is the binary and
/// `lib` the crate root's own items (`build`, `check`, `BuildOptions`).
const STACK: &[&str] = &[
    "main",
    "cli",
    "serve",
    "intake",
    "notify",
    "moderator",
    "import",
    "scaffold",
    "lib",
    "output",
    "render",
    "site_index",
    "model",
    "moderate",
    "parse",
    "load",
    "config",
    "forms",
    "cache_file",
    "fsx",
    "html",
    "progress",
    "diag",
    "slugs",
];

/// Imports allowed to point up, each with the reason. Empty: keep it so.
const ALLOWED_UPWARD: &[(&str, &str)] = &[];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to: `src/parse/comment/mod.rs` is
/// in `parse`, `src/lib.rs` is `lib`.
fn module_of(path: &Path) -> String {
    let relative = path.strip_prefix(src()).unwrap();
    let first = relative.components().next().unwrap().as_os_str().to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

/// The code of a file without its comments and its test module (by the
/// crate's convention, and clippy's `items_after_test_module`, the last
/// item of a file).
fn code_of(text: &str) -> String {
    let mut code = String::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        if line.trim() == "#[cfg(test)]"
            && lines.peek().is_some_and(|next| next.trim_start().starts_with("mod "))
        {
            break;
        }
        // `://` is a URL in a string, not a comment.
        let comment = line.match_indices("//").map(|(i, _)| i).find(|&i| !line[..i].ends_with(':'));
        let line = comment.map_or(line, |i| &line[..i]);
        code.push_str(line);
        code.push('\n');
    }
    code
}

/// The first path segment after each `crate::` (and, in `use crate::{a,
/// b::c}`, each item of the group).
fn crate_paths(code: &str, prefix: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (at, _) in code.match_indices(prefix) {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let rest = &code[at + prefix.len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut item = String::new();
            let mut at_start = true;
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => at_start = true,
                    c if at_start && (c.is_alphanumeric() || c == '_') => item.push(c),
                    _ if at_start && !item.is_empty() => {
                        found.insert(std::mem::take(&mut item));
                        at_start = false;
                    }
                    _ => {}
                }
            }
            if !item.is_empty() {
                found.insert(item);
            }
        } else {
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if !name.is_empty() {
                found.insert(name);
            }
        }
    }
    found
}

/// Every (importer, imported, file) among the stack's modules.
fn imports() -> Vec<(String, String, PathBuf)> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    files.sort();
    let modules: BTreeSet<String> = files.iter().map(|f| module_of(f)).collect();
    let mut edges = Vec::new();
    for file in files {
        let from = module_of(&file);
        // `#[cfg(test)] mod tests;` files are tests whole.
        if file.file_name().is_some_and(|n| n == "tests.rs") {
            continue;
        }
        let code = code_of(&std::fs::read_to_string(&file).unwrap());
        let prefix = if from == "main" { "parlor::" } else { "crate::" };
        for name in crate_paths(&code, prefix) {
            let to = if modules.contains(&name) { name } else { "lib".to_string() };
            if to != from {
                edges.push((from.clone(), to, file.clone()));
            }
        }
    }
    edges
}

fn level(module: &str) -> usize {
    STACK.iter().position(|m| *m == module).unwrap_or_else(|| {
        panic!("module `{module}` is not in the stack: add it to STACK here and to ARCHITECTURE.md")
    })
}

#[test]
fn every_import_points_down_the_stack() {
    let mut upward = Vec::new();
    for (from, to, file) in imports() {
        let allowed = ALLOWED_UPWARD.iter().any(|(a, b)| *a == from && *b == to);
        if level(&from) >= level(&to) && !allowed {
            upward.push(format!("{} imports `{to}`, which is not below `{from}`", file.display()));
        }
    }
    upward.sort();
    upward.dedup();
    assert!(upward.is_empty(), "imports that point up the stack:\n{}", upward.join("\n"));
}

#[test]
fn every_module_is_in_the_stack_once() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    for module in files.iter().map(|f| module_of(f)).collect::<BTreeSet<_>>() {
        level(&module);
    }
    let unique: BTreeSet<&&str> = STACK.iter().collect();
    assert_eq!(unique.len(), STACK.len(), "a module is listed twice");
}

#[test]
fn architecture_md_draws_the_same_stack() {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("ARCHITECTURE.md")).unwrap();
    let start = text.find("<!-- stack -->").expect("ARCHITECTURE.md marks its stack with <!-- stack -->");
    let end = start + text[start..].find("<!-- /stack -->").expect("and ends it with <!-- /stack -->");
    let drawn: Vec<&str> = text[start..end]
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("- `"))
        .filter_map(|l| l.split('`').next())
        .map(|m| m.trim_end_matches('/').trim_end_matches(".rs").trim_start_matches("src/"))
        .collect();
    assert_eq!(drawn, STACK, "ARCHITECTURE.md's stack differs from the test's");
}

#[test]
fn the_reader_sees_use_groups_and_skips_comments() {
    let code = code_of(
        "use crate::{config::Config, diag::{self, Diagnostic}, slugs};\n// crate::serve\nlet x = crate::fsx::write(\"https://example.org\"); // crate::render\n#[cfg(test)]\nmod tests {\n use crate::cli;\n}\n",
    );
    let found = crate_paths(&code, "crate::");
    assert_eq!(found.into_iter().collect::<Vec<_>>(), ["config", "diag", "fsx", "slugs"]);
}
