//! Comment intake: one HTTP handler, `POST /comments`, mounted by `parlor
//! serve` and by `parlor intake` (for production, behind a reverse proxy).
//!
//! Every field is checked; the post is looked up among the site's posts
//! (never joined into a path); the form token, honeypot, origin, size and
//! rate are checked; the moderation rules run; and the comment is written
//! with create-new, fsync and rename *before* the answer goes out. A
//! comment that cannot be stored gets 503, never a 2xx.

mod explain;
mod form;
pub mod http;
mod limits;
pub mod members;
mod moderation;
mod page;
pub mod publish;
mod subscriptions;

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use anyhow::Result;
use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::forms;
use crate::moderate::{self, Context};
use crate::moderator::Queue;
use crate::notify::Notifier;
use crate::notify::links::UsedLinks;
use crate::parse::CommentsMode;
use crate::parse::comment::{Comment, Decision, Recorded, Status};
pub use form::{Form, decode_form};
use form::{Refusal, bad_field, refuse, too_many};
pub use limits::{Clock, Limits};
use members::Members;
pub use publish::{PublishOptions, Publisher};

/// How often `parlor intake` re-reads the site (new posts, approved
/// comments, members), in the background: requests never wait for it.
const INDEX_MAX_AGE: Duration = Duration::from_secs(10);
/// How long a request's body may take to arrive, all of it (the default
/// of `Limits::body_timeout`).
pub const BODY_TIMEOUT: Duration = Duration::from_secs(20);
/// Comments the whole site accepts in a burst, from any number of
/// addresses, and how many more per minute after it: a flood from many
/// addresses fills the moderation queue and the disk only this fast.
pub const SITE_BURST: f64 = 300.0;
pub const SITE_PER_MINUTE: f64 = 120.0;
/// Clients remembered for `flood_seconds`; past this many, the ones older
/// than that are forgotten, so a flood of addresses cannot fill memory.
const FLOOD_MEMORY: usize = 10_000;

/// What the handler knows about the site, shared by every request.
pub struct IntakeState {
    root: PathBuf,
    secret: Vec<u8>,
    index: RwLock<Index>,
    /// Set when the site changed under the index (`serve` after a
    /// rebuild): the next request re-reads it first.
    stale: std::sync::atomic::AtomicBool,
    flood: Mutex<HashMap<IpAddr, Instant>>,
    /// The site-wide budget of comments: (tokens, when last refilled).
    budget: Mutex<(f64, Instant)>,
    /// Origins (`https://blog.example.org`) allowed to post; requests
    /// without an `Origin` header (API clients) are judged by the token.
    allowed_origins: Vec<String>,
    /// Take the client address from `X-Forwarded-For` (behind a proxy).
    trust_forwarded_for: bool,
    limits: Limits,
    services: Services,
    used_links: UsedLinks,
    /// What of the comments is published (`Index::published`), when the
    /// index was last read: a change made outside intake (the CLI, a `git
    /// pull`) is seen by the next re-read, and published.
    published: Mutex<u64>,
    /// The approved comments' ids when the index was last read: a reply
    /// approved since is mailed to its subscriber.
    approved: Mutex<HashSet<String>>,
    /// One re-read at a time.
    reloading: Mutex<()>,
    subscriptions: subscriptions::Store,
}

/// What intake tells and runs when comments come and are decided; none of
/// it in `parlor serve`.
#[derive(Default)]
pub struct Services {
    /// Tells the moderator (and subscribers) by mail and webhook.
    pub notifier: Option<Arc<Notifier>>,
    /// Rebuilds the site when a comment's status changes.
    pub publisher: Option<Publisher>,
}

struct Index {
    queue: Queue,
    members: Members,
    /// The site's theme, for intake's own pages: compiled the first time
    /// one is shown (most submissions only get a redirect).
    theme: std::sync::OnceLock<Option<crate::render::notice::NoticeTheme>>,
    root: PathBuf,
}

