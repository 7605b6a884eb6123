//! The command line's arguments: the only file that names clap. It turns
//! arguments into the library's option structs.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// The arguments of this run (clap exits with status 2 on a usage error).
pub fn parse() -> Cli {
    Cli::parse()
}

/// A static site generator for blogs that start discussions: Markdown
/// posts, reader comments moderated by rules that explain themselves, and
/// one command to build it all.
#[derive(Debug, Parser)]
#[command(name = "parlor", version, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    /// The site's folder (the one holding site.toml).
    #[arg(long, global = true, default_value = ".", value_name = "DIR")]
    pub root: PathBuf,
    /// Print only errors.
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Also print how long each stage of the build took.
    #[arg(long, short, global = true)]
    pub verbose: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into public/ (or --output).
    Build(BuildArgs),
    /// Validate config, front matter, templates and internal links; write nothing.
    Check(BuildArgs),
    /// Build, serve on localhost, rebuild on every change and reload open browser tabs;
    /// the comment form works against it.
    Serve(ServeArgs),
    /// Create a new site in DIR: config, an example post, an about page and a comment policy.
    Init {
        /// The folder to create (must be new or empty).
        dir: PathBuf,
    },
    /// Create new content.
    #[command(subcommand)]
    New(NewCommand),
    /// Run the moderation rules over pending comments and print each verdict with its reasons.
    Moderate(ModerateArgs),
    /// The moderator's queue: list, explain, approve, reject or mark comments as spam.
    #[command(subcommand)]
    Comments(CommentsCommand),
    /// Serve the comment intake (`POST /comments`) for production, behind a reverse proxy.
    Intake(IntakeArgs),
    /// Members, who may comment on members-only posts.
    #[command(subcommand)]
    Members(MembersCommand),
    /// Move a blog in from an export: posts, pages, authors, categories, tags and comments.
    #[command(subcommand)]
    Import(ImportCommand),
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// A WordPress export (Tools > Export: a WXR `.xml` file).
    Wordpress(ImportArgs),
    /// A Blogger export (Settings > Back up content: an Atom `.xml` file).
    Blogger(ImportArgs),
    /// A Disqus export's comments (Admin > Community > Export), onto the posts
    /// already in the site: each thread goes to the post or page at its link.
    Disqus(DisqusArgs),
}

#[derive(Debug, Args)]
pub struct DisqusArgs {
    /// The export file (the `.xml` inside the `.xml.gz` Disqus mails).
    pub file: PathBuf,
    /// The site to add the comments to (default: --root).
    #[arg(long, value_name = "DIR")]
    pub into: Option<PathBuf>,
    /// Replace comment files that exist with other text.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The export file.
    pub file: PathBuf,
    /// The site folder to write into (default: --root); created if missing.
    #[arg(long, value_name = "DIR")]
    pub into: Option<PathBuf>,
    /// Replace files that exist with other text.
    #[arg(long)]
    pub force: bool,
    /// Leave out what was not public (password-protected, private, draft and
    /// scheduled posts) instead of importing it as drafts.
    #[arg(long)]
    pub skip_private: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The port to listen on.
    #[arg(long, short, default_value_t = 1111)]
    pub port: u16,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Include drafts and future-dated posts.
    #[arg(long)]
    pub drafts: bool,
    /// How long a changed file must stay quiet before the rebuild, in milliseconds
    /// (tests shorten it; an editor's save is a few writes close together).
    #[arg(long, hide = true, default_value_t = 10, value_name = "MS")]
    pub debounce_ms: u64,
}

#[derive(Debug, Args)]
pub struct IntakeArgs {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// The port to listen on.
    #[arg(long, default_value_t = 1112)]
    pub port: u16,
    /// Take the client address from `X-Forwarded-For` (only behind a proxy that sets it).
    #[arg(long)]
    pub trust_forwarded_for: bool,
    /// Rebuild the site into its output folder whenever a comment's status changes
    /// (also `[publish] enabled = true`).
    #[arg(long)]
    pub publish: bool,
    /// The folder to publish into (default: `[publish] output`, else `public` in the site).
    #[arg(long, value_name = "DIR")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum MembersCommand {
    /// Add a member and print their token (shown once; only its hash is kept).
    Add {
        /// The member's name.
        name: String,
    },
    /// List members (names only).
    List,
}

#[derive(Debug, Args)]
pub struct ModerateArgs {
    /// Only the comments on this post (its slug).
    #[arg(long, value_name = "SLUG")]
    pub post: Option<String>,
    /// Record each verdict in its comment file (`status` and `moderation`). In `hold`
    /// mode a comment that passes stays pending; in `auto` mode it is approved.
    #[arg(long, conflicts_with = "recheck")]
    pub apply: bool,
    /// Run the current content rules over approved comments and list those that
    /// would no longer pass; changes nothing. (A post closing later does not count.)
    #[arg(long)]
    pub recheck: bool,
    /// Judge every decided comment with the current rules: per rule and overall, how
    /// many spam or rejected comments they stop and how many approved ones they would
    /// stop or hold; the learned filter by 5-fold cross-validation. Changes nothing.
    #[arg(long, conflicts_with_all = ["apply", "recheck", "post"])]
    pub evaluate: bool,
    /// One JSON object per comment: {"id","post","verdict","rules":[{"code","verdict","message"}]};
    /// with `--evaluate`, one JSON object for the whole report.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum CommentsCommand {
    /// List comments, oldest first.
    List {
        /// Only comments with this status.
        #[arg(long, value_parser = ["pending", "approved", "rejected", "spam"])]
        status: Option<String>,
        /// Only comments on this post (its slug).
        #[arg(long, value_name = "SLUG")]
        post: Option<String>,
    },
    /// Show a comment and explain its verdict rule by rule.
    Show {
        /// The comment's id, or enough of its start to be unambiguous.
        id: String,
    },
    /// Publish comments.
    Approve {
        #[arg(required = true)]
        ids: Vec<String>,
    },
    /// Reject comments (they stay on disk, unpublished).
    Reject {
        #[arg(required = true)]
        ids: Vec<String>,
        /// Why, recorded in each comment file.
        #[arg(long)]
        reason: Option<String>,
    },
    /// Mark comments as spam (they stay on disk, unpublished).
    Spam {
        #[arg(required = true)]
        ids: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum NewCommand {
    /// Create content/posts/<slug>.md with its front matter filled in (as a draft).
    Post {
        /// The post's title; the file name is made from it.
        title: String,
    },
}

#[derive(Debug, Clone, Args)]
pub struct BuildArgs {
    /// Where to write the site (default: <root>/public).
    #[arg(long, short, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Include drafts and future-dated posts.
    #[arg(long)]
    pub drafts: bool,
    /// Use this base URL instead of site.toml's, e.g. for a preview deploy.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
}

impl BuildArgs {
    pub fn options(&self, root: PathBuf, now: jiff::Timestamp) -> crate::BuildOptions {
        crate::BuildOptions {
            root,
            output: self.output.clone(),
            include_drafts: self.drafts,
            base_url: self.base_url.clone(),
            now,
        }
    }
}
