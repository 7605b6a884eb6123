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
