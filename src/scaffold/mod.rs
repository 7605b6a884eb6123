//! `parlor init` and `parlor new post`: files a user starts from. Neither
//! ever overwrites an existing file.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::config::{CONFIG_FILE, Config};
use crate::diag::Diagnostics;
use crate::fsx::atomic_write;

const SITE_TOML: &str = r#"# parlor site configuration. Only title and base_url are required;
# README.md (Configuration) lists every key.
title = "My Service Blog"
base_url = "https://blog.example.org/"
description = "Stories from the help desk, and the conversations they start."
language = "en"
posts_per_page = 10
permalink = "/posts/:slug/"

[authors.me]
name = "Your Name"
bio = "Answers the phone, writes it down."
"#;

const WELCOME_POST: &str = r#"---
title: "The refund that took one phone call"
date: {date}
author: me
category: Stories
tags: [refunds, phone support]
---

A customer called about a double charge. The agent who answered did not
read a script: she looked at the order, saw the mistake, and refunded it
while the customer was still on the line.

<!-- more -->

## What made it work

- The agent could **see** the order history without asking for it.
- She was allowed to refund up to a set amount without approval.
- She said what she was doing while she did it.

Write your own posts in `content/posts/`. Run `parlor new post "Title"` to
start one, and `parlor build` to see it in `public/`.
"#;

const ABOUT_PAGE: &str = r#"---
title: About
---

This blog collects customer-service stories: the good ones, the bad ones,
and what readers think of them. Edit this page in `content/pages/about.md`.
"#;

const POLICY_PAGE: &str = r#"---
title: Comment policy
slug: comment-policy
---

Comments are welcome, and every one is read before it is published.

- **At most one link**, and only to an article or blog post that adds to
  the discussion.
- Comments that are **only praise** ("good post", "nice blog") are not
  published: tell us what you think, not only that you liked it.
- Comments that mainly **promote links**, or link to companies, products or
  services, are not published.
- Very short comments wait for a moderator.

Your email address is never published.
"#;

const COMMENT_1: &str = r#"---
id: welcome-1
author: Priya
date: {date}
status: approved
---
The refund while I was still on the line is what I remember too. Being told
what is happening, step by step, matters more than the speed.
"#;

const COMMENT_2: &str = r#"---
id: welcome-2
author: Sam
website: https://example.org/
date: {date}
reply_to: welcome-1
status: approved
---
Agreed, and the agent's limit matters: a refund she could give without asking
anyone is the whole reason the call was short.
"#;

const COMMENT_3: &str = r#"---
id: welcome-3
author: ""
date: {date}
status: pending
---
Great post!
"#;

const GITIGNORE: &str = "/public/\n/.public.*/\n/.parlor/\n";

/// Creates a new site in `dir`, which must not exist or be empty; its
/// welcome post is dated `now`.
pub fn init(dir: &Path, now: jiff::Timestamp) -> Result<Vec<PathBuf>> {
    if dir.exists()
        && dir.read_dir().with_context(|| format!("cannot read `{}`", dir.display()))?.next().is_some()
    {
        bail!("`{}` is not empty; give `parlor init` a new or empty folder", dir.display());
    }
    let today = now.strftime("%Y-%m-%dT%H:%M:00Z").to_string();
    let files = [
        (CONFIG_FILE, SITE_TOML.to_string()),
        ("content/posts/the-refund-that-took-one-phone-call.md", WELCOME_POST.replace("{date}", &today)),
        ("content/pages/about.md", ABOUT_PAGE.to_string()),
        ("content/pages/comment-policy.md", POLICY_PAGE.to_string()),
        (
            "content/comments/the-refund-that-took-one-phone-call/welcome-1.md",
            COMMENT_1.replace("{date}", &today),
        ),
        (
            "content/comments/the-refund-that-took-one-phone-call/welcome-2.md",
            COMMENT_2.replace("{date}", &today),
        ),
        (
            "content/comments/the-refund-that-took-one-phone-call/welcome-3.md",
            COMMENT_3.replace("{date}", &today),
        ),
        ("static/.gitkeep", String::new()),
        (".gitignore", GITIGNORE.to_string()),
    ];
    let mut written = Vec::new();
    for (name, text) in files {
        let path = dir.join(name);
        atomic_write(&path, text.as_bytes(), true)?;
        written.push(path);
    }
    // The secret that signs comment forms; `.gitignore` keeps it private.
    crate::forms::load_or_create(dir)?;
    written.push(crate::forms::secret_path(dir));
    Ok(written)
}

/// Creates `content/posts/<slug>.md` for `title` in the site at `root`, as
/// a draft by the site's first author.
pub fn new_post(root: &Path, title: &str, now: jiff::Timestamp) -> Result<PathBuf> {
    let diags = Diagnostics::new();
    let config = Config::load(root, &diags);
    let Some(config) = config else {
        let messages: Vec<String> = diags.into_sorted().iter().map(|d| d.headline()).collect();
        bail!("cannot read the site's config:\n{}", messages.join("\n"));
    };
    let slug = crate::slugs::slugify(title);
    if slug.is_empty() {
        bail!("the title `{title}` gives an empty slug; use a title with letters or digits");
    }
    let path = root.join("content/posts").join(format!("{slug}.md"));
    if path.exists() {
        bail!("`{}` already exists; choose another title or edit that file", path.display());
    }
    #[derive(serde::Serialize)]
    struct Front<'a> {
        title: &'a str,
        date: String,
    }
    let front = Front { title, date: now.strftime("%Y-%m-%dT%H:%M:%SZ").to_string() };
    let yaml = serde_norway::to_string(&front).unwrap_or_else(|e| unreachable!("a title serialises: {e}"));
    let mut text = format!("---\n{yaml}");
    if let Some(author) = config.authors.keys().next() {
        text.push_str(&format!("author: {author}\n"));
    }
    text.push_str("category: \ntags: []\ndraft: true\n---\n\nWrite the first paragraph here: it becomes the summary on the index.\n");
    atomic_write(&path, text.as_bytes(), true)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_creates_a_private_secret() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("site");
        init(&dir, jiff::Timestamp::UNIX_EPOCH).unwrap();
        assert!(dir.join(".parlor/secret").is_file());
        assert!(std::fs::read_to_string(dir.join(".gitignore")).unwrap().contains("/.parlor/"));
    }

    #[test]
    fn init_refuses_a_non_empty_folder() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("x"), "").unwrap();
        assert!(init(tmp.path(), jiff::Timestamp::UNIX_EPOCH).is_err());
    }

    #[test]
    fn new_post_writes_a_draft_once() {
        let tmp = tempfile::tempdir().unwrap();
        init(&tmp.path().join("site"), jiff::Timestamp::UNIX_EPOCH).unwrap();
        let root = tmp.path().join("site");
        let path = new_post(&root, "Why \"hold music\": a rant", jiff::Timestamp::UNIX_EPOCH).unwrap();
        assert!(path.ends_with("content/posts/why-hold-music-a-rant.md"));
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("title: 'Why \"hold music\": a rant'"), "{text}");
        assert!(text.contains("author: me") && text.contains("draft: true"));
        assert!(new_post(&root, "Why \"hold music\": a rant", jiff::Timestamp::UNIX_EPOCH).is_err());
    }
}
