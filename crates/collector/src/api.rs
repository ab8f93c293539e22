//! HTTP: routes, validation errors as `{error, field}`, CORS, the read token, the
//! `Host` check, the post rate limit, static files with a strict Content-Security-Policy.

use crate::access::{self, Hosts};
use crate::export::{self, Shape};
use crate::files;
use crate::rate::{self, PostLimiter};
use crate::store::{Filter, FollowUp, Store, StoreError};
use crate::tally::{Held, Tally};
use axum::body::Body;
use axum::extract::{ConnectInfo, Query, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::StreamExt;
use sondeo_core::answer::{parse_response, unknown_member};
use sondeo_core::import::Format;
use sondeo_core::impression::{is_impression, Impression};
use sondeo_core::Value;
use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio_stream::wrappers::BroadcastStream;
use tower_http::set_header::SetResponseHeaderLayer;

/// The policy the widget is built to work under; the demo pages are served with it.
pub const STRICT_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'self'; require-trusted-types-for 'script'; trusted-types sondeo-dashboard";

/// What the router needs from the command line.
pub struct Settings {
    pub www: PathBuf,
    pub dist: PathBuf,
    /// Origins that may post from another site (`*`: any).
    pub allow_origins: Vec<String>,
    /// Origins whose pages may read the export and the stream (with the token).
    pub read_origins: Vec<String>,
    /// When set, reading needs it; when not, reads are open (loopback only: `main` refuses otherwise).
    pub read_token: Option<String>,
    pub max_body: usize,
    /// Time allowed to upload a post's whole body.
    pub body_timeout: Duration,
    /// Bytes of bodies held at once, all uploads together.
    pub upload_memory: usize,
    pub csp: bool,
    pub hosts: Hosts,
    /// Posts per minute per client and burst; 0 turns the limit off.
    pub rate_limit: (u32, u32),
    pub trust_proxy: Option<rate::ProxyHeader>,
    /// Seconds browsers may keep `dist/` files before revalidating (0: always revalidate).
    pub dist_max_age: u64,
}

#[derive(Clone)]
struct AppState {
    store: Store,
    read_token: Option<Arc<str>>,
    stopping: watch::Receiver<bool>,
    max_body: usize,
    body_timeout: Duration,
    uploads: Uploads,
    limiter: Option<PostLimiter>,
    trust_proxy: Option<rate::ProxyHeader>,
    post_origins: Arc<access::PostOrigins>,
}

/// Every route of the collector. `stopping` turns true on shutdown: event streams
/// then end, since a graceful shutdown waits for every open connection.
pub fn router(store: Store, settings: &Settings, stopping: watch::Receiver<bool>) -> Router {
    let state = AppState {
        store,
        read_token: settings.read_token.as_deref().map(Arc::from),
        stopping,
        max_body: settings.max_body,
        body_timeout: settings.body_timeout,
        uploads: Uploads::new(settings.upload_memory, settings.max_body),
        limiter: PostLimiter::new(settings.rate_limit.0, settings.rate_limit.1),
        trust_proxy: settings.trust_proxy,
        post_origins: Arc::new(access::PostOrigins::new(&settings.allow_origins)),
    };
    let reading = Router::new()
        .route("/api/responses", get(export_responses))
        .route("/api/impressions", get(export_impressions))
        .route("/api/stream", get(stream))
        .route("/api/follow-ups", get(list_follow_ups))
        .route("/api/follow-ups/{id}", axum::routing::put(put_follow_up))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            require_read_token,
        ));
    let any_poster = settings.allow_origins.iter().any(|o| o == "*");
    let api = Router::new()
        .route("/api/responses", post(post_responses).put(post_responses))
        .merge(reading)
        .route("/healthz", get(|| async { "ok" }))
        // Customers' answers: no cache keeps an export or a stream.
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(access::cors(
            &settings.allow_origins,
            &settings.read_origins,
        ))
        .layer(middleware::from_fn_with_state(
            any_poster,
            any_origin_for_posts,
        ))
        .with_state(state);
    // Pages are revalidated on every visit (a fixed dashboard reaches its users at once), and
    // the dashboard cannot be framed by another site (clickjacking: frame-ancestors above).
    let mut pages = Router::new()
        .fallback_service(files::folder(&settings.www))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        // Also without the CSP (--no-csp), and for browsers that predate frame-ancestors.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("SAMEORIGIN"),
        ))
        // A page's address may carry a ticket's number and response id (the email link):
        // no link it holds (the thank-you's review site) is told where the visitor came from.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ));
    if settings.csp {
        pages = pages.layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(STRICT_CSP),
        ));
    }
    // The built widget and analytics: public files that pages on other sites load (a module
    // script needs CORS), cached `--dist-max-age` (an hour) and then revalidated with
    // Last-Modified (304), so a deploy reaches every visitor within that time.
    let cache = match settings.dist_max_age {
        0 => "no-cache".to_owned(),
        age => format!("public, max-age={age}, must-revalidate"),
    };
    let cache = HeaderValue::from_str(&cache).unwrap_or(HeaderValue::from_static("no-cache"));
    let dist = files::precompressed(&settings.dist)
        // Only what exists is kept: a file missing during a deploy (or a language added
        // later) must not stay missing in shared caches for an hour.
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            move |response: &Response| {
                let status = response.status();
                Some(
                    if status.is_success() || status == StatusCode::NOT_MODIFIED {
                        cache.clone()
                    } else {
                        HeaderValue::from_static("no-store")
                    },
                )
            },
        ))
        // One URL answers brotli, gzip or plain bytes: a shared cache must keep them apart, or
        // it hands brotli to a client that cannot read it.
        .layer(SetResponseHeaderLayer::appending(
            header::VARY,
            HeaderValue::from_static("accept-encoding"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::HeaderName::from_static("cross-origin-resource-policy"),
            HeaderValue::from_static("cross-origin"),
        ));
    let hosts = Arc::new(settings.hosts.clone());
    api.nest("/dist", dist)
        .merge(pages)
        .layer(middleware::from_fn_with_state(hosts, require_served_host))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
}

