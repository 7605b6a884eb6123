//! parlor: a static site generator for blogs that start discussions.
//!
//! The build is a pipeline; each stage owns its types and hands a new value
//! to the next (see ARCHITECTURE.md):
//!
//! ```text
//! config::Config::load -> load::load -> parse::parse -> model::build
//!     -> render::render -> output::write_site
//! ```
//!
//! Site problems are collected as diagnostics across all stages, so one run
//! reports all of them; operational failures (disk, permissions) are
//! `anyhow` errors with context.

pub mod cache_file;
pub mod cli;
pub mod config;
pub mod diag;
pub mod forms;
pub mod fsx;
pub mod html;
pub mod import;
pub mod intake;
pub mod load;
pub mod model;
pub mod moderate;
pub mod moderator;
pub mod notify;
pub mod output;
pub mod parse;
pub mod progress;
pub mod render;
pub mod scaffold;
pub mod serve;
pub mod site_index;
pub mod slugs;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use config::Config;
use diag::{Diagnostic, Diagnostics};

pub use cache_file::{BUILD_ID, CACHE_DIR};
pub use diag::plural;
pub use progress::{NoProgress, Progress};

/// What `parlor build` (and `check`) are asked to do.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub root: PathBuf,
    /// Defaults to `<root>/public`.
    pub output: Option<PathBuf>,
    pub include_drafts: bool,
    pub base_url: Option<String>,
    /// The time the build is made at: what is dated later is not yet
    /// published, and comments close by age against it. Read once, at the
    /// top (`cli`, or `serve` for each rebuild), and passed down.
    pub now: jiff::Timestamp,
}

impl BuildOptions {
    /// Where the site is written: `output`, else `<root>/public`.
    pub fn output_dir(&self) -> PathBuf {
        self.output.clone().unwrap_or_else(|| self.root.join("public"))
    }

    /// The site at `root` as `parlor build` builds it at `now`.
    pub fn new(root: PathBuf, now: jiff::Timestamp) -> BuildOptions {
        BuildOptions { root, output: None, include_drafts: false, base_url: None, now }
    }
}

/// What `serve` keeps from one build for the next, so that a save redoes
/// only what it changed. Each cache lives in a file of its own and says
/// what invalidates it.
#[derive(Default)]
pub struct Incremental {
    /// Source texts and folder listings (`load/cache.rs`).
    pub load: load::LoadCache,
    /// Parsed files (`parse/memo.rs`).
    pub parse: parse::ParseCache,
    /// Rendered outputs (`render/memo.rs`).
    pub render: render::RenderMemo,
}

/// What a build did, for the summary line.
#[derive(Debug, Default)]
pub struct BuildReport {
    /// HTML pages written.
    pub pages: usize,
    /// All files written, pages included.
    pub files: usize,
    pub posts: usize,
    pub site_pages: usize,
    /// Drafts and future posts left out.
    pub hidden_posts: usize,
    pub comments: model::comments::CommentStats,
    pub output: PathBuf,
    pub elapsed: Duration,
    /// Warnings and errors, sorted by file and line.
    pub diagnostics: Vec<Diagnostic>,
    /// How long each stage took, in pipeline order.
    pub timings: Vec<(&'static str, Duration)>,
    /// Nothing had changed: the output already held this exact site.
    pub unchanged: bool,
}

impl BuildReport {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.severity == diag::Severity::Error)
    }

    pub fn summary(&self) -> String {
        let c = &self.comments;
        let mut s = format!(
            "built {} ({}, {}, {} published, {} awaiting moderation) into {} in {:.2} s",
            plural(self.pages, "page"),
            plural(self.posts, "post"),
            plural(self.site_pages, "page"),
            plural(c.published, "comment"),
            c.pending,
            self.output.display(),
            self.elapsed.as_secs_f64()
        );
        if c.broken > 0 {
            s.push_str(&format!(
                "; {} left out for problems (see the warnings above)",
                plural(c.broken, "comment")
            ));
        }
        if self.hidden_posts > 0 {
            let hidden = if self.hidden_posts == 1 {
                "1 draft or future post".to_string()
            } else {
                format!("{} drafts or future posts", self.hidden_posts)
            };
            s.push_str(&format!("; {hidden} left out (see --drafts)"));
        }
        if self.unchanged {
            s.push_str("; nothing had changed, so nothing was written");
        }
        s
    }
}

/// Builds the site. Site problems come back in the report's diagnostics
/// (and then nothing is written); `Err` is for failures to write. The
/// content cache and the render memo are read from and written to
/// `.parlor/cache`.
pub fn build(options: &BuildOptions, progress: &dyn Progress) -> anyhow::Result<BuildReport> {
    let mut run = Run::start(options);
    let Some(config) = run.config() else { return Ok(run.finish()) };
    let sources = run.load(&config, None);
    let tera = run.theme(&sources);
    let cache_dir = options.root.join(CACHE_DIR);
    let content = content_cache(&cache_dir);
    let parsed = run.parse(sources, &config, None, &content, progress);
    let saving = Saving::start(&content, &parsed, &cache_dir);
    let model = run.model(parsed, config);
    let Some(tera) = tera else {
        run.finish_saving(saving);
        return Ok(run.finish());
    };
    let sink = output::StreamingSink::new(&run.report.output);
    let memo = render::RenderMemo::load(&cache_dir, &run.report.output);
    let secret = run.secret();
    run.render(&model, &tera, secret.as_deref(), Some(&memo), &sink, progress);
    run.finish_saving(saving);
    run.write(sink, &memo, &cache_dir)?;
    Ok(run.finish())
}

