//! HTTP: routes, validation errors as `{error, field}`, CORS, the read token,
//! static files with a strict Content-Security-Policy.

use crate::export::{self, Format};
use crate::store::{Filter, Store};
use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Query, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::StreamExt;
use sondeo_core::answer::parse_response;
use sondeo_core::Value;
use std::collections::HashMap;
use std::convert::Infallible;
use std::path::PathBuf;
use std::time::Duration;
use tokio::sync::watch;
use tokio_stream::wrappers::BroadcastStream;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// The policy the widget is built to work under; the demo pages are served with it.
pub const STRICT_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self'; img-src 'self' data:; require-trusted-types-for 'script'; trusted-types 'none'";

/// What the router needs from the command line.
pub struct Settings {
    pub www: PathBuf,
    pub dist: PathBuf,
    pub allow_origins: Vec<String>,
    pub read_token: Option<String>,
    pub max_body: usize,
    pub csp: bool,
}

#[derive(Clone)]
struct AppState {
    store: Store,
    read_token: Option<String>,
    stopping: watch::Receiver<bool>,
    max_body: usize,
}

/// Every route of the collector. `stopping` turns true on shutdown: event streams
/// then end, since a graceful shutdown waits for every open connection.
pub fn router(store: Store, settings: &Settings, stopping: watch::Receiver<bool>) -> Router {
    let state = AppState {
        store,
        read_token: settings.read_token.clone(),
        stopping,
        max_body: settings.max_body,
    };
    let reading = Router::new()
        .route("/api/responses", get(export_responses))
        .route("/api/stream", get(stream))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            require_read_token,
        ));
    let api = Router::new()
        .route("/api/responses", post(post_responses))
        .merge(reading)
        .route("/healthz", get(|| async { "ok" }))
        .layer(DefaultBodyLimit::max(settings.max_body))
        .layer(cors(&settings.allow_origins))
        .with_state(state);
    let mut pages = Router::new().fallback_service(ServeDir::new(&settings.www));
    if settings.csp {
        pages = pages.layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(STRICT_CSP),
        ));
    }
    // no-cache: demos pick up a rebuilt widget at once (the browser still revalidates cheaply).
    let dist = Router::new()
        .fallback_service(ServeDir::new(&settings.dist))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ));
    api.nest("/dist", dist)
        .merge(pages)
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
}

fn cors(origins: &[String]) -> CorsLayer {
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(
            origins
                .iter()
                .filter_map(|o| HeaderValue::from_str(o.trim_end_matches('/')).ok()),
        )
    };
    CorsLayer::new()
        .allow_origin(allow)
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::OPTIONS])
        .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION])
        .max_age(Duration::from_secs(600))
}

fn error(status: StatusCode, message: &str, field: Option<&str>) -> Response {
    let mut body = serde_json::json!({ "error": message });
    if let Some(field) = field {
        body["field"] = field.into();
    }
    (status, Json(body)).into_response()
}

async fn post_responses(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    // Over the limit (413) or a broken upload: the same `{error}` shape as every other refusal,
    // so that the widget's `sondeo:error` event can carry the message.
    let body = match body {
        Ok(body) => body,
        Err(rejection) => {
            let message = if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                format!(
                    "the body is larger than the limit of {} bytes",
                    state.max_body
                )
            } else {
                rejection.body_text()
            };
            return error(rejection.status(), &message, None);
        }
    };
    // Any content type is read as JSON: `navigator.sendBeacon` and simple CORS requests send text/plain.
    let json: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                &format!("the body is not JSON: {e}"),
                None,
            )
        }
    };
    let (items, batch) = match Value::from(json) {
        Value::Array(items) => (items, true),
        single => (vec![single], false),
    };
    if items.is_empty() {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "expected at least one response",
            Some("[]"),
        );
    }
    let mut responses = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        match parse_response(item) {
            Ok(r) => responses.push(r),
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
    match state.store.upsert(responses).await {
        Ok(stored) => (
            StatusCode::OK,
            Json(serde_json::json!({ "stored": stored })),
        )
            .into_response(),
        Err(e) => error(StatusCode::SERVICE_UNAVAILABLE, &e, None),
    }
}

async fn require_read_token(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if let Some(token) = &state.read_token {
        // EventSource cannot send headers, so the token may also come as
        // `?access_token=` (RFC 6750, section 2.3) for the stream and the export.
        let from_query = request.uri().query().and_then(|q| {
            q.split('&')
                .find_map(|pair| pair.strip_prefix("access_token="))
        });
        let given = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .or(from_query);
        if given.map(|g| constant_time_eq(g.as_bytes(), token.as_bytes())) != Some(true) {
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

/// Compares without an early exit, so the time taken does not reveal how much of a guess was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn export_responses(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
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
        Some(s) => match sondeo_core::time::parse_rfc3339(s) {
            Some(secs) => secs * 1000,
            None => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "since: expected an RFC 3339 timestamp such as 2026-11-22T10:00:00Z",
                    Some("since"),
                )
            }
        },
    };
    let reader = match state.store.reader() {
        Ok(r) => r,
        Err(e) => return error(StatusCode::SERVICE_UNAVAILABLE, &e, None),
    };
    let filter = Filter {
        since_ms,
        survey: query.get("survey").cloned(),
    };
    let chunks = export::stream(reader, format, filter);
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
