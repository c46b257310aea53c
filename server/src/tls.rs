//! Optional TLS termination in the server itself, with a plain-HTTP listener that only
//! redirects to HTTPS. Behind a TLS-terminating proxy, leave `tls` unset and set
//! `trust_forwarded_proto` instead.

use std::net::SocketAddr;

use axum::Router;
use axum::response::Redirect;
use axum_server::tls_rustls::RustlsConfig;
use platform::config::TlsConfig;

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot load the TLS certificate or key: {0}")]
    Load(std::io::Error),
    #[error("server error: {0}")]
    Serve(std::io::Error),
}

pub async fn serve(app: Router, listen: SocketAddr, tls: &TlsConfig, public_origin: String) -> Result<(), TlsError> {
    // rustls is built without a default provider (no C toolchain needed for aws-lc).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let rustls = RustlsConfig::from_pem_file(&tls.cert_path, &tls.key_path).await.map_err(TlsError::Load)?;
    if let Some(redirect_listen) = tls.redirect_listen {
        tokio::spawn(redirect_to_https(redirect_listen, public_origin));
    }
    tracing::info!(%listen, "serving HTTPS");
    axum_server::bind_rustls(listen, rustls)
        .serve(app.into_make_service_with_connect_info::<SocketAddr>())
        .await
        .map_err(TlsError::Serve)
}

/// Every plain-HTTP request is sent to the same path on the public HTTPS origin (never to
/// the Host header it arrived with, which an attacker controls).
async fn redirect_to_https(listen: SocketAddr, public_origin: String) {
    let app = Router::new().fallback(move |uri: http::Uri| {
        let target = format!("{public_origin}{}", uri.path_and_query().map(|p| p.as_str()).unwrap_or("/"));
        async move { Redirect::permanent(&target) }
    });
    match tokio::net::TcpListener::bind(listen).await {
        Ok(listener) => {
            tracing::info!(%listen, "redirecting HTTP to HTTPS");
            if let Err(error) = axum::serve(listener, app).await {
                tracing::error!(%error, "the HTTP redirect listener stopped");
            }
        }
        Err(error) => tracing::error!(%error, %listen, "cannot bind the HTTP redirect listener"),
    }
}