impl IntakeState {
    /// Loads the site at `root`. `extra_origins` are allowed beside the
    /// site's own (serve adds its local address). Of `limits`, the handler
    /// uses the body timeout and the clock; `http::serve` the rest.
    pub fn load(
        root: &Path,
        extra_origins: Vec<String>,
        trust_forwarded_for: bool,
        limits: Limits,
    ) -> Result<Arc<IntakeState>> {
        IntakeState::load_with(root, extra_origins, trust_forwarded_for, limits, Services::default())
    }

    /// `load`, with the notifier and publisher that `parlor intake` runs.
    pub fn load_with(
        root: &Path,
        extra_origins: Vec<String>,
        trust_forwarded_for: bool,
        limits: Limits,
        services: Services,
    ) -> Result<Arc<IntakeState>> {
        let secret = forms::load_or_create(root)?;
        let index = Index::load(root, limits.clock.timestamp())?;
        let published = index.published();
        let approved = subscriptions::approved_ids(&index);
        let mut allowed_origins = extra_origins;
        allowed_origins.push(origin_of(&index.queue.config.base_url));
        allowed_origins.extend(
            index.queue.config.comments.allowed_origins.iter().map(|o| o.trim_end_matches('/').to_string()),
        );
        Ok(Arc::new(IntakeState {
            root: root.to_path_buf(),
            secret,
            index: RwLock::new(index),
            stale: std::sync::atomic::AtomicBool::new(false),
            flood: Mutex::new(HashMap::new()),
            budget: Mutex::new((SITE_BURST, limits.clock.now())),
            allowed_origins,
            trust_forwarded_for,
            limits,
            services,
            used_links: UsedLinks::open(root),
            published: Mutex::new(published),
            approved: Mutex::new(approved),
            reloading: Mutex::new(()),
            subscriptions: subscriptions::Store::open(root),
        }))
    }

    /// Re-reads posts, comments and members (after a rebuild, or when stale).
    pub fn reload(&self) -> Result<()> {
        self.reread(true)
    }

    /// Re-reads the site; mails the replies published since the last
    /// read, and (with `publish_changes`) publishes when what is published
    /// of the comments changed.
    fn reread(&self, publish_changes: bool) -> Result<()> {
        let _one = self.reloading.lock().unwrap_or_else(|e| e.into_inner());
        let fresh = Index::load(&self.root, self.limits.clock.timestamp())?;
        let published = fresh.published();
        let approved = subscriptions::approved_ids(&fresh);
        let approved_before =
            std::mem::replace(&mut *self.approved.lock().unwrap_or_else(|e| e.into_inner()), approved);
        subscriptions::mail_new_replies(self, &fresh, &approved_before);
        *self.index.write().unwrap_or_else(|e| e.into_inner()) = fresh;
        let before =
            std::mem::replace(&mut *self.published.lock().unwrap_or_else(|e| e.into_inner()), published);
        if publish_changes
            && before != published
            && let Some(publisher) = &self.services.publisher
        {
            publisher.changed();
        }
        Ok(())
    }

    /// Records a moderator's decision on comment `id` (a one-click link):
    /// the file rewritten as `parlor comments` does. `None` when no
    /// comment has that id.
    fn record_decision(&self, id: &str, status: Status, now: jiff::Timestamp) -> Result<Option<Comment>> {
        let mut index = self.index.write().unwrap_or_else(|e| e.into_inner());
        let Some(i) = index.queue.comments.iter().position(|c| c.id == id) else { return Ok(None) };
        let mut decision = crate::moderator::manual_decision(status, None, now);
        decision.by = "moderator (link)".into();
        index.queue.record(i, &decision)?;
        Ok(Some(index.queue.comments[i].clone()))
    }

    /// A comment's status changed here: the site is published, and the
    /// site re-read at once in the background (the filter learns from the
    /// decision; a reply now published is mailed to its subscriber).
    fn comment_status_changed(self: &Arc<Self>) {
        if let Some(publisher) = &self.services.publisher {
            publisher.changed();
        }
        let state = Arc::clone(self);
        let reread = move || {
            if let Err(e) = state.reread(false) {
                state.mark_stale();
                eprintln!("warning: comment intake could not re-read the site: {e:#}");
            }
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => drop(runtime.spawn_blocking(reread)),
            Err(_) => reread(),
        }
    }

