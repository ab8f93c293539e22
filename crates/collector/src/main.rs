//! sondeo-collector: the reference endpoint for the sondeo widget. It stores
//! posted responses in SQLite (validated by `sondeo-core`, the widget's own
//! rules), exports them as NDJSON or CSV, streams new ones to the dashboard
//! over server-sent events, and serves the demo pages and the built widget.

mod access;
mod alerts;
mod api;
mod clock;
mod export;
mod files;
mod rate;
mod serve;
mod store;
mod tally;
mod tls;

use clap::Parser;
use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Command-line flags.
#[derive(Parser, Debug)]
#[command(
    version,
    about = "Reference collector for sondeo survey responses (axum + SQLite or PostgreSQL)"
)]
struct Args {
    /// Address to listen on. Beyond loopback, a read token is required.
    #[arg(long, env = "SONDEO_LISTEN", default_value = "127.0.0.1:8787")]
    listen: SocketAddr,
    /// SQLite database file (created when missing, readable by its owner only), or a
    /// PostgreSQL URL (`postgres://user@host/db`, `?sslmode=require` for TLS) that several
    /// collectors may share.
    #[arg(
        long,
        env = "SONDEO_DB",
        default_value = "sondeo.db",
        hide_env_values = true
    )]
    db: String,
    /// Folder served at `/` (the demo pages and the dashboard).
    #[arg(long, default_value = "www")]
    www: PathBuf,
    /// Folder served at `/dist/` (the built widget and analytics module).
    #[arg(long, default_value = "dist")]
    dist: PathBuf,
    /// Origin whose pages may post responses (repeatable; `*` allows any site).
    #[arg(long = "allow-origin")]
    allow_origins: Vec<String>,
    /// Origin whose pages may read the export and the stream, with the token (repeatable).
    #[arg(long = "allow-read-origin")]
    read_origins: Vec<String>,
    /// Host name served besides loopback names (repeatable); when given, other names get 421.
    #[arg(long = "allow-host")]
    allow_hosts: Vec<String>,
    /// The token that reading (export, stream) needs. Prefer the environment or a file:
    /// a command line is visible to every user of the machine in `ps`.
    #[arg(long, env = "SONDEO_READ_TOKEN", hide_env_values = true)]
    read_token: Option<String>,
    /// File holding the read token (surrounding whitespace ignored).
    #[arg(long, env = "SONDEO_READ_TOKEN_FILE")]
    read_token_file: Option<PathBuf>,
    /// Posts per minute allowed per client address (0: no limit). A response takes two
    /// or three posts (partial, final, a retry), so the default lets an office behind one
    /// address send 100 responses a minute, and a flooding client 5 posts a second.
    #[arg(long, default_value_t = 300)]
    rate_limit: u32,
    /// Posts a client may send at once before the per-minute rate applies.
    #[arg(long, default_value_t = 150)]
    rate_burst: u32,
    /// Behind a reverse proxy: take the client address from the header it writes
    /// (`x-forwarded-for`, the default, or `forwarded`). Never without a proxy in front.
    #[arg(long, value_enum, num_args = 0..=1, default_missing_value = "x-forwarded-for")]
    trust_proxy: Option<rate::ProxyHeader>,
    /// Largest accepted request body, in bytes.
    #[arg(long, default_value_t = 64 * 1024)]
    max_body: usize,
    /// Seconds allowed for a request head (also closes idle keep-alive connections).
    #[arg(long, default_value_t = 10)]
    head_timeout: u64,
    /// Seconds allowed to upload a post's body.
    #[arg(long, default_value_t = 20)]
    body_timeout: u64,
    /// Bytes of request bodies held in memory at once, all uploads together (64 MiB: a
    /// thousand full bodies; at least --max-body), a sixteenth of it per client address,
    /// taken as a body's bytes arrive (not for its announced length). An upload that finds no room gets `503` with `Retry-After: 1`,
    /// which the widget retries.
    #[arg(long, default_value_t = 64 << 20)]
    upload_memory: usize,
    /// Seconds a response may wait for a client that does not read.
    #[arg(long, default_value_t = 30)]
    write_timeout: u64,
    /// Seconds a connection is kept alive; then it closes after the request being answered
    /// (a client sending one slow request after another cannot hold its place for ever).
    #[arg(long, default_value_t = 60)]
    max_connection_age: u64,
    /// Connections served at once (lowered to fit the open-files limit).
    #[arg(long, default_value_t = 10_000)]
    max_connections: usize,
    /// Connections one client address (IPv6: one /64) may hold open; 0: no limit. Not
    /// applied with --trust-proxy (every connection is then the proxy's) nor on loopback.
    #[arg(long, default_value_t = 256)]
    max_connections_per_client: usize,
    /// Seconds browsers may keep `dist/` files before revalidating (0: revalidate every time, for development).
    #[arg(long, default_value_t = 3600)]
    dist_max_age: u64,
    /// Do not send the strict Content-Security-Policy with the served pages.
    #[arg(long)]
    no_csp: bool,
    /// Webhook (Slack, Microsoft Teams, any HTTPS URL) that each response in the worst group
    /// of its kind (an NPS detractor, a low CSAT or CES) is posted to, once, as
    /// `{text, response}`: when submitted, or after `--alert-partial-after`. Anonymous
    /// surveys send none. The URL is a secret: prefer the environment. Collectors sharing
    /// a database may all have it: each alert is claimed in the database, and sent once.
    #[arg(long, env = "SONDEO_ALERT_URL", hide_env_values = true)]
    alert_url: Option<String>,
    /// Seconds a partial (the score an email click recorded) in the worst group waits to
    /// be submitted before it alerts without its comment; 0: partials never alert.
    #[arg(long, default_value_t = 600)]
    alert_partial_after: u64,
}

