//! Optional TLS termination in the server itself, with a plain-HTTP listener that only
//! redirects to HTTPS. Behind a TLS-terminating proxy, leave `tls` unset and set
//! `trust_forwarded_proto` instead.

use std::net::SocketAddr;

use axum::Router;
use axum::response::Redirect;
use axum_server::accept::NoDelayAcceptor;
use axum_server::tls_rustls::RustlsConfig;
use platform::config::TlsConfig;

use crate::shutdown::Stop;

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot load the TLS certificate or key: {0}")]
    Load(std::io::Error),
    #[error("server error: {0}")]
    Serve(std::io::Error),
}

/// Binds the configured addresses, then serves.
pub async fn serve(
    app: Router,
    listen: SocketAddr,
    tls: &TlsConfig,
    public_origin: String,
    stop: Stop,
) -> Result<(), TlsError> {
    let bind_error = |addr| move |source| TlsError::Bind { addr, source };
    let listener = std::net::TcpListener::bind(listen).map_err(bind_error(listen))?;
    let redirect = match tls.redirect_listen {
        Some(addr) => Some(
            tokio::net::TcpListener::bind(addr)
                .await
                .map_err(bind_error(addr))?,
        ),
        None => None,
    };
    serve_on(app, listener, tls, redirect, public_origin, stop).await
}

/// Serves HTTPS on `listener` and, given `redirect`, plain HTTP there that only redirects,
/// until `stop` is asked for; then it stops accepting and waits for the requests in flight.
pub async fn serve_on(
    app: Router,
    listener: std::net::TcpListener,
    tls: &TlsConfig,
    redirect: Option<tokio::net::TcpListener>,
    public_origin: String,
    stop: Stop,
) -> Result<(), TlsError> {
    // rustls is built without a default provider (no C toolchain needed for aws-lc).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let rustls = RustlsConfig::from_pem_file(&tls.cert_path, &tls.key_path)
        .await
        .map_err(TlsError::Load)?;
    if let Some(redirect) = redirect {
        tokio::spawn(redirect_to_https(redirect, public_origin));
    }
    listener.set_nonblocking(true).map_err(TlsError::Serve)?;
    tracing::info!(listen = ?listener.local_addr().ok(), "serving HTTPS");
    let handle = axum_server::Handle::new();
    tokio::spawn({
        let handle = handle.clone();
        async move {
            stop.requested().await;
            // No bound here: the caller's grace period bounds the whole stop.
            handle.graceful_shutdown(None);
        }
    });
    axum_server::from_tcp_rustls(listener, rustls)
        // As on plain HTTP (`crate::listen`): a streamed page's later writes are not held.
        .map(|tls| tls.acceptor(NoDelayAcceptor::new()))
        .handle(handle)
        .serve(app.into_make_service_with_connect_info::<SocketAddr>())
        .await
        .map_err(TlsError::Serve)
}

/// Every plain-HTTP request is sent to the same path on the public HTTPS origin (never to
/// the Host header it arrived with, which an attacker controls).
async fn redirect_to_https(listener: tokio::net::TcpListener, public_origin: String) {
    let app = Router::new().fallback(move |uri: http::Uri| {
        let target = format!(
            "{public_origin}{}",
            uri.path_and_query().map(|p| p.as_str()).unwrap_or("/")
        );
        async move { Redirect::permanent(&target) }
    });
    tracing::info!(listen = ?listener.local_addr().ok(), "redirecting HTTP to HTTPS");
    if let Err(error) = axum::serve(listener, app).await {
        tracing::error!(%error, "the HTTP redirect listener stopped");
    }
}
