//! Shortcodes rendered: each call `parse` recorded (`parse/shortcodes.rs`)
//! goes through its template, `shortcodes/<name>.html` of the theme, and
//! its output takes the place of its marker in the post's HTML. Done once
//! a build for every post and page that has calls, before any page is
//! rendered, so every page, list and feed shows the same text; posts
//! without calls cost nothing here.
//!
//! An imported post's HTML was sanitised in `parse`, markers and bodies
//! included; a shortcode's output is the theme's own, added after, so the
//! allow-list neither strips nor vouches for it. What an import can put in
//! it are arguments: escaped by the template, and each address (`src`,
//! `poster`, `url`, `href`, `images`) must be http(s), relative or a
//! `data:image/` of a raster type, or the call is an error.

use std::collections::HashSet;
use std::path::Path;

use rayon::prelude::*;
use tera::{Context, Tera};

use crate::diag::{Diagnostic, Diagnostics};
use crate::load::{BUILT_IN_ORIGIN, Theme};
use crate::model::SiteModel;
use crate::parse::shortcodes::{Arg, Call, markers};

/// A post's or page's text with its shortcodes rendered.
pub(crate) struct Body {
    pub html: String,
    pub summary_html: String,
}

/// Every post's and page's text with shortcodes rendered; `None` where
/// there were none (the model's HTML is shown as it is).
#[derive(Default)]
pub(crate) struct Expanded {
    pub posts: Vec<Option<Body>>,
    pub pages: Vec<Option<Body>>,
}

/// The arguments whose values are addresses, checked for every shortcode.
const URL_ARGS: &[&str] = &["src", "poster", "url", "href", "images", "thumbnail"];

/// What the built-in shortcodes need: the arguments without which they
/// make no sense (an error), and whether they take a body.
const BUILT_IN: &[(&str, &[&str], Takes)] = &[
    ("figure", &["src"], Takes::NoBody),
    ("gallery", &[], Takes::MaybeBody),
    ("youtube", &["id"], Takes::NoBody),
    ("vimeo", &["id"], Takes::NoBody),
    ("audio", &["src"], Takes::NoBody),
    ("video", &["src"], Takes::NoBody),
    ("quote", &[], Takes::Body),
    ("details", &[], Takes::Body),
];

/// Whether a built-in shortcode takes a body.
#[derive(Clone, Copy, PartialEq)]
enum Takes {
    NoBody,
    MaybeBody,
    Body,
}

/// What rendering a call needs from the build.
struct Env<'a> {
    tera: &'a Tera,
    theme: &'a Theme,
    /// Shortcodes the theme has, by name.
    known: Vec<&'a str>,
    /// Those whose template is the built-in one.
    built_in: HashSet<&'a str>,
    /// The context every call starts from (`site`).
    base: &'a Context,
    diags: &'a Diagnostics,
}

/// Every post's and page's shortcodes rendered, in parallel; problems
/// become diagnostics at the call's line.
pub(crate) fn expand(model: &SiteModel, tera: &Tera, base: &Context, diags: &Diagnostics) -> Expanded {
    let has_calls = model.posts.iter().any(|p| !p.shortcodes.is_empty())
        || model.pages.iter().any(|p| !p.shortcodes.is_empty());
    if !has_calls {
        return Expanded::default();
    }
    let theme = &model.theme;
    let known = theme.templates.iter().filter_map(shortcode_name).collect();
    let built_in = theme
        .templates
        .iter()
        .filter(|t| t.origin.starts_with(BUILT_IN_ORIGIN))
        .filter_map(shortcode_name)
        .collect();
    let env = Env { tera, theme, known, built_in, base, diags };
    let one = |path: &Path, html: &str, summary: &str, calls: &[Call]| {
        (!calls.is_empty()).then(|| {
            let mut outputs = vec![None; calls.len()];
            let mut splice = |html: &str| splice(html, calls.len(), calls, &env, path, &mut outputs);
            Body { html: splice(html), summary_html: splice(summary) }
        })
    };
    let (posts, pages) = rayon::join(
        || {
            model
                .posts
                .par_iter()
                .map(|p| one(&p.path, &p.content_html, &p.summary_html, &p.shortcodes))
                .collect()
        },
        || {
            model
                .pages
                .par_iter()
                .map(|p| one(&p.path, &p.content_html, &p.summary_html, &p.shortcodes))
                .collect()
        },
    );
    Expanded { posts, pages }
}

/// The shortcode a template is: `figure` for `shortcodes/figure.html`.
fn shortcode_name(t: &crate::load::Template) -> Option<&str> {
    t.name.strip_prefix("shortcodes/")?.strip_suffix(".html")
}