/// Everything `build` does except writing: config, front matter, templates,
/// and internal links. Forms get no token: `check` writes nothing, not
/// even the secret.
pub fn check(options: &BuildOptions) -> anyhow::Result<BuildReport> {
    let mut run = Run::start(options);
    let Some(config) = run.config() else { return Ok(run.finish()) };
    let sources = run.load(&config, None);
    let tera = run.theme(&sources);
    let content = content_cache(&options.root.join(CACHE_DIR));
    let parsed = run.parse(sources, &config, None, &content, &NoProgress);
    let model = run.model(parsed, config);
    let Some(tera) = tera else { return Ok(run.finish()) };
    let rendered = run.render(&model, &tera, None, None, &render::KeepAll, &NoProgress);
    render::links::check_internal_links(&options.root, &model, &rendered, &run.diags);
    run.lap("links");
    check_subscriptions(&options.root, &run.diags);
    Ok(run.finish())
}

/// `content/comments/subscriptions.toml`, when there is one, must parse:
/// intake never overwrites a file it cannot read, so a broken one would
/// stop every subscription.
fn check_subscriptions(root: &std::path::Path, diags: &Diagnostics) {
    let path = root.join(parse::subscriptions::SUBSCRIPTIONS_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            if let Err(d) = parse::subscriptions::Subscriptions::parse(&text) {
                diags.push(d);
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => diags.push(Diagnostic::error(
            parse::subscriptions::SUBSCRIPTIONS_FILE,
            format!("cannot read it: {e}"),
        )),
    }
}

/// Builds the site into memory (for `serve`), reusing what `incremental`
/// kept from the last build: the rendered files, or none when the site has
/// errors.
pub fn build_in_memory(
    options: &BuildOptions,
    incremental: &mut Incremental,
) -> anyhow::Result<(BuildReport, Option<render::Rendered>)> {
    let mut run = Run::start(options);
    let Some(config) = run.config() else { return Ok((run.finish(), None)) };
    let sources = run.load(&config, Some(&incremental.load));
    let tera = run.theme(&sources);
    let content = parse::cache::ContentCache::none();
    let parsed = run.parse(sources, &config, Some(&incremental.parse), &content, &NoProgress);
    let model = run.model(parsed, config);
    let Some(tera) = tera else { return Ok((run.finish(), None)) };
    let secret = run.secret();
    let memo = Some(&incremental.render);
    let rendered = run.render(&model, &tera, secret.as_deref(), memo, &render::KeepAll, &NoProgress);
    let ok = !run.diags.has_errors();
    Ok((run.finish(), ok.then_some(rendered)))
}

/// The content cache as the last build left it in `cache_dir`.
fn content_cache(cache_dir: &Path) -> parse::cache::ContentCache {
    let file = cache_dir.join(parse::cache::FILE);
    parse::cache::ContentCache::from_entries(cache_file::read(&file, parse::cache::MAGIC))
}

/// The content cache for the next build, being written on a thread of
/// its own while the model and pages are made (~0.1 s for 10,000 posts);
/// `finish` waits for it.
enum Saving {
    Nothing,
    Done(anyhow::Result<()>),
    Running(std::thread::JoinHandle<anyhow::Result<()>>),
}

impl Saving {
    /// Starts writing what `parsed` gives the cache, if that differs from
    /// what the build found; at once if no thread can be started.
    fn start(content: &parse::cache::ContentCache, parsed: &parse::Parsed, cache_dir: &Path) -> Saving {
        let Some(save) = content.to_save(parsed) else { return Saving::Nothing };
        let file = cache_dir.join(parse::cache::FILE);
        let write = |file: &Path, save: &parse::cache::ToSave| {
            cache_file::write(file, parse::cache::MAGIC, &save.entries())
        };
        let thread = std::thread::Builder::new().name("content-cache".into());
        match thread.spawn(move || write(&file, &save)) {
            Ok(thread) => Saving::Running(thread),
            Err(_) => match content.to_save(parsed) {
                Some(save) => Saving::Done(write(&cache_dir.join(parse::cache::FILE), &save)),
                None => Saving::Nothing,
            },
        }
    }

    fn finish(self) -> anyhow::Result<()> {
        match self {
            Saving::Nothing => Ok(()),
            Saving::Done(result) => result,
            Saving::Running(thread) => {
                thread.join().unwrap_or_else(|_| Err(anyhow::anyhow!("the thread writing the cache stopped")))
            }
        }
    }
}

/// One build under way: its diagnostics, its report, and the clock that
/// times each stage. Each method is one stage.
struct Run<'o> {
    options: &'o BuildOptions,
    diags: Diagnostics,
    report: BuildReport,
    started: Instant,
    lap_started: Instant,
}

