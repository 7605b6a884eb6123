//! The intake under attack (SECURITY.md lists what each test stands for):
//! forged and replayed form tokens, a flood from many addresses, slow
//! heads and bodies, oversized heads, too many connections, and attempts
//! to steer the post-submit redirect off the site.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::intake::{Server, good, send, site, start, start_with, stored, token, with};

fn port_of(server: &Server) -> u16 {
    server.base.rsplit(':').next().unwrap().parse().unwrap()
}

/// Raw bytes to the server; what it answers before closing (or `timeout`).
fn raw(server: &Server, request: &[u8], timeout: Duration) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port_of(server))).unwrap();
    s.set_read_timeout(Some(timeout)).unwrap();
    let _ = s.write_all(request);
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

#[test]
fn forged_tokens_are_refused() {
    let site = site("\n[moderation]\nflood_seconds = 0\n");
    let server = start(&site);
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
        let answer = send(&server, &with(&good("p", &real), "token", &forged), true);
        assert_eq!(answer.status, 403, "token {forged:?} was not refused: {}", answer.body);
    }
    assert_eq!(stored(&site, "p").len(), 2, "nothing was stored");
}

#[test]
fn a_replayed_submission_is_refused_or_rejected_never_published() {
    let site = site("");
    let server = start_with(&site, &["--trust-forwarded-for"]);
    let fields = good("p", &token("p"));
    let send_from = |addr: &str| {
        let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
        let form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let mut resp = agent
            .post(format!("{}/comments", server.base))
            .header("Accept", "application/json")
            .header("X-Forwarded-For", addr)
            .send_form(form.iter().copied())
            .unwrap();
        let retry: Option<u64> =
            resp.headers().get("retry-after").and_then(|v| v.to_str().ok()?.parse().ok());
        (resp.status().as_u16(), resp.body_mut().read_to_string().unwrap_or_default(), retry)
    };
    let (status, first, _) = send_from("203.0.113.1");
    assert_eq!(status, 201, "{first}");
    // The same client again within `flood_seconds` (15): refused, with
    // how long to wait.
    let (status, _, retry) = send_from("203.0.113.1");
    assert_eq!(status, 429);
    assert!(retry.is_some_and(|s| (1..=15).contains(&s)), "Retry-After {retry:?}");
    // The same comment from elsewhere: stored, but rejected as a duplicate.
    let (status, second, _) = send_from("203.0.113.2");
    assert_eq!(status, 201, "{second}");
    let json: serde_json::Value = serde_json::from_str(&second).unwrap();
    assert_eq!(json["status"], "rejected", "{second}");
}

#[test]
fn a_flood_from_many_addresses_is_capped_site_wide() {
    let site = site("\n[moderation]\nflood_seconds = 0\n");
    let server = start_with(&site, &["--trust-forwarded-for"]);
    let t = token("p");
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let burst = parlor::intake::SITE_BURST as usize;
    let mut statuses = Vec::new();
    for i in 0..burst + 20 {
        let fields = with(&good("p", &t), "body", &format!("Flood comment number {i} from a new address."));
        let form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let resp = agent
            .post(format!("{}/comments", server.base))
            .header("Accept", "application/json")
            .header("X-Forwarded-For", &format!("198.51.{}.{}", i / 250, i % 250 + 1))
            .send_form(form.iter().copied())
            .unwrap();
        let status = resp.status().as_u16();
        if status == 429 {
            assert_eq!(resp.headers().get("retry-after").and_then(|v| v.to_str().ok()), Some("60"));
        }
        statuses.push(status);
    }
    let accepted = statuses.iter().filter(|s| **s == 201).count();
    let limited = statuses.iter().filter(|s| **s == 429).count();
    // The bucket refills a little while the burst is sent.
    assert!((burst..burst + 10).contains(&accepted), "{accepted} accepted");
    assert_eq!(accepted + limited, statuses.len(), "{statuses:?}");
    assert_eq!(stored(&site, "p").len(), 2 + accepted);
}

#[test]
fn slow_heads_and_slow_bodies_time_out() {
    let site = site("");
    let server = start(&site);
    std::thread::scope(|scope| {
        let slow_head = scope.spawn(|| {
            let started = Instant::now();
            raw(&server, b"POST /comments HTTP/1.1\r\nHost: x\r\n", Duration::from_secs(40));
            started.elapsed()
        });
        let slow_body = scope.spawn(|| {
            let started = Instant::now();
            let answer = raw(
                &server,
                b"POST /comments HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 500\r\n\r\npost=p&",
                Duration::from_secs(60),
            );
            (started.elapsed(), answer)
        });
        let head = slow_head.join().unwrap();
        let limit = parlor::intake::http::HEAD_TIMEOUT;
        assert!(
            head >= limit && head < limit + Duration::from_secs(5),
            "a slow head was closed after {head:?}"
        );
        let (body, answer) = slow_body.join().unwrap();
        let limit = parlor::intake::BODY_TIMEOUT;
        assert!(body >= limit && body < limit + Duration::from_secs(5), "a slow body was cut after {body:?}");
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    });
}

#[test]
fn an_oversized_head_is_refused() {
    let site = site("");
    let server = start(&site);
    let big = format!("GET /comments HTTP/1.1\r\nHost: x\r\nX-Padding: {}\r\n\r\n", "a".repeat(64 * 1024));
    let answer = raw(&server, big.as_bytes(), Duration::from_secs(10));
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer:.200}");
    let many: String = (0..200).map(|i| format!("X-H{i}: v\r\n")).collect();
    let answer = raw(
        &server,
        format!("GET /comments HTTP/1.1\r\nHost: x\r\n{many}\r\n").as_bytes(),
        Duration::from_secs(10),
    );
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer:.200}");
}

#[test]
fn connections_past_the_limit_are_closed_and_the_server_recovers() {
    let site = site("\n[moderation]\nflood_seconds = 0\n");
    let server = start(&site);
    let held: Vec<TcpStream> = (0..parlor::intake::http::MAX_CONNECTIONS)
        .map(|_| TcpStream::connect(("127.0.0.1", port_of(&server))).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let answer = raw(&server, b"GET /comments HTTP/1.1\r\nHost: x\r\n\r\n", Duration::from_secs(5));
    assert!(answer.is_empty(), "a connection past the limit was served: {answer:.200}");
    drop(held);
    std::thread::sleep(Duration::from_millis(300));
    let answer = send(&server, &good("p", &token("p")), true);
    assert_eq!(answer.status, 201, "{}", answer.body);
}

#[test]
fn the_redirect_after_a_comment_never_leaves_the_site() {
    let site = site("\n[moderation]\nflood_seconds = 0\n");
    let server = start(&site);
    let agent: ureq::Agent =
        ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).build().into();
    let fields = good("p", &token("p"));
    let form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let resp = agent
        .post(format!("{}/comments", server.base))
        .header("Referer", "https://evil.example/")
        .header("X-Forwarded-Host", "evil.example")
        .header("X-Forwarded-Proto", "https")
        .send_form(form.iter().copied())
        .unwrap();
    assert_eq!(resp.status().as_u16(), 303);
    let location = resp.headers().get("location").unwrap().to_str().unwrap().to_string();
    assert_eq!(location, "/posts/p/#comment-pending");
    for post in
        ["//evil.example/x", "https://evil.example/", "/\\evil.example", "..%2f..%2fevil", "p/../../x"]
    {
        let answer = send(&server, &with(&with(&good("p", ""), "post", post), "token", &token(post)), false);
        assert_eq!(answer.status, 404, "post {post:?}: {}", answer.body);
        assert_eq!(answer.location, None, "post {post:?} redirected");
    }
}
