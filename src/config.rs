//! `site.toml` -> `Config`, validated once. Every unknown key is reported
//! (with the nearest known key) rather than only the first.
//!
//! Later stages read `Config` and never the TOML text.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::diag::{Diagnostic, Diagnostics, Location, key_location, unknown_key_help};

pub const CONFIG_FILE: &str = "site.toml";

const TOP_KEYS: &[&str] = &[
    "title",
    "base_url",
    "description",
    "language",
    "image",
    "theme",
    "posts_per_page",
    "permalink",
    "authors",
    "comments",
    "moderation",
    "feeds",
    "notify",
    "publish",
    "extra",
];
const AUTHOR_KEYS: &[&str] = &["name", "bio", "url", "avatar"];
const FEEDS_KEYS: &[&str] = &["items", "full_content", "atom", "json", "guid_domain"];
const COMMENTS_KEYS: &[&str] = &[
    "order",
    "per_page",
    "comments_per_page",
    "threading_depth",
    "close_after_days",
    "members_only",
    "policy_page",
    "intake_url",
    "allowed_origins",
];
const NOTIFY_KEYS: &[&str] = &[
    "on",
    "email",
    "from",
    "smtp_host",
    "smtp_port",
    "smtp_tls",
    "smtp_user",
    "webhook",
    "digest_minutes",
    "retry_seconds",
    "link_days",
    "reply_limit_per_hour",
    "replies",
];
const PUBLISH_KEYS: &[&str] = &["enabled", "output", "command", "debounce_ms"];
const MODERATION_KEYS: &[&str] = &[
    "mode",
    "max_links",
    "min_words",
    "max_length",
    "flood_seconds",
    "link_allow",
    "link_deny",
    "blocked_words",
    "hold_words",
    "praise_phrases",
    "promotion_phrases",
    "money_phrases",
    "bait_phrases",
    "shorteners",
    "learn_hold",
    "learn_spam",
    "learn_min_decisions",
    "verdicts",
];

/// The variables a permalink pattern may use.
pub const PERMALINK_VARIABLES: &[&str] = &[":year", ":month", ":day", ":slug", ":category", ":author"];

#[derive(Debug, Clone, Deserialize)]
pub struct Config {
    /// The text of `site.toml`, for diagnostics found after parsing.
    #[serde(skip)]
    pub source: String,
    pub title: String,
    pub base_url: String,
    #[serde(default)]
    pub description: String,
    #[serde(default = "default_language")]
    pub language: String,
    /// The picture a shared link shows when a page has none of its own
    /// (`og:image`): an absolute http(s) URL, or a path on the site.
    #[serde(default)]
    pub image: Option<String>,
    #[serde(default = "default_theme")]
    pub theme: String,
    #[serde(default = "default_posts_per_page")]
    pub posts_per_page: usize,
    #[serde(default = "default_permalink")]
    pub permalink: String,
    #[serde(default)]
    pub authors: BTreeMap<String, Author>,
    #[serde(default)]
    pub comments: CommentSettings,
    #[serde(default)]
    pub moderation: Moderation,
    #[serde(default)]
    pub feeds: FeedSettings,
    #[serde(default)]
    pub notify: NotifySettings,
    #[serde(default)]
    pub publish: PublishSettings,
    /// Free-form values for themes.
    #[serde(default)]
    pub extra: toml::Table,
}

/// `[feeds]`: what the RSS (and optional Atom and JSON) feeds hold.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct FeedSettings {
    /// Items in each feed, newest first.
    pub items: usize,
    /// The whole post in each item (else only the summary).
    pub full_content: bool,
    /// An Atom 1.0 `atom.xml` beside each RSS feed.
    pub atom: bool,
    /// A JSON Feed 1.1 `feed.json` beside each RSS feed.
    pub json: bool,
    /// The domain in every item's permanent id (`tag:` URI). Defaults to the
    /// host of `base_url`; keep the old one here when the site moves, so
    /// that readers do not see every post again.
    pub guid_domain: Option<String>,
}

impl Default for FeedSettings {
    fn default() -> Self {
        FeedSettings { items: 20, full_content: true, atom: false, json: false, guid_domain: None }
    }
}