/// Ends the process with a message, before anything is served.
fn refuse(message: &str) -> ! {
    eprintln!("sondeo-collector: {message}");
    std::process::exit(2);
}

fn read_token(args: &Args) -> Option<String> {
    // An empty variable (`SONDEO_READ_TOKEN=`) counts as not set, as shells and service files write it.
    let given = args.read_token.as_ref().filter(|t| !t.trim().is_empty());
    let file = args
        .read_token_file
        .as_ref()
        .filter(|f| !f.as_os_str().is_empty());
    let token = match (given, file) {
        (Some(_), Some(_)) => refuse(
            "give the read token once: --read-token (or SONDEO_READ_TOKEN) or --read-token-file",
        ),
        (Some(token), None) => token.trim().to_owned(),
        (None, Some(file)) => match std::fs::read_to_string(file) {
            Ok(text) => text.trim().to_owned(),
            Err(e) => refuse(&format!(
                "cannot read the read token from {}: {e}",
                file.display()
            )),
        },
        (None, None) => return None,
    };
    if token.len() < 16 || token.chars().any(|c| c.is_control() || c == ' ') {
        refuse("the read token must be at least 16 characters, without spaces (try: openssl rand -hex 32)");
    }
    Some(token)
}

fn main() {
    let args = Args::parse();
    let token = read_token(&args);
    let loopback = args.listen.ip().is_loopback();
    // Behind a reverse proxy the collector listens on loopback but serves the internet:
    // a proxy or a public host name means reads need a token too.
    let public_name = args.allow_hosts.iter().any(|h| {
        !access::Hosts {
            loopback: true,
            ..Default::default()
        }
        .allows(Some(h))
    });
    if token.is_none() && (args.trust_proxy.is_some() || public_name) {
        refuse(
            "--trust-proxy and --allow-host mean this collector serves the internet through a proxy, \
             where anyone could read every response. Set a read token first \
             (SONDEO_READ_TOKEN or --read-token-file; try: openssl rand -hex 32)",
        );
    }
    if !loopback && token.is_none() {
        refuse(&format!(
            "listening on {} would let anyone read every response. Set a read token first:\n  \
             openssl rand -hex 32 > read-token && chmod 600 read-token\n  \
             sondeo-collector --listen {} --read-token-file read-token\n\
             (or the SONDEO_READ_TOKEN environment variable)",
            args.listen, args.listen
        ));
    }
    if args.read_origins.iter().any(|o| o == "*") {
        refuse("--allow-read-origin '*' would let any site read responses; list the dashboard's origins");
    }
    // Without a token, reads are open on loopback because only this machine's own pages
    // can reach them; an origin allowed to read would be a site whose pages, opened on this
    // machine, read every response.
    if token.is_none() && !args.read_origins.is_empty() {
        refuse(
            "--allow-read-origin lets another site's pages read responses, which needs a read token \
             (SONDEO_READ_TOKEN or --read-token-file; try: openssl rand -hex 32)",
        );
    }
    // An empty variable (`SONDEO_ALERT_URL=`) counts as not set.
    let alert_url = match args.alert_url.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(url) => Some(alerts::check_url(url).unwrap_or_else(|e| refuse(&e))),
    };
    let open_files = serve::raise_open_files_limit();
    let limits = serve::Limits {
        head_timeout: Duration::from_secs(args.head_timeout.max(1)),
        write_timeout: Duration::from_secs(args.write_timeout.max(1)),
        max_connections: serve::max_connections(open_files, args.max_connections),
        max_per_client: match args.trust_proxy {
            Some(_) => 0,
            None => args.max_connections_per_client,
        },
        max_age: Duration::from_secs(args.max_connection_age.max(1)),
        grace: Duration::from_secs(8),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => refuse(&format!("cannot start: {e}")),
    };
    runtime.block_on(run(args, token, loopback, limits, alert_url));
    // Do not wait for stragglers: every acknowledged post is committed by now.
    runtime.shutdown_timeout(Duration::from_millis(500));
}