    /// Takes one comment from the site-wide budget; false when it is spent.
    fn spend_budget(&self) -> bool {
        let mut budget = self.budget.lock().unwrap_or_else(|e| e.into_inner());
        let (tokens, refilled) = &mut *budget;
        let now = self.limits.clock.now();
        *tokens =
            (*tokens + now.duration_since(*refilled).as_secs_f64() * SITE_PER_MINUTE / 60.0).min(SITE_BURST);
        *refilled = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// Notes that `client` just sent a comment, for the `flood` rule.
    fn remember(&self, client: IpAddr) {
        let now = self.limits.clock.now();
        let mut flood = self.flood.lock().unwrap_or_else(|e| e.into_inner());
        if flood.len() >= FLOOD_MEMORY {
            let keep = Duration::from_secs(self.flood_seconds());
            flood.retain(|_, at| now.duration_since(*at) < keep);
        }
        flood.insert(client, now);
    }

    fn flood_seconds(&self) -> u64 {
        self.index.read().map(|i| i.queue.config.moderation.flood_seconds).unwrap_or(15)
    }

    /// The site changed: re-read it before the next request, not now.
    /// Reading 10,000 posts' comments takes longer than a rebuild, and
    /// `serve` should spend that time on the next edit, not this one.
    pub fn mark_stale(&self) {
        self.stale.store(true, std::sync::atomic::Ordering::Release);
    }

    /// Re-reads the site if it changed since the index was read.
    async fn refresh_if_stale(self: &Arc<Self>) {
        if !self.stale.swap(false, std::sync::atomic::Ordering::AcqRel) {
            return;
        }
        let state = Arc::clone(self);
        match tokio::task::spawn_blocking(move || state.reload()).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                self.mark_stale();
                eprintln!("warning: comment intake could not re-read the site: {e:#}");
            }
            Err(_) => self.mark_stale(),
        }
    }
}

impl Index {
    fn load(root: &Path, now: jiff::Timestamp) -> Result<Index> {
        let queue = Queue::load(root, now)?;
        Ok(Index {
            queue,
            members: Members::load(root)?,
            theme: std::sync::OnceLock::new(),
            root: root.to_path_buf(),
        })
    }

    /// The site's theme, compiled on first use.
    fn theme(&self) -> Option<&crate::render::notice::NoticeTheme> {
        self.theme
            .get_or_init(|| crate::render::notice::NoticeTheme::load(&self.root, &self.queue.config))
            .as_ref()
    }

    /// A hash of what of the comments a build publishes: each approved
    /// comment's file and text.
    fn published(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        for c in self.queue.comments.iter().filter(|c| c.status == Status::Approved) {
            (&c.path, &c.body, &c.author, &c.reply_to).hash(&mut hasher);
        }
        hasher.finish()
    }
}

fn origin_of(url: &str) -> String {
    url::Url::parse(url).map(|u| u.origin().ascii_serialization()).unwrap_or_default()
}

/// The router holding `POST /comments` and the moderation links.
pub fn router(state: Arc<IntakeState>) -> Router {
    Router::new()
        .route("/comments", post(submit))
        .route("/comments/moderate", get(moderation::confirm_page).post(moderation::apply))
        .route("/comments/subscription", get(subscriptions::link_page).post(subscriptions::apply))
        .with_state(state)
}

/// What `parlor intake` runs with.
pub struct IntakeOptions {
    pub root: PathBuf,
    pub addr: SocketAddr,
    pub trust_forwarded_for: bool,
    /// Rebuild the site when a comment's status changes (`--publish`).
    pub publish: Option<PublishOptions>,
}

