//! The command line: each command's arguments (`args.rs`) and what it
//! does with them, printing diagnostics and choosing the exit status: 0
//! (ok), 1 (the site has errors) or 2 (usage). The binary only calls
//! `main`. The clock is read here, once a run, and passed down.

pub mod args;
mod moderate;

use std::io::IsTerminal;
use std::process::ExitCode;

use args::{Cli, Command, ImportCommand, IntakeArgs, MembersCommand, NewCommand};

use crate::diag::Severity;

/// Runs the command the arguments name.
pub fn main() -> ExitCode {
    let cli = args::parse();
    let now = jiff::Timestamp::now();
    match run(&cli, now) {
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

fn run(cli: &Cli, now: jiff::Timestamp) -> anyhow::Result<ExitCode> {
    match &cli.command {
        Command::Build(args) | Command::Check(args) => {
            let is_build = matches!(cli.command, Command::Build(_));
            let options = args.options(cli.root.clone(), now);
            let progress = progress_bar(cli.quiet);
            let report =
                if is_build { crate::build(&options, progress.as_ref())? } else { crate::check(&options)? };
            print_diagnostics(&report.diagnostics, cli);
            if cli.verbose {
                for (stage, took) in &report.timings {
                    eprintln!("  {stage:<7} {:>8.1} ms", took.as_secs_f64() * 1000.0);
                }
            }
            let warnings = report.diagnostics.iter().filter(|d| d.severity == Severity::Warning).count();
            // `check` holds a site to every problem, warnings included.
            if !is_build && warnings > 0 && !report.has_errors() {
                eprintln!("error: the site has {}", crate::plural(warnings, "problem"));
                return Ok(ExitCode::from(1));
            }
            if report.has_errors() {
                let errors = report.diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
                let what = if is_build { "; nothing was written" } else { "" };
                eprintln!("error: the site has {}{what}", crate::plural(errors, "problem"));
                return Ok(ExitCode::from(1));
            }
            if !cli.quiet {
                if is_build {
                    println!("{}", report.summary());
                } else {
                    println!(
                        "checked {}, {}, {}: no problems",
                        crate::plural(report.posts, "post"),
                        crate::plural(report.site_pages, "page"),
                        crate::plural(report.files, "file")
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Init { dir } => {
            crate::scaffold::init(dir, now)?;
            if !cli.quiet {
                println!("created a new site in {}", dir.display());
                println!("next: cd {} && parlor build", dir.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Moderate(args) => moderate::moderate(cli, args, now),
        Command::Comments(cmd) => moderate::comments(cli, cmd, now),
        Command::Intake(args) => intake(cli, args),
        Command::Import(cmd) => {
            let (source, file, into, force, skip_private) = match cmd {
                ImportCommand::Wordpress(a) | ImportCommand::Blogger(a) => {
                    let source = if matches!(cmd, ImportCommand::Wordpress(_)) {
                        crate::import::Source::WordPress
                    } else {
                        crate::import::Source::Blogger
                    };
                    (source, &a.file, &a.into, a.force, a.skip_private)
                }
                ImportCommand::Disqus(a) => (crate::import::Source::Disqus, &a.file, &a.into, a.force, false),
            };
            let options = crate::import::ImportOptions {
                source,
                file: file.clone(),
                into: into.clone().unwrap_or_else(|| cli.root.clone()),
                force,
                skip_private,
            };
            match crate::import::run(&options) {
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
            crate::serve::run(crate::serve::ServeOptions {
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
            let token = crate::intake::members::Members::add(&cli.root, name, now)?;
            println!("added member `{name}`; their token (shown only now, give it to them):\n{token}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Members(MembersCommand::List) => {
            let members = crate::intake::members::Members::load(&cli.root)?;
            if members.members.is_empty() {
                println!("no members");
            }
            for m in &members.members {
                println!("{}  (added {})", m.name, m.added);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::New(NewCommand::Post { title }) => {
            let path = crate::scaffold::new_post(&cli.root, title, now)?;
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

/// `parlor intake`: the comment intake alone, for production.
fn intake(cli: &Cli, args: &IntakeArgs) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let diags = crate::diag::Diagnostics::new();
    let publish = crate::config::Config::load(&cli.root, &diags).map(|c| c.publish).unwrap_or_default();
    let publish = (args.publish || publish.enabled).then(|| crate::intake::PublishOptions {
        root: cli.root.clone(),
        output: args.output.clone().unwrap_or_else(|| match publish.output.as_str() {
            "" => cli.root.join("public"),
            dir => cli.root.join(dir),
        }),
        command: Some(publish.command).filter(|c| !c.trim().is_empty()),
        debounce: std::time::Duration::from_millis(publish.debounce_ms),
    });
    let options = crate::intake::IntakeOptions {
        root: cli.root.clone(),
        addr: std::net::SocketAddr::new(args.bind, args.port),
        trust_forwarded_for: args.trust_forwarded_for,
        publish,
    };
    runtime.block_on(crate::intake::run(options))?;
    Ok(ExitCode::SUCCESS)
}

fn print_diagnostics(diagnostics: &[crate::diag::Diagnostic], cli: &Cli) {
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
fn progress_bar(quiet: bool) -> Box<dyn crate::Progress> {
    if quiet || !std::io::stderr().is_terminal() {
        return Box::new(crate::NoProgress);
    }
    Box::new(TerminalProgress { bar: indicatif::ProgressBar::hidden() })
}

struct TerminalProgress {
    bar: indicatif::ProgressBar,
}

impl crate::Progress for TerminalProgress {
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
