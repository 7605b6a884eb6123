//! The README's "Running comments in production", followed word for word.
//! Its code blocks marked `<!-- production:NAME -->` are read from
//! README.md and used as given: the `site.toml` lines (only the mail
//! server's host and port changed, to a port where no mail server listens:
//! the mail must wait in the outbox), the systemd unit's `ExecStart`, run in
//! its `WorkingDirectory` with its environment file (only the port changed),
//! the moderator's `parlor comments` commands (with the real comment id),
//! and, when nginx is installed, the nginx server block (only the listen
//! port, the root and intake's port changed) in a real nginx on loopback.
//! A reader posts through the front door, the moderator approves with the
//! CLI, and the comment reaches the published page.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::intake::{agent, free_port};
use crate::support::{CONFIG, SiteTest, post};

const SECRET: &str = "test-secret-for-production";
/// Where the README's site lives, and what the test puts in its place.
const README_SITE: &str = "/srv/blog";
const README_INTAKE_PORT: &str = "1112";
/// Set (by `.ci/run`) where the nginx half must run, not be skipped.
const REQUIRE_NGINX: &str = "PARLOR_TEST_REQUIRE_NGINX";

/// The README's code blocks marked `<!-- production:NAME -->`, by name.
fn readme_blocks() -> HashMap<String, String> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let mut blocks = HashMap::new();
    let mut lines = readme.lines();
    while let Some(line) = lines.next() {
        let Some(name) = line.trim().strip_prefix("<!-- production:").and_then(|l| l.strip_suffix(" -->"))
        else {
            continue;
        };
        let fence = lines.next().unwrap_or_default();
        assert!(
            fence.starts_with("```"),
            "README: production:{name} is not followed by a code block: {fence}"
        );
        let mut text = String::new();
        for line in lines.by_ref() {
            if line.starts_with("```") {
                break;
            }
            text.push_str(line);
            text.push('\n');
        }
        assert!(
            blocks.insert(name.to_string(), text).is_none(),
            "README: two blocks named production:{name}"
        );
    }
    blocks
}

/// `text` with every `from` replaced by `to`; `from` must be there, so a
/// README that changes its placeholders fails here rather than going
/// unsubstituted.
#[track_caller]
fn replaced(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "README: the block no longer says `{from}`:\n{text}");
    text.replace(from, to)
}

/// The `Key=Value` lines of a systemd unit, by key.
fn unit_settings(unit: &str) -> HashMap<String, String> {
    unit.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

/// The variables an `EnvironmentFile=` sets (comments and blank lines skipped).
fn environment_file(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (k, v) = l.split_once('=').unwrap_or_else(|| panic!("README: not VAR=value: {l}"));
            (k.to_string(), v.to_string())
        })
        .collect()
}

/// A process started by the test, killed when dropped; its output goes
/// to a file, shown when something goes wrong.
struct Running {
    child: Child,
    log: PathBuf,
    name: &'static str,
}