/// With `--allow-origin '*'`, a post's answer says `Access-Control-Allow-Origin: *`, as
/// a public endpoint's should (the CORS layer itself names each origin, because reading
/// keeps its own list).
async fn any_origin_for_posts(State(any): State<bool>, request: Request, next: Next) -> Response {
    let reading = access::is_read(request.method(), request.uri().path(), request.headers());
    let mut response = next.run(request).await;
    if any
        && !reading
        && response
            .headers()
            .contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN)
    {
        response.headers_mut().insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
    }
    response
}

/// DNS rebinding: a page on attacker.example whose name now resolves to 127.0.0.1
/// reaches a collector on loopback as same-origin. Its `Host` still says attacker.example.
async fn require_served_host(
    State(hosts): State<Arc<Hosts>>,
    request: Request,
    next: Next,
) -> Response {
    let mut given = request.headers().get_all(header::HOST).iter();
    let host = given.next().map(|h| h.to_str().unwrap_or("\u{fffd}"));
    if given.next().is_some() {
        // Two readers of this request could take different ones (RFC 9112 §3.2: answer 400).
        return error(
            StatusCode::BAD_REQUEST,
            "more than one Host header",
            Some("Host"),
        );
    }
    // An absolute-form target (`GET http://name/…`) names the host a proxy would route by.
    let target = request.uri().authority().map(|a| a.as_str());
    if hosts.allows(host) && (target.is_none() || hosts.allows(target)) {
        next.run(request).await
    } else {
        error(
            StatusCode::MISDIRECTED_REQUEST,
            "this collector does not serve that host name; list it with --allow-host",
            Some("Host"),
        )
    }
}

fn error(status: StatusCode, message: &str, field: Option<&str>) -> Response {
    let mut body = serde_json::json!({ "error": message });
    if let Some(field) = field {
        body["field"] = field.into();
    }
    (status, Json(body)).into_response()
}

