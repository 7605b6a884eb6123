//! Publishing: `parlor intake --publish` rebuilds the site into its output
//! folder whenever a comment's status changes, on a thread of its own.
//! Changes that come close together (a burst of approvals) give one
//! build; a change during a build gives one more after it. The build is
//! `parlor build`'s (incremental through `.parlor/cache`, swapped in
//! whole), so a failing build leaves the live site as it was; the
//! moderator is told. `[publish] command` runs after each good build.

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::notify::Notifier;

/// Where and how to publish.
#[derive(Debug, Clone)]
pub struct PublishOptions {
    pub root: PathBuf,
    /// The output folder (`public` in the site by default).
    pub output: PathBuf,
    /// Run by `sh -c` in the site folder after each good build.
    pub command: Option<String>,
    /// Changes within this time of each other give one build.
    pub debounce: Duration,
}

/// What one publish did, for the log and for tests.
#[derive(Debug, Clone)]
pub struct Published {
    pub ok: bool,
    pub took: Duration,
    /// What the build or the command said when it failed.
    pub problem: Option<String>,
}

/// The handle that asks for a publish.
#[derive(Clone)]
pub struct Publisher {
    changed: mpsc::Sender<()>,
}

impl Publisher {
    /// Starts the publishing thread; `done` (if any) hears of each publish.
    pub fn start(
        options: PublishOptions,
        notifier: Option<Arc<Notifier>>,
        done: Option<mpsc::Sender<Published>>,
    ) -> Publisher {
        let (changed, requests) = mpsc::channel();
        let spawned = std::thread::Builder::new().name("parlor-publish".into()).spawn(move || {
            while requests.recv().is_ok() {
                // Gather the burst: wait until no request came for `debounce`.
                while requests.recv_timeout(options.debounce).is_ok() {}
                let published = publish(&options);
                if let (false, Some(n)) = (published.ok, &notifier) {
                    let problem = published.problem.as_deref().unwrap_or("the build failed");
                    if let Err(e) = n.publish_failed(problem, jiff::Timestamp::now()) {
                        eprintln!("error: cannot queue the mail about the failed publish: {e:#}");
                    }
                }
                if let Some(done) = &done {
                    let _ = done.send(published);
                }
            }
        });
        if let Err(e) = spawned {
            eprintln!("error: cannot start publishing: {e}");
        }
        Publisher { changed }
    }

    /// A comment's status changed: publish soon.
    pub fn changed(&self) {
        let _ = self.changed.send(());
    }
}

/// Builds the site into the output folder, then runs the command.
fn publish(options: &PublishOptions) -> Published {
    let start = Instant::now();
    let build = crate::BuildOptions {
        output: Some(options.output.clone()),
        ..crate::BuildOptions::new(options.root.clone(), jiff::Timestamp::now())
    };
    let problem = match crate::build(&build, &crate::NoProgress) {
        Ok(report) if !report.has_errors() => None,
        Ok(report) => {
            let lines: Vec<String> = report.diagnostics.iter().map(|d| d.render(false)).collect();
            Some(format!("the site has problems; nothing was published:\n{}", lines.join("")))
        }
        Err(e) => Some(format!("the build failed: {e:#}")),
    };
    if let Some(problem) = problem {
        eprintln!("error: publishing failed; the live site is unchanged:\n{problem}");
        return Published { ok: false, took: start.elapsed(), problem: Some(problem) };
    }
    println!("published the site in {} ms", start.elapsed().as_millis());
    let problem = options.command.as_deref().and_then(|c| run_command(c, options));
    Published { ok: problem.is_none(), took: start.elapsed(), problem }
}

/// Runs `[publish] command`; the problem, if it failed.
fn run_command(command: &str, options: &PublishOptions) -> Option<String> {
    let status = Command::new("sh").arg("-c").arg(command).current_dir(&options.root).status();
    match status {
        Ok(s) if s.success() => {
            println!("publish command finished: {s}");
            None
        }
        Ok(s) => {
            let problem = format!("the publish command `{command}` failed ({s})");
            eprintln!("error: {problem}");
            Some(problem)
        }
        Err(e) => {
            let problem = format!("the publish command `{command}` could not start: {e}");
            eprintln!("error: {problem}");
            Some(problem)
        }
    }
}
