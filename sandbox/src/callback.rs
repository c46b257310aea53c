//! Server-to-server callbacks to the merchant's `callbackUrl`, in the
//! background, retried with backoff until the merchant answers `Approved`.

use std::sync::Arc;
use std::time::Duration;

use crate::SandboxState;
use crate::clock::lock;
use crate::faults::{Fault, FaultKind};

pub fn spawn_callback(
    state: Arc<SandboxState>,
    url: String,
    fields: Vec<(String, String)>,
    client_id: String,
    oid: String,
) {
    tokio::spawn(async move {
        let delay = lock(&state.faults).take(FaultKind::Delay, &client_id, &oid);
        if let Some(Fault::Delay { ms }) = delay {
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
        let mut backoff = state.config.callback_backoff;
        for attempt in 1..=state.config.callback_attempts {
            let result = state.http.post(&url).form(&fields).send().await;
            let accepted = match result {
                Ok(r) if r.status().is_success() => {
                    r.text().await.is_ok_and(|b| b.trim() == "Approved")
                }
                Ok(r) => {
                    tracing::warn!(
                        oid,
                        attempt,
                        status = r.status().as_u16(),
                        "callback refused"
                    );
                    false
                }
                Err(e) => {
                    tracing::warn!(oid, attempt, error = %e.without_url(), "callback failed");
                    false
                }
            };
            if accepted {
                tracing::info!(oid, attempt, "callback delivered");
                return;
            }
            if attempt < state.config.callback_attempts {
                tokio::time::sleep(backoff).await;
                backoff = backoff.saturating_mul(2);
            }
        }
        tracing::warn!(oid, "callback abandoned");
    });
}
