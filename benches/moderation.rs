//! The moderation rules over 100,000 generated comments, 10,000 of them
//! already decided (so the learned filter speaks), evaluated in parallel
//! as `parlor moderate` does; the history (texts and filter) built from
//! those comments, and from 100,000 decided ones; and `moderate
//! --evaluate` over the corpus of `tests/moderation/corpus/`, whose table
//! BENCHMARKS.md shows. `cargo bench --bench moderation`. Prints the
//! median of 5 runs; the targets, on the project's 2-core machine: rules
//! and filter under one second, training on 100,000 decisions under two.

#[path = "../tests/moderation/corpus.rs"]
mod corpus;

/// The allocator `parlor` itself runs with.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use parlor::config::{CommentSettings, Moderation};
use parlor::moderate::{Context, History, PostFacts, Verdict, evaluate};
use parlor::parse::comment::{Comment, Status};
use parlor::parse::{CommentsMode, PostDate};
use rayon::prelude::*;

const COMMENTS: usize = 100_000;
const PER_POST: usize = 5;

const WORDS: &[&str] = &[
    "the",
    "agent",
    "called",
    "back",
    "refund",
    "took",
    "three",
    "weeks",
    "and",
    "nobody",
    "explained",
    "why",
    "my",
    "bank",
    "was",
    "patient",
    "but",
    "policy",
    "said",
    "no",
    "queue",
    "hold",
    "music",
    "apology",
    "we",
    "tried",
    "a",
    "callback",
    "it",
    "worked",
    "for",
    "us",
    "too",
    "manager",
    "store",
    "phone",
    "email",
    "chat",
];

/// A small deterministic generator (xorshift), so every run judges the
/// same comments.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

fn body(rng: &mut Rng) -> String {
    let sentence = |rng: &mut Rng| {
        let n = 6 + (rng.next() % 14) as usize;
        let mut s: Vec<&str> = (0..n).map(|_| rng.pick(WORDS)).collect();
        s[0] = "The";
        format!("{}.", s.join(" "))
    };
    match rng.next() % 10 {
        0 => "Great post, thanks for sharing! 👍".into(),
        1 => format!(
            "{} See https://blog.example.org/{}/notes/{} for more.",
            sentence(rng),
            2000 + rng.next() % 20,
            rng.next() % 1000
        ),
        2 => format!(
            "Check out my channel! {} https://shop.example/deal?ref={}",
            sentence(rng),
            rng.next() % 100
        ),
        3 => "cheap loans payday loans fast loans instant approval online".into(),
        4 => format!(
            "{} {}\n\n> {}\n\n- {}\n- {}",
            sentence(rng),
            sentence(rng),
            sentence(rng),
            sentence(rng),
            sentence(rng)
        ),
        _ => format!("{} {} {}", sentence(rng), sentence(rng), sentence(rng)),
    }
}

/// The comments; the first `decided` of them approved or marked as spam
/// by what their text is.
fn comments(decided: usize) -> Vec<Comment> {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let date = PostDate::parse("2020-01-01T10:00:00Z").unwrap();
    let mut all: Vec<Comment> = (0..COMMENTS)
        .map(|i| Comment {
            path: format!("content/comments/p{}/c{i}.md", i / PER_POST).into(),
            post_slug: format!("p{}", i / PER_POST),
            id: format!("c{i}"),
            author: format!("Reader {}", rng.next() % 5000),
            // A minute apart, as comments arrive.
            date: PostDate { timestamp: date.timestamp + jiff::SignedDuration::from_mins(i as i64), ..date },
            email: Some(format!("r{}@example.org", rng.next() % 5000)),
            website: None,
            reply_to: None,
            member: false,
            status: Status::Pending,
            moderation: None,
            body: body(&mut rng),
            reply_to_line: 1,
            html: String::new(),
            fingerprint: 0,
        })
        .collect();
    for c in all.iter_mut().take(decided) {
        let spammy =
            c.body.contains("channel") || c.body.contains("loans") || c.body.starts_with("Great post");
        c.status = if spammy { Status::Spam } else { Status::Approved };
    }
    all
}

/// Median, min and max of five timings of `f`.
fn five(mut f: impl FnMut() -> Duration) -> (f64, f64, f64) {
    let mut times: Vec<Duration> = (0..5).map(|_| f()).collect();
    times.sort();
    (times[2].as_secs_f64(), times[0].as_secs_f64(), times[4].as_secs_f64())
}

/// `moderate --evaluate` over the corpus, as a person reads it.
fn corpus_table() -> String {
    let dir = tempfile::tempdir().unwrap();
    corpus::write_site(dir.path(), &corpus::read());
    let queue = parlor::moderator::Queue::load(dir.path(), jiff::Timestamp::now()).unwrap();
    let report = parlor::moderator::evaluate::evaluate(&queue);
    parlor::moderator::report::evaluation(&report)
}

fn main() {
    let comments = comments(COMMENTS / 10);
    let settings = Moderation::default();
    let comment_settings = CommentSettings::default();
    let known = HashSet::new();
    let post = PostFacts { comments: CommentsMode::Open, date: Some(PostDate::parse("2020-01-01").unwrap()) };
    let posts: Vec<&[Comment]> = comments.chunks(PER_POST).collect();
    let (history_median, history_min, history_max) = five(|| {
        let start = Instant::now();
        std::hint::black_box(History::of(&comments, &settings));
        start.elapsed()
    });
    let history = History::of(&comments, &settings);
    assert!(history.learner().is_some(), "10,000 decisions teach the filter");
    let mut rejected = 0;
    let (median, min, max) = five(|| {
        let start = Instant::now();
        rejected = posts
            .par_iter()
            .map(|group| {
                let refs: Vec<&Comment> = group.iter().collect();
                group
                    .iter()
                    .filter(|c| {
                        let cx = Context {
                            comment: c,
                            post,
                            settings: &settings,
                            comment_settings: &comment_settings,
                            siblings: &refs,
                            known_authors: &known,
                            seconds_since_last_from_client: None,
                            arriving: false,
                            history: &history,
                        };
                        evaluate(&cx).verdict >= Verdict::Reject
                    })
                    .count()
            })
            .sum();
        start.elapsed()
    });
    println!(
        "moderation: {COMMENTS} comments ({} decided) on {} posts, {} threads: rules and filter median {median:.3} s (min {min:.3} s, max {max:.3} s); {rejected} rejected or spam",
        COMMENTS / 10,
        posts.len(),
        rayon::current_num_threads(),
    );
    println!(
        "history of {COMMENTS} comments ({} decided): median {history_median:.3} s (min {history_min:.3} s, max {history_max:.3} s)",
        COMMENTS / 10
    );
    let all_decided = self::comments(COMMENTS);
    let (train_median, train_min, train_max) = five(|| {
        let start = Instant::now();
        std::hint::black_box(History::of(&all_decided, &settings));
        start.elapsed()
    });
    println!(
        "training on {COMMENTS} decisions (texts indexed too): median {train_median:.3} s (min {train_min:.3} s, max {train_max:.3} s)"
    );
    println!("\nmoderate --evaluate over the corpus (tests/moderation/corpus/):\n{}", corpus_table());
}