async fn post_responses(State(state): State<AppState>, request: Request) -> Response {
    // CORS only hides the answer from a page; a `text/plain` post from any site still
    // arrives. Browsers name the page's origin, so a post from a site that
    // --allow-origin does not list is refused here, before it is read.
    if let Some(origin) = request.headers().get(header::ORIGIN) {
        let host = request
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok());
        if !state
            .post_origins
            .allows(origin.to_str().unwrap_or(""), host)
        {
            return error(
                StatusCode::FORBIDDEN,
                "this site may not post here; the collector lists the sites that may with --allow-origin",
                Some("Origin"),
            );
        }
    }
    // Bodies are read as sent: a compressed one would be parsed as text (or, gzip, refused as
    // "not UTF-8"). Say so, as RFC 9110 §15.5.16 asks, rather than guess.
    if let Some(coding) = request.headers().get(header::CONTENT_ENCODING) {
        if !coding.as_bytes().eq_ignore_ascii_case(b"identity") {
            let mut refused = error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "the body must not be compressed (Content-Encoding: identity)",
                Some("Content-Encoding"),
            );
            refused.headers_mut().insert(
                header::ACCEPT_ENCODING,
                HeaderValue::from_static("identity"),
            );
            return refused;
        }
    }
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0)
        .unwrap_or_else(|| SocketAddr::from(([0, 0, 0, 0], 0)));
    let mut address = rate::client_address(peer, request.headers(), state.trust_proxy);
    // This machine is not limited (tests, benchmarks). A reverse proxy that was not
    // declared with --trust-proxy is this machine too, but its clients are the internet:
    // they share one limited bucket, and the operator is told once how to fix it.
    if address.is_loopback() && state.trust_proxy.is_none() && rate::forwarded(request.headers()) {
        rate::warn_undeclared_proxy();
        address = rate::UNATTRIBUTED;
    }
    let client = (!address.is_loopback()).then_some(address);
    if let (Some(limiter), Some(address)) = (&state.limiter, client) {
        if let Err(wait) = limiter.check(address, 1) {
            return too_many(wait);
        }
    }
    let uploads = (&state.uploads, client);
    let json = match read_json(request, state.max_body, state.body_timeout, uploads).await {
        Ok(json) => json,
        Err(refused) => return refused,
    };
    let (items, batch) = match json {
        Value::Array(items) => (items, true),
        single => (vec![single], false),
    };
    // The limit counts responses: the post itself took one, each further item takes one more.
    if let (Some(limiter), Some(address), Some(more)) =
        (&state.limiter, client, items.len().checked_sub(1))
    {
        if items.len() > limiter.burst() as usize {
            return too_many(None);
        }
        if more > 0 {
            if let Err(wait) = limiter.check(address, more as u32) {
                return too_many(wait);
            }
        }
    }
    if items.is_empty() {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "expected at least one response",
            Some("[]"),
        );
    }
    let mut responses = Vec::with_capacity(items.len());
    let mut impressions = Vec::new();
    for (index, item) in items.iter().enumerate() {
        // A display record (`impressions: true` in the widget) goes to its own table.
        let impression = is_impression(item);
        let parsed = if let Some(unknown) = unknown_member(item, impression) {
            Err(unknown)
        } else if impression {
            Impression::parse(item).map(|i| impressions.push(i))
        } else {
            parse_response(item).map(|r| responses.push(r))
        };
        match parsed {
            Ok(()) => {}
            Err(e) => {
                // Core names a non-object item "response"; in a batch its index says it all.
                let field = match (batch, e.field.as_str()) {
                    (true, "response") => format!("[{index}]"),
                    (true, inner) => format!("[{index}].{inner}"),
                    (false, _) => e.field.clone(),
                };
                return error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &format!("{field}: {}", e.error),
                    Some(&field),
                );
            }
        }
    }
    match state.store.upsert(responses, impressions).await {
        Ok(stored) => (
            StatusCode::OK,
            Json(serde_json::json!({ "stored": stored })),
        )
            .into_response(),
        Err(StoreError::Conflict { index, .. }) => {
            let field = if batch {
                format!("[{index}].id")
            } else {
                "id".to_owned()
            };
            error(
                StatusCode::CONFLICT,
                // Which survey holds it is not said: the poster may not be allowed to read.
                &format!("{field}: this id already belongs to another survey or kind; every response needs its own id"),
                Some(&field),
            )
        }
        Err(e @ (StoreError::Unavailable(_) | StoreError::Refused(_) | StoreError::Busy)) => {
            // The details (a database's own message) are for the operator, not for visitors;
            // at most one line a second, however many posts an outage refuses.
            log_unstored(&e.to_string());
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "the responses cannot be stored right now; retry later",
                None,
            )
        }
    }
}

