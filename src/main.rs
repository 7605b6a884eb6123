//! The `parlor` binary: parse arguments, call the library, print
//! diagnostics, and exit 0 (ok), 1 (the site has errors) or 2 (usage).

mod cli;

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use cli::{Cli, Command, NewCommand};
use parlor::diag::Severity;

fn main() -> ExitCode {
    let cli = Cli::parse();
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
            let report = if is_build {
                parlor::build(&options)?
            } else {
                parlor::check(&options)?
            };
            print_diagnostics(&report.diagnostics, cli);
            if cli.verbose {
                for (stage, took) in &report.timings {
                    eprintln!("  {stage:<7} {:>8.1} ms", took.as_secs_f64() * 1000.0);
                }
            }
            if report.has_errors() {
                let errors = report
                    .diagnostics
                    .iter()
                    .filter(|d| d.severity == Severity::Error)
                    .count();
                let what = if is_build {
                    "; nothing was written"
                } else {
                    ""
                };
                eprintln!(
                    "error: the site has {errors} problem{}{what}",
                    if errors == 1 { "" } else { "s" }
                );
                return Ok(ExitCode::from(1));
            }
            if !cli.quiet {
                if is_build {
                    println!("{}", report.summary());
                } else {
                    println!(
                        "checked {} posts, {} pages, {} files: no problems",
                        report.posts, report.site_pages, report.files
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
fn progress_bar(quiet: bool) -> Option<parlor::Progress> {
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::hidden();
    let style = indicatif::ProgressStyle::with_template(
        "{spinner} rendering {pos}/{len} pages {wide_bar} {eta}",
    )
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    let (b1, b2, b3) = (bar.clone(), bar.clone(), bar);
    Some(parlor::Progress {
        start: Arc::new(move |len| {
            b1.set_length(len);
            // Small sites build in a blink; a bar would only flicker.
            if len > 500 {
                b1.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            }
        }),
        tick: Arc::new(move || b2.inc(1)),
        finish: Arc::new(move || b3.finish_and_clear()),
    })
}
