//! `parlor serve`: builds the site into memory, serves it, watches the
//! sources, rebuilds on change (re-parsing only changed files) and reloads
//! every open tab through server-sent events. A failed rebuild shows its
//! diagnostics as an overlay on every page and the server keeps running;
//! the next good save clears it. The comment intake is mounted at
//! `POST /comments`, exactly as `parlor intake` serves it.

mod watch;

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use tokio::sync::broadcast;

use crate::render::{OutputContent, Rendered};
use crate::{BuildOptions, BuildReport, Incremental};

const EVENTS_PATH: &str = "/__parlor/events";

/// What `parlor serve` is asked to do.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub bind: IpAddr,
    pub port: u16,
    pub include_drafts: bool,
    pub quiet: bool,
    /// How long a changed file must stay quiet before the rebuild.
    pub debounce: Duration,
}

/// The site as served: files by path, and the last rebuild's error.
#[derive(Default)]
struct Site {
    files: ServedFiles,
    error: Option<String>,
    /// Which rebuild this is. A page carries its site's generation to the
    /// event stream, so a tab that reconnects after a rebuild it missed
    /// (while it was reloading) still hears of it.
    generation: u64,
}

enum Served {
    Bytes(Arc<[u8]>),
    Static(&'static [u8]),
    File(PathBuf),
}

struct ServeState {
    site: RwLock<Arc<Site>>,
    reload: broadcast::Sender<()>,
}

pub fn run(options: ServeOptions) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(serve(options))
}

async fn serve(mut options: ServeOptions) -> Result<()> {
    // One absolute root, so that the watcher's paths and the loader's paths
    // are the same strings (the load cache trusts the watcher's list).
    options.root = std::fs::canonicalize(&options.root)
        .with_context(|| format!("cannot find the site folder `{}`", options.root.display()))?;
    // Watching starts before the first build reads anything, so a file
    // saved while it runs is read again by the next. What `parlor build`
    // writes beside it, into `public/`, is no change.
    let host = if options.bind.is_unspecified() { "127.0.0.1".to_string() } else { options.bind.to_string() };
    let base_url = format!("http://{host}:{}", options.port);
    // Each rebuild is made at the time it starts: a post dated a minute
    // ahead appears on the first rebuild after that minute.
    let mut build_options = BuildOptions {
        root: options.root.clone(),
        output: None,
        include_drafts: options.include_drafts,
        base_url: Some(base_url.clone()),
        now: jiff::Timestamp::now(),
    };
    let mut changes = watch::watch(&options.root, vec![build_options.output_dir()], options.debounce)?;
    let addr = SocketAddr::new(options.bind, options.port);
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| {
        format!("cannot listen on {addr} (is another server using port {}? try --port)", options.port)
    })?;
    let mut incremental = Incremental::default();
    let (reload, _) = broadcast::channel(16);
    let first = rebuild(&build_options, &mut incremental, None, options.quiet);
    let state = Arc::new(ServeState { site: RwLock::new(Arc::new(first)), reload });
    let origins = vec![
        base_url.clone(),
        format!("http://localhost:{}", options.port),
        format!("http://127.0.0.1:{}", options.port),
    ];
    let limits = crate::intake::Limits::default();
    let intake = crate::intake::IntakeState::load(&options.root, origins, false, limits.clone())?;
    {
        let state = Arc::clone(&state);
        let intake = Arc::clone(&intake);
        let quiet = options.quiet;
        let rebuilds = move || {
            while let Some(change) = changes.next() {
                let seen = Instant::now();
                if change.rescan {
                    // Events were lost: no file is taken as it was.
                    incremental.load.clear();
                } else {
                    incremental.load.only_changed(change.paths.iter().cloned());
                }
                build_options.now = jiff::Timestamp::now();
                let previous = state.site.read().map(|s| Arc::clone(&s)).ok();
                let mut site = rebuild(&build_options, &mut incremental, previous.as_deref(), quiet);
                site.generation = previous.as_ref().map_or(0, |p| p.generation) + 1;
                // The site it replaces is freed after the tabs are told.
                let replaced =
                    state.site.write().map(|mut current| std::mem::replace(&mut *current, Arc::new(site)));
                let _ = state.reload.send(());
                let sent = seen.elapsed();
                drop((previous, replaced));
                if !quiet {
                    let what = match change.paths.first() {
                        _ if change.rescan => "events were lost, so every file was read again;".to_string(),
                        Some(p) => {
                            format!("{} changed:", p.strip_prefix(&build_options.root).unwrap_or(p).display())
                        }
                        None => String::new(),
                    };
                    eprintln!(
                        "  {what} reload sent {:.0} ms after the change was seen",
                        sent.as_secs_f64() * 1000.0
                    );
                }
                // The intake re-reads posts and comments when it is next asked.
                intake.mark_stale();
            }
        };
        std::thread::Builder::new()
            .name("parlor-rebuild".into())
            .spawn(rebuilds)
            .context("cannot start the rebuilding thread")?;
    }
    let app = Router::new()
        .route(EVENTS_PATH, get(events))
        .fallback(get(file))
        .with_state(Arc::clone(&state))
        .merge(crate::intake::router(intake));
    println!("serving {base_url}/ (watching for changes; Ctrl-C to stop)");
    crate::intake::http::serve(listener, app, &limits, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}

