//! Crash safety: a build killed at any moment leaves the previous site
//! whole; an intake server killed during a burst keeps every comment it
//! answered 2xx for, and only whole files; a full disk gives a clear error
//! and loses nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::support::{SiteTest, post};

/// Every file below `dir` by relative path, with the SHA-256 of its bytes.
fn manifest(dir: &Path) -> BTreeMap<PathBuf, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = e.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                out.insert(path.strip_prefix(dir).unwrap().to_path_buf(), hex(&Sha256::digest(&bytes)));
            }
        }
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn write_posts(site: &SiteTest, version: &str) {
    for i in 0..150 {
        site.file(
            &format!("content/posts/p{i:03}.md"),
            &post(&format!("Post {i} {version}"), &format!("2020-01-{:02}", 1 + i % 28), "tags: [a, b]\n"),
        );
        site.file(
            &format!("content/comments/p{i:03}/c{i}.md"),
            &format!(
                "---\nid: c{i}\nauthor: Reader {version}\ndate: 2020-02-01T00:00:00Z\nstatus: approved\n---\nComment {version}.\n"
            ),
        );
    }
}

fn build(site: &SiteTest) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_parlor"));
    cmd.args(["--root", site.root().to_str().unwrap(), "build"]).stdout(Stdio::null()).stderr(Stdio::null());
    cmd
}

#[test]
fn a_build_killed_at_any_moment_leaves_the_previous_site_whole() {
    let site = SiteTest::new();
    write_posts(&site, "one");
    let started = Instant::now();
    assert!(build(&site).status().unwrap().success());
    let took = started.elapsed();
    let public = site.root().join("public");
    let one = manifest(&public);
    write_posts(&site, "two");
    let mut seen = Vec::new();
    for i in 0..24u32 {
        let mut child = build(&site).spawn().unwrap();
        std::thread::sleep(took * i / 20);
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        seen.push(manifest(&public));
    }
    // A build allowed to finish, and the same site built cold elsewhere.
    assert!(build(&site).status().unwrap().success());
    let two = manifest(&public);
    assert_ne!(one, two);
    for (i, m) in seen.iter().enumerate() {
        assert!(*m == one || *m == two, "after kill {i}, public/ is neither the old site nor the new one");
    }
    let cold = SiteTest::new();
    write_posts(&cold, "two");
    std::fs::create_dir_all(cold.root().join(".parlor")).unwrap();
    std::fs::copy(site.root().join(".parlor/secret"), cold.root().join(".parlor/secret")).unwrap();
    assert!(build(&cold).status().unwrap().success());
    assert_eq!(
        two,
        manifest(&cold.root().join("public")),
        "after the kills, the site is what a cold build makes"
    );
    let leftovers: Vec<String> = std::fs::read_dir(site.root())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".public.building"))
        .collect();
    assert!(leftovers.is_empty(), "killed builds' folders were adopted: {leftovers:?}");
}

#[test]
fn an_intake_killed_during_a_burst_keeps_every_comment_it_accepted() {
    use crate::intake::{good, site, start, stored, token, with};
    let site = site("\n[moderation]\nflood_seconds = 0\n");
    let before = stored(&site, "p").len();
    let mut server = start(&site);
    let base = server.base.clone();
    let t = token("p");
    let accepted = std::sync::Mutex::new(Vec::<String>::new());
    let answered = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for worker in 0..8 {
            let (accepted, answered, base, t) = (&accepted, &answered, &base, &t);
            scope.spawn(move || {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .timeout_global(Some(Duration::from_secs(10)))
                    .build()
                    .into();
                for i in 0..100 {
                    let body = format!("Comment {worker}-{i}: the agent called back the next morning.");
                    let fields = with(&good("p", t), "body", &body);
                    let form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                    let sent = agent
                        .post(format!("{base}/comments"))
                        .header("Accept", "application/json")
                        .send_form(form.iter().copied());
                    let Ok(mut resp) = sent else { return }; // the server is gone
                    answered.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    if resp.status().is_success() {
                        let json: serde_json::Value =
                            serde_json::from_str(&resp.body_mut().read_to_string().unwrap_or_default())
                                .unwrap_or_default();
                        if let Some(id) = json["id"].as_str() {
                            accepted.lock().unwrap().push(id.to_string());
                        }
                    }
                }
            });
        }
        // Kill it mid-burst.
        while answered.load(std::sync::atomic::Ordering::SeqCst) < 150 {
            std::thread::sleep(Duration::from_millis(2));
        }
        server.kill();
    });
    let accepted = accepted.into_inner().unwrap();
    assert!(accepted.len() >= 150 && accepted.len() < 800, "{} accepted", accepted.len());
    let files = stored(&site, "p");
    for id in &accepted {
        assert!(files.contains(&format!("{id}.md")), "comment {id} was answered 2xx but is not on disk");
    }
    assert!(files.len() >= before + accepted.len());
    // Every file there is whole: the site builds with no broken comment.
    let run = site.build();
    run.assert_ok();
    assert!(!run.stderr().contains("not published until it is fixed"), "{}", run.stderr());
}