/// The notifier `[notify]` asks for, sending for real; `None` when it
/// names no address and no webhook.
pub fn network_notifier(root: &Path, config: &crate::config::Config) -> Result<Option<Arc<Notifier>>> {
    if !config.notify.enabled() {
        return Ok(None);
    }
    let transport = crate::notify::transport::Network::from_config(config)?;
    let secret = forms::load_or_create(root)?;
    Ok(Some(Arc::new(Notifier::start(root, config.clone(), secret, Box::new(transport)))))
}

/// Serves intake alone until Ctrl-C: `parlor intake`.
pub async fn run(options: IntakeOptions) -> Result<()> {
    let root = options.root.as_path();
    let limits = Limits::default();
    let diags = crate::diag::Diagnostics::new();
    let Some(config) = crate::config::Config::load(root, &diags) else {
        let lines: Vec<String> = diags.into_sorted().iter().map(|d| d.render(false)).collect();
        anyhow::bail!("the site's config has problems:\n{}", lines.join(""));
    };
    let notifier = network_notifier(root, &config)?;
    let publisher = options.publish.map(|p| Publisher::start(p, notifier.clone(), None));
    if let Some(publisher) = &publisher {
        // The live site starts as the comment files say.
        publisher.changed();
    }
    let services = Services { notifier, publisher };
    let state =
        IntakeState::load_with(root, Vec::new(), options.trust_forwarded_for, limits.clone(), services)?;
    let addr = options.addr;
    let refresher = Arc::clone(&state);
    tokio::spawn(async move {
        let mut every = tokio::time::interval(INDEX_MAX_AGE);
        every.tick().await; // the first tick is now: the index is fresh
        loop {
            every.tick().await;
            let state = Arc::clone(&refresher);
            let reloaded = tokio::task::spawn_blocking(move || state.reload()).await;
            if let Ok(Err(e)) = reloaded {
                eprintln!("warning: could not re-read the site for comment intake: {e:#}");
            }
        }
    });
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?;
    println!("comment intake listening on http://{addr}/comments");
    http::serve(listener, router(state), &limits, async {
        stop_signal().await;
    })
    .await?;
    Ok(())
}

/// Ctrl-C, or SIGTERM (`systemctl stop`): intake stops taking requests
/// and finishes the ones it has.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// What was stored.
struct Accepted {
    id: String,
    status: Status,
    post_path: String,
    /// Rejected by the site's policy alone: the reader is told why.
    explained: Option<Vec<explain::Reason>>,
    form: Form,
}

async fn submit(
    State(state): State<Arc<IntakeState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/json"));
    state.refresh_if_stale().await;
    let result = handle(&state, peer, &headers, body).await;
    match result {
        Ok(accepted) => answer(accepted, wants_json, &state),
        Err(refusal) => refusal_response(refusal, wants_json, &state),
    }
}