/// `[notify]`: who `parlor intake` tells about comments, and how. Nothing
/// is sent unless `email` or `webhook` is set. The SMTP password is read
/// only from `PARLOR_SMTP_PASSWORD`, the webhook's signing key only from
/// `PARLOR_WEBHOOK_SECRET`: never from a file.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct NotifySettings {
    /// Which comments the moderator hears of.
    pub on: NotifyOn,
    /// The moderator's addresses.
    pub email: Vec<String>,
    /// The sender; defaults to `parlor@` the host of `base_url`.
    pub from: String,
    pub smtp_host: String,
    /// 0: the TLS mode's usual port (25, 587 or 465).
    pub smtp_port: u16,
    pub smtp_tls: SmtpTls,
    /// Empty: no login.
    pub smtp_user: String,
    /// A URL that gets a signed JSON POST for each notification.
    pub webhook: String,
    /// More than 0: one message every this many minutes, holding all the
    /// comments that came in that time, instead of one each.
    pub digest_minutes: u32,
    /// The first retry of a failed send waits this long; each next one
    /// twice as long, up to an hour.
    pub retry_seconds: u64,
    /// The one-click moderation links expire after this many days.
    pub link_days: u32,
    /// Reply notifications one address receives in an hour, at most.
    pub reply_limit_per_hour: u32,
    /// The comment form offers "Email me replies to my comment" (sent by
    /// SMTP, after the reader confirms by mail).
    pub replies: bool,
}

impl Default for NotifySettings {
    fn default() -> Self {
        NotifySettings {
            on: NotifyOn::Decisions,
            email: Vec::new(),
            from: String::new(),
            smtp_host: "localhost".into(),
            smtp_port: 0,
            smtp_tls: SmtpTls::Starttls,
            smtp_user: String::new(),
            webhook: String::new(),
            digest_minutes: 0,
            retry_seconds: 30,
            link_days: 7,
            reply_limit_per_hour: 5,
            replies: false,
        }
    }
}

impl NotifySettings {
    /// Whether any notification can be sent at all.
    pub fn enabled(&self) -> bool {
        !self.email.is_empty() || !self.webhook.is_empty() || self.replies
    }