impl Running {
    fn spawn(name: &'static str, mut command: Command, log: PathBuf) -> Running {
        let out = std::fs::File::create(&log).unwrap();
        command.stdout(out.try_clone().unwrap()).stderr(out).stdin(Stdio::null());
        let child = command.spawn().unwrap_or_else(|e| panic!("{name} does not start: {e}"));
        Running { child, log, name }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits for `port` to take connections; fails with the log if the
    /// process ends first.
    fn wait_for(&mut self, port: u16) {
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("{} ended ({status}) before it listened:\n{}", self.name, self.log());
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "{} did not listen:\n{}",
                self.name,
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits until `done` holds, checking every 50 ms, for at most `limit`.
fn until<T>(limit: Duration, what: &str, mut done: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(value) = done() {
            return value;
        }
        assert!(start.elapsed() < limit, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn get(url: &str) -> (u16, String) {
    let mut r = agent().get(url).call().unwrap_or_else(|e| panic!("GET {url}: {e}"));
    (r.status().as_u16(), r.body_mut().read_to_string().unwrap_or_default())
}

/// Posts `form` to `/comments` on `port` from the local address `local`
/// (another reader, as nginx sees it); the answer's status.
fn post_from(local: &str, port: u16, form: &[(&str, &str)]) -> u16 {
    use std::io::{Read, Write};
    let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_io().build().unwrap();
    let stream = runtime.block_on(async {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind(format!("{local}:0").parse().unwrap()).unwrap();
        socket.connect(([127, 0, 0, 1], port).into()).await.unwrap()
    });
    let mut stream = stream.into_std().unwrap();
    stream.set_nonblocking(false).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        stream,
        "POST /comments HTTP/1.1\r\nHost: blog.example.org\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("{answer}"))
}

/// The nginx binary, if one is installed.
fn nginx_binary() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/usr/local/sbin", "/sbin"].map(PathBuf::from))
        .map(|dir| dir.join("nginx"))
        .find(|p| p.is_file())
}

/// A real nginx on loopback with the README's server block, in a prefix of
/// its own: no daemon, one process (killed with the test), its logs and
/// temp files in a temp folder.
fn start_nginx(binary: &Path, server_block: &str, prefix: &Path) -> Running {
    let version = Command::new(binary).arg("-V").output().unwrap();
    let built = String::from_utf8_lossy(&version.stderr).into_owned();
    let p = prefix.display();
    // Each temp path of a module nginx was built with (else it points to
    // /var/lib/nginx, which only root may write).
    let temp_paths: String = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]
        .iter()
        .filter(|m| !built.contains(&format!("--without-http_{m}_module")))
        .map(|m| format!("    {m}_temp_path {p}/{m}_temp;\n"))
        .collect();
    let conf = format!(
        "daemon off;\nmaster_process off;\npid {p}/nginx.pid;\nerror_log {p}/error.log;\n\
         events {{ worker_connections 64; }}\n\
         http {{\n    access_log {p}/access.log;\n{temp_paths}\
         \x20   types {{ text/html html; text/css css; application/xml xml; }}\n\
         \x20   default_type application/octet-stream;\n\n{server_block}}}\n"
    );
    let conf_path = prefix.join("nginx.conf");
    std::fs::write(&conf_path, conf).unwrap();
    let mut command = Command::new(binary);
    command.arg("-p").arg(prefix).arg("-c").arg(&conf_path).arg("-e").arg(prefix.join("error.log"));
    Running::spawn("nginx", command, prefix.join("nginx.out"))
}

#[test]
fn the_readme_production_setup_takes_a_comment_and_publishes_it_once_approved() {
    let blocks = readme_blocks();
    let block = |name: &str| blocks.get(name).unwrap_or_else(|| panic!("README: no production:{name} block"));

    // site.toml: the README's lines after a fixture's, with the mail
    // server moved to a loopback port where nothing listens.
    let dead_smtp_port = free_port().to_string();
    let settings = replaced(block("site.toml"), "\"smtp.example.org\"", "\"127.0.0.1\"");
    let settings = replaced(&settings, "smtp_port = 587", &format!("smtp_port = {dead_smtp_port}"));
    let site = SiteTest::with_config(&format!("{CONFIG}\n{settings}"));
    site.file("content/posts/refunds.md", &post("Refunds that take weeks", "2024-03-01", ""));
    assert!(settings.contains("output = \"public\""), "README: [publish] output is nginx's root");

    // The unit: ExecStart in WorkingDirectory, with the EnvironmentFile.
    let unit = unit_settings(block("systemd"));
    assert_eq!(unit["WorkingDirectory"], README_SITE);
    assert_eq!(unit["Restart"], "on-failure");
    assert!(unit.contains_key("User") && unit.contains_key("EnvironmentFile"), "{unit:?}");
    let mut argv: Vec<String> = unit["ExecStart"].split_whitespace().map(str::to_string).collect();
    assert!(argv[0].ends_with("/parlor"), "ExecStart runs parlor: {argv:?}");
    let port_at = argv.iter().position(|a| a == "--port").expect("ExecStart names intake's port") + 1;
    assert_eq!(argv[port_at], README_INTAKE_PORT, "the port nginx proxies to");
    let intake_port = free_port();
    argv[port_at] = intake_port.to_string();
    let logs = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_parlor"));
    command
        .args(&argv[1..])
        .current_dir(site.root())
        // systemd starts a service with nothing but what the unit gives it.
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs(environment_file(block("env")))
        // The site secret, as on a second machine (`PARLOR_SECRET`).
        .env("PARLOR_SECRET", SECRET);
    let mut intake = Running::spawn("parlor intake", command, logs.path().join("intake.log"));
    intake.wait_for(intake_port);
    // Intake starts by publishing the site as the comment files say.
    until(Duration::from_secs(60), "the first publish", || {
        site.exists("posts/refunds/index.html").then_some(())
    });

    // The front door: nginx with the README's server block, else intake
    // itself (nginx not installed).
    let nginx_prefix = tempfile::tempdir().unwrap();
    let nginx = match nginx_binary() {
        Some(binary) => {
            let port = free_port();
            let server = replaced(block("nginx"), "listen 80;", &format!("listen 127.0.0.1:{port};"));
            let server = replaced(
                &server,
                &format!("root {README_SITE}/public;"),
                &format!("root {};", site.public("").display()),
            );
            let server = replaced(
                &server,
                &format!("127.0.0.1:{README_INTAKE_PORT}"),
                &format!("127.0.0.1:{intake_port}"),
            );
            let mut nginx = start_nginx(&binary, &server, nginx_prefix.path());
            nginx.wait_for(port);
            Some((nginx, port))
        }
        None => {
            assert!(
                std::env::var_os(REQUIRE_NGINX).is_none(),
                "{REQUIRE_NGINX} is set, and nginx is not installed"
            );
            eprintln!(
                "nginx is not installed: posting to parlor intake directly, without the README's server block"
            );
            None
        }
    };
    let base = match &nginx {
        Some((_, port)) => format!("http://127.0.0.1:{port}"),
        None => format!("http://127.0.0.1:{intake_port}"),
    };
    let through_nginx = nginx.is_some();
    let diagnose = || {
        let nginx_log = std::fs::read_to_string(nginx_prefix.path().join("error.log")).unwrap_or_default();
        format!("intake:\n{}\nnginx:\n{nginx_log}", intake.log())
    };

    // The reader's form, as the published page has it.
    let token = parlor::forms::form_token(SECRET.as_bytes(), "refunds");
    let page = if through_nginx {
        let (status, page) = get(&format!("{base}/posts/refunds/"));
        assert_eq!(status, 200, "{}", diagnose());
        page
    } else {
        site.read("posts/refunds/index.html")
    };
    assert!(page.contains(&format!("value=\"{token}\"")), "the published form carries the token");

    let body = "The refund took three weeks; asking for a callback instead of holding got it moving.";
    let form = [("post", "refunds"), ("author", "Dana"), ("body", body), ("token", token.as_str())];
    let response = agent()
        .post(format!("{base}/comments"))
        .header("Origin", "https://blog.example.org")
        .send_form(form)
        .unwrap();
    assert_eq!(response.status().as_u16(), 303, "{}", diagnose());
    let location = response.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert_eq!(location, "/posts/refunds/#comment-pending");

    let comments = site.root().join("content/comments/refunds");
    let file = std::fs::read_dir(&comments).unwrap().flatten().map(|e| e.path()).next().unwrap();
    let id = file.file_stem().unwrap().to_string_lossy().into_owned();
    assert!(std::fs::read_to_string(&file).unwrap().contains("status: pending"));
    // The moderator's mail waits in the outbox: no mail server answers.
    let queue = site.root().join(".parlor/outbox/queue");
    until(Duration::from_secs(10), "the moderator's mail in the outbox", || {
        let names: Vec<String> = std::fs::read_dir(&queue)
            .map(|d| d.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
            .unwrap_or_default();
        names.iter().any(|n| n.contains(&id)).then_some(())
    });

    if through_nginx {
        // nginx replaces whatever X-Forwarded-For a reader sends with the
        // address it sees, and intake (`--trust-forwarded-for`) takes the
        // reader's address from it: the same reader again at once is
        // refused (`flood_seconds`), spoofed header or not; another
        // reader (127.0.0.2) is not.
        let again = [
            ("post", "refunds"),
            ("author", "Dana"),
            ("body", "One more thing: the callback came within the hour."),
            ("token", token.as_str()),
        ];
        let response = agent()
            .post(format!("{base}/comments"))
            .header("X-Forwarded-For", "203.0.113.7")
            .send_form(again)
            .unwrap();
        assert_eq!(response.status().as_u16(), 429, "a spoofed X-Forwarded-For got past nginx");
        let other = [
            ("post", "refunds"),
            ("author", "Eli"),
            ("body", "Our bank called back the next morning, as promised."),
            ("token", token.as_str()),
        ];
        let port = nginx.as_ref().map(|(_, port)| *port).unwrap();
        assert_eq!(post_from("127.0.0.2", port, &other), 303, "{}", diagnose());
        // The moderation links reach intake (which refuses a forged one);
        // the comment feed under /comments/ is the published file.
        let (status, page) =
            get(&format!("{base}/comments/moderate?c={id}&a=approve&e=9999999999&n=00&s=00"));
        assert_eq!(status, 403, "{page}");
        assert!(page.contains("not made by this site"), "intake answered the link: {page}");
        let (status, feed) = get(&format!("{base}/comments/feed.xml"));
        assert_eq!((status, feed.starts_with("<?xml")), (200, true), "{feed}");
    }

    // The moderator, on the server, as the README says.
    let moderate = block("moderate");
    let mut commands = moderate.lines();
    assert_eq!(commands.next(), Some(format!("cd {README_SITE}").as_str()));
    let run = |line: &str| {
        let argv: Vec<&str> = line.split_whitespace().collect();
        let argv =
            argv.strip_prefix(&["sudo", "-u", "parlor"][..]).unwrap_or_else(|| panic!("as parlor: {line}"));
        assert_eq!(argv[0], "parlor");
        let output = Command::new(env!("CARGO_BIN_EXE_parlor"))
            .args(&argv[1..])
            .current_dir(site.root())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(output.status.success(), "{line}: {}{stdout}", String::from_utf8_lossy(&output.stderr));
        stdout
    };
    let list = commands.next().expect("README: the pending list");
    assert!(list.contains("comments list --status pending"), "{list}");
    assert!(run(list).contains(&id), "the pending list shows the comment");
    let approve = commands.next().expect("README: the approve command");
    let example_id = approve.split_whitespace().last().unwrap();
    assert!(approve.contains("comments approve"), "{approve}");
    let approved = Instant::now();
    run(&replaced(approve, example_id, &id));
    assert!(std::fs::read_to_string(&file).unwrap().contains("status: approved"));

    // Intake notices within its 10 s re-read, and publishes.
    let published = || {
        if through_nginx {
            get(&format!("{base}/posts/refunds/")).1
        } else {
            site.read("posts/refunds/index.html")
        }
    };
    until(Duration::from_secs(60), "the approved comment on the published page", || {
        published().contains("asking for a callback").then_some(())
    });
    eprintln!(
        "production: from `parlor comments approve` to the published page{}: {} ms",
        if through_nginx { " through nginx" } else { "" },
        approved.elapsed().as_millis()
    );
    assert!(
        site.read("posts/refunds/index.html").contains(&format!("id=\"comment-{id}\"")),
        "{}",
        diagnose()
    );
    drop(nginx);
}
