//! The intake under attack (SECURITY.md lists what each test stands for):
//! forged and replayed form tokens, a flood from many addresses, slow
//! heads and bodies, oversized heads, too many connections, and attempts
//! to steer the post-submit redirect off the site. What the handler
//! answers is asked of the router in this process (`App`, whose rate
//! limits read a clock the test moves); what needs a socket goes to the
//! server in this process (`Local`), with timeouts of a fraction of a
//! second where a test waits them out.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use parlor::intake::Limits;

use crate::intake::{app, app_with, good, send_to, serve, site, stored, token, with};

/// Raw bytes to the server on `port`; what it answers before closing (or `timeout`).
fn raw(port: u16, request: &[u8], timeout: Duration) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(timeout)).unwrap();
    let _ = s.write_all(request);
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

#[test]
fn forged_tokens_are_refused() {
    let site = site("\n[moderation]\nflood_seconds = 0\n");
    let app = app(&site);
    let real = token("p");
    let other_secret = parlor::forms::form_token(b"another site's secret", "p");
    let flipped: String = real.chars().rev().collect();
    for forged in [
        String::new(),
        "0".repeat(real.len()),
        token("shut"), // another post's token
        other_secret,
        flipped,
        format!("{real}00"),
        real[..real.len() - 1].to_string(),
        "x".repeat(10_000),
    ] {
        if forged == real {
            continue;
        }
        let answer = app.send(&with(&good("p", &real), "token", &forged), true);
        assert_eq!(answer.status, 403, "token {forged:?} was not refused: {}", answer.body);
    }
    assert_eq!(stored(&site, "p").len(), 2, "nothing was stored");
}

#[test]
fn a_replayed_submission_is_refused_or_rejected_never_published() {
    let site = site("");
    let app = app_with(&site, true);
    let fields = good("p", &token("p"));
    let send_from = |addr: &str| app.post(&fields, true, &[("X-Forwarded-For", addr)]);
    let first = send_from("203.0.113.1");
    assert_eq!(first.status, 201, "{}", first.body);
    // The same client again within `flood_seconds` (15): refused, with
    // how long to wait.
    let again = send_from("203.0.113.1");
    assert_eq!(again.status, 429);
    assert_eq!(again.retry_after, Some(15), "Retry-After");
    // The same comment from elsewhere: stored, but rejected as a duplicate.
    let second = send_from("203.0.113.2");
    assert_eq!(second.status, 201, "{}", second.body);
    let json: serde_json::Value = serde_json::from_str(&second.body).unwrap();
    assert_eq!(json["status"], "rejected", "{}", second.body);
    // And from the first client once `flood_seconds` have passed: the same.
    app.clock.advance(Duration::from_secs(15));
    let third = send_from("203.0.113.1");
    assert_eq!(third.status, 201, "{}", third.body);
    let json: serde_json::Value = serde_json::from_str(&third.body).unwrap();
    assert_eq!(json["status"], "rejected", "{}", third.body);
}

#[test]
fn a_flood_from_many_addresses_is_capped_site_wide() {
    let site = site("\n[moderation]\nflood_seconds = 0\n");
    let app = app_with(&site, true);
    let t = token("p");
    let mut sent = 0;
    let mut flood = |count: usize| -> Vec<u16> {
        (0..count)
            .map(|_| {
                let i = sent;
                sent += 1;
                let fields =
                    with(&good("p", &t), "body", &format!("Flood comment number {i} from a new address."));
                let from = format!("198.51.{}.{}", i / 250, i % 250 + 1);
                let answer = app.post(&fields, true, &[("X-Forwarded-For", &from)]);
                if answer.status == 429 {
                    assert_eq!(answer.retry_after, Some(60));
                }
                answer.status
            })
            .collect()
    };
    let count = |statuses: &[u16], status: u16| statuses.iter().filter(|s| **s == status).count();
    // The clock stands still: exactly the burst is taken.
    let burst = parlor::intake::SITE_BURST as usize;
    let statuses = flood(burst + 20);
    assert_eq!((count(&statuses, 201), count(&statuses, 429)), (burst, 20), "{statuses:?}");
    // Half a minute later, half a minute's worth more.
    app.clock.advance(Duration::from_secs(30));
    let more = (parlor::intake::SITE_PER_MINUTE / 2.0) as usize;
    let statuses = flood(more + 5);
    assert_eq!((count(&statuses, 201), count(&statuses, 429)), (more, 5), "{statuses:?}");
    assert_eq!(stored(&site, "p").len(), 2 + burst + more);
}