async fn handle(
    state: &Arc<IntakeState>,
    peer: SocketAddr,
    headers: &HeaderMap,
    body: Body,
) -> Result<Accepted, Refusal> {
    check_origin(state, headers)?;
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !content_type.trim_start().to_ascii_lowercase().starts_with("application/x-www-form-urlencoded") {
        return Err(refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send the comment as a form: `Content-Type: application/x-www-form-urlencoded`",
        ));
    }
    let max_length = state.index.read().map(|i| i.queue.config.moderation.max_length).unwrap_or(5000);
    // A form-encoded character can take up to 12 bytes (%XX for each UTF-8 byte).
    let limit = max_length * 12 + 16 * 1024;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the comment is too large: at most {limit} bytes"),
        ));
    }
    // Reads at most `limit` bytes, whatever the header said, and gives a
    // slow sender (slowloris) the body timeout for all of them.
    let bytes = tokio::time::timeout(state.limits.body_timeout, axum::body::to_bytes(body, limit))
        .await
        .map_err(|_| refuse(StatusCode::REQUEST_TIMEOUT, "the comment took too long to arrive"))?
        .map_err(|_| {
            refuse(StatusCode::PAYLOAD_TOO_LARGE, format!("the comment is too large: at most {limit} bytes"))
        })?;
    let form = Form::decode(&bytes, max_length)?;
    let client = client_address(state, peer, headers);
    let (comment, text, path, post_path, post_title, verdict) = {
        let index = state
            .index
            .read()
            .map_err(|_| refuse(StatusCode::SERVICE_UNAVAILABLE, "the server is restarting"))?;
        let (comment, text, verdict) = judge(state, &index, &form, client)?;
        let path = state
            .root
            .join(crate::load::COMMENTS_DIR)
            .join(&comment.post_slug)
            .join(format!("{}.md", comment.id));
        let post = index.queue.post(&comment.post_slug).map(|(_, p)| p);
        let post_path = post.map(|p| p.url.clone()).unwrap_or_else(|| "/".into());
        let post_title = post.map(|p| p.title.clone()).unwrap_or_default();
        (comment, text, path, post_path, post_title, verdict)
    };
    let stored =
        tokio::task::spawn_blocking(move || crate::fsx::atomic_write(&path, text.as_bytes(), true)).await;
    match stored {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            eprintln!("error: could not store a comment: {e:#}");
            return Err(refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                "the comment could not be stored; please try again later",
            ));
        }
        Err(_) => {
            return Err(refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                "the comment could not be stored; please try again later",
            ));
        }
    }
    // A reader told to fix their comment may send it again at once.
    if verdict.explained.is_none() {
        state.remember(client);
    }
    tell_of_arrival(state, &comment, &post_title, &post_path, &verdict).await;
    if form.notify_replies {
        let (worker, stored) = (Arc::clone(state), comment.clone());
        let (title, path) = (post_title.clone(), post_path.clone());
        let subscribed = tokio::task::spawn_blocking(move || {
            subscriptions::subscribe(&worker, &stored, &crate::notify::PostRef { title: &title, path: &path })
        })
        .await;
        if let Ok(Err(e)) = subscribed {
            eprintln!("error: cannot record a subscription to replies: {e:#}");
        }
    }
    if comment.status == Status::Approved {
        state.comment_status_changed();
    }
    let accepted = Accepted {
        id: comment.id.clone(),
        status: comment.status,
        post_path,
        explained: verdict.explained.clone(),
        form,
    };
    if let Ok(mut index) = state.index.write() {
        index.queue.push(comment);
    }
    Ok(accepted)
}

/// Queues the moderator's notification of a stored comment, before the
/// reader is answered (so a crash after the answer loses no mail). A
/// notification that cannot be queued is logged: the comment is stored,
/// and the reader is not refused for it.
async fn tell_of_arrival(
    state: &IntakeState,
    comment: &Comment,
    title: &str,
    path: &str,
    verdict: &Verdicts,
) {
    let Some(notifier) = state.services.notifier.clone() else { return };
    let (comment, title, path, verdict) =
        (comment.clone(), title.to_string(), path.to_string(), verdict.clone());
    let now = state.limits.clock.timestamp();
    let queued = tokio::task::spawn_blocking(move || {
        let post = crate::notify::PostRef { title: &title, path: &path };
        let reasons = verdict.reasons.iter().map(|(c, m)| (c.as_str(), m.clone())).collect();
        let verdict = crate::notify::Verdict { verdict: &verdict.verdict, reasons };
        notifier.comment_arrived(&comment, &post, &verdict, now)
    })
    .await;
    if let Ok(Err(e)) = queued {
        eprintln!("error: cannot queue the moderator's notification: {e:#}");
    }
}

/// What the rules said of an arriving comment, owned.
#[derive(Clone)]
struct Verdicts {
    verdict: String,
    reasons: Vec<(String, String)>,
    /// The policy's reasons, when they are to be told to the reader.
    explained: Option<Vec<explain::Reason>>,
}

