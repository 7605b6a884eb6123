//! The moderator's side: `parlor moderate` and `parlor comments`. Off the
//! build path: it reads the comment files and the posts' front matter,
//! runs the rules (`moderate::evaluate`), and records decisions in the
//! comment files, atomically and keeping each body byte for byte. Nothing
//! here ever deletes a comment file.

pub mod evaluate;
pub mod report;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use rayon::prelude::*;

use crate::config::Config;
use crate::diag::{Diagnostic, Diagnostics};
use crate::load;
use crate::moderate::{self, Evaluation};
use crate::parse::comment::{self, Comment, Decision, Status};
use crate::site_index::{PostInfo, SiteIndex};

/// Every comment of a site, with what the rules need to judge them.
pub struct Queue {
    pub root: PathBuf,
    pub config: Config,
    pub comments: Vec<Comment>,
    /// Each post's facts and URL path, by slug.
    posts: SiteIndex,
    known_authors: HashSet<(String, String)>,
    /// Every comment's text, and the filter learned from the decided ones.
    history: moderate::History,
    /// Problems met while loading (files that do not parse are left out).
    pub diagnostics: Vec<Diagnostic>,
}

impl Queue {
    /// The queue of the site at `root`; `now` decides which posts are
    /// published.
    pub fn load(root: &Path, now: jiff::Timestamp) -> Result<Queue> {
        let diags = Diagnostics::new();
        let config = Config::load(root, &diags);
        if let Some(config) = &config {
            diags.extend(moderate::settings_problems(config));
        }
        let (Some(config), false) = (config, diags.has_errors()) else {
            let lines: Vec<String> = diags.into_sorted().iter().map(|d| d.render(false)).collect();
            bail!("the site's config has problems:\n{}", lines.join(""));
        };
        let sources = load::read_comments(root, &diags);
        let mut comments: Vec<Comment> = sources
            .into_par_iter()
            .filter_map(|s| comment::parse(s).map_err(|errs| diags.extend(errs)).ok())
            .collect();
        comments.sort_by(|a, b| (a.date, &a.id).cmp(&(b.date, &b.id)));
        let posts = SiteIndex::load(root, &config, now, &diags);
        let known_authors =
            comments.iter().filter(|c| c.status == Status::Approved).map(moderate::author_key).collect();
        let history = moderate::History::of(&comments, &config.moderation);
        Ok(Queue {
            root: root.to_path_buf(),
            config,
            comments,
            posts,
            known_authors,
            history,
            diagnostics: diags.into_sorted(),
        })
    }

    /// Runs every rule over comment `i`; `None` when its post does not exist.
    pub fn evaluate(&self, i: usize) -> Option<Evaluation> {
        self.evaluate_with(i, &self.history)
    }

    /// Runs every rule over comment `i` against `history` (`--evaluate`
    /// judges with filters that never saw the comment).
    pub fn evaluate_with(&self, i: usize, history: &moderate::History) -> Option<Evaluation> {
        let c = &self.comments[i];
        let post = self.posts.get(&c.post_slug)?.facts;
        let siblings: Vec<&Comment> =
            self.comments.iter().filter(|s| s.post_slug == c.post_slug && s.id != c.id).collect();
        let cx = moderate::Context {
            comment: c,
            post,
            settings: &self.config.moderation,
            comment_settings: &self.config.comments,
            siblings: &siblings,
            known_authors: &self.known_authors,
            seconds_since_last_from_client: None,
            arriving: false,
            history,
        };
        Some(moderate::evaluate(&cx))
    }

    /// Evaluates the comments `which` selects, in parallel, in queue order.
    pub fn evaluate_all(&self, which: impl Fn(&Comment) -> bool + Sync) -> Vec<(usize, Option<Evaluation>)> {
        let chosen: Vec<usize> = (0..self.comments.len()).filter(|&i| which(&self.comments[i])).collect();
        chosen.into_par_iter().map(|i| (i, self.evaluate(i))).collect()
    }

    /// The comment whose id is `prefix`, or starts with it and no other does.
    pub fn find(&self, prefix: &str) -> Result<usize> {
        if let Some(i) = self.comments.iter().position(|c| c.id == prefix) {
            return Ok(i);
        }
        let matches: Vec<usize> =
            (0..self.comments.len()).filter(|&i| self.comments[i].id.starts_with(prefix)).collect();
        match matches.as_slice() {
            [i] => Ok(*i),
            [] => bail!("no comment has an id starting with `{prefix}` (see `parlor comments list`)"),
            many => {
                let ids: Vec<&str> = many.iter().take(8).map(|&i| self.comments[i].id.as_str()).collect();
                bail!("`{prefix}` matches {} comments ({}); give more of the id", many.len(), ids.join(", "))
            }
        }
    }

    /// Records `decision` in comment `i`'s file (atomically) and in memory.
    pub fn record(&mut self, i: usize, decision: &Decision) -> Result<()> {
        let c = &self.comments[i];
        let path = self.root.join(&c.path);
        // Re-read: the file may have changed since the queue was loaded.
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("failed to read `{}`", c.path.display()))?;
        let Some(new_text) = comment::rewrite(&text, decision) else {
            bail!(
                "`{}`: the decision cannot be recorded without changing the rest of the file (its front matter does not parse, or a value in it would be written back otherwise); record it by hand",
                c.path.display()
            );
        };
        crate::fsx::atomic_write(&path, new_text.as_bytes(), false)?;
        let c = &mut self.comments[i];
        c.status = decision.status;
        Ok(())
    }

    pub fn post_exists(&self, slug: &str) -> bool {
        self.posts.get(slug).is_some()
    }

    /// The post `slug`, with the site's own copy of its slug, as found on
    /// disk: what a path may be built from (a slug a client sent never is).
    pub fn post(&self, slug: &str) -> Option<(&str, &PostInfo)> {
        self.posts.get_key_value(slug).map(|(k, p)| (k.as_str(), p))
    }

    /// A comment that arrived after loading (intake): its text joins the
    /// history, so the next copy of it is known.
    pub fn push(&mut self, comment: Comment) {
        self.history.add(&comment);
        self.comments.push(comment);
    }

    /// Every comment's text and the learned filter.
    pub fn history(&self) -> &moderate::History {
        &self.history
    }

    /// Who has an approved comment, for `first_comment`.
    pub fn known_authors(&self) -> &HashSet<(String, String)> {
        &self.known_authors
    }
}

/// The decision `parlor moderate --apply` records for an evaluation.
pub fn decision_from(eval: &Evaluation, config: &Config, now: jiff::Timestamp) -> Decision {
    Decision {
        status: eval.status(config.moderation.mode),
        verdict: eval.verdict.as_str().into(),
        rules: eval.findings().map(|r| r.code.to_string()).collect(),
        at: now.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        by: "parlor".into(),
        reason: None,
    }
}

/// A moderator's own decision.
pub fn manual_decision(status: Status, reason: Option<String>, now: jiff::Timestamp) -> Decision {
    let verdict = match status {
        Status::Approved => "pass",
        Status::Pending => "hold",
        Status::Rejected => "reject",
        Status::Spam => "spam",
    };
    Decision {
        status,
        verdict: verdict.into(),
        rules: Vec::new(),
        at: now.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        by: "moderator".into(),
        reason,
    }
}
