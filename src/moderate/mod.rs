//! The moderation engine: every rule of the comment policy as a small pure
//! unit that looks at one comment in its context and says whether it
//! applies, why, and where. The strongest verdict wins:
//! spam > reject > hold > pass. Nothing here does IO, so the same engine
//! serves `parlor moderate`, `parlor comments show` and comment intake.

mod history;
pub mod learn;
mod links;
pub mod normalize;
mod phrases;
mod rules;
mod spam;
mod text;

use std::borrow::Cow;
use std::collections::HashSet;
use std::ops::Range;

use serde::Serialize;

use crate::config::{CommentSettings, Moderation, ModerationMode, VerdictSetting};
use crate::parse::comment::{Comment, Status};
use crate::parse::{CommentsMode, PostDate};
pub use history::History;
pub use learn::{Learner, Scored};
pub use links::{FoundLink, find_links};
pub use normalize::Normalized;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Hold,
    Reject,
    Spam,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Hold => "hold",
            Verdict::Reject => "reject",
            Verdict::Spam => "spam",
        }
    }

    pub fn parse(s: &str) -> Option<Verdict> {
        match s {
            "pass" => Some(Verdict::Pass),
            "hold" => Some(Verdict::Hold),
            "reject" => Some(Verdict::Reject),
            "spam" => Some(Verdict::Spam),
            _ => None,
        }
    }
}

/// What a rule found.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub applies: bool,
    /// Said so a person understands it, whether or not the rule applies
    /// (most rules that do not apply say so in a fixed sentence).
    pub message: Cow<'static, str>,
    /// Byte ranges in the comment body that made the rule apply.
    pub spans: Vec<Range<usize>>,
    /// The verdict this finding deserves, when the rule grades what it
    /// finds (the learner: hold or spam by score); else the rule's default.
    /// A site's `[moderation.verdicts]` setting overrides either.
    pub verdict: Option<Verdict>,
}

impl Check {
    fn clear(message: impl Into<Cow<'static, str>>) -> Check {
        Check { applies: false, message: message.into(), spans: Vec::new(), verdict: None }
    }
    fn hit(message: impl Into<Cow<'static, str>>, spans: Vec<Range<usize>>) -> Check {
        Check { applies: true, message: message.into(), spans, verdict: None }
    }
    fn graded(mut self, verdict: Verdict) -> Check {
        self.verdict = Some(verdict);
        self
    }
}

/// The post (or page) a comment is on, as the rules need it.
#[derive(Debug, Clone, Copy)]
pub struct PostFacts {
    pub comments: CommentsMode,
    /// `None` for a page without a date: it never closes by age.
    pub date: Option<PostDate>,
}

/// Everything a rule may look at.
pub struct Context<'a> {
    pub comment: &'a Comment,
    pub post: PostFacts,
    pub settings: &'a Moderation,
    pub comment_settings: &'a CommentSettings,
    /// The post's other comments, in any status.
    pub siblings: &'a [&'a Comment],
    /// `(name, email)`, lower-cased, of everyone with an approved comment.
    pub known_authors: &'a HashSet<(String, String)>,
    /// Seconds since the same client last sent a comment (intake only).
    pub seconds_since_last_from_client: Option<u64>,
    /// The comment is arriving (intake): every sibling came before it,
    /// even one sent in the same second. Otherwise earlier is by date,
    /// then id.
    pub arriving: bool,
    /// What the site's other comments say: earlier texts, for duplicates
    /// across authors and posts, and the filter learned from decisions.
    pub history: &'a History,
}

/// One rule of the policy.
pub trait Rule: Sync {
    fn code(&self) -> &'static str;
    fn default_verdict(&self) -> Verdict;
    /// What the rule catches, for `parlor comments show` and the docs.
    fn describe(&self) -> &'static str;
    fn check(&self, cx: &Context, body: &Body) -> Check;
    /// A rule of a family of spam, rather than of the site's policy (too
    /// short, generic praise, closed posts): `--evaluate` counts the
    /// ordinary comments such rules stop.
    fn spam_family(&self) -> bool {
        false
    }
}

/// What the rules need of the comment body, worked out once per comment.
pub struct Body {
    pub links: Vec<FoundLink>,
    /// The body with its links blanked out (same byte offsets).
    pub prose: String,
    /// How many words `prose` has.
    pub prose_words: usize,
    /// The whole body as the spam rules read it.
    pub normalized: Normalized,
    /// The phrases of each spam family found in it.
    phrases: phrases::Phrases,
    /// HTML tags and forum markup pasted into the body, outside code.
    pub pasted_tags: Vec<Range<usize>>,
    /// HTML entities in the body's text, outside code.
    pub pasted_entities: Vec<Range<usize>>,
}

/// One span, as a rule reports it.
fn one_span(span: Range<usize>) -> Vec<Range<usize>> {
    std::iter::once(span).collect()
}

/// Whether the rule `code` is of a family of spam (see `Rule::spam_family`).
pub fn is_spam_family(code: &str) -> bool {
    rules().iter().any(|r| r.code() == code && r.spam_family())
}

