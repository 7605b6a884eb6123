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
pub mod output;
pub mod parse;
pub mod progress;
pub mod render;
pub mod scaffold;
pub mod serve;
pub mod site_index;
pub mod slugs;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use config::Config;
use diag::{Diagnostic, Diagnostics};

pub use cache_file::{BUILD_ID, CACHE_DIR};
pub use diag::plural;
pub use progress::{NoProgress, Progress};

/// What `parlor build` (and `check`) are asked to do.
#[derive(Clone, Default)]
pub struct BuildOptions {
    pub root: PathBuf,
    /// Defaults to `<root>/public`.
    pub output: Option<PathBuf>,
    pub include_drafts: bool,
    pub base_url: Option<String>,
    /// Source texts kept between builds (`serve`).
    pub load_cache: Option<std::sync::Arc<load::LoadCache>>,
    /// Parsed files kept between builds (`serve`).
    pub cache: Option<std::sync::Arc<parse::ParseCache>>,
    /// Rendered outputs kept between builds (`serve`).
    pub memo: Option<std::sync::Arc<render::RenderMemo>>,
    /// Told about parsing and rendering as they go.
    pub progress: Option<std::sync::Arc<dyn Progress>>,
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
            s.push_str(&format!("; {} drafts or future posts left out (see --drafts)", self.hidden_posts));
        }
        if self.unchanged {
            s.push_str("; nothing had changed, so nothing was written");
        }
        s
    }
}

/// Builds the site. Site problems come back in the report's diagnostics
/// (and then nothing is written); `Err` is for failures to write.
pub fn build(options: &BuildOptions) -> anyhow::Result<BuildReport> {
    run(options, Mode::Write).map(|(report, _)| report)
}

/// Builds the site into memory (for `serve`): the rendered files, or none
/// when the site has errors.
pub fn build_in_memory(options: &BuildOptions) -> anyhow::Result<(BuildReport, Option<render::Rendered>)> {
    run(options, Mode::Memory)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Write,
    Check,
    Memory,
}

/// Everything `build` does except writing: config, front matter, templates,
/// and internal links.
pub fn check(options: &BuildOptions) -> anyhow::Result<BuildReport> {
    run(options, Mode::Check).map(|(report, _)| report)
}

/// Waits for the content cache to be written; a failure only warns, as only
/// the next build's speed is at stake.
fn finish_saving(saving: parse::cache::Saving, diags: &Diagnostics) {
    if let Err(e) = saving.finish() {
        diags.push(Diagnostic::warning(CACHE_DIR, format!("could not save the cache: {e:#}")));
    }
}

/// The build's diagnostics, in order, each with its file's text for the
/// snippet (some are found after the text was let go).
fn sorted_with_sources(diags: Diagnostics, root: &std::path::Path) -> Vec<Diagnostic> {
    let mut sorted = diags.into_sorted();
    diag::read_sources(root, &mut sorted);
    sorted
}

fn run(options: &BuildOptions, mode: Mode) -> anyhow::Result<(BuildReport, Option<render::Rendered>)> {
    let started = Instant::now();
    let diags = Diagnostics::new();
    let output = options.output.clone().unwrap_or_else(|| options.root.join("public"));
    let mut report = BuildReport { output: output.clone(), ..BuildReport::default() };
    let mut clock = Instant::now();
    let mut lap = |report: &mut BuildReport, stage: &'static str| {
        report.timings.push((stage, clock.elapsed()));
        clock = Instant::now();
    };
    let Some(mut config) = Config::load(&options.root, &diags) else {
        report.diagnostics = sorted_with_sources(diags, &options.root);
        return Ok((report, None));
    };
    if let Some(url) = &options.base_url {
        config.base_url = url.trim_end_matches('/').to_string();
    }
    diags.extend(moderate::settings_problems(&config));
    let sources = load::load(&options.root, &config.theme, options.load_cache.as_deref(), &diags);
    lap(&mut report, "load");
    let tera = render::compile_theme(&sources.theme).map_err(|d| diags.push(d)).ok();
    let progress: &dyn Progress = options.progress.as_deref().unwrap_or(&NoProgress);
    progress.stage("parsing", (sources.posts.len() + sources.pages.len()) as u64);
    // `serve` keeps parsed files in memory instead (its `ParseCache`).
    let cache_dir = options.root.join(CACHE_DIR);
    let content_cache = match mode {
        Mode::Write | Mode::Check => parse::cache::ContentCache::load(&cache_dir),
        Mode::Memory => parse::cache::ContentCache::none(),
    };
    let parsed = parse::parse(sources, &config, options.cache.as_deref(), &content_cache, progress, &diags);
    let saving = match mode {
        Mode::Write => content_cache.save_in_background(&parsed),
        Mode::Check | Mode::Memory => parse::cache::Saving::Nothing,
    };
    lap(&mut report, "parse");
    let model_options = model::ModelOptions { include_drafts: options.include_drafts, now: None };
    let model = model::build(parsed, config, model_options, &diags);
    report.posts = model.posts.len();
    report.site_pages = model.pages.len();
    report.hidden_posts = model.hidden_posts;
    report.comments = model.comment_stats;
    lap(&mut report, "model");
    let Some(tera) = tera else {
        finish_saving(saving, &diags);
        report.diagnostics = sorted_with_sources(diags, &options.root);
        return Ok((report, None));
    };
    progress.stage("rendering", render::page_count(&model) as u64);
    // `check` writes nothing, not even the secret; forms need no token there.
    let secret = if mode != Mode::Check {
        forms::for_build(&options.root)
            .map_err(|e| {
                diags.push(Diagnostic::warning(
                    ".parlor/secret",
                    format!("{e:#}; comment forms get no token, so intake will refuse them"),
                ))
            })
            .ok()
    } else {
        None
    };
    // A build writes each file as it is rendered, into a folder beside
    // the output that is swapped in only if the whole site succeeds, and
    // skips what the output already holds (its memo is in the cache).
    let to_disk = (mode == Mode::Write).then(|| output::StreamingSink::new(&output));
    let disk_memo = to_disk.as_ref().map(|_| render::RenderMemo::load(&cache_dir, &output));
    let sink: &dyn render::Sink = match &to_disk {
        Some(sink) => sink,
        None => &render::KeepAll,
    };
    let memo = disk_memo.as_ref().or(options.memo.as_deref());
    let rendered = render::render(&model, &tera, secret.as_deref(), memo, sink, progress, &diags);
    progress.finish();
    finish_saving(saving, &diags);
    lap(&mut report, "render");
    if mode == Mode::Check {
        render::links::check_internal_links(&options.root, &model, &rendered, &diags);
        lap(&mut report, "links");
    }
    report.pages = rendered.pages;
    report.files = rendered.total;
    let ok = !diags.has_errors();
    if let (Some(sink), Some(memo)) = (to_disk, disk_memo) {
        if !ok {
            sink.abandon();
        } else if let Some(written) = sink.commit(memo.outputs_on_disk())? {
            if let Err(e) = memo.save(&cache_dir, &written) {
                diags.push(Diagnostic::warning(CACHE_DIR, format!("could not save the cache: {e:#}")));
            }
        } else {
            report.unchanged = true;
        }
        lap(&mut report, "write");
    }
    report.elapsed = started.elapsed();
    report.diagnostics = sorted_with_sources(diags, &options.root);
    Ok((report, (mode == Mode::Memory && ok).then_some(rendered)))
}