/// `html` with each marker of a call below `limit` replaced by its output
/// (a body holds only the calls made before its own: no call can hold
/// itself).
fn splice(
    html: &str,
    limit: usize,
    calls: &[Call],
    env: &Env,
    path: &Path,
    outputs: &mut Vec<Option<String>>,
) -> String {
    let mut out = String::with_capacity(html.len() + 256 * calls.len());
    let mut last = 0;
    for (start, end, index) in markers(html) {
        out.push_str(&html[last..start]);
        if index < limit {
            let output = match &outputs[index] {
                Some(done) => done.clone(),
                None => {
                    let call = &calls[index];
                    let body = call.body.as_deref().map(|b| splice(b, index, calls, env, path, outputs));
                    let done = render_call(call, body, env, path).unwrap_or_else(|d| {
                        env.diags.push(d);
                        String::new()
                    });
                    outputs[index] = Some(done.clone());
                    done
                }
            };
            out.push_str(&output);
        }
        last = end;
    }
    out.push_str(&html[last..]);
    out
}

/// One call through its template.
fn render_call(call: &Call, body: Option<String>, env: &Env, path: &Path) -> Result<String, Diagnostic> {
    let name = call.name.as_str();
    let error = |message: String, help: String| {
        Diagnostic::error(path, message).at_line_of_file(call.line).with_help(help)
    };
    if !env.known.contains(&name) {
        let help = match crate::diag::nearest(name, &env.known) {
            Some(k) => format!("did you mean `{k}`?"),
            None => {
                let mut known = env.known.clone();
                known.sort_unstable();
                format!(
                    "the shortcodes are {}; a site adds its own as `themes/<theme>/shortcodes/{name}.html`",
                    known.join(", ")
                )
            }
        };
        return Err(error(format!("unknown shortcode `{name}`"), help));
    }
    let mut args: Vec<(String, Arg)> = call.args.clone();
    let mut extra = None;
    let arg = |args: &[(String, Arg)], key: &str| args.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    if env.built_in.contains(name) {
        if let Some((_, required, takes_body)) = BUILT_IN.iter().find(|(n, ..)| *n == name) {
            for key in *required {
                if arg(&args, key).is_none() {
                    return Err(error(
                        format!("shortcode `{name}` needs `{key}`"),
                        format!(
                            "e.g. `{{{{ {name}({key}=\"…\") }}}}`; README.md (Shortcodes) lists its arguments"
                        ),
                    ));
                }
            }
            match (takes_body, &body) {
                (Takes::Body, None) => {
                    return Err(error(
                        format!("shortcode `{name}` takes a body"),
                        format!("write `{{% {name}(…) %}}`, the text, then `{{% end %}}`"),
                    ));
                }
                (Takes::NoBody, Some(_)) => {
                    return Err(error(
                        format!("shortcode `{name}` takes no body"),
                        format!("write `{{{{ {name}(…) }}}}`"),
                    ));
                }
                _ => {}
            }
        }
        extra = built_in_args(name, call, &mut args, env, path)?;
    }
    for (key, value) in &args {
        if !URL_ARGS.contains(&key.as_str()) {
            continue;
        }
        let urls: Vec<&str> = match value {
            Arg::Str(s) => vec![s],
            Arg::List(items) => items.iter().filter_map(Arg::as_str).collect(),
            _ => vec![],
        };
        if let Some(bad) = urls.into_iter().find(|u| !is_safe_url(u)) {
            let shown: String = bad.chars().take(60).collect();
            return Err(error(
                format!("`{key}` of shortcode `{name}` is not an address a page may load: `{shown}`"),
                "use an http(s) address, a path on the site (`photo.jpg`, `/images/a.png`) or a `data:image/` PNG, JPEG, GIF, WebP or AVIF".into(),
            ));
        }
    }
    let mut ctx = env.base.clone();
    for (key, value) in &args {
        ctx.insert(key.clone(), value);
    }
    if let Some((key, value)) = extra {
        ctx.insert(key, &value);
    }
    if let Some(body) = body {
        ctx.insert_value("body", tera::Value::safe_string(&body));
    }
    if let Some(text) = &call.body_text {
        ctx.insert("body_text", text);
    }
    let template = format!("shortcodes/{name}.html");
    env.tera.render(&template, &ctx).map_err(|e| {
        let d = super::template_diagnostic(&e, env.theme);
        let place = match &d.location {
            Some(l) => format!("{}:{}", d.path.display(), l.line),
            None => d.path.display().to_string(),
        };
        error(
            format!("shortcode `{name}` failed: {}", d.message),
            format!("fix its template, {place}, or the call's arguments"),
        )
    })
}

