//! `parlor moderate --evaluate`: how the current rules would have judged
//! every comment already decided. Spam and rejected comments should be
//! stopped; approved ones should get through. Per rule, and overall, first
//! for the rules alone, then with the learned filter, which is judged by
//! cross-validation: trained on four fifths of the decisions, it judges
//! the fifth it never saw, five times over.
//!
//! Rules about how a comment arrived (a post closed later, flood, members,
//! first comments) are left out: they say nothing of its text.

use rayon::prelude::*;
use serde::Serialize;

use super::Queue;
use crate::moderate::{self, ARRIVAL_RULES, Evaluation, History, Verdict};
use crate::parse::comment::Status;

/// Folds of the cross-validation.
pub const FOLDS: usize = 5;

/// One rule over the decided comments.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RuleTally {
    pub code: &'static str,
    /// A rule of a spam family (else of the site's policy).
    pub spam_family: bool,
    /// Spam or rejected comments it stops (hold, reject or spam).
    pub catches: usize,
    /// Approved comments it would reject or mark as spam.
    pub stops_approved: usize,
    /// Approved comments it would hold for the moderator.
    pub holds_approved: usize,
}

/// All rules together over the decided comments.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Overall {
    /// Spam or rejected comments given any verdict but pass.
    pub caught: usize,
    /// Approved comments rejected or marked spam by any rule.
    pub stops_approved: usize,
    /// Approved comments rejected or marked spam by a spam-family rule.
    pub spam_rules_stop_approved: usize,
    /// Approved comments held for the moderator.
    pub holds_approved: usize,
}

/// What `--evaluate` reports.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Decided as spam or rejected.
    pub bad: usize,
    /// Decided as approved.
    pub good: usize,
    /// Each content rule, in the order rules are reported.
    pub rules: Vec<RuleTally>,
    /// The rules alone (the learned filter says nothing).
    pub rules_alone: Overall,
    /// The rules with the learned filter, by cross-validation; `None`
    /// while the site has too few decisions of either kind.
    pub with_learner: Option<Overall>,
    /// The learned filter alone, by cross-validation.
    pub learner_alone: Option<RuleTally>,
}

/// Spam or rejected (`Some(true)`), approved (`Some(false)`), undecided.
fn decided_bad(status: Status) -> Option<bool> {
    match status {
        Status::Spam | Status::Rejected => Some(true),
        Status::Approved => Some(false),
        Status::Pending => None,
    }
}

/// Evaluates the queue's decided comments.
pub fn evaluate(queue: &Queue) -> Report {
    let decided: Vec<(usize, bool)> = queue
        .comments
        .iter()
        .enumerate()
        .filter_map(|(i, c)| decided_bad(c.status).map(|bad| (i, bad)))
        .filter(|(i, _)| queue.post_exists(&queue.comments[*i].post_slug))
        .collect();
    let bad = decided.iter().filter(|(_, b)| *b).count();
    let good = decided.len() - bad;
    // The rules alone: the texts for duplicates, no filter.
    let texts = History::with_learner(&queue.comments, &[], usize::MAX);
    let alone: Vec<(bool, Evaluation)> = decided
        .par_iter()
        .filter_map(|&(i, is_bad)| queue.evaluate_with(i, &texts).map(|e| (is_bad, e)))
        .collect();
    let rules = tally_rules(&alone);
    let rules_alone = overall(&alone);
    let (with_learner, learner_alone) = cross_validate(queue, &decided, &texts);
    Report { bad, good, rules, rules_alone, with_learner, learner_alone }
}

fn tally_rules(evals: &[(bool, Evaluation)]) -> Vec<RuleTally> {
    moderate::rules()
        .iter()
        .filter(|r| !ARRIVAL_RULES.contains(&r.code()) && r.code() != "learned")
        .map(|rule| tally(rule.code(), rule.spam_family(), evals))
        .collect()
}

fn tally(code: &'static str, spam_family: bool, evals: &[(bool, Evaluation)]) -> RuleTally {
    let mut t = RuleTally { code, spam_family, catches: 0, stops_approved: 0, holds_approved: 0 };
    for (bad, eval) in evals {
        let Some(r) = eval.findings().find(|r| r.code == code) else { continue };
        match (bad, r.verdict) {
            (true, _) => t.catches += 1,
            (false, Some(Verdict::Hold)) => t.holds_approved += 1,
            (false, _) => t.stops_approved += 1,
        }
    }
    t
}

fn overall(evals: &[(bool, Evaluation)]) -> Overall {
    let mut o = Overall::default();
    for (bad, eval) in evals {
        let content: Vec<&moderate::RuleResult> =
            eval.findings().filter(|r| !ARRIVAL_RULES.contains(&r.code)).collect();
        let verdict = content.iter().filter_map(|r| r.verdict).max().unwrap_or(Verdict::Pass);
        match (bad, verdict) {
            (true, Verdict::Pass) => {}
            (true, _) => o.caught += 1,
            (false, Verdict::Hold) => o.holds_approved += 1,
            (false, Verdict::Reject | Verdict::Spam) => {
                o.stops_approved += 1;
                let by_spam_rule = content
                    .iter()
                    .filter(|r| r.verdict >= Some(Verdict::Reject))
                    .any(|r| moderate::is_spam_family(r.code));
                if by_spam_rule {
                    o.spam_rules_stop_approved += 1;
                }
            }
            (false, Verdict::Pass) => {}
        }
    }
    o
}

/// The rules with the filter, each fold judged by a filter trained on the
/// other folds; `None` when a fold's training set is too small to learn.
fn cross_validate(
    queue: &Queue,
    decided: &[(usize, bool)],
    texts: &History,
) -> (Option<Overall>, Option<RuleTally>) {
    let lessons: Vec<Option<moderate::learn::Lesson>> = decided
        .par_iter()
        .map(|&(i, _)| {
            let c = &queue.comments[i];
            moderate::learn::lesson(c).map(|spam| {
                let normalized = moderate::Normalized::of(&c.body);
                let links = moderate::find_links(&c.body);
                (moderate::learn::token_hashes(c, &normalized, &links), spam)
            })
        })
        .collect();
    let min = queue.config.moderation.learn_min_decisions;
    let mut evals: Vec<(bool, Evaluation)> = Vec::with_capacity(decided.len());
    for fold in 0..FOLDS {
        let training: Vec<moderate::learn::Lesson> = lessons
            .iter()
            .enumerate()
            .filter(|(n, _)| n % FOLDS != fold)
            .filter_map(|(_, l)| l.clone())
            .collect();
        let history = texts.with_learner_from(&training, min);
        if history.learner().is_none() {
            return (None, None);
        }
        let judged: Vec<(bool, Evaluation)> = decided
            .par_iter()
            .enumerate()
            .filter(|(n, _)| n % FOLDS == fold)
            .filter_map(|(_, &(i, bad))| queue.evaluate_with(i, &history).map(|e| (bad, e)))
            .collect();
        evals.extend(judged);
    }
    (Some(overall(&evals)), Some(tally("learned", true, &evals)))
}
