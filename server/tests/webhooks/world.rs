//! A merchant with a receiver, and short cuts to its endpoints, events and the worker.

use domain::{EventType, MerchantId, Mode};
use platform::Platform;
use platform::audit::RequestFacts;
use platform::config::Settings;
use platform::identity::roles::MerchantScope;
use platform::webhooks::delivery::{self, Report};
use platform::webhooks::endpoints::{self, Created, NewEndpoint};
use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::support::checkout::merchant;
use crate::support::receiver::{Answer, Receiver};
use crate::support::{TestServer, start_with};

pub struct World {
    pub server: TestServer,
    pub scope: MerchantScope,
    pub merchant_id: Uuid,
    pub receiver: Receiver,
}

pub fn facts() -> RequestFacts {
    RequestFacts::default()
}

/// A verified merchant (Live allowed), a receiver answering `default`, and a server whose
/// webhooks time out after half a second.
pub async fn world_with(
    pool: PgPool,
    default: Answer,
    adjust: impl FnOnce(&mut Settings),
) -> World {
    let server = start_with(pool.clone(), |settings| {
        settings.webhooks.timeout_ms = 500;
        adjust(settings);
    })
    .await;
    let (merchant_id, scope) = merchant(&pool, "Dardania Crafts", true).await;
    World {
        server,
        scope,
        merchant_id,
        receiver: Receiver::start(default).await,
    }
}

pub async fn world(pool: PgPool) -> World {
    world_with(pool, Answer::Status(200), |_| {}).await
}

impl World {
    pub fn platform(&self) -> &Platform {
        &self.server.platform
    }

    pub fn owner_email(&self) -> String {
        format!("owner-{}@shop.test", self.merchant_id)
    }

    /// A Test Mode endpoint at the receiver for `types` (`None`: all).
    pub async fn endpoint(&self, types: Option<Vec<EventType>>) -> Created {
        let new = NewEndpoint {
            url: self.receiver.url.clone(),
            event_types: types,
            description: "shop".into(),
        };
        endpoints::create(self.platform(), &self.scope, Mode::Test, &new, &facts())
            .await
            .unwrap()
    }

    /// Records a Test Mode event about payment `object` in a transaction of its own.
    pub async fn event(&self, kind: EventType, object: &str) -> Uuid {
        self.event_in(Mode::Test, kind, object).await
    }

    pub async fn event_in(&self, mode: Mode, kind: EventType, object: &str) -> Uuid {
        let mut tx = self.platform().pool.begin().await.unwrap();
        let id = platform::events::record(
            &mut tx,
            MerchantId::from_uuid(self.merchant_id),
            mode,
            kind,
            object,
            serde_json::json!({ "id": object, "object": "payment", "amount": 1250, "currency": "EUR" }),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        id
    }

    pub async fn deliver(&self, now: OffsetDateTime) -> Report {
        delivery::deliver_due(self.platform(), now).await.unwrap()
    }

    /// Delivers at `now` until a pass finds nothing due.
    pub async fn deliver_all(&self, now: OffsetDateTime) -> Report {
        let mut total = Report::default();
        loop {
            let report = self.deliver(now).await;
            if report.attempted == 0 {
                return total;
            }
            total.attempted += report.attempted;
            total.delivered += report.delivered;
            total.disabled += report.disabled;
        }
    }

    /// `(status, attempts)` of each delivery to the endpoint, in event order.
    pub async fn deliveries(&self, endpoint: Uuid) -> Vec<(String, i32)> {
        sqlx::query_as(
            "SELECT status, attempts FROM webhook_deliveries WHERE endpoint_id = $1 ORDER BY event_seq, created_at",
        )
        .bind(endpoint)
        .fetch_all(&self.platform().pool)
        .await
        .unwrap()
    }

    /// When the endpoint's next pending delivery is due.
    pub async fn next_attempt(&self, endpoint: Uuid) -> Option<OffsetDateTime> {
        sqlx::query_scalar(
            "SELECT min(next_attempt_at) FROM webhook_deliveries WHERE endpoint_id = $1 AND status = 'pending'",
        )
        .bind(endpoint)
        .fetch_one(&self.platform().pool)
        .await
        .unwrap()
    }

    /// The audit trail's event types about webhook endpoints, in order.
    pub async fn audited(&self) -> Vec<String> {
        sqlx::query_scalar(
            "SELECT event_type FROM audit.events WHERE target_type = 'webhook_endpoint' ORDER BY id",
        )
        .fetch_all(&self.platform().pool)
        .await
        .unwrap()
    }
}
