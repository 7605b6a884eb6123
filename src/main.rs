//! The `parlor` binary: parse arguments, call the library, print
//! diagnostics, and exit 0 (ok), 1 (the site has errors) or 2 (usage).

mod cli;

/// A build makes and frees millions of small strings across threads;
/// mimalloc does that faster than the system allocator and keeps less
/// memory stranded between threads (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;

use cli::{
    Cli, Command, CommentsCommand, ImportCommand, IntakeArgs, MembersCommand, ModerateArgs, NewCommand,
};
use parlor::diag::Severity;
use parlor::moderate::Verdict;
use parlor::moderator::{Queue, report};
use parlor::parse::comment::Status;

fn main() -> ExitCode {
    let cli = cli::parse();
    match run(&cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(1)
        }
    }
}

fn run(cli: &Cli) -> anyhow::Result<ExitCode> {
    match &cli.command {
        Command::Build(args) | Command::Check(args) => {
            let is_build = matches!(cli.command, Command::Build(_));
            let mut options = args.options(cli.root.clone());
            options.progress = progress_bar(cli.quiet);
            let report = if is_build { parlor::build(&options)? } else { parlor::check(&options)? };
            print_diagnostics(&report.diagnostics, cli);
            if cli.verbose {
                for (stage, took) in &report.timings {
                    eprintln!("  {stage:<7} {:>8.1} ms", took.as_secs_f64() * 1000.0);
                }
            }
            let warnings = report.diagnostics.iter().filter(|d| d.severity == Severity::Warning).count();
            // `check` holds a site to every problem, warnings included.
            if !is_build && warnings > 0 && !report.has_errors() {
                eprintln!("error: the site has {}", parlor::plural(warnings, "problem"));
                return Ok(ExitCode::from(1));
            }
            if report.has_errors() {
                let errors = report.diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
                let what = if is_build { "; nothing was written" } else { "" };
                eprintln!("error: the site has {errors} problem{}{what}", if errors == 1 { "" } else { "s" });
                return Ok(ExitCode::from(1));
            }
            if !cli.quiet {
                if is_build {
                    println!("{}", report.summary());
                } else {
                    println!(
                        "checked {}, {}, {}: no problems",
                        parlor::plural(report.posts, "post"),
                        parlor::plural(report.site_pages, "page"),
                        parlor::plural(report.files, "file")
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Init { dir } => {
            parlor::scaffold::init(dir)?;
            if !cli.quiet {
                println!("created a new site in {}", dir.display());
                println!("next: cd {} && parlor build", dir.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Moderate(args) => moderate(cli, args),
        Command::Comments(cmd) => comments(cli, cmd),
        Command::Intake(args) => intake(cli, args),
        Command::Import(cmd) => {
            let (source, args) = match cmd {
                ImportCommand::Wordpress(a) => (parlor::import::Source::WordPress, a),
                ImportCommand::Blogger(a) => (parlor::import::Source::Blogger, a),
            };
            let options = parlor::import::ImportOptions {
                source,
                file: args.file.clone(),
                into: args.into.clone().unwrap_or_else(|| cli.root.clone()),
                force: args.force,
            };
            match parlor::import::run(&options) {
                Ok(report) => {
                    if !cli.quiet {
                        print!("{}", report.summary());
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    Ok(ExitCode::from(1))
                }
            }
        }
        Command::Serve(args) => {
            parlor::serve::run(parlor::serve::ServeOptions {
                root: cli.root.clone(),
                bind: args.bind,
                port: args.port,
                include_drafts: args.drafts,
                quiet: cli.quiet,
                debounce: std::time::Duration::from_millis(args.debounce_ms),
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Members(MembersCommand::Add { name }) => {
            let token = parlor::intake::members::Members::add(&cli.root, name)?;
            println!("added member `{name}`; their token (shown only now, give it to them):\n{token}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Members(MembersCommand::List) => {
            let members = parlor::intake::members::Members::load(&cli.root)?;
            if members.members.is_empty() {
                println!("no members");
            }
            for m in &members.members {
                println!("{}  (added {})", m.name, m.added);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::New(NewCommand::Post { title }) => {
            let path = parlor::scaffold::new_post(&cli.root, title, jiff::Timestamp::now())?;
            if !cli.quiet {
                println!(
                    "created {} (a draft: set `draft: false`, or build with --drafts to see it)",
                    path.display()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn load_queue(cli: &Cli) -> anyhow::Result<Queue> {
    let queue = Queue::load(&cli.root)?;
    if !cli.quiet {
        let color = std::io::stderr().is_terminal();
        for d in &queue.diagnostics {
            eprint!("{}", d.render(color));
        }
    }
    Ok(queue)
}

/// `parlor moderate`: the rules over pending comments (or, with
/// `--recheck`, over approved ones), as a table or JSON lines.
fn moderate(cli: &Cli, args: &ModerateArgs) -> anyhow::Result<ExitCode> {
    let mut queue = load_queue(cli)?;
    if args.evaluate {
        let report = parlor::moderator::evaluate::evaluate(&queue);
        if args.json {
            println!("{}", serde_json::to_string(&report)?);
        } else {
            print!("{}", report::evaluation(&report));
        }
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(slug) = &args.post
        && !queue.post_exists(slug)
    {
        anyhow::bail!("no post has the slug `{slug}`");
    }
    let wanted = if args.recheck { Status::Approved } else { Status::Pending };
    let post = args.post.as_deref();
    let results = queue.evaluate_all(|c| c.status == wanted && post.is_none_or(|p| c.post_slug == p));
    let now = jiff::Timestamp::now();
    let mut rows = Vec::new();
    let mut changed = 0;
    for (i, eval) in results {
        let Some(eval) = eval else { continue };
        if args.recheck && eval.content_verdict() == Verdict::Pass {
            continue;
        }
        let c = &queue.comments[i];
        if args.json {
            println!("{}", report::json_line(c, &eval));
        } else {
            let rules: Vec<&str> = eval.findings().map(|r| r.code).collect();
            rows.push(vec![
                c.id.clone(),
                c.post_slug.clone(),
                report::author_cell(c),
                eval.verdict.as_str().into(),
                rules.join(", "),
            ]);
        }
        if args.apply {
            let decision = parlor::moderator::decision_from(&eval, &queue.config, now);
            queue.record(i, &decision)?;
            changed += 1;
        }
    }
    if !args.json {
        if rows.is_empty() {
            let what = if args.recheck {
                "no approved comment fails the current rules"
            } else {
                "no pending comments"
            };
            println!("{what}");
        } else {
            print!("{}", report::table(&["id", "post", "author", "verdict", "rules"], &rows));
        }
        if args.apply {
            println!(
                "recorded {} (see `parlor comments show ID` for the reasons)",
                parlor::plural(changed, "verdict")
            );
        } else if args.recheck && !rows.is_empty() {
            println!("nothing was changed: approve, reject or leave each one with `parlor comments`");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `parlor comments ...`: the moderator's queue.
fn comments(cli: &Cli, cmd: &CommentsCommand) -> anyhow::Result<ExitCode> {
    let mut queue = load_queue(cli)?;
    let now = jiff::Timestamp::now();
    let (ids, status, reason) = match cmd {
        CommentsCommand::List { status, post } => {
            let status = status.as_deref().and_then(Status::parse);
            let rows: Vec<Vec<String>> = queue
                .comments
                .iter()
                .filter(|c| {
                    status.is_none_or(|s| c.status == s) && post.as_deref().is_none_or(|p| c.post_slug == p)
                })
                .map(|c| {
                    let rules = c.moderation.as_ref().map(|m| m.rules.join(", ")).unwrap_or_default();
                    vec![
                        c.id.clone(),
                        c.post_slug.clone(),
                        report::author_cell(c),
                        c.date.ymd(),
                        c.status.as_str().into(),
                        rules,
                    ]
                })
                .collect();
            if rows.is_empty() {
                println!("no comments");
            } else {
                print!("{}", report::table(&["id", "post", "author", "date", "status", "rules"], &rows));
            }
            return Ok(ExitCode::SUCCESS);
        }
        CommentsCommand::Show { id } => {
            let i = queue.find(id)?;
            print!("{}", report::show(&queue, i, queue.evaluate(i).as_ref()));
            return Ok(ExitCode::SUCCESS);
        }
        CommentsCommand::Approve { ids } => (ids, Status::Approved, None),
        CommentsCommand::Reject { ids, reason } => (ids, Status::Rejected, reason.clone()),
        CommentsCommand::Spam { ids } => (ids, Status::Spam, None),
    };
    // Resolve every id first, so a typo changes nothing.
    let found: Vec<usize> = ids.iter().map(|id| queue.find(id)).collect::<anyhow::Result<_>>()?;
    for i in found {
        let decision = parlor::moderator::manual_decision(status, reason.clone(), now);
        queue.record(i, &decision)?;
        if !cli.quiet {
            println!("{} {}", status.as_str(), queue.comments[i].id);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `parlor intake`: the comment intake alone, for production.
fn intake(cli: &Cli, args: &IntakeArgs) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let addr = std::net::SocketAddr::new(args.bind, args.port);
    runtime.block_on(parlor::intake::run(&cli.root, addr, args.trust_forwarded_for))?;
    Ok(ExitCode::SUCCESS)
}

fn print_diagnostics(diagnostics: &[parlor::diag::Diagnostic], cli: &Cli) {
    let color = std::io::stderr().is_terminal();
    for d in diagnostics {
        let show = match d.severity {
            Severity::Error => true,
            Severity::Warning => !cli.quiet,
        };
        if show {
            eprint!("{}", d.render(color));
        }
    }
}

/// A progress bar on a terminal, for builds long enough to need one.
fn progress_bar(quiet: bool) -> Option<Arc<dyn parlor::Progress>> {
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    Some(Arc::new(TerminalProgress { bar: indicatif::ProgressBar::hidden() }))
}

struct TerminalProgress {
    bar: indicatif::ProgressBar,
}

impl parlor::Progress for TerminalProgress {
    fn stage(&self, name: &'static str, total: u64) {
        let template = format!("{name:>9} {{pos}}/{{len}} {{wide_bar}} {{eta}}");
        if let Ok(style) = indicatif::ProgressStyle::with_template(&template) {
            self.bar.set_style(style);
        }
        self.bar.set_position(0);
        self.bar.set_length(total);
        // Small sites build in a blink; a bar would only flicker.
        if total > 500 && self.bar.is_hidden() {
            self.bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        }
    }

    fn tick(&self) {
        self.bar.inc(1);
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