#[test]
fn slow_heads_and_slow_bodies_time_out() {
    let site = site("");
    let limits = Limits {
        head_timeout: Duration::from_millis(300),
        body_timeout: Duration::from_millis(500),
        ..Limits::default()
    };
    let server = serve(&site, limits.clone());
    std::thread::scope(|scope| {
        let slow_head = scope.spawn(|| {
            let started = Instant::now();
            let answer = raw(server.port, b"POST /comments HTTP/1.1\r\nHost: x\r\n", Duration::from_secs(10));
            (started.elapsed(), answer)
        });
        let slow_body = scope.spawn(|| {
            let started = Instant::now();
            let answer = raw(
                server.port,
                b"POST /comments HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 500\r\n\r\npost=p&",
                Duration::from_secs(10),
            );
            (started.elapsed(), answer)
        });
        let (head, answer) = slow_head.join().unwrap();
        let limit = limits.head_timeout;
        assert!(
            head >= limit && head < limit + Duration::from_secs(5),
            "a slow head was closed after {head:?}"
        );
        assert_eq!(answer, "", "a slow head is closed unanswered");
        let (body, answer) = slow_body.join().unwrap();
        let limit = limits.body_timeout;
        assert!(body >= limit && body < limit + Duration::from_secs(5), "a slow body was cut after {body:?}");
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    });
    // The defaults, which `parlor intake` and `parlor serve` use.
    let defaults = Limits::default();
    assert_eq!(defaults.head_timeout, parlor::intake::http::HEAD_TIMEOUT);
    assert_eq!(defaults.body_timeout, parlor::intake::BODY_TIMEOUT);
}

#[test]
fn an_oversized_head_is_refused() {
    let site = site("");
    let server = serve(&site, Limits::default());
    let big = format!("GET /comments HTTP/1.1\r\nHost: x\r\nX-Padding: {}\r\n\r\n", "a".repeat(64 * 1024));
    let answer = raw(server.port, big.as_bytes(), Duration::from_secs(10));
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer:.200}");
    let many: String = (0..200).map(|i| format!("X-H{i}: v\r\n")).collect();
    let answer = raw(
        server.port,
        format!("GET /comments HTTP/1.1\r\nHost: x\r\n{many}\r\n").as_bytes(),
        Duration::from_secs(10),
    );
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer:.200}");
}

#[test]
fn connections_past_the_limit_are_closed_and_the_server_recovers() {
    let site = site("\n[moderation]\nflood_seconds = 0\n");
    let limits = Limits { max_connections: 16, ..Limits::default() };
    let server = serve(&site, limits.clone());
    // Each held connection is answered once, so the server has taken it
    // (and holds its slot while it waits for the next request).
    let held: Vec<TcpStream> = (0..limits.max_connections)
        .map(|_| {
            let mut s = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
            s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            s.write_all(b"GET /comments HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
            let mut head = [0u8; 12];
            s.read_exact(&mut head).unwrap();
            assert_eq!(&head, b"HTTP/1.1 405");
            s
        })
        .collect();
    let closed_unanswered = || {
        raw(
            server.port,
            b"GET /comments HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            Duration::from_secs(5),
        )
    };
    let answer = closed_unanswered();
    assert!(answer.is_empty(), "a connection past the limit was served: {answer:.200}");
    drop(held);
    // The server frees the slots as it sees the connections close.
    let started = Instant::now();
    while closed_unanswered().is_empty() {
        assert!(started.elapsed() < Duration::from_secs(10), "the slots were not freed");
        std::thread::sleep(Duration::from_millis(10));
    }
    let answer = send_to(&server.base, &good("p", &token("p")), true);
    assert_eq!(answer.status, 201, "{}", answer.body);
}

#[test]
fn the_redirect_after_a_comment_never_leaves_the_site() {
    let site = site("\n[moderation]\nflood_seconds = 0\n");
    let app = app(&site);
    let hostile = [
        ("Referer", "https://evil.example/"),
        ("X-Forwarded-Host", "evil.example"),
        ("X-Forwarded-Proto", "https"),
        ("Host", "evil.example"),
    ];
    let answer = app.post(&good("p", &token("p")), false, &hostile);
    assert_eq!(answer.status, 303);
    assert_eq!(answer.location.as_deref(), Some("/posts/p/#comment-pending"));
    for post in
        ["//evil.example/x", "https://evil.example/", "/\\evil.example", "..%2f..%2fevil", "p/../../x"]
    {
        let answer = app.send(&with(&with(&good("p", ""), "post", post), "token", &token(post)), false);
        assert_eq!(answer.status, 404, "post {post:?}: {}", answer.body);
        assert_eq!(answer.location, None, "post {post:?} redirected");
    }
}