impl<'o> Run<'o> {
    fn start(options: &'o BuildOptions) -> Run<'o> {
        let report = BuildReport { output: options.output_dir(), ..BuildReport::default() };
        let now = Instant::now();
        Run { options, diags: Diagnostics::new(), report, started: now, lap_started: now }
    }

    fn lap(&mut self, stage: &'static str) {
        self.report.timings.push((stage, self.lap_started.elapsed()));
        self.lap_started = Instant::now();
    }

    /// `site.toml`, with `--base-url` over its own, and the moderation
    /// settings only the rules can check.
    fn config(&mut self) -> Option<Config> {
        let mut config = Config::load(&self.options.root, &self.diags)?;
        if let Some(url) = &self.options.base_url {
            config.base_url = url.trim_end_matches('/').to_string();
        }
        self.diags.extend(moderate::settings_problems(&config));
        Some(config)
    }

    fn load(&mut self, config: &Config, cache: Option<&load::LoadCache>) -> load::Sources {
        let sources = load::load(&self.options.root, &config.theme, cache, &self.diags);
        self.lap("load");
        sources
    }

    /// The theme's templates, compiled; `None` (and a diagnostic) when one
    /// does not compile.
    fn theme(&mut self, sources: &load::Sources) -> Option<tera::Tera> {
        render::compile_theme(&sources.theme).map_err(|d| self.diags.push(d)).ok()
    }

    fn parse(
        &mut self,
        sources: load::Sources,
        config: &Config,
        cache: Option<&parse::ParseCache>,
        content: &parse::cache::ContentCache,
        progress: &dyn Progress,
    ) -> parse::Parsed {
        progress.stage("parsing", (sources.posts.len() + sources.pages.len()) as u64);
        let parsed = parse::parse(sources, config, cache, content, progress, &self.diags);
        self.lap("parse");
        parsed
    }

    fn model(&mut self, parsed: parse::Parsed, config: Config) -> model::SiteModel {
        let options =
            model::ModelOptions { include_drafts: self.options.include_drafts, now: self.options.now };
        let model = model::build(parsed, config, options, &self.diags);
        self.report.posts = model.posts.len();
        self.report.site_pages = model.pages.len();
        self.report.hidden_posts = model.hidden_posts;
        self.report.comments = model.comment_stats;
        self.lap("model");
        model
    }

    /// The site secret for the comment forms' tokens; without it forms get
    /// no token, and intake refuses them, which a warning says.
    fn secret(&mut self) -> Option<Vec<u8>> {
        forms::for_build(&self.options.root)
            .map_err(|e| {
                let message = format!("{e:#}; comment forms get no token, so intake will refuse them");
                self.diags.push(Diagnostic::warning(".parlor/secret", message))
            })
            .ok()
    }

    fn render(
        &mut self,
        model: &model::SiteModel,
        tera: &tera::Tera,
        secret: Option<&[u8]>,
        memo: Option<&render::RenderMemo>,
        sink: &dyn render::Sink,
        progress: &dyn Progress,
    ) -> render::Rendered {
        progress.stage("rendering", render::page_count(model) as u64);
        let rendered = render::render(model, tera, secret, memo, sink, progress, &self.diags);
        progress.finish();
        self.report.pages = rendered.pages;
        self.report.files = rendered.total;
        self.lap("render");
        rendered
    }

    /// Waits for the content cache to be written; a failure only warns, as
    /// only the next build's speed is at stake.
    fn finish_saving(&mut self, saving: Saving) {
        if let Err(e) = saving.finish() {
            self.diags.push(Diagnostic::warning(CACHE_DIR, format!("could not save the cache: {e:#}")));
        }
    }

    /// Swaps the written site in, unless there were errors, and records
    /// what it holds for the next build.
    fn write(
        &mut self,
        sink: output::StreamingSink,
        memo: &render::RenderMemo,
        cache_dir: &Path,
    ) -> anyhow::Result<()> {
        if self.diags.has_errors() {
            sink.abandon();
        } else if let Some(written) = sink.commit(memo.outputs_on_disk())? {
            if let Err(e) = memo.save(cache_dir, &written) {
                self.diags.push(Diagnostic::warning(CACHE_DIR, format!("could not save the cache: {e:#}")));
            }
        } else {
            self.report.unchanged = true;
        }
        self.lap("write");
        Ok(())
    }

    /// The report, with every diagnostic sorted and given its file's text
    /// for the snippet (some are found after the text was let go).
    fn finish(self) -> BuildReport {
        let mut report = self.report;
        report.elapsed = self.started.elapsed();
        report.diagnostics = self.diags.into_sorted();
        diag::read_sources(&self.options.root, &mut report.diagnostics);
        report
    }
}