fn check_origin(state: &IntakeState, headers: &HeaderMap) -> Result<(), Refusal> {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else { return Ok(()) };
    let origin = origin.trim_end_matches('/');
    if state.allowed_origins.iter().any(|o| o == origin) {
        Ok(())
    } else {
        Err(refuse(
            StatusCode::FORBIDDEN,
            format!("comments from `{origin}` are not accepted (see `allowed_origins` under `[comments]`)"),
        ))
    }
}

fn client_address(state: &IntakeState, peer: SocketAddr, headers: &HeaderMap) -> IpAddr {
    if state.trust_forwarded_for
        && let Some(ip) = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse().ok())
    {
        return ip;
    }
    peer.ip()
}

/// Checks the form against the site and runs the rules; returns the comment
/// and the text of the file that stores it.
fn judge(
    state: &IntakeState,
    index: &Index,
    form: &Form,
    client: IpAddr,
) -> Result<(Comment, String, Verdicts), Refusal> {
    let queue = &index.queue;
    let config = &queue.config;
    // The slug is only ever a key into the site's own list of posts.
    let (slug, post) = queue
        .post(&form.post)
        .filter(|(_, p)| p.published)
        .ok_or_else(|| refuse(StatusCode::NOT_FOUND, format!("there is no post `{}`", form.post)))?;
    let slug = slug.to_string();
    if !forms::verify_form_token(&state.secret, &slug, &form.token) {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            "the form token does not match this post: reload the page and try again",
        ));
    }
    let now = state.limits.clock.timestamp();
    let member = form.member_token.as_deref().and_then(|t| index.members.check(t)).is_some();
    match post.facts.comments.at(post.facts.date.as_ref(), &config.comments, now) {
        CommentsMode::Closed => {
            return Err(refuse(StatusCode::FORBIDDEN, "comments on this post are closed"));
        }
        CommentsMode::Members if !member => {
            return Err(refuse(
                StatusCode::FORBIDDEN,
                "only members may comment on this post: give your member token",
            ));
        }
        _ => {}
    }
    if let Some(parent) = &form.reply_to {
        let ok = queue
            .comments
            .iter()
            .any(|c| &c.id == parent && c.post_slug == slug && c.status == Status::Approved);
        if !ok {
            return Err(bad_field("reply_to", "`reply_to` is not a published comment on this post"));
        }
    }
    let since_last = state.flood.lock().ok().and_then(|f| {
        let at = f.get(&client)?;
        Some(state.limits.clock.now().duration_since(*at).as_secs())
    });
    let wait = config.moderation.flood_seconds;
    if let Some(since) = since_last.filter(|s| *s < wait) {
        return Err(too_many(format!("please wait {wait} seconds between comments"), wait - since));
    }
    if !state.spend_budget() {
        return Err(too_many(
            "the site is receiving too many comments right now: please try again in a minute",
            60,
        ));
    }
    let id = format!(
        "{}-{}",
        now.strftime("%Y%m%dT%H%M%SZ"),
        forms::random_hex(4).map_err(|_| refuse(StatusCode::SERVICE_UNAVAILABLE, "no randomness"))?
    );
    let mut comment = Comment {
        path: PathBuf::from(crate::load::COMMENTS_DIR).join(&slug).join(format!("{id}.md")),
        post_slug: slug.clone(),
        id,
        author: form.author.clone(),
        email: form.email.clone(),
        website: form.website.clone(),
        date: crate::parse::PostDate { timestamp: now, offset: jiff::tz::Offset::UTC, has_time: true },
        reply_to: form.reply_to.clone(),
        member,
        status: Status::Pending,
        moderation: None,
        body: form.body.clone(),
        reply_to_line: 1,
        html: String::new(),
        fingerprint: 0,
    };
    let siblings: Vec<&Comment> = queue.comments.iter().filter(|c| c.post_slug == slug).collect();
    let cx = Context {
        comment: &comment,
        post: post.facts,
        settings: &config.moderation,
        comment_settings: &config.comments,
        siblings: &siblings,
        known_authors: queue.known_authors(),
        seconds_since_last_from_client: since_last,
        arriving: true,
        history: queue.history(),
    };
    let eval = moderate::evaluate(&cx);
    let decision = crate::moderator::decision_from(&eval, config, now);
    comment.status = decision.status;
    let file = comment_file(&comment, &decision);
    let verdicts = Verdicts {
        verdict: eval.verdict.as_str().to_string(),
        reasons: eval.findings().map(|r| (r.code.to_string(), r.check.message.to_string())).collect(),
        explained: explain::reasons(&eval, &config.moderation),
    };
    Ok((comment, file, verdicts))
}

