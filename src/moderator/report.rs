//! What the moderator's commands print: tables for people, JSON lines for
//! scripts, and the rule-by-rule explanation of `comments show`.

use std::fmt::Write as _;

use serde::Serialize;

use super::Queue;
use crate::moderate::{Evaluation, Verdict, rules};
use crate::parse::comment::Comment;

/// A table with a header and left-aligned columns; the last column is not
/// padded.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let widths: Vec<usize> = (0..header.len())
        .map(|col| rows.iter().map(|r| r[col].chars().count()).chain([header[col].len()]).max().unwrap_or(0))
        .collect();
    let line = |cells: Vec<&str>| {
        let mut s = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                s.push_str(cell);
            } else {
                let _ = write!(s, "{cell:<w$}  ", w = widths[i]);
            }
        }
        s.trim_end().to_string() + "\n"
    };
    let mut out = line(header.to_vec());
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

/// One short cell for a comment's author.
pub fn author_cell(c: &Comment) -> String {
    let name = if c.author.is_empty() { "Anonymous" } else { &c.author };
    name.chars().take(24).collect()
}

#[derive(Serialize)]
struct JsonRule<'a> {
    code: &'a str,
    verdict: Verdict,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonVerdict<'a> {
    id: &'a str,
    post: &'a str,
    verdict: Verdict,
    rules: Vec<JsonRule<'a>>,
}

/// `{"id","post","verdict","rules":[{"code","verdict","message"}]}`
pub fn json_line(c: &Comment, eval: &Evaluation) -> String {
    let rules = eval
        .findings()
        .filter_map(|r| Some(JsonRule { code: r.code, verdict: r.verdict?, message: &r.check.message }))
        .collect();
    let v = JsonVerdict { id: &c.id, post: &c.post_slug, verdict: eval.verdict, rules };
    serde_json::to_string(&v).unwrap_or_default()
}

/// `comments show`: the comment, then every rule's result with what it found.
pub fn show(queue: &Queue, i: usize, eval: Option<&Evaluation>) -> String {
    let c = &queue.comments[i];
    let mut out = String::new();
    let _ = writeln!(out, "id:       {}", c.id);
    let _ = writeln!(out, "file:     {}", c.path.display());
    let _ = writeln!(out, "post:     {}", c.post_slug);
    let _ = writeln!(out, "author:   {}", author_cell(c));
    if let Some(email) = &c.email {
        let _ = writeln!(out, "email:    {email} (private: never published)");
    }
    if let Some(site) = &c.website {
        let _ = writeln!(out, "website:  {site}");
    }
    let _ = writeln!(out, "date:     {}", c.date.rfc3339());
    if let Some(parent) = &c.reply_to {
        let _ = writeln!(out, "reply to: {parent}");
    }
    let _ = writeln!(out, "status:   {}", c.status.as_str());
    if let Some(m) = &c.moderation {
        let by = m.by.as_deref().unwrap_or("parlor");
        let verdict = m.verdict.as_deref().unwrap_or("?");
        let _ = write!(out, "recorded: {verdict} by {by}");
        if !m.rules.is_empty() {
            let _ = write!(out, " ({})", m.rules.join(", "));
        }
        if let Some(reason) = &m.reason {
            let _ = write!(out, ": {reason}");
        }
        out.push('\n');
    }
    out.push('\n');
    for line in c.body.trim_end().lines() {
        let _ = writeln!(out, "    | {line}");
    }
    out.push('\n');
    let Some(eval) = eval else {
        let _ = writeln!(out, "its post `{}` does not exist, so the rules cannot judge it", c.post_slug);
        return out;
    };
    let _ =
        writeln!(out, "verdict: {} (the strongest verdict of the rules that apply)\n", eval.verdict.as_str());
    for (result, rule) in eval.results.iter().zip(rules()) {
        let mark = match (result.verdict, result.check.applies) {
            (None, _) => "off".to_string(),
            (Some(v), true) => v.as_str().to_string(),
            (Some(_), false) => "ok".to_string(),
        };
        let _ = writeln!(out, "  {mark:<6} {:<17} {}", result.code, result.check.message);
        if result.check.applies {
            for span in &result.check.spans {
                let found: String = c.body.get(span.clone()).unwrap_or("").chars().take(100).collect();
                let _ = writeln!(
                    out,
                    "         {:<17} found: \u{201c}{found}\u{201d} (bytes {}..{})",
                    "", span.start, span.end
                );
            }
            let _ = writeln!(out, "         {:<17} rule: {}", "", rule.describe());
        }
    }
    out
}

/// `moderate --evaluate` for people: a table of rules, then the totals.
pub fn evaluation(report: &super::evaluate::Report) -> String {
    use super::evaluate::{Overall, RuleTally};
    let pct = |n: usize, of: usize| {
        if of == 0 { "-".to_string() } else { format!("{:.1}%", 100.0 * n as f64 / of as f64) }
    };
    let (bad, good) = (report.bad, report.good);
    let mut out = format!(
        "decided comments: {bad} spam or rejected, {good} approved (pending comments are not counted; rules about how a comment arrived are left out)\n\n"
    );
    let row = |t: &RuleTally| {
        vec![
            t.code.to_string(),
            if t.spam_family { "spam".into() } else { "policy".into() },
            format!("{} ({})", t.catches, pct(t.catches, bad)),
            format!("{} ({})", t.stops_approved, pct(t.stops_approved, good)),
            format!("{} ({})", t.holds_approved, pct(t.holds_approved, good)),
        ]
    };
    let mut rows: Vec<Vec<String>> = report.rules.iter().map(row).collect();
    if let Some(learned) = &report.learner_alone {
        rows.push(row(learned));
    }
    out.push_str(&table(
        &["rule", "family", "catches spam/rejected", "stops approved", "holds approved"],
        &rows,
    ));
    let total = |name: &str, o: &Overall| {
        vec![
            name.to_string(),
            format!("{} ({})", o.caught, pct(o.caught, bad)),
            format!("{} ({})", o.stops_approved, pct(o.stops_approved, good)),
            format!("{} ({})", o.spam_rules_stop_approved, pct(o.spam_rules_stop_approved, good)),
            format!("{} ({})", o.holds_approved, pct(o.holds_approved, good)),
        ]
    };
    let mut totals = vec![total("the rules alone", &report.rules_alone)];
    if let Some(o) = &report.with_learner {
        totals.push(total("the rules and `learned`", o));
    }
    out.push('\n');
    out.push_str(&table(
        &["all together", "stop spam/rejected", "stop approved", "of which by spam rules", "hold approved"],
        &totals,
    ));
    match &report.with_learner {
        Some(_) => out.push_str(&format!(
            "\n`learned` is judged by {}-fold cross-validation: each comment by a filter trained on the other folds, never on itself.\n",
            super::evaluate::FOLDS
        )),
        None => out.push_str("\n`learned` is not shown: the site has too few decisions of each kind to learn from (see `learn_min_decisions`).\n"),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align() {
        let t = table(
            &["id", "verdict"],
            &[vec!["c1".into(), "pass".into()], vec!["c100".into(), "reject".into()]],
        );
        assert_eq!(t, "id    verdict\nc1    pass\nc100  reject\n");
    }
}
