//! The listener the server accepts plain-HTTP connections on (TLS: `crate::tls`).
//!
//! Every accepted connection has `TCP_NODELAY` set. Leptos streams a page in several
//! writes (the shell, then each resource as it resolves); with Nagle's algorithm a write
//! that follows one not yet acknowledged is held until the client's ACK, which Linux delays
//! by up to 40 ms. Under load that held every sign-in page for 44 ms, about 800 pages a
//! second, while the machine idled (README, "Performance ceiling").

use axum::serve::{ListenerExt, TapIo};
use tokio::net::{TcpListener, TcpStream};

/// A named type, not `impl Listener`: axum gives the peer's address (`ConnectInfo`) only
/// for a `TapIo` it can see.
pub fn without_delay(listener: TcpListener) -> TapIo<TcpListener, fn(&mut TcpStream)> {
    listener.tap_io(set_nodelay)
}

fn set_nodelay(stream: &mut TcpStream) {
    if let Err(error) = stream.set_nodelay(true) {
        tracing::debug!(%error, "could not set TCP_NODELAY on a connection");
    }
}

#[cfg(test)]
mod tests {
    use axum::serve::Listener;

    use super::*;

    #[tokio::test]
    async fn accepted_connections_send_without_delay() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let mut listener = without_delay(listener);
        let _client = TcpStream::connect(address).await.unwrap();
        let (accepted, _) = listener.accept().await;
        assert!(accepted.nodelay().unwrap());

        let plain = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let _client = TcpStream::connect(plain.local_addr().unwrap())
            .await
            .unwrap();
        let (accepted, _) = plain.accept().await.unwrap();
        assert!(
            !accepted.nodelay().unwrap(),
            "the socket default this changes"
        );
    }
}
