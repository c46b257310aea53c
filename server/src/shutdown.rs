//! Stopping cleanly. On SIGTERM (what an orchestrator sends before it kills) or SIGINT
//! (Ctrl-C) the server stops accepting connections, lets the requests in flight finish and
//! the background workers finish the pass they are in, then exits 0. A request or pass
//! still running after `shutdown_grace_secs` does not hold the exit: the process logs it
//! and exits non-zero, so a deploy never waits on a stuck connection.

use tokio::sync::watch;

/// Asks everything holding a [`Stop`] to stop.
pub struct StopSender(watch::Sender<bool>);

impl StopSender {
    pub fn stop(&self) {
        self.0.send_replace(true);
    }
}

/// A stop that may be asked for; each worker and the listener hold a clone.
#[derive(Clone)]
pub struct Stop(watch::Receiver<bool>);

impl Stop {
    /// Whether a stop has been asked for, for work that looks between its items.
    pub fn is_requested(&self) -> bool {
        *self.0.borrow()
    }

    /// Resolves once a stop is asked for. With its sender gone no stop can be asked for,
    /// so it then never resolves (a test that drops its sender keeps its server).
    pub async fn requested(mut self) {
        if self.0.wait_for(|asked| *asked).await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

pub fn channel() -> (StopSender, Stop) {
    let (sender, receiver) = watch::channel(false);
    (StopSender(sender), Stop(receiver))
}

/// Resolves on the first SIGTERM or SIGINT.
pub async fn terminate_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                terminate.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        () = interrupt => tracing::info!("SIGINT: stopping"),
        () = terminate => tracing::info!("SIGTERM: stopping"),
    }
}
