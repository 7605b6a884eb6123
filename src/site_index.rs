//! The site's posts and pages as the moderator and comment intake need
//! them: each one's comment mode, date, URL and whether it is published,
//! by slug. Built from the same front matter reading as the build
//! (`parse::post_head`, `parse::page_head`) and the same permalinks
//! (`model::permalink`), so the three never disagree; no Markdown is
//! rendered. A comment folder names a post, else a page: where a page and
//! a post share a slug, the slug is the post's (as in the build).

use std::collections::HashMap;
use std::path::Path;

use rayon::prelude::*;

use crate::config::Config;
use crate::diag::Diagnostics;
use crate::moderate::PostFacts;

/// A post or page as the moderator and comment intake see it.
#[derive(Debug, Clone)]
pub struct PostInfo {
    pub title: String,
    pub facts: PostFacts,
    /// The URL path under the site's `permalink` pattern.
    pub url: String,
    /// Not a draft, and not dated after `now`.
    pub published: bool,
    /// Its old URLs (`aliases:`), as written.
    pub aliases: Vec<String>,
}

/// Every post and page that parses, by slug. One with errors is left out,
/// its problems reported (as the build reports them), and until it is
/// fixed it takes no comments.
#[derive(Debug, Default)]
pub struct SiteIndex {
    posts: HashMap<String, PostInfo>,
}

impl SiteIndex {
    pub fn load(root: &Path, config: &Config, now: jiff::Timestamp, diags: &Diagnostics) -> SiteIndex {
        let sources = crate::load::read_markdown_dir(root, crate::load::POSTS_DIR, diags);
        let posts = sources
            .par_iter()
            .filter_map(|file| {
                crate::parse::post_head(file, config).map_err(|errors| diags.extend(errors)).ok()
            })
            .map(|head| {
                let url = crate::model::permalink::url_for(
                    &config.permalink,
                    &head.slug,
                    &head.date,
                    head.category.as_deref(),
                    head.author.as_deref(),
                );
                let published = crate::model::is_published(head.draft, Some(&head.date), now);
                let facts = PostFacts { comments: head.comments, date: Some(head.date) };
                let info = PostInfo { title: head.title, facts, url, published, aliases: head.aliases };
                (head.slug, info)
            })
            .collect();
        let mut index = SiteIndex { posts };
        index.add_pages(root, now, diags);
        index
    }

    /// The pages whose slug no post has.
    fn add_pages(&mut self, root: &Path, now: jiff::Timestamp, diags: &Diagnostics) {
        let sources = crate::load::read_markdown_dir(root, crate::load::PAGES_DIR, diags);
        let heads: Vec<crate::parse::PageHead> = sources
            .par_iter()
            .filter_map(|file| crate::parse::page_head(file).map_err(|errors| diags.extend(errors)).ok())
            .collect();
        for head in heads {
            let url = crate::model::permalink::page_url(&head.slug);
            // Pages are out unless drafts, whatever their date (as in the build).
            let published = crate::model::is_published(head.draft, None, now);
            let facts = PostFacts { comments: head.comments, date: head.date };
            let info = PostInfo { title: head.title, facts, url, published, aliases: head.aliases };
            self.posts.entry(head.slug).or_insert(info);
        }
    }

    pub fn get(&self, slug: &str) -> Option<&PostInfo> {
        self.posts.get(slug)
    }

    /// Every post and page, by slug (its comment folder), in no order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &PostInfo)> {
        self.posts.iter()
    }

    /// The post and the slug as the index holds it.
    pub fn get_key_value(&self, slug: &str) -> Option<(&String, &PostInfo)> {
        self.posts.get_key_value(slug)
    }
}