/// What a follow-up may say it is, in the order of the work.
const FOLLOW_UP_STATUSES: [&str; 3] = ["open", "contacted", "resolved"];
/// The longest note, in characters.
const FOLLOW_UP_NOTE: usize = 2_000;

fn follow_up_json(f: &FollowUp) -> serde_json::Value {
    serde_json::json!({
        "id": f.id,
        "status": f.status,
        "note": f.note,
        "updatedAt": crate::clock::rfc3339(f.updated_ms),
    })
}

/// The team's follow-ups of responses, `[{id, status, note, updatedAt}]`, oldest change first.
async fn list_follow_ups(State(state): State<AppState>) -> Response {
    let store = state.store.clone();
    match tokio::task::spawn_blocking(move || store.reader()?.follow_ups()).await {
        Ok(Ok(list)) => Json(list.iter().map(follow_up_json).collect::<Vec<_>>()).into_response(),
        Ok(Err(e @ StoreError::Busy)) => busy(&e),
        Ok(Err(e)) => {
            log_unstored(&e.to_string());
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "the follow-ups cannot be read right now; retry later",
                None,
            )
        }
        Err(_) => error(
            StatusCode::SERVICE_UNAVAILABLE,
            "the follow-ups cannot be read right now; retry later",
            None,
        ),
    }
}

/// Sets what the team did about response `id`: `{status: "open" | "contacted" |
/// "resolved", note?}`. Needs the read token: whoever reads the answers works on them.
async fn put_follow_up(
    State(state): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<String>,
    request: Request,
) -> Response {
    if !sondeo_core::answer::is_response_id(&id) {
        return error(
            StatusCode::NOT_FOUND,
            "id: no response has this id",
            Some("id"),
        );
    }
    // A note of 2,000 characters, each written as a JSON escape pair (`\ud83d\ude00`), fits.
    let limit = state.max_body.max(32 * 1024);
    // Follow-ups come from the team, with the read token: no client share.
    let json = match read_json(request, limit, state.body_timeout, (&state.uploads, None)).await {
        Ok(Value::Object(members)) => members,
        Ok(_) => {
            return error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "expected an object {status, note}",
                None,
            )
        }
        Err(refused) => return refused,
    };
    let unprocessable = |field: &str, problem: &str| {
        error(
            StatusCode::UNPROCESSABLE_ENTITY,
            &format!("{field}: {problem}"),
            Some(field),
        )
    };
    if let Some((key, _)) = json.iter().find(|(k, _)| k != "status" && k != "note") {
        return unprocessable(key, "unknown field; expected status and note");
    }
    let get = |key: &str| json.iter().find(|(k, _)| k == key).map(|(_, v)| v);
    let status = match get("status") {
        Some(Value::String(s)) if FOLLOW_UP_STATUSES.contains(&s.as_str()) => s.clone(),
        _ => return unprocessable("status", "expected \"open\", \"contacted\" or \"resolved\""),
    };
    let note = match get("note") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => sondeo_core::answer::sanitize_comment(s, usize::MAX),
        Some(_) => return unprocessable("note", "expected a string"),
    };
    if note.chars().count() > FOLLOW_UP_NOTE {
        return unprocessable(
            "note",
            &format!("expected at most {FOLLOW_UP_NOTE} characters"),
        );
    }
    let follow_up = FollowUp {
        id,
        status,
        note,
        updated_ms: crate::clock::now_ms(),
    };
    match state.store.set_follow_up(follow_up.clone()).await {
        Ok(true) => Json(follow_up_json(&follow_up)).into_response(),
        Ok(false) => error(
            StatusCode::NOT_FOUND,
            "id: no response has this id",
            Some("id"),
        ),
        Err(e) => {
            log_unstored(&e.to_string());
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "the follow-up cannot be stored right now; retry later",
                None,
            )
        }
    }
}

/// Room for the bodies being uploaded, in bytes, shared by every upload: without it ten
/// thousand stalled uploads of 64 KB held 1.2 GB until their deadline, enough to have a
/// small server's collector killed (and every post in flight lost with it). One client
/// address (IPv6: one /64) may hold a sixteenth of it, so that a few addresses stalling
/// big uploads cannot take the room that everyone else's small posts need.
#[derive(Clone)]
struct Uploads {
    room: Arc<tokio::sync::Semaphore>,
    bytes: usize,
    /// Each client's bytes in `room`.
    shares: Arc<Tally>,
}