    /// The SMTP port: the setting, else the TLS mode's usual one.
    pub fn port(&self) -> u16 {
        match (self.smtp_port, self.smtp_tls) {
            (0, SmtpTls::None) => 25,
            (0, SmtpTls::Starttls) => 587,
            (0, SmtpTls::Tls) => 465,
            (port, _) => port,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NotifyOn {
    /// Comments that wait for a decision (pending, held).
    Decisions,
    /// Every comment that arrives.
    All,
    /// None: only replies to subscribers are sent.
    Off,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain SMTP (a relay on the same machine).
    None,
    /// Plain, upgraded with STARTTLS (required).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
}

/// `[publish]`: `parlor intake` rebuilding the site when a comment's status
/// changes.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct PublishSettings {
    /// Publish without `--publish`.
    pub enabled: bool,
    /// The output folder; defaults to `public` in the site.
    pub output: String,
    /// Run (by `sh -c`, in the site folder) after each successful build.
    pub command: String,
    /// Changes this close together give one build.
    pub debounce_ms: u64,
}

impl Default for PublishSettings {
    fn default() -> Self {
        PublishSettings { enabled: false, output: String::new(), command: String::new(), debounce_ms: 300 }
    }
}

/// `[comments]`: how comments are shown and when they close.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct CommentSettings {
    /// `oldest` (first) or `newest` (first).
    pub order: CommentOrder,
    /// Top-level comments on each comment page (replies go with theirs);
    /// 0: every comment on the post's own page.
    #[serde(alias = "comments_per_page")]
    pub per_page: usize,
    /// Replies nest this deep; deeper replies attach to the deepest level.
    pub threading_depth: usize,
    /// Posts older than this many days take no new comments; 0: never close.
    pub close_after_days: u32,
    /// Every post is members-only.
    pub members_only: bool,
    /// The slug of the page that states the comment policy.
    pub policy_page: String,
    /// Where the comment form posts: a path on the site (served by a
    /// reverse proxy to `parlor intake`) or a full URL.
    pub intake_url: String,
    /// Other origins allowed to post comments, beside the site's own.
    pub allowed_origins: Vec<String>,
}

impl CommentSettings {
    /// Whether a post published at `posted` takes no comments at `at`
    /// because of `close_after_days`.
    pub fn closes_by_age(&self, posted: jiff::Timestamp, at: jiff::Timestamp) -> bool {
        self.close_after_days > 0
            && at.as_second() - posted.as_second() > i64::from(self.close_after_days) * 86_400
    }
}

impl Default for CommentSettings {
    fn default() -> Self {
        CommentSettings {
            order: CommentOrder::Oldest,
            per_page: 0,
            threading_depth: 5,
            close_after_days: 0,
            members_only: false,
            policy_page: "comment-policy".into(),
            intake_url: "/comments".into(),
            allowed_origins: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CommentOrder {
    Oldest,
    Newest,
}

/// `[moderation]`: the limits and word lists of the rules. The defaults are
/// the seed blogs' written policy.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct Moderation {
    pub mode: ModerationMode,
    pub max_links: usize,
    pub min_words: usize,
    pub max_length: usize,
    pub flood_seconds: u64,
    /// Domains whose links are never commercial (suffix match: `example.org`
    /// covers `www.example.org`).
    pub link_allow: Vec<String>,
    /// Domains whose links are always commercial.
    pub link_deny: Vec<String>,
    pub blocked_words: Vec<String>,
    pub hold_words: Vec<String>,
    /// More phrases that count as generic praise, beside the built-in ones.
    pub praise_phrases: Vec<String>,
    /// More calls to visit or follow the commenter's own channel, music or
    /// page (`link_promotion`), beside the built-in ones.
    pub promotion_phrases: Vec<String>,
    /// More money, job and giveaway offers (`money_offer`).
    pub money_phrases: Vec<String>,
    /// More share-bait and engagement bait (`share_bait`).
    pub bait_phrases: Vec<String>,
    /// More link shorteners and redirectors (`link_shortener`): a host
    /// (`go.example.net`) or a host and path (`example.net/out`).
    pub shorteners: Vec<String>,
    /// The `learned` filter's score from which a comment waits for the
    /// moderator, and from which it is spam.
    pub learn_hold: f64,
    pub learn_spam: f64,
    /// Decisions of each kind (approved, and spam) the filter needs before
    /// it says anything.
    pub learn_min_decisions: usize,
    /// A rule's verdict changed (`hold`, `reject`, `spam`, `pass`) or the
    /// rule turned `off`, by rule code.
    pub verdicts: BTreeMap<String, VerdictSetting>,
}

impl Default for Moderation {
    fn default() -> Self {
        Moderation {
            mode: ModerationMode::Hold,
            max_links: 1,
            min_words: 4,
            max_length: 5000,
            flood_seconds: 15,
            link_allow: Vec::new(),
            link_deny: Vec::new(),
            blocked_words: Vec::new(),
            hold_words: Vec::new(),
            praise_phrases: Vec::new(),
            promotion_phrases: Vec::new(),
            money_phrases: Vec::new(),
            bait_phrases: Vec::new(),
            shorteners: Vec::new(),
            learn_hold: 0.6,
            learn_spam: 0.9,
            learn_min_decisions: 20,
            verdicts: BTreeMap::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModerationMode {
    /// A comment that passes every rule still waits for the moderator.
    Hold,
    /// A comment that passes every rule is approved at once.
    Auto,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VerdictSetting {
    Off,
    Pass,
    Hold,
    Reject,
    Spam,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Author {
    pub name: String,
    #[serde(default)]
    pub bio: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub avatar: Option<String>,
}

fn default_language() -> String {
    "en".into()
}
fn default_theme() -> String {
    "default".into()
}
fn default_posts_per_page() -> usize {
    10
}
fn default_permalink() -> String {
    "/posts/:slug/".into()
}

impl Config {
    /// Reads and validates `site.toml` in `root`. Problems go to `diags`;
    /// `None` when the file is missing or cannot be used at all.
    pub fn load(root: &Path, diags: &Diagnostics) -> Option<Config> {
        let path = root.join(CONFIG_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => Config::parse(&text, diags),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                diags.push(
                    Diagnostic::error(CONFIG_FILE, format!("no `{CONFIG_FILE}` in `{}`", root.display()))
                        .with_help("run parlor in a site folder, pass `--root DIR`, or create one with `parlor init DIR`"),
                );
                None
            }
            Err(e) => {
                diags.push(Diagnostic::error(CONFIG_FILE, format!("cannot read the config: {e}")));
                None
            }
        }
    }

    /// Parses config text; the path in diagnostics is `site.toml`.
    pub fn parse(text: &str, diags: &Diagnostics) -> Option<Config> {
        let mut unknown = Vec::new();
        let parsed = toml::de::Deserializer::parse(text)
            .and_then(|de| serde_ignored::deserialize(de, |path| unknown.push(path.to_string())));
        let config: Config = match parsed {
            Ok(c) => c,
            Err(e) => {
                let loc = e.span().map_or_else(
                    || Location::at_line(text, 1),
                    |s| Location::at_offset(text, s.start, s.end - s.start),
                );
                diags.push(
                    Diagnostic::error(CONFIG_FILE, e.message().trim().to_string())
                        .at(text, loc)
                        .with_help("fix the TOML syntax or the value's type; see the configuration reference in README.md"),
                );
                return None;
            }
        };
        for path in unknown {
            diags.push(unknown_config_key(text, &path));
        }
        let mut config = config.normalised();
        config.source = text.to_string();
        let problems = config.validate(text);
        let usable = problems.is_empty();
        diags.extend(problems);
        diags.extend(config.long_author_ids(text));
        usable.then_some(config)
    }

    fn normalised(mut self) -> Config {
        self.base_url = self.base_url.trim_end_matches('/').to_string();
        self
    }

    /// Values that parse but cannot be used; the site cannot be built with them.
    fn validate(&self, text: &str) -> Vec<Diagnostic> {
        let mut problems = Vec::new();
        let mut err = |key: &str, msg: String, help: &str| {
            problems
                .push(Diagnostic::error(CONFIG_FILE, msg).at(text, key_location(text, key)).with_help(help));
        };
        if self.title.trim().is_empty() {
            err(
                "title",
                "`title` is empty".into(),
                "give the site a title, e.g. `title = \"Service Stories\"`",
            );
        }
        if !(self.base_url.starts_with("https://") || self.base_url.starts_with("http://")) {
            err(
                "base_url",
                format!("`base_url` must be an absolute http(s) URL, found `{}`", self.base_url),
                "e.g. `base_url = \"https://blog.example.org/\"`",
            );
        }
        if let Some(image) = &self.image
            && (image.trim().is_empty()
                || (image.contains("://") && !image.starts_with("https://") && !image.starts_with("http://")))
        {
            err(
                "image",
                format!("`image` must be an http(s) URL or a path on the site, found `{image}`"),
                "e.g. `image = \"/images/card.png\"` (a file in `static/`)",
            );
        }
        if self.posts_per_page == 0 {
            err("posts_per_page", "`posts_per_page` must be at least 1".into(), "e.g. `posts_per_page = 10`");
        }
        if let Err(msg) = check_permalink(&self.permalink) {
            err("permalink", msg, "e.g. `permalink = \"/posts/:slug/\"` or `\"/:year/:month/:day/:slug/\"`");
        }
        let m = &self.moderation;
        if !(0.0..=1.0).contains(&m.learn_hold)
            || !(0.0..=1.0).contains(&m.learn_spam)
            || m.learn_hold > m.learn_spam
        {
            err(
                "learn_hold",
                format!(
                    "`learn_hold` ({}) and `learn_spam` ({}) must lie between 0 and 1, hold first",
                    m.learn_hold, m.learn_spam
                ),
                "e.g. `learn_hold = 0.6` and `learn_spam = 0.9`",
            );
        }
        if self.comments.threading_depth == 0 {
            err(
                "threading_depth",
                "`threading_depth` must be at least 1".into(),
                "1 shows no replies nested; 5 is WordPress's default",
            );
        }
        for (key, problem) in self.notify_problems() {
            err(key, problem, "see `[notify]` in README.md");
        }
        for (id, author) in &self.authors {
            if author.name.trim().is_empty() {
                err(
                    id,
                    format!("author `{id}` has an empty `name`"),
                    "set `name = \"...\"` under the author",
                );
            }
        }
        problems
    }

    /// A warning for each author id too long to be a file name whole: its
    /// page's slug is cut (#15).
    fn long_author_ids(&self, text: &str) -> Vec<Diagnostic> {
        self.authors
            .keys()
            .filter_map(|id| {
                let short = crate::slugs::shortened(id)?;
                Some(
                    Diagnostic::warning(
                        CONFIG_FILE,
                        format!(
                            "author id `{id}` is too long for a file name; its page is at `/authors/{short}/`"
                        ),
                    )
                    .at(text, key_location(text, id))
                    .with_help(format!(
                        "use a shorter id: slugs are cut at {} bytes",
                        crate::slugs::MAX_SLUG_BYTES
                    )),
                )
            })
            .collect()
    }

    /// What cannot work in `[notify]`: by key.
    fn notify_problems(&self) -> Vec<(&'static str, String)> {
        let n = &self.notify;
        let mut problems = Vec::new();
        for address in &n.email {
            if address.parse::<lettre::Address>().is_err() {
                problems.push(("email", format!("`{address}` in `[notify] email` is not an email address")));
            }
        }
        if !n.from.is_empty() && n.from.parse::<lettre::message::Mailbox>().is_err() {
            problems.push((
                "from",
                format!("`[notify] from` is not an address: `{}` (e.g. `Blog <blog@example.org>`)", n.from),
            ));
        }
        let web = |u: &str| u.starts_with("https://") || u.starts_with("http://");
        if !n.webhook.is_empty() && !web(&n.webhook) {
            problems.push((
                "webhook",
                format!("`[notify] webhook` must be an http(s) URL, found `{}`", n.webhook),
            ));
        }
        if n.retry_seconds == 0 {
            problems.push(("retry_seconds", "`retry_seconds` must be at least 1".into()));
        }
        if n.link_days == 0 {
            problems.push(("link_days", "`link_days` must be at least 1".into()));
        }
        problems
    }

    /// The sender of the site's mail: `[notify] from`, else `parlor@` the
    /// host of `base_url`.
    pub fn mail_from(&self) -> String {
        if !self.notify.from.is_empty() {
            return self.notify.from.clone();
        }
        let host = url::Url::parse(&self.base_url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_else(|| "localhost".into());
        format!("{} <parlor@{host}>", self.title.replace(['<', '>', '"', ','], ""))
    }

    /// The site root URL with a trailing slash.
    pub fn root_url(&self) -> String {
        format!("{}/", self.base_url)
    }

    /// An absolute URL for a site path that starts with `/`.
    pub fn absolute(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }
}

fn check_permalink(pattern: &str) -> Result<(), String> {
    if !pattern.starts_with('/') || !pattern.ends_with('/') {
        return Err(format!("`permalink` must start and end with `/`, found `{pattern}`"));
    }
    if !pattern.contains(":slug") {
        return Err(format!(
            "`permalink` must contain `:slug` so that every post has its own URL, found `{pattern}`"
        ));
    }
    for part in pattern.split('/').filter(|p| p.starts_with(':')) {
        if !PERMALINK_VARIABLES.contains(&part) {
            return Err(format!(
                "unknown variable `{part}` in `permalink`; known ones are {}",
                PERMALINK_VARIABLES.join(", ")
            ));
        }
    }
    Ok(())
}

fn unknown_config_key(text: &str, path: &str) -> Diagnostic {
    let parts: Vec<&str> = path.split('.').collect();
    let key = parts.last().copied().unwrap_or(path);
    let known = match (parts.first(), parts.len()) {
        (Some(&"authors"), 3) => AUTHOR_KEYS,
        (Some(&"comments"), 2) => COMMENTS_KEYS,
        (Some(&"moderation"), 2) => MODERATION_KEYS,
        (Some(&"feeds"), 2) => FEEDS_KEYS,
        (Some(&"notify"), 2) => NOTIFY_KEYS,
        (Some(&"publish"), 2) => PUBLISH_KEYS,
        _ => TOP_KEYS,
    };
    Diagnostic::error(CONFIG_FILE, format!("unknown key `{path}`"))
        .at(text, key_location(text, key))
        .with_help(unknown_key_help(key, known))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Option<Config>, Vec<Diagnostic>) {
        let diags = Diagnostics::new();
        let config = Config::parse(text, &diags);
        (config, diags.into_sorted())
    }

    #[test]
    fn defaults_fill_optional_keys() {
        let (config, diags) = parse("title = \"T\"\nbase_url = \"https://x.org/\"\n");
        assert!(diags.is_empty(), "{diags:?}");
        let config = config.unwrap();
        assert_eq!(config.base_url, "https://x.org");
        assert_eq!(config.posts_per_page, 10);
        assert_eq!(config.permalink, "/posts/:slug/");
        assert_eq!(config.absolute("/a/"), "https://x.org/a/");
    }

    #[test]
    fn every_unknown_key_is_reported_with_a_suggestion() {
        let text = "title = \"T\"\nbase_url = \"https://x.org\"\ntitel = 1\n\n[authors.ann]\nname = \"Ann\"\nboi = \"x\"\n";
        let (_, diags) = parse(text);
        assert_eq!(diags.len(), 2, "{diags:?}");
        assert_eq!(diags[0].headline(), "error: site.toml:3:1: unknown key `titel`");
        assert_eq!(diags[0].help.as_deref(), Some("did you mean `title`?"));
        assert!(diags[1].headline().contains("site.toml:7:1: unknown key `authors.ann.boi`"));
        assert_eq!(diags[1].help.as_deref(), Some("did you mean `bio`?"));
    }

    #[test]
    fn missing_title_and_bad_values_are_errors() {
        let (config, diags) = parse("base_url = \"https://x.org\"\n");
        assert!(config.is_none());
        assert!(diags[0].message.contains("title"), "{diags:?}");
        let (config, diags) = parse("title = \"T\"\nbase_url = \"x.org\"\npermalink = \"/:year/:foo/\"\n");
        assert!(config.is_none());
        assert_eq!(diags.len(), 2, "{diags:?}");
    }
}