/// Builds the site into memory. On failure the previous files stay served,
/// with the diagnostics shown over them.
fn rebuild(
    options: &BuildOptions,
    incremental: &mut Incremental,
    previous: Option<&Site>,
    quiet: bool,
) -> Site {
    let started = Instant::now();
    let error = |text: String, previous: Option<&Site>| Site {
        files: previous
            .map(|p| p.files.iter().map(|(k, v)| (k.clone(), v.clone_served())).collect())
            .unwrap_or_default(),
        error: Some(text),
        generation: 0,
    };
    match crate::build_in_memory(options, incremental) {
        Ok((report, Some(rendered))) => {
            print_warnings(&report, quiet);
            if !quiet {
                let stages: Vec<String> = report
                    .timings
                    .iter()
                    .map(|(s, t)| format!("{s} {:.0}", t.as_secs_f64() * 1000.0))
                    .collect();
                eprintln!(
                    "built {} in {:.0} ms ({} ms)",
                    crate::diag::plural(report.pages, "page"),
                    started.elapsed().as_secs_f64() * 1000.0,
                    stages.join(", ")
                );
            }
            Site { files: files(rendered), error: None, generation: 0 }
        }
        Ok((report, None)) => {
            let text: String = report.diagnostics.iter().map(|d| d.render(false)).collect();
            eprint!("{text}");
            error(text, previous)
        }
        Err(e) => {
            let text = format!("error: {e:#}\n");
            eprint!("{text}");
            error(text, previous)
        }
    }
}

fn print_warnings(report: &BuildReport, quiet: bool) {
    if quiet {
        return;
    }
    for d in &report.diagnostics {
        eprint!("{}", d.render(false));
    }
}

impl Served {
    fn clone_served(&self) -> Served {
        match self {
            Served::Bytes(b) => Served::Bytes(Arc::clone(b)),
            Served::Static(b) => Served::Static(b),
            Served::File(p) => Served::File(p.clone()),
        }
    }
}

/// Each rebuild makes this map anew (26,537 paths for 10,000 posts) before
/// the reload is sent: foldhash, not SipHash, as no request picks its keys.
type ServedFiles = foldhash::HashMap<String, Served>;

fn files(rendered: Rendered) -> ServedFiles {
    rendered
        .files
        .into_iter()
        .map(|f| {
            let served = match f.content {
                OutputContent::Bytes(b) => Served::Bytes(b.into()),
                OutputContent::Shared(b) => Served::Bytes(b),
                OutputContent::Static(b) => Served::Static(b),
                OutputContent::Copy(p) | OutputContent::Unchanged(p) => Served::File(p),
            };
            (f.path, served)
        })
        .collect()
}

/// `?since=N`: the generation of the site the page came from.
#[derive(serde::Deserialize)]
struct EventsQuery {
    since: Option<u64>,
}

