//! Permalink patterns (`/posts/:slug/`, `/:year/:month/:day/:slug/`) and
//! the mapping from a site URL to the file that serves it.

use crate::parse::Post;

/// The URL path of `post` under `pattern`, which config validation has
/// checked (starts and ends with `/`, has `:slug`, known variables).
pub fn post_url(pattern: &str, post: &Post) -> String {
    let category = post.category.as_deref().map(slug::slugify).filter(|s| !s.is_empty());
    pattern
        .split('/')
        .map(|part| match part {
            ":year" => format!("{:04}", post.date.year()),
            ":month" => format!("{:02}", post.date.month()),
            ":day" => format!("{:02}", post.date.day()),
            ":slug" => post.slug.clone(),
            ":category" => category.clone().unwrap_or_else(|| "uncategorized".into()),
            ":author" => post.author.clone().unwrap_or_else(|| "anonymous".into()),
            other => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The output file for a URL path: `/posts/a/` -> `posts/a/index.html`.
pub fn output_path(url: &str) -> String {
    let trimmed = url.trim_start_matches('/');
    if trimmed.is_empty() || trimmed.ends_with('/') {
        format!("{trimmed}index.html")
    } else {
        trimmed.to_string()
    }
}

/// The URL of page `n` (1-based) of a list whose first page is `base`.
pub fn paginated(base: &str, n: usize) -> String {
    if n <= 1 { base.to_string() } else { format!("{base}page/{n}/") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_paths() {
        assert_eq!(output_path("/"), "index.html");
        assert_eq!(output_path("/posts/a/"), "posts/a/index.html");
        assert_eq!(output_path("/404.html"), "404.html");
        assert_eq!(paginated("/tags/x/", 1), "/tags/x/");
        assert_eq!(paginated("/tags/x/", 3), "/tags/x/page/3/");
    }
}
