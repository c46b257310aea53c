//! The staff review of KYC applications against the real server and Postgres: the queue
//! and one application as staff read it, every allowed and refused decision, four eyes,
//! step-up, who may decide, and what the outcome does to Live Mode (approval opens it;
//! rejection, an overdue re-verification and a suspension close it), with the mails.
//! Applications are built in the database (`support::applications`): the merchant's forms
//! are another part of the issue.

use crate::support;

use app::error::AppError;
use platform::kyc::Item;
use platform::payments::{Mode, effective_mode};
use reqwest::Response;
use serde_json::Value;
use sqlx::PgPool;
use support::accounts::{Visitor, error_of, mails_to};
use support::applications::{
    PERSONAL_NUMBER, accept, accept_all, approve, ask_changes, reject, resubmit, reverify,
    snapshot, states, submitted, tomorrow,
};
use support::world::{Actor, World, cast, visitor, world};
use uuid::Uuid;

mod flow;
mod live_mode;
mod reviewers;

async fn ok(response: Response) -> Value {
    let status = response.status();
    let body = response.text().await.unwrap();
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap_or(Value::Null)
}

/// The refusal's field and message, for a decision the server refused as invalid.
async fn refusal(response: Response) -> (String, String) {
    match error_of(response).await {
        AppError::Validation { field, message } => (field, message),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// Merchant A's application, submitted and approved by the act staff member.
async fn approved(world: &World) -> String {
    submitted(
        &world.server.platform,
        world.merchant_a,
        world.users[&Actor::OwnerA],
    )
    .await;
    let merchant = world.merchant_a.to_string();
    let mut staff = visitor(world, Actor::StaffAct).await;
    accept_all(&mut staff, &merchant).await;
    ok(approve(&mut staff, &merchant).await).await;
    merchant
}

async fn live(world: &World, merchant: Uuid) -> bool {
    let mut conn = world.server.platform.pool.acquire().await.unwrap();
    effective_mode(
        &mut conn,
        domain::MerchantId::from_uuid(merchant),
        Mode::Live,
    )
    .await
    .unwrap()
        == Mode::Live
}

/// What the owner's dashboard says about Live Mode: `Open`, `Restricted`, ...
async fn live_access(world: &World) -> String {
    let state = ok(visitor(world, Actor::OwnerA)
        .await
        .post("/api/dashboard/mode", &[])
        .await)
    .await;
    state["live"].as_str().unwrap().to_owned()
}

async fn audit_types(pool: &PgPool, merchant: Uuid) -> Vec<(String, String, Option<Uuid>)> {
    sqlx::query_as(
        "SELECT event_type, actor_kind::text, actor_id FROM audit.events
         WHERE merchant_id = $1 AND event_type LIKE 'kyc.%' ORDER BY id",
    )
    .bind(merchant)
    .fetch_all(pool)
    .await
    .unwrap()
}