async fn events(
    State(state): State<Arc<ServeState>>,
    Query(query): Query<EventsQuery>,
) -> Sse<impl futures_util::Stream<Item = Result<Event, Infallible>>> {
    // Subscribe before looking: a rebuild after this is sent, one before
    // it shows as a newer generation.
    let rx = state.reload.subscribe();
    let current = state.site.read().map(|s| s.generation).unwrap_or(0);
    let missed = query.since.is_some_and(|since| since < current);
    let stream = futures_util::stream::unfold((rx, missed), |(mut rx, missed)| async move {
        if missed {
            return Some((Ok(Event::default().data("reload")), (rx, false)));
        }
        match rx.recv().await {
            Ok(()) | Err(broadcast::error::RecvError::Lagged(_)) => {
                Some((Ok(Event::default().data("reload")), (rx, false)))
            }
            Err(broadcast::error::RecvError::Closed) => None,
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

async fn file(State(state): State<Arc<ServeState>>, uri: Uri) -> Response {
    let site = state.site.read().map(|s| Arc::clone(&s)).unwrap_or_default();
    let path = percent_encoding::percent_decode_str(uri.path()).decode_utf8_lossy().into_owned();
    let key = crate::model::permalink::output_path(&path);
    if !site.files.contains_key(&key) && site.files.contains_key(&format!("{key}/index.html")) {
        return Redirect::permanent(&format!("{path}/")).into_response();
    }
    let (status, key) = if site.files.contains_key(&key) {
        (StatusCode::OK, key)
    } else {
        (StatusCode::NOT_FOUND, "404.html".to_string())
    };
    let Some(served) = site.files.get(&key) else {
        let body = overlay_page(site.error.as_deref(), site.generation);
        return (StatusCode::NOT_FOUND, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], body)
            .into_response();
    };
    let bytes: Vec<u8> = match served {
        Served::Bytes(b) => b.to_vec(),
        Served::Static(b) => b.to_vec(),
        Served::File(p) => match tokio::fs::read(p).await {
            Ok(b) => b,
            Err(_) => return StatusCode::NOT_FOUND.into_response(),
        },
    };
    let mime = mime_type(&key);
    let body = if mime.starts_with("text/html") {
        inject(&bytes, site.error.as_deref(), site.generation)
    } else {
        bytes
    };
    (status, [(header::CONTENT_TYPE, mime), (header::CACHE_CONTROL, "no-store")], body).into_response()
}

/// Serve mode only: the reload script, and the error overlay when the last
/// rebuild failed, before `</body>`.
fn inject(html: &[u8], error: Option<&str>, generation: u64) -> Vec<u8> {
    let mut snippet = format!(
        "<script>(function(){{var es=new EventSource('{EVENTS_PATH}?since={generation}');es.onmessage=function(e){{if(e.data==='reload'){{es.close();location.reload();}}}};}})();</script>"
    );
    if let Some(text) = error {
        snippet.push_str(&overlay(text));
    }
    let text = String::from_utf8_lossy(html);
    match text.rfind("</body>") {
        Some(i) => format!("{}{snippet}{}", &text[..i], &text[i..]).into_bytes(),
        None => format!("{text}{snippet}").into_bytes(),
    }
}

fn overlay(text: &str) -> String {
    format!(
        "<div id=\"parlor-error\" role=\"alert\" style=\"position:fixed;inset:0;z-index:2147483647;overflow:auto;background:rgba(24,24,27,.96);color:#fafafa;padding:2rem;font:14px/1.5 ui-monospace,monospace;white-space:pre-wrap\"><h2 style=\"margin-top:0;color:#fca5a5\">parlor: the last rebuild failed</h2>{}\n<p>Fix it and save: this page reloads by itself.</p></div>",
        crate::html::escape(text)
    )
}

fn overlay_page(error: Option<&str>, generation: u64) -> Vec<u8> {
    let body = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>parlor</title></head><body><p>Nothing here yet.</p></body></html>";
    inject(body.as_bytes(), error, generation)
}

fn mime_type(path: &str) -> &'static str {
    match Path::new(path).extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "xml" => "application/xml; charset=utf-8",
        "json" => "application/json",
        "txt" => "text/plain; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}