/// Room taken for one body as its bytes arrive, and the client's share of it: both given
/// back when dropped.
struct UploadRoom {
    room: Option<tokio::sync::OwnedSemaphorePermit>,
    share: Option<Held>,
}

impl Uploads {
    fn new(bytes: usize, max_body: usize) -> Uploads {
        let bytes = bytes.clamp(1, tokio::sync::Semaphore::MAX_PERMITS);
        Uploads {
            room: Arc::new(tokio::sync::Semaphore::new(bytes)),
            bytes,
            shares: Tally::new((bytes / 16).max(max_body).min(bytes)),
        }
    }

    /// Room for a body from `client` (none: this machine, or the team), empty until its
    /// bytes come: a body announced (`Content-Length`) and never sent holds nothing, so
    /// idle connections cannot take the room from everyone else's posts.
    fn room_for(&self, client: Option<std::net::IpAddr>) -> UploadRoom {
        UploadRoom {
            room: None,
            share: client.and_then(|client| self.shares.take(client, 0)),
        }
    }
}

impl UploadRoom {
    /// Room for `bytes` more of the body, or false: then the upload is told to retry.
    /// Taken now or not at all: an upload waiting in a fair queue would take the room
    /// freed meanwhile and hold back the small posts behind it.
    fn grow(&mut self, uploads: &Uploads, bytes: usize) -> bool {
        // A body larger than all the room takes all of it.
        let taken = self.room.as_ref().map_or(0, |room| room.num_permits());
        let bytes = bytes.min(uploads.bytes - taken);
        if bytes == 0 {
            return true;
        }
        let Ok(more) = uploads
            .room
            .clone()
            .try_acquire_many_owned(u32::try_from(bytes).unwrap_or(u32::MAX))
        else {
            return false;
        };
        // With the client's share spent, `more` is dropped here and given back.
        if !self.share.as_mut().is_none_or(|share| share.grow(bytes)) {
            return false;
        }
        match &mut self.room {
            Some(room) => room.merge(more),
            None => self.room = Some(more),
        }
        true
    }
}

/// A request's body as strict JSON, read whole within `timeout` and `limit` bytes in room
/// the client's share allows, or the answer that refuses it (`503` to retry when there is
/// no room, `408`, `413`, or `400` naming the problem and, for JSON, its path).
async fn read_json(
    request: Request,
    limit: usize,
    timeout: Duration,
    (uploads, client): (&Uploads, Option<std::net::IpAddr>),
) -> Result<Value, Response> {
    let announced = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    // A body announced as too large is refused before it is read (and before hyper would
    // answer `Expect: 100-continue`), not after the upload deadline.
    if announced.is_some_and(|n| n > limit as u64) {
        return Err(body_too_large(limit));
    }
    // Held until the body has been read and parsed (the bytes and the text it becomes).
    let mut room = uploads.room_for(client);
    // The whole body within one deadline: a client that trickles bytes cannot hold the
    // connection. Room is taken for each piece as it comes, and the bytes kept grow with it
    // (nothing is set aside for a length only announced).
    let reading = async {
        use http_body_util::BodyExt;
        let mut body = request.into_body();
        let mut bytes = Vec::new();
        while let Some(frame) = body.frame().await {
            // A broken upload: the same `{error}` shape as every other refusal, so that the
            // widget's `sondeo:error` event can carry the message.
            let frame = frame.map_err(|e| {
                error(
                    StatusCode::BAD_REQUEST,
                    &format!("the body could not be read: {e}"),
                    None,
                )
            })?;
            let Ok(data) = frame.into_data() else {
                continue; // trailers
            };
            if bytes.len() + data.len() > limit {
                return Err(body_too_large(limit));
            }
            if !room.grow(uploads, data.len()) {
                let mut busy = error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "too many uploads at once; retry in 1 s",
                    None,
                );
                busy.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
                return Err(busy);
            }
            bytes.extend_from_slice(&data);
        }
        Ok(bytes)
    };
    let body: Vec<u8> = match tokio::time::timeout(timeout, reading).await {
        Err(_) => {
            return Err(error(
                StatusCode::REQUEST_TIMEOUT,
                &format!("the body did not arrive within {} s", timeout.as_secs()),
                None,
            ))
        }
        Ok(result) => result?,
    };
    // Any content type is read as JSON: `navigator.sendBeacon` and simple CORS requests send text/plain.
    // Core's strict reader keeps numbers' text and refuses a key given twice.
    let Ok(text) = std::str::from_utf8(&body) else {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "the body is not UTF-8 text",
            None,
        ));
    };
    // A byte-order mark, as some tools write before JSON text: RFC 8259 lets a parser
    // ignore it, and the Scorer's import does.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    sondeo_core::json::parse(text).map_err(|e| {
        let field = (!e.path.is_empty()).then_some(e.path.as_str());
        error(
            StatusCode::BAD_REQUEST,
            &format!("the body is not valid JSON: {e}"),
            field,
        )
    })
}