/// The comment file, as `parse::comment` reads it back.
fn comment_file(c: &Comment, d: &Decision) -> String {
    let date = c.date.rfc3339();
    crate::parse::comment::NewComment {
        id: &c.id,
        author: &c.author,
        email: c.email.as_deref(),
        website: c.website.as_deref(),
        date: &date,
        reply_to: c.reply_to.as_deref(),
        member: c.member,
        body: &c.body,
    }
    .file_text(Recorded::Decision(d))
}

fn answer(accepted: Accepted, wants_json: bool, state: &IntakeState) -> Response {
    if let Some(reasons) = &accepted.explained {
        return explain::response(state, &accepted.form, reasons, wants_json);
    }
    if wants_json {
        let body = serde_json::json!({ "id": accepted.id, "status": accepted.status.as_str() });
        return (StatusCode::CREATED, [(header::CONTENT_TYPE, "application/json")], body.to_string())
            .into_response();
    }
    // Back to the post: by its path when intake is on the site's own
    // origin (`intake_url = "/comments"`), else by the site's full URL.
    let base = state
        .index
        .read()
        .map(|i| {
            let config = &i.queue.config;
            let own_origin = config.comments.intake_url.starts_with('/');
            match url::Url::parse(&config.base_url) {
                Ok(u) if own_origin => u.path().trim_end_matches('/').to_string(),
                _ => config.base_url.clone(),
            }
        })
        .unwrap_or_default();
    let anchor = if accepted.status == Status::Approved { "comment-published" } else { "comment-pending" };
    let location = format!("{base}{}#{anchor}", accepted.post_path);
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    response
}

fn refusal_response(r: Refusal, wants_json: bool, state: &IntakeState) -> Response {
    let mut response = if wants_json {
        let body = serde_json::json!({ "error": r.message, "field": r.field });
        (r.status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
    } else {
        let message = crate::html::escape(&r.message);
        let body = format!(
            "<p class=\"comment-refused\">{message}</p><p>Use your browser's Back button: what you wrote is still in the form.</p>"
        );
        page::render(state, r.status, "Your comment was not accepted", &body)
    };
    if let Some(seconds) = r.retry_after {
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_files_parse_back() {
        let c = Comment {
            path: "content/comments/p/x.md".into(),
            post_slug: "p".into(),
            id: "20260101T000000Z-abcd".into(),
            author: "Ann \"the\" <b>".into(),
            email: Some("a@b.org".into()),
            website: Some("https://x.org/a?b=1&c=2".into()),
            date: crate::parse::PostDate::parse("2026-01-01T00:00:00Z").unwrap(),
            reply_to: Some("c1".into()),
            member: true,
            status: Status::Pending,
            moderation: None,
            body: "Line one\n\n---\nnot front matter\n".into(),
            reply_to_line: 1,
            html: String::new(),
            fingerprint: 0,
        };
        let d = crate::moderator::manual_decision(Status::Pending, None, jiff::Timestamp::UNIX_EPOCH);
        let text = comment_file(&c, &d);
        let back = crate::parse::comment::parse(crate::load::CommentSource {
            path: c.path.clone(),
            post_slug: "p".into(),
            stem: c.id.clone(),
            text: text.into(),
        })
        .unwrap();
        assert_eq!(
            (back.author.as_str(), back.member, back.reply_to.as_deref()),
            ("Ann \"the\" <b>", true, Some("c1"))
        );
        assert_eq!(back.body, "Line one\n\n---\nnot front matter\n");
    }
}