/// A small tmpfs mounted on a temp folder (needs root), unmounted on drop.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn new(size: &str) -> SmallDisk {
        let dir = tempfile::tempdir().unwrap();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs", dir.path().to_str().unwrap()])
            .status()
            .expect("mount runs");
        assert!(status.success(), "mounting a tmpfs needs root");
        SmallDisk { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Fills the disk up with one file.
    fn fill(&self) -> PathBuf {
        let path = self.path().join("filler");
        let mut f = std::fs::File::create(&path).unwrap();
        let block = vec![0u8; 64 * 1024];
        while std::io::Write::write_all(&mut f, &block).is_ok() {}
        let _ = std::io::Write::write_all(&mut f, &[0u8; 1]);
        path
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

#[test]
#[ignore = "mounts a tmpfs, which needs root (.ci/run runs it)"]
fn a_full_disk_during_a_build_is_a_clear_error_and_keeps_the_site() {
    let disk = SmallDisk::new("1m");
    let site = SiteTest::new();
    site.file("content/posts/a.md", &post("Small", "2020-01-01", ""));
    let public = disk.path().join("public");
    let run = site.run(&["build", "--output", public.to_str().unwrap()]);
    run.assert_ok();
    let before = manifest(&public);
    write_posts(&site, "big"); // far more than 1 MB of pages
    let run = site.run(&["build", "--output", public.to_str().unwrap()]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    assert!(run.stderr().contains("No space left on device"), "the error says why: {}", run.stderr());
    assert!(!run.stderr().contains("panicked"), "{}", run.stderr());
    assert_eq!(manifest(&public), before, "the site that was there is whole");
}

#[test]
#[ignore = "mounts a tmpfs, which needs root (.ci/run runs it)"]
fn a_full_disk_during_a_submission_is_a_503_and_no_partial_file() {
    use crate::intake::{good, send, stored, token};
    let disk = SmallDisk::new("4m");
    let root = disk.path().join("site");
    let site = crate::intake::site("\n[moderation]\nflood_seconds = 0\n");
    // The site itself lives on the small disk.
    Command::new("cp").args(["-a", site.root().to_str().unwrap(), root.to_str().unwrap()]).status().unwrap();
    let on_disk = SiteTest::at(&root);
    let mut server = crate::intake::start(&on_disk);
    let before = stored(&on_disk, "p");
    let filler = disk.fill();
    let refused = send(&server, &good("p", &token("p")), true);
    assert_eq!(refused.status, 503, "{}", refused.body);
    assert_eq!(stored(&on_disk, "p"), before, "no comment file, whole or partial");
    let temps: Vec<PathBuf> = std::fs::read_dir(root.join("content/comments/p"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_none_or(|e| e != "md"))
        .collect();
    assert!(temps.is_empty(), "temp files left behind: {temps:?}");
    std::fs::remove_file(filler).unwrap();
    let accepted = send(&server, &good("p", &token("p")), true);
    assert_eq!(accepted.status, 201, "with room again, comments are stored: {}", accepted.body);
    server.kill();
}