/// Every read connection is taken: `503`, to be tried again in a second.
fn busy(e: &StoreError) -> Response {
    let mut answer = error(StatusCode::SERVICE_UNAVAILABLE, &e.to_string(), None);
    answer
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    answer
}

fn body_too_large(max_body: usize) -> Response {
    error(
        StatusCode::PAYLOAD_TOO_LARGE,
        &format!("the body is larger than the limit of {max_body} bytes"),
        None,
    )
}

fn too_many(wait: Option<Duration>) -> Response {
    let Some(wait) = wait else {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "more responses in one post than --rate-burst allows; send them in smaller batches",
            None,
        );
    };
    let seconds = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
    let mut response = error(
        StatusCode::TOO_MANY_REQUESTS,
        &format!("too many posts from this address; retry in {seconds} s"),
        None,
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    response
}

async fn require_read_token(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if let Some(token) = &state.read_token {
        // The query form only where a header cannot be sent (`EventSource` on the stream):
        // a URL ends up in proxies' logs, and an export or a follow-up never needs it.
        let query = (request.uri().path() == "/api/stream")
            .then(|| request.uri().query())
            .flatten();
        let given = access::given_token(request.headers(), query);
        if !given.is_some_and(|g| access::token_matches(&g, token)) {
            let mut response = error(
                StatusCode::UNAUTHORIZED,
                "reading needs Authorization: Bearer <read token>",
                None,
            );
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return response;
        }
    }
    next.run(request).await
}

/// `since` to the millisecond, as `receivedAt` is stored (a time cut to its second took in
/// answers up to 999 ms before it). A `+` of a zone written into a URL unencoded reaches
/// here as a space (`…T10:00:00 01:00`): that space can only have been a `+`.
fn parse_since(text: &str) -> Option<i64> {
    sondeo_core::time::parse_rfc3339_ms(text).or_else(|| {
        let zone = text
            .rfind(' ')
            .filter(|&at| at >= 19 && text.len() - at == 6)?;
        sondeo_core::time::parse_rfc3339_ms(&format!("{}+{}", &text[..zone], &text[zone + 1..]))
    })
}

/// The display records (`type: "impression"`), as NDJSON; `since` and `survey` as for responses.
async fn export_impressions(
    state: State<AppState>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    let query = match export_query(pairs) {
        Ok(query) => query,
        Err(refused) => return bad_parameter(refused),
    };
    if query.get("format").is_some_and(|f| f != "ndjson") {
        return error(
            StatusCode::BAD_REQUEST,
            "format: expected \"ndjson\" (display records have no CSV export)",
            Some("format"),
        );
    }
    export(state, query, true).await
}

async fn export_responses(
    state: State<AppState>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    match export_query(pairs) {
        Ok(query) => export(state, query, false).await,
        Err(refused) => bad_parameter(refused),
    }
}

