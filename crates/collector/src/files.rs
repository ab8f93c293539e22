//! Static folders, served only inside themselves: no dotfiles (`.git`, `.env`),
//! no symlink that leads out of the folder, and 404 (not 500) for names the
//! filesystem refuses. `ServeDir` follows symlinks and serves dotfiles, so every
//! request is checked here first.

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tower_http::services::ServeDir;

/// A router serving `folder` with the checks above.
pub fn folder(folder: &Path) -> Router {
    serve(folder, false)
}

/// Like [`folder`], and a file's `.br` or `.gz` copy, when there is one, goes to a
/// browser that accepts it (the built widget: a third of its bytes).
pub fn precompressed(folder: &Path) -> Router {
    serve(folder, true)
}

fn serve(folder: &Path, precompressed: bool) -> Router {
    // Canonical once: a symlinked folder itself is fine, what matters is leaving it.
    let root = Arc::new(std::fs::canonicalize(folder).unwrap_or_else(|_| folder.to_owned()));
    let mut files = ServeDir::new(root.as_ref());
    if precompressed {
        files = files.precompressed_br().precompressed_gzip();
    }
    Router::new()
        .fallback_service(files)
        .layer(middleware::from_fn_with_state(root, guard))
}

async fn guard(State(root): State<Arc<PathBuf>>, request: Request, next: Next) -> Response {
    if !inside(&root, request.uri().path()).await {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    }
    // `.ts` is an MPEG transport stream to the MIME table: the TypeScript declarations
    // (`dist/sondeo.d.ts`) are text to whoever opens them.
    let declarations = request.uri().path().ends_with(".d.ts");
    let mut response = next.run(request).await;
    if declarations && response.status().is_success() {
        response.headers_mut().insert(
            axum::http::header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("text/plain; charset=utf-8"),
        );
    }
    response
}

/// Whether the URL path names something that really lies inside `root`.
async fn inside(root: &Path, url_path: &str) -> bool {
    let Ok(decoded) = percent_encoding::percent_decode_str(url_path).decode_utf8() else {
        return false;
    };
    let mut target = root.to_path_buf();
    for segment in decoded.split('/').filter(|s| !s.is_empty()) {
        // `.`/`..` and every dotfile; a backslash or NUL is never part of a name we serve.
        if segment.starts_with('.') || segment.contains(['\\', '\0']) {
            return false;
        }
        target.push(segment);
    }
    let Ok(real) = tokio::fs::canonicalize(&target).await else {
        return false; // missing, or a name the filesystem refuses (too long, …)
    };
    // Inside, and no dotfile on the way even through an in-folder symlink (`a.txt -> .env`).
    let Ok(below) = real.strip_prefix(root) else {
        return false;
    };
    if below
        .components()
        .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
    {
        return false;
    }
    if real.is_dir() {
        // ServeDir answers a folder with its index.html: that file must stay inside too.
        let index = real.join("index.html");
        return match tokio::fs::canonicalize(&index).await {
            Ok(index) => index.starts_with(root),
            Err(_) => true, // ServeDir answers 404 itself
        };
    }
    true
}

#[cfg(test)]
mod tests {
    use tower::ServiceExt;

    #[tokio::test]
    async fn typescript_declarations_are_served_as_text() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("sondeo.d.ts"), "export {};").unwrap();
        std::fs::write(dir.path().join("sondeo.js"), "export {};").unwrap();
        for (path, expected) in [
            ("/sondeo.d.ts", "text/plain; charset=utf-8"),
            ("/sondeo.js", "text/javascript"),
        ] {
            let request = axum::http::Request::get(path)
                .body(axum::body::Body::empty())
                .unwrap();
            let response = super::folder(dir.path()).oneshot(request).await.unwrap();
            assert_eq!(response.status(), 200, "{path}");
            assert_eq!(response.headers()["content-type"], expected, "{path}");
        }
    }

    #[tokio::test]
    async fn only_what_lies_inside_the_folder_is_served() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("www");
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::write(root.join("a.html"), "a").unwrap();
        std::fs::write(root.join(".env"), "secret").unwrap();
        std::fs::write(dir.path().join("outside.txt"), "secret").unwrap();
        std::os::unix::fs::symlink(dir.path().join("outside.txt"), root.join("link.txt")).unwrap();
        std::os::unix::fs::symlink(root.join("a.html"), root.join("sub/inner.html")).unwrap();
        std::os::unix::fs::symlink(root.join(".env"), root.join("config.txt")).unwrap();
        let root = std::fs::canonicalize(&root).unwrap();
        let long = format!("/{}", "x".repeat(300));
        for (path, expected) in [
            ("/a.html", true),
            ("/sub/inner.html", true),
            ("/sub/", true),
            ("/", true),
            ("/.env", false),
            ("/%2eenv", false),
            ("/link.txt", false),
            ("/config.txt", false),
            ("/../outside.txt", false),
            ("/sub/%2e%2e/%2e%2e/outside.txt", false),
            ("/missing.html", false),
            (long.as_str(), false),
        ] {
            assert_eq!(super::inside(&root, path).await, expected, "{path}");
        }
    }
}
