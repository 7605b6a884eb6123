//! Permalink patterns (`/posts/:slug/`, `/:year/:month/:day/:slug/`) and
//! the mapping from a site URL to the file that serves it.

use crate::parse::{Post, PostDate};

/// The URL path of `post` under `pattern`, which config validation has
/// checked (starts and ends with `/`, has `:slug`, known variables).
pub fn post_url(pattern: &str, post: &Post) -> String {
    url_for(pattern, &post.slug, &post.date, post.category.as_deref(), post.author.as_deref())
}

/// The URL path of a post from the parts a pattern can use.
pub fn url_for(
    pattern: &str,
    slug: &str,
    date: &PostDate,
    category: Option<&str>,
    author: Option<&str>,
) -> String {
    pattern
        .split('/')
        .map(|part| match part {
            ":year" => format!("{:04}", date.year()),
            ":month" => format!("{:02}", date.month()),
            ":day" => format!("{:02}", date.day()),
            ":slug" => slug.to_string(),
            ":category" => category
                .map(crate::slugs::slugify)
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "uncategorized".into()),
            // Slugged as the author's own page is, so no id makes a path
            // component too long for a file name.
            ":author" => author
                .map(crate::slugs::slugify)
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "anonymous".into()),
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

/// The URL path of the page whose slug is `slug`.
pub fn page_url(slug: &str) -> String {
    format!("/{slug}/")
}

/// The URL of comment page `n` (1-based) of the post or page at `url`: the
/// first is the post itself, then `comments/2/`, `comments/3/`... below it,
/// as a list's later pages sit below its first.
pub fn comment_page(url: &str, n: usize) -> String {
    if n <= 1 { url.to_string() } else { format!("{url}comments/{n}/") }
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
