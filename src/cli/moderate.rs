//! `parlor moderate` and `parlor comments`: the moderator's queue on the
//! command line.

use std::io::IsTerminal;
use std::process::ExitCode;

use super::args::{Cli, CommentsCommand, ModerateArgs};
use crate::moderate::Verdict;
use crate::moderator::{Queue, report};
use crate::parse::comment::Status;

fn load_queue(cli: &Cli, now: jiff::Timestamp) -> anyhow::Result<Queue> {
    let queue = Queue::load(&cli.root, now)?;
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
pub(super) fn moderate(cli: &Cli, args: &ModerateArgs, now: jiff::Timestamp) -> anyhow::Result<ExitCode> {
    let mut queue = load_queue(cli, now)?;
    if args.evaluate {
        let report = crate::moderator::evaluate::evaluate(&queue);
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
            let decision = crate::moderator::decision_from(&eval, &queue.config, now);
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
                crate::plural(changed, "verdict")
            );
        } else if args.recheck && !rows.is_empty() {
            println!("nothing was changed: approve, reject or leave each one with `parlor comments`");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `parlor comments ...`: the moderator's queue.
pub(super) fn comments(cli: &Cli, cmd: &CommentsCommand, now: jiff::Timestamp) -> anyhow::Result<ExitCode> {
    let mut queue = load_queue(cli, now)?;
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
        let decision = crate::moderator::manual_decision(status, reason.clone(), now);
        queue.record(i, &decision)?;
        if !cli.quiet {
            println!("{} {}", status.as_str(), queue.comments[i].id);
        }
    }
    Ok(ExitCode::SUCCESS)
}