/// Every rule, in the order they are reported.
pub fn rules() -> &'static [&'static dyn Rule] {
    rules::ALL
}

/// Every rule's code, in the order they are reported.
pub fn rule_codes() -> Vec<&'static str> {
    rules().iter().map(|r| r.code()).collect()
}

/// Problems with the site's moderation settings that only the rules can
/// see: a `[moderation.verdicts]` key that names no rule.
pub fn settings_problems(config: &crate::config::Config) -> Vec<crate::diag::Diagnostic> {
    let codes = rule_codes();
    let text = &config.source;
    config
        .moderation
        .verdicts
        .keys()
        .filter(|code| !codes.contains(&code.as_str()))
        .map(|code| {
            crate::diag::Diagnostic::error(
                crate::config::CONFIG_FILE,
                format!("unknown rule `{code}` in `[moderation.verdicts]`"),
            )
            .at(text, crate::diag::key_location(text, code))
            .with_help(crate::diag::unknown_key_help(code, &codes))
        })
        .collect()
}

/// Rules about how a comment arrived rather than what it says.
pub const ARRIVAL_RULES: &[&str] = &["comments_closed", "members_only", "flood", "first_comment"];

/// One rule's result on one comment.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleResult {
    pub code: &'static str,
    /// `None` when the site turned the rule off.
    pub verdict: Option<Verdict>,
    pub check: Check,
}

impl RuleResult {
    /// The rule applied and gives a verdict stronger than pass.
    pub fn counts(&self) -> bool {
        self.check.applies && self.verdict.is_some_and(|v| v > Verdict::Pass)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    pub verdict: Verdict,
    /// Every rule, in order, whether it applied or not.
    pub results: Vec<RuleResult>,
}

impl Evaluation {
    /// The rules that decided the verdict (those that applied and count).
    pub fn findings(&self) -> impl Iterator<Item = &RuleResult> {
        self.results.iter().filter(|r| r.counts())
    }

    /// The verdict on the comment's content alone, leaving out the rules
    /// about its arrival (the post was open, the sender a member, not too
    /// fast, known). `--recheck` uses it: a comment approved while a post
    /// was open stays fine when the post closes.
    pub fn content_verdict(&self) -> Verdict {
        self.findings()
            .filter(|r| !ARRIVAL_RULES.contains(&r.code))
            .filter_map(|r| r.verdict)
            .max()
            .unwrap_or(Verdict::Pass)
    }

    /// The status applying this evaluation gives a comment.
    pub fn status(&self, mode: ModerationMode) -> Status {
        match (self.verdict, mode) {
            (Verdict::Pass, ModerationMode::Auto) => Status::Approved,
            (Verdict::Pass | Verdict::Hold, _) => Status::Pending,
            (Verdict::Reject, _) => Status::Rejected,
            (Verdict::Spam, _) => Status::Spam,
        }
    }
}

/// Runs every rule over the comment in `cx`.
pub fn evaluate(cx: &Context) -> Evaluation {
    let body = Body::of(&cx.comment.body, cx.settings);
    let results: Vec<RuleResult> = rules()
        .iter()
        .map(|rule| {
            let verdict = match cx.settings.verdicts.get(rule.code()) {
                Some(VerdictSetting::Off) => None,
                Some(VerdictSetting::Pass) => Some(Verdict::Pass),
                Some(VerdictSetting::Hold) => Some(Verdict::Hold),
                Some(VerdictSetting::Reject) => Some(Verdict::Reject),
                Some(VerdictSetting::Spam) => Some(Verdict::Spam),
                None => Some(rule.default_verdict()),
            };
            let check = match verdict {
                Some(_) => rule.check(cx, &body),
                None => Check::clear("turned off in `[moderation.verdicts]`"),
            };
            // The rule's grade of this finding, unless the site set the verdict.
            let verdict = match (cx.settings.verdicts.get(rule.code()), check.verdict) {
                (None, Some(graded)) if check.applies => Some(graded),
                _ => verdict,
            };
            RuleResult { code: rule.code(), verdict, check }
        })
        .collect();
    let verdict =
        results.iter().filter(|r| r.counts()).filter_map(|r| r.verdict).max().unwrap_or(Verdict::Pass);
    Evaluation { verdict, results }
}

/// Whether two comments have the same author by `author_key`, without
/// making the keys when the names are ASCII.
pub(crate) fn same_author(a: &Comment, b: &Comment) -> bool {
    fn fields(c: &Comment) -> (&str, &str) {
        (c.author.trim(), c.email.as_deref().unwrap_or("").trim())
    }
    let ((name_a, email_a), (name_b, email_b)) = (fields(a), fields(b));
    if [name_a, email_a, name_b, email_b].iter().all(|f| f.is_ascii()) {
        name_a.eq_ignore_ascii_case(name_b) && email_a.eq_ignore_ascii_case(email_b)
    } else {
        author_key(a) == author_key(b)
    }
}

/// The key `first_comment` and `duplicate` know an author by.
pub fn author_key(comment: &Comment) -> (String, String) {
    (comment.author.trim().to_lowercase(), comment.email.as_deref().unwrap_or("").trim().to_lowercase())
}

#[cfg(test)]
mod tests;
