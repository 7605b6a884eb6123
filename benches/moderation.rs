//! The moderation rules over 100,000 generated comments, evaluated in
//! parallel as `parlor moderate` does. `cargo bench --bench moderation`.
//! Prints the median of 5 runs; the target is under one second on the
//! project's 2-core machine.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use parlor::config::{CommentSettings, Moderation};
use parlor::moderate::{Context, PostFacts, Verdict, evaluate};
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

fn comments() -> Vec<Comment> {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let date = PostDate::parse("2020-01-01T10:00:00Z").unwrap();
    (0..COMMENTS)
        .map(|i| Comment {
            path: format!("content/comments/p{}/c{i}.md", i / PER_POST).into(),
            post_slug: format!("p{}", i / PER_POST),
            id: format!("c{i}"),
            author: format!("Reader {}", rng.next() % 5000),
            email: Some(format!("r{}@example.org", rng.next() % 5000)),
            website: None,
            date,
            reply_to: None,
            member: false,
            status: Status::Pending,
            moderation: None,
            body: body(&mut rng),
            reply_to_line: 1,
            html: String::new(),
            fingerprint: 0,
        })
        .collect()
}

fn main() {
    let comments = comments();
    let settings = Moderation::default();
    let comment_settings = CommentSettings::default();
    let known = HashSet::new();
    let post = PostFacts { comments: CommentsMode::Open, date: PostDate::parse("2020-01-01").unwrap() };
    let posts: Vec<&[Comment]> = comments.chunks(PER_POST).collect();
    let run = || -> (Duration, usize) {
        let start = Instant::now();
        let rejected: usize = posts
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
                            history: parlor::moderate::History::empty(),
                        };
                        evaluate(&cx).verdict >= Verdict::Reject
                    })
                    .count()
            })
            .sum();
        (start.elapsed(), rejected)
    };
    let mut times: Vec<Duration> = Vec::new();
    let mut rejected = 0;
    for _ in 0..5 {
        let (t, r) = run();
        times.push(t);
        rejected = r;
    }
    times.sort();
    println!(
        "moderation: {COMMENTS} comments on {} posts, {} threads: median {:.3} s (min {:.3} s, max {:.3} s); {rejected} rejected or spam",
        posts.len(),
        rayon::current_num_threads(),
        times[2].as_secs_f64(),
        times[0].as_secs_f64(),
        times[4].as_secs_f64()
    );
}