/// The export's parameters, each at most once: a misspelt one (`formt=csv`) or one given
/// twice (`since=…&since=…`) would otherwise be read as not given, or as one of the two,
/// and the export would silently hold other rows than asked for. One whose name starts with
/// `_` is a client's cache-buster (jQuery's `_=…`) and let be.
fn export_query(pairs: Vec<(String, String)>) -> Result<HashMap<String, String>, (String, String)> {
    const KNOWN: [&str; 5] = ["format", "since", "survey", "raw", "access_token"];
    let mut query = HashMap::new();
    for (name, value) in pairs {
        if name.starts_with('_') {
            continue;
        }
        if !KNOWN.contains(&name.as_str()) {
            let name: String = name.chars().take(40).collect();
            let message = format!(
                "{name}: unknown parameter; expected format, since, survey, raw or access_token"
            );
            return Err((message, name));
        }
        if name == "survey" && value.is_empty() {
            let message = "survey: expected a survey id (leave it out for every survey)";
            return Err((message.into(), name));
        }
        if query.contains_key(&name) {
            return Err((format!("{name}: given twice; expected it once"), name));
        }
        query.insert(name, value);
    }
    Ok(query)
}

/// The export's parameters refused: 400, naming the parameter.
fn bad_parameter((message, name): (String, String)) -> Response {
    error(StatusCode::BAD_REQUEST, &message, Some(&name))
}

async fn export(
    State(state): State<AppState>,
    query: HashMap<String, String>,
    impressions: bool,
) -> Response {
    let raw = match query.get("raw").map(String::as_str) {
        None | Some("0") | Some("false") => false,
        Some("1") | Some("true") => true,
        Some(_) => return error(StatusCode::BAD_REQUEST, "raw: expected 1 or 0", Some("raw")),
    };
    let format = match query.get("format").map(String::as_str) {
        None | Some("ndjson") => Format::Ndjson,
        Some("csv") => Format::Csv,
        Some(_) => {
            return error(
                StatusCode::BAD_REQUEST,
                "format: expected \"ndjson\" or \"csv\"",
                Some("format"),
            )
        }
    };
    let since_ms = match query.get("since") {
        None => i64::MIN,
        Some(s) => match parse_since(s) {
            Some(ms) => ms,
            None => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "since: expected an RFC 3339 timestamp such as 2026-11-22T10:00:00Z or \
                     2026-11-22T10:00:00.250%2B01:00 (a + encoded as %2B), or a date",
                    Some("since"),
                )
            }
        },
    };
    let readers = state.store.reader().and_then(|rows| {
        let header = match format {
            Format::Csv => Some(state.store.reader()?),
            Format::Ndjson => None,
        };
        Ok((rows, header))
    });
    let (reader, header_reader) = match readers {
        Ok(r) => r,
        Err(e @ StoreError::Busy) => return busy(&e),
        Err(e) => return error(StatusCode::SERVICE_UNAVAILABLE, &e.to_string(), None),
    };
    let filter = Filter {
        since_ms,
        survey: query.get("survey").cloned(),
        until_seq: i64::MAX,
        impressions,
    };
    let chunks = export::stream(reader, header_reader, Shape { format, raw }, filter);
    let content_type = match format {
        Format::Ndjson => "application/x-ndjson; charset=utf-8",
        Format::Csv => "text/csv; charset=utf-8",
    };
    (
        [(header::CONTENT_TYPE, content_type)],
        Body::from_stream(chunks),
    )
        .into_response()
}

/// Logs why a post was not stored, at most once a second, with how many were not stored
/// since the last line.
fn log_unstored(error: &str) {
    use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
    static LAST_SECOND: AtomicI64 = AtomicI64::new(i64::MIN);
    static SINCE: AtomicU64 = AtomicU64::new(0);
    let second = crate::clock::now_ms().div_euclid(1000);
    let count = SINCE.fetch_add(1, Ordering::Relaxed) + 1;
    if LAST_SECOND.swap(second, Ordering::Relaxed) != second {
        SINCE.store(0, Ordering::Relaxed);
        eprintln!("sondeo-collector: {count} post(s) not stored (answered 503): {error}");
    }
}

async fn stream(
    State(state): State<AppState>,
) -> Sse<impl futures_util::Stream<Item = Result<Event, Infallible>>> {
    // A dashboard that falls behind skips what it missed (it can re-read the export) rather than stall the writer.
    let mut stopping = state.stopping.clone();
    let stopped = async move {
        let _ = stopping.wait_for(|stop| *stop).await;
    };
    let events = BroadcastStream::new(state.store.subscribe())
        .filter_map(|item| async move {
            item.ok()
                .map(|json| Ok(Event::default().event("response").data(json.as_ref())))
        })
        .take_until(stopped);
    Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
