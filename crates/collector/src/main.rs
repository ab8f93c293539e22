//! sondeo-collector: the reference endpoint for the sondeo widget. It stores
//! posted responses in SQLite (validated by `sondeo-core`, the widget's own
//! rules), exports them as NDJSON or CSV, streams new ones to the dashboard
//! over server-sent events, and serves the demo pages and the built widget.

mod api;
mod clock;
mod export;
mod store;

use clap::Parser;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Command-line flags.
#[derive(Parser, Debug)]
#[command(
    version,
    about = "Reference collector for sondeo survey responses (axum + SQLite)"
)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8787")]
    listen: SocketAddr,
    /// SQLite database file (created when missing).
    #[arg(long, default_value = "sondeo.db")]
    db: PathBuf,
    /// Folder served at `/` (the demo pages and the dashboard).
    #[arg(long, default_value = "www")]
    www: PathBuf,
    /// Folder served at `/dist/` (the built widget and analytics module).
    #[arg(long, default_value = "dist")]
    dist: PathBuf,
    /// Origin allowed to post from another site (repeatable; `*` allows any).
    #[arg(long = "allow-origin")]
    allow_origins: Vec<String>,
    /// When set, reading (export, stream) needs `Authorization: Bearer <token>`.
    #[arg(long)]
    read_token: Option<String>,
    /// Largest accepted request body, in bytes.
    #[arg(long, default_value_t = 64 * 1024)]
    max_body: usize,
    /// Do not send the strict Content-Security-Policy with the served pages.
    #[arg(long)]
    no_csp: bool,
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let store = match store::Store::open(&args.db) {
        Ok(store) => store,
        Err(e) => {
            eprintln!("sondeo-collector: cannot open {}: {e}", args.db.display());
            std::process::exit(1);
        }
    };
    let settings = api::Settings {
        www: args.www,
        dist: args.dist,
        allow_origins: args.allow_origins,
        read_token: args.read_token,
        max_body: args.max_body,
        csp: !args.no_csp,
    };
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let app = api::router(store.clone(), &settings, stopping);
    let listener = match tokio::net::TcpListener::bind(args.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("sondeo-collector: cannot listen on {}: {e}", args.listen);
            std::process::exit(1);
        }
    };
    let addr = listener.local_addr().unwrap_or(args.listen);
    println!(
        "sondeo-collector: listening on http://{addr}/ (database {})",
        args.db.display()
    );
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown_signal().await;
            // Ends the open event streams, which would otherwise hold the shutdown forever.
            let _ = stop.send(true);
        })
        .await;
    // Stop taking posts, then let the writer commit what is queued before exiting.
    store.close();
    if let Err(e) = served {
        eprintln!("sondeo-collector: {e}");
        std::process::exit(1);
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