/// What the built-in shortcodes check and make of their arguments: `alt`
/// (a warning when missing), video ids, `gallery`'s images (as `images`,
/// and as `items`, `{src, alt}` each, the value given back).
fn built_in_args(
    name: &str,
    call: &Call,
    args: &mut Vec<(String, Arg)>,
    env: &Env,
    path: &Path,
) -> Result<Option<(&'static str, serde_json::Value)>, Diagnostic> {
    let get = |args: &[(String, Arg)], key: &str| args.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    let warn = |message: String, help: &str| {
        env.diags.push(Diagnostic::warning(path, message).at_line_of_file(call.line).with_help(help));
    };
    let error = |message: String, help: &str| {
        Diagnostic::error(path, message).at_line_of_file(call.line).with_help(help)
    };
    match name {
        "figure" if get(args, "alt").is_none() => warn(
            "shortcode `figure` has no `alt`: a reader who cannot see the image gets nothing".into(),
            "add `alt=\"what the image shows\"` (`alt=\"\"` for an image that only decorates)",
        ),
        "youtube" | "vimeo" => {
            let id = match get(args, "id") {
                Some(Arg::Str(s)) => s,
                Some(Arg::Int(n)) => n.to_string(),
                _ => String::new(),
            };
            let ok = !id.is_empty()
                && id.len() <= 64
                && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if !ok {
                return Err(error(
                    format!("`id` of shortcode `{name}` is not a video id"),
                    "give the id alone, e.g. `id=\"dQw4w9WgXcQ\"` from `watch?v=dQw4w9WgXcQ`",
                ));
            }
            args.retain(|(k, _)| k != "id");
            args.push(("id".into(), Arg::Str(id)));
            match get(args, "start") {
                None => {}
                Some(Arg::Int(n)) if n >= 0 => {
                    // `start_time`: `1:30`, `1:02:03`, for the link's text.
                    let (h, m, s) = (n / 3600, n / 60 % 60, n % 60);
                    let time = if h > 0 { format!("{h}:{m:02}:{s:02}") } else { format!("{m}:{s:02}") };
                    return Ok(Some(("start_time", serde_json::Value::String(time))));
                }
                Some(_) => {
                    return Err(error(
                        format!("`start` of shortcode `{name}` must be seconds, a whole number"),
                        "e.g. `start=90` for 1:30",
                    ));
                }
            }
        }
        "gallery" => {
            let (images, alts): (Vec<String>, Vec<String>) = match (get(args, "images"), &call.body_text) {
                (Some(Arg::List(items)), _) => {
                    let alts = match get(args, "alts") {
                        Some(Arg::List(a)) => {
                            a.iter().map(|a| a.as_str().unwrap_or("").to_string()).collect()
                        }
                        _ => Vec::new(),
                    };
                    (items.iter().filter_map(Arg::as_str).map(String::from).collect(), alts)
                }
                (None, Some(text)) => text
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(|l| match l.split_once('|') {
                        Some((src, alt)) => (src.trim().to_string(), alt.trim().to_string()),
                        None => (l.to_string(), String::new()),
                    })
                    .unzip(),
                _ => {
                    return Err(error(
                        "shortcode `gallery` has no images".into(),
                        "give `images=[\"a.jpg\", \"b.jpg\"]`, or a body with one image a line (`a.jpg | what it shows`)",
                    ));
                }
            };
            let missing = (0..images.len()).filter(|&i| alts.get(i).is_none_or(|a| a.is_empty())).count();
            if missing > 0 {
                warn(
                    format!(
                        "shortcode `gallery`: {} without alt text",
                        crate::diag::plural(missing, "image")
                    ),
                    "write `image.jpg | what it shows` on each line (or give `alts=[…]`)",
                );
            }
            let items: Vec<serde_json::Value> = images
                .iter()
                .enumerate()
                .map(|(i, src)| serde_json::json!({"src": src, "alt": alts.get(i).cloned().unwrap_or_default()}))
                .collect();
            args.retain(|(k, _)| k != "images");
            args.push(("images".into(), Arg::List(images.into_iter().map(Arg::Str).collect())));
            return Ok(Some(("items", serde_json::Value::Array(items))));
        }
        _ => {}
    }
    Ok(None)
}

/// Whether `url` may be loaded or linked from a page: http(s), a path on
/// the site (no scheme), or a `data:image/` of a raster type. Anything
/// else with a scheme (`javascript:`, `data:text/html`, `vbscript:`) is
/// not, whatever its case or the spaces around it.
pub(crate) fn is_safe_url(url: &str) -> bool {
    let url = url.trim();
    if url.chars().any(|c| c.is_control()) {
        return false;
    }
    let Some(colon) = url.find(':') else { return true };
    if url[..colon].contains(['/', '?', '#']) {
        return true;
    }
    let (scheme, rest) = (url[..colon].to_ascii_lowercase(), &url[colon + 1..]);
    match scheme.as_str() {
        "http" | "https" => true,
        "data" => {
            let rest = rest.to_ascii_lowercase();
            ["png", "jpeg", "jpg", "gif", "webp", "avif"].iter().any(|t| {
                rest.strip_prefix("image/")
                    .and_then(|r| r.strip_prefix(t))
                    .is_some_and(|r| r.starts_with([';', ',']))
            })
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_and_site_addresses_are_safe() {
        for ok in [
            "a.jpg",
            "/img/a.png",
            "../x.jpg",
            "https://x.org/a.jpg",
            "HTTP://x",
            "a.jpg?x=1:2",
            "data:image/png;base64,AAAA",
            "//cdn.example/a.jpg",
        ] {
            assert!(is_safe_url(ok), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            " JavaScript:alert(1)",
            "java\tscript:alert(1)",
            "vbscript:x",
            "data:text/html,<script>",
            "data:image/svg+xml,<svg onload=alert(1)>",
            "file:///etc/passwd",
        ] {
            assert!(!is_safe_url(bad), "{bad}");
        }
    }
}
