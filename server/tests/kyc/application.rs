//! The merchant's KYC application against the real server and Postgres: every field
//! checked on the server with nothing saved half-way, drafts step by step, the people
//! rules, encryption at rest, files judged by their content, IDOR attempts, roles, submitting
//! only when complete, and no personal number or document in the audit trail or the log.

use crate::support;

use app::error::AppError;
use sqlx::PgPool;
use support::accounts::{Visitor, error_of, location};
use support::kyc::{
    REPRESENTATIVE_NAME, REPRESENTATIVE_NUMBER, business, checklist, document_count, documents,
    owner, pdf, people, png, post, representative, state, upload, with,
};
use support::world::{Actor, World, session_cookie, visitor, world};
use uuid::Uuid;

mod access;
mod documents;
mod fields;

const BUSINESS: &str = "/api/kyc/business/save";
const PERSON: &str = "/api/kyc/person/save";
const REMOVE: &str = "/api/kyc/person/remove";
const SUBMIT: &str = "/api/kyc/submit";

async fn field_of(response: reqwest::Response) -> String {
    assert_eq!(response.status(), 422);
    match error_of(response).await {
        AppError::Validation { field, .. } => field,
        other => panic!("expected a field error, got {other:?}"),
    }
}

async fn registered_name(pool: &PgPool, merchant: Uuid) -> Option<String> {
    sqlx::query_scalar("SELECT registered_name FROM kyc_applications WHERE merchant_id = $1")
        .bind(merchant)
        .fetch_optional(pool)
        .await
        .unwrap()
        .flatten()
}