async fn run(
    args: Args,
    token: Option<String>,
    loopback: bool,
    limits: serve::Limits,
    alert_url: Option<reqwest::Url>,
) {
    let database = store::redacted(&args.db);
    let store = match store::Store::open(&args.db).await {
        Ok(store) => store,
        Err(store::StoreError::Refused(e)) => refuse(&e),
        Err(e) => refuse(&format!("cannot open {database}: {e}")),
    };
    let hosts = access::Hosts {
        loopback,
        names: args
            .allow_hosts
            .iter()
            .map(|h| access::host_name(h))
            .collect(),
        any: !loopback && args.allow_hosts.is_empty(),
    };
    let settings = api::Settings {
        www: args.www,
        dist: args.dist,
        allow_origins: args.allow_origins,
        read_origins: args.read_origins,
        read_token: token.clone(),
        max_body: args.max_body,
        body_timeout: Duration::from_secs(args.body_timeout.max(1)),
        // At least one whole body, or a post within --max-body could never be read.
        upload_memory: args.upload_memory.max(args.max_body),
        csp: !args.no_csp,
        hosts,
        rate_limit: (args.rate_limit, args.rate_burst),
        trust_proxy: args.trust_proxy,
        dist_max_age: args.dist_max_age,
    };
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let partial_wait =
        (args.alert_partial_after > 0).then(|| Duration::from_secs(args.alert_partial_after));
    let alerting = alert_url.and_then(|url| alerts::start(&store, url, partial_wait));
    let app = api::router(store.clone(), &settings, stopping);
    let listener = match serve::listen(args.listen) {
        Ok(l) => l,
        Err(e) => refuse(&format!("cannot listen on {}: {e}", args.listen)),
    };
    let addr = listener.local_addr().unwrap_or(args.listen);
    let dashboard = match &token {
        // The fragment never reaches a server; the dashboard moves it to the tab's storage.
        // Printed only to a person at a terminal: a service's output goes to logs.
        Some(token) if std::io::stdout().is_terminal() => {
            format!("http://{addr}/dashboard.html#token={token}")
        }
        Some(_) => format!("http://{addr}/dashboard.html#token=<read token>"),
        None => {
            format!("http://{addr}/dashboard.html (reads open to this machine only: no read token)")
        }
    };
    // Whoever started us may stop reading our output; that must not stop the collector.
    let _ = writeln!(
        std::io::stdout().lock(),
        "sondeo-collector: listening on http://{addr}/ (database {})\nsondeo-collector: dashboard {dashboard}",
        database
    );
    serve::run(listener, app, limits, shutdown_signal(), move || {
        // Ends the open event streams, which would otherwise hold the shutdown until the grace ends.
        let _ = stop.send(true);
    })
    .await;
    // Stop taking posts, then let the writer commit what is queued before exiting.
    store.close().await;
    // Alerts still waiting get a second: the whole stop stays within 10 s (a service
    // manager's or Docker's default), whatever the webhook does.
    if let Some(alerting) = alerting {
        alerting.finish(Duration::from_secs(1)).await;
    }
}
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
}
