//! The site's posts as the moderator and comment intake need them: each
//! post's comment mode, date, URL and whether it is published, by slug.
//! Built from the same front matter reading as the build
//! (`parse::post_head`) and the same permalinks (`model::permalink`), so
//! the three never disagree; no Markdown is rendered.

use std::collections::HashMap;
use std::path::Path;

use rayon::prelude::*;

use crate::config::Config;
use crate::diag::Diagnostics;
use crate::moderate::PostFacts;

/// A post as the moderator and comment intake see it.
#[derive(Debug, Clone)]
pub struct PostInfo {
    pub title: String,
    pub facts: PostFacts,
    /// The URL path under the site's `permalink` pattern.
    pub url: String,
    /// Not a draft, and not dated after `now`.
    pub published: bool,
}

/// Every post that parses, by slug. A post with errors is left out, its
/// problems reported (as the build reports them), and until it is fixed
/// it takes no comments.
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
                let facts = PostFacts { comments: head.comments, date: head.date };
                (head.slug, PostInfo { title: head.title, facts, url, published })
            })
            .collect();
        SiteIndex { posts }
    }

    pub fn get(&self, slug: &str) -> Option<&PostInfo> {
        self.posts.get(slug)
    }

    /// The post and the slug as the index holds it.
    pub fn get_key_value(&self, slug: &str) -> Option<(&String, &PostInfo)> {
        self.posts.get_key_value(slug)
    }
}
