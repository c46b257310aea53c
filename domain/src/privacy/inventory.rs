//! Every column of every table, classified once. `server/tests/privacy` compares this with
//! the migrated database, so a migration that adds a column must add it here, as personal
//! data (with its subject, purpose, legal basis and retention) or not.

use super::{
    ABANDONED_CHECKOUT_EMAIL_DAYS, Basis, CONTACT_REQUEST_DAYS, Category, EVENT_DAYS,
    EXPIRED_INVITATION_DAYS, PRIVACY_REQUEST_DAYS, Personal, Retention, SENT_MAIL_DAYS, Subject,
    Table,
};

const ACCOUNT: &str = "to run the person's account and send its notices";
const SIGN_IN: &str = "to let the person sign in and keep their account secure";
const PAYMENT: &str = "to take the payment, send the receipt and handle refunds";
const AML_RECORD: &str = "to keep the payment record anti-money-laundering law requires";
const DISPUTES: &str = "to answer card disputes (chargebacks)";
const FRAUD: &str = "to prevent fraud at checkout";
const SECURITY: &str = "to secure the platform and keep its audit trail";
const KYC: &str = "to verify the merchant as anti-money-laundering law requires";
const SANCTIONS: &str = "to screen merchants against sanctions lists as the law requires";
const PAYOUT: &str = "to pay the merchant's balance out";
const INVITE: &str = "to invite the person to a merchant's team";
const ENQUIRY: &str = "to answer the enquiry";
const MAIL: &str = "to deliver mail and keep evidence that it was sent";
const API: &str = "to show the merchant where its API keys were used";
const REQUEST: &str =
    "to answer the person's request about their data and show how it was answered";
const REQUEST_KEPT: Retention = Retention::Days {
    days: PRIVACY_REQUEST_DAYS,
    after: "the request was closed (an unconfirmed one: a week after its link expired)",
};
const WEBHOOK: &str = "to tell the merchant's own systems about its payments";

/// One line per column, so a review of a migration reads its classification at a glance.
#[rustfmt::skip]
pub const TABLES: &[Table] = &[
    Table {
        name: "account_tokens",
        personal: &[],
        not_personal: &["token_hash", "user_id", "purpose", "expires_at", "used_at", "created_at"],
    },
    Table {
        name: "api_idempotency",
        personal: &[
            Personal { column: "response_body", subject: Subject::Buyer, category: Category::Contact, what: "email address in a stored answer of the merchant API", purpose: PAYMENT, basis: Basis::Contract, retention: Retention::Until("the answer is no longer replayed (three days)"), kept_for_aml: false },
        ],
        not_personal: &["api_key_id", "key", "request_digest", "response_status", "created_at"],
    },
    Table {
        name: "api_keys",
        personal: &[
            Personal { column: "last_used_ip", subject: Subject::Visitor, category: Category::Network, what: "IP address an API key was last used from", purpose: API, basis: Basis::LegitimateInterests, retention: Retention::WhileAccountOpen, kept_for_aml: false },
        ],
        not_personal: &["id", "merchant_id", "mode", "name", "prefix", "digest", "permissions", "created_by", "created_at", "rolled_from", "expires_at", "revoked_at", "revoked_by", "last_used_at"],
    },
    Table {
        name: "audit.chain_checks",
        personal: &[],
        not_personal: &["id", "checked_at", "rows_checked", "head_id", "head_hash", "first_broken_id", "head_seq"],
    },
    Table {
        name: "audit.events",
        personal: &[
            Personal { column: "ip", subject: Subject::Visitor, category: Category::Network, what: "IP address", purpose: SECURITY, basis: Basis::LegitimateInterests, retention: Retention::AuditTrail, kept_for_aml: false },
            Personal { column: "user_agent", subject: Subject::Visitor, category: Category::Network, what: "browser or client description (user agent)", purpose: SECURITY, basis: Basis::LegitimateInterests, retention: Retention::AuditTrail, kept_for_aml: false },
            Personal { column: "subject_email", subject: Subject::Visitor, category: Category::Contact, what: "email address an action was about, such as a sign-in attempt", purpose: SECURITY, basis: Basis::LegitimateInterests, retention: Retention::AuditTrail, kept_for_aml: false },
        ],
        not_personal: &["id", "occurred_at", "event_type", "actor_kind", "actor_id", "merchant_id", "target_type", "target_id", "outcome", "reason", "detail", "request_id", "personal_salt", "personal_digest", "prev_hash", "row_hash", "seq"],
    },
    Table {
        name: "audit.purges",
        personal: &[],
        not_personal: &["id", "purged_at", "older_than", "rows_purged", "last_id", "last_hash", "last_seq"],
    },
    Table {
        name: "bank_accounts",
        personal: &[
            Personal { column: "holder_name", subject: Subject::KycPerson, category: Category::Financial, what: "bank account holder's name", purpose: PAYOUT, basis: Basis::Contract, retention: Retention::AmlRecords, kept_for_aml: true },
            Personal { column: "iban_enc", subject: Subject::KycPerson, category: Category::Financial, what: "bank account number (IBAN), encrypted", purpose: PAYOUT, basis: Basis::Contract, retention: Retention::AmlRecords, kept_for_aml: true },
            Personal { column: "iban_masked", subject: Subject::KycPerson, category: Category::Financial, what: "bank account number, masked", purpose: PAYOUT, basis: Basis::Contract, retention: Retention::AmlRecords, kept_for_aml: true },
        ],
        not_personal: &["id", "merchant_id", "created_by", "created_at", "payouts_from", "retired_at", "payout_returned_at"],
    },
    Table {
        name: "chargeback_evidence",
        personal: &[
            Personal { column: "content_enc", subject: Subject::Buyer, category: Category::Correspondence, what: "evidence a merchant files to answer a card dispute, encrypted", purpose: DISPUTES, basis: Basis::LegitimateInterests, retention: Retention::AmlRecords, kept_for_aml: true },
        ],
        not_personal: &["id", "chargeback_id", "merchant_id", "content_type", "size_bytes", "added_by", "added_at"],
    },
    Table {
        name: "chargebacks",
        personal: &[],
        not_personal: &["id", "request_id", "payment_id", "merchant_id", "mode", "amount_minor", "currency", "reason_code", "reported_on", "evidence_due_on", "status", "recorded_by", "recorded_at", "decided_by", "decided_at"],
    },
    Table {
        name: "checkout_items",
        personal: &[],
        not_personal: &["session_id", "position", "name", "product_id", "unit_amount_minor", "quantity"],
    },
    Table {
        name: "checkout_sessions",
        personal: &[
            Personal { column: "buyer_email", subject: Subject::Buyer, category: Category::Contact, what: "email address given at checkout", purpose: PAYMENT, basis: Basis::Contract, retention: Retention::Days { days: ABANDONED_CHECKOUT_EMAIL_DAYS, after: "an unpaid checkout expired (a paid one stays with its payment)" }, kept_for_aml: false },
        ],
        not_personal: &["id", "merchant_id", "mode", "token", "link_id", "amount_minor", "currency", "reference", "success_url", "cancel_url", "status", "created_by", "created_at", "expires_at", "paid_at", "plan_id", "subscription_id", "renews_id"],
    },
    Table {
        name: "contact_requests",
        personal: &[
            Personal { column: "name", subject: Subject::Enquirer, category: Category::Contact, what: "name", purpose: ENQUIRY, basis: Basis::LegitimateInterests, retention: Retention::Days { days: CONTACT_REQUEST_DAYS, after: "the message was received" }, kept_for_aml: false },
            Personal { column: "email", subject: Subject::Enquirer, category: Category::Contact, what: "email address", purpose: ENQUIRY, basis: Basis::LegitimateInterests, retention: Retention::Days { days: CONTACT_REQUEST_DAYS, after: "the message was received" }, kept_for_aml: false },
            Personal { column: "message", subject: Subject::Enquirer, category: Category::Correspondence, what: "message", purpose: ENQUIRY, basis: Basis::LegitimateInterests, retention: Retention::Days { days: CONTACT_REQUEST_DAYS, after: "the message was received" }, kept_for_aml: false },
        ],
        not_personal: &["id", "business_name", "created_at"],
    },
    Table {
        name: "dunning_schedules",
        personal: &[],
        not_personal: &["merchant_id", "mode", "max_declines", "grace_days", "updated_by", "updated_at"],
    },
    Table {
        name: "events",
        personal: &[
            Personal { column: "data", subject: Subject::Buyer, category: Category::Contact, what: "email address in payment events sent to the merchant's systems", purpose: WEBHOOK, basis: Basis::Contract, retention: Retention::Days { days: EVENT_DAYS, after: "the event" }, kept_for_aml: false },
        ],
        not_personal: &["id", "seq", "merchant_id", "mode", "type", "object_id", "created_at"],
    },
    Table {
        name: "fee_schedules",
        personal: &[],
        not_personal: &["id", "merchant_id", "percent_bp", "fixed_minor", "currency", "effective_from", "created_by", "created_at"],
    },
    Table {
        name: "gateway_accounts",
        personal: &[],
        not_personal: &["mode", "gate_url", "api_url", "client_id", "api_user", "store_key_enc", "api_password_enc", "updated_at", "store_key_set_at", "store_key_set_by", "api_password_set_at", "api_password_set_by", "updated_by"],
    },
    Table {
        name: "gateway_refusal_reports",
        personal: &[
            Personal { column: "client_key", subject: Subject::Visitor, category: Category::Network, what: "IP address whose gateway answers were refused", purpose: SECURITY, basis: Basis::LegitimateInterests, retention: Retention::Until("two days after the report"), kept_for_aml: false },
        ],
        not_personal: &["window_start", "refusals", "reported_at"],
    },
    Table {
        name: "invitations_to_accounts",
        personal: &[
            Personal { column: "email", subject: Subject::Invitee, category: Category::Contact, what: "email address", purpose: INVITE, basis: Basis::LegitimateInterests, retention: Retention::Days { days: EXPIRED_INVITATION_DAYS, after: "the invitation expired" }, kept_for_aml: false },
            Personal { column: "full_name", subject: Subject::Invitee, category: Category::Contact, what: "name", purpose: INVITE, basis: Basis::LegitimateInterests, retention: Retention::Days { days: EXPIRED_INVITATION_DAYS, after: "the invitation expired" }, kept_for_aml: false },
        ],
        not_personal: &["id", "merchant_id", "role", "created_at"],
    },
    Table {
        name: "kyc_applications",
        personal: &[
            Personal { column: "pep_details", subject: Subject::KycPerson, category: Category::Identity, what: "details of a political exposure", purpose: KYC, basis: Basis::LegalObligation, retention: Retention::WhileMerchantKeeps, kept_for_aml: true },
        ],
        not_personal: &["merchant_id", "status", "legal_form", "registered_name", "trading_name", "registration_number", "fiscal_number", "vat_number", "address_line", "city", "postal_code", "website", "category", "monthly_volume_minor", "average_ticket_minor", "pep_declared", "submitted_at", "decided_at", "decided_by", "rejection_reason", "reverification_due_at", "restricted_at", "changes_requested_by", "updated_at", "created_at"],
    },
    Table {
        name: "kyc_documents",
        personal: &[
            Personal { column: "content_enc", subject: Subject::KycPerson, category: Category::Identity, what: "identity and business documents, encrypted", purpose: KYC, basis: Basis::LegalObligation, retention: Retention::WhileMerchantKeeps, kept_for_aml: true },
        ],
        not_personal: &["id", "merchant_id", "kind", "person_id", "content_type", "size_bytes", "uploaded_by", "uploaded_at", "replaced_at"],
    },
    Table {
        name: "kyc_items",
        personal: &[],
        not_personal: &["merchant_id", "item", "state", "reason", "reviewed_by", "reviewed_at", "updated_at"],
    },
    Table {
        name: "kyc_people",
        personal: &[
            Personal { column: "ownership_percent", subject: Subject::KycPerson, category: Category::Identity, what: "ownership share", purpose: KYC, basis: Basis::LegalObligation, retention: Retention::WhileMerchantKeeps, kept_for_aml: true },
            Personal { column: "full_name", subject: Subject::KycPerson, category: Category::Identity, what: "full name", purpose: KYC, basis: Basis::LegalObligation, retention: Retention::WhileMerchantKeeps, kept_for_aml: true },
            Personal { column: "date_of_birth", subject: Subject::KycPerson, category: Category::Identity, what: "date of birth", purpose: KYC, basis: Basis::LegalObligation, retention: Retention::WhileMerchantKeeps, kept_for_aml: true },
            Personal { column: "nationality", subject: Subject::KycPerson, category: Category::Identity, what: "nationality", purpose: KYC, basis: Basis::LegalObligation, retention: Retention::WhileMerchantKeeps, kept_for_aml: true },
            Personal { column: "personal_number_enc", subject: Subject::KycPerson, category: Category::Identity, what: "personal number, encrypted", purpose: KYC, basis: Basis::LegalObligation, retention: Retention::WhileMerchantKeeps, kept_for_aml: true },
            Personal { column: "address", subject: Subject::KycPerson, category: Category::Identity, what: "home address", purpose: KYC, basis: Basis::LegalObligation, retention: Retention::WhileMerchantKeeps, kept_for_aml: true },
            Personal { column: "is_pep", subject: Subject::KycPerson, category: Category::Identity, what: "whether the person is politically exposed", purpose: KYC, basis: Basis::LegalObligation, retention: Retention::WhileMerchantKeeps, kept_for_aml: true },
            Personal { column: "identity_document", subject: Subject::KycPerson, category: Category::Identity, what: "kind of identity document", purpose: KYC, basis: Basis::LegalObligation, retention: Retention::WhileMerchantKeeps, kept_for_aml: true },
        ],
        not_personal: &["id", "merchant_id", "is_representative", "created_at", "removed_at"],
    },
    Table {
        name: "ledger_accounts",
        personal: &[],
        not_personal: &["id", "kind", "merchant_id", "mode", "currency", "balance_minor"],
    },
    Table {
        name: "ledger_adjustments",
        personal: &[],
        not_personal: &["id", "merchant_id", "mode", "currency", "direction", "amount_minor", "counter_account", "reason", "status", "needs_second", "requested_by", "requested_at", "decided_by", "decided_at", "entry_id"],
    },
    Table {
        name: "ledger_entries",
        personal: &[],
        not_personal: &["id", "kind", "mode", "merchant_id", "cause", "payment_id", "memo", "created_by", "posted_at"],
    },
    Table {
        name: "ledger_holds",
        personal: &[],
        not_personal: &["id", "merchant_id", "mode", "currency", "payment_id", "kind", "amount_minor", "remaining_minor", "release_on", "released_at"],
    },
    Table {
        name: "ledger_lines",
        personal: &[],
        not_personal: &["id", "entry_id", "account_id", "mode", "currency", "amount_minor", "balance_after_minor"],
    },
    Table {
        name: "mail_outbox",
        personal: &[
            Personal { column: "to_address", subject: Subject::Recipient, category: Category::Contact, what: "email address", purpose: MAIL, basis: Basis::Contract, retention: Retention::Days { days: SENT_MAIL_DAYS, after: "the mail was sent or delivery gave up" }, kept_for_aml: false },
            Personal { column: "subject", subject: Subject::Recipient, category: Category::Correspondence, what: "subject line of a mail", purpose: MAIL, basis: Basis::Contract, retention: Retention::Days { days: SENT_MAIL_DAYS, after: "the mail was sent or delivery gave up" }, kept_for_aml: false },
            Personal { column: "body", subject: Subject::Recipient, category: Category::Correspondence, what: "text of a mail, encrypted", purpose: MAIL, basis: Basis::Contract, retention: Retention::Days { days: SENT_MAIL_DAYS, after: "delivery gave up (erased as soon as the mail is sent)" }, kept_for_aml: false },
        ],
        not_personal: &["id", "created_at", "attempts", "next_attempt_at", "sent_at", "failed_at", "last_error"],
    },
    Table {
        name: "merchant_members",
        personal: &[],
        not_personal: &["merchant_id", "user_id", "role", "created_at"],
    },
    Table {
        name: "merchant_settlement",
        personal: &[],
        not_personal: &["merchant_id", "delay_days", "reserve_bp", "reserve_days", "payout_schedule", "payout_weekday", "payout_month_day", "payout_minimum_minor", "updated_by", "updated_at"],
    },
    Table {
        name: "merchants",
        personal: &[],
        not_personal: &["id", "business_name", "verified_at", "suspended_at", "created_at", "max_payment_minor", "closed_at"],
    },
    Table {
        name: "mfa_recovery_codes",
        personal: &[
            Personal { column: "code_hash", subject: Subject::AccountHolder, category: Category::Authentication, what: "two-factor recovery codes, hashed", purpose: SIGN_IN, basis: Basis::Contract, retention: Retention::WhileAccountOpen, kept_for_aml: false },
        ],
        not_personal: &["user_id", "used_at"],
    },
    Table {
        name: "payment_events",
        personal: &[],
        not_personal: &["id", "payment_id", "at", "source", "from_status", "to_status", "note"],
    },
    Table {
        name: "payment_fees",
        personal: &[],
        not_personal: &["payment_id", "schedule_id", "currency", "gross_minor", "fee_minor", "vat_minor", "net_minor", "vat_rate_bp"],
    },
    Table {
        name: "payment_links",
        personal: &[],
        not_personal: &["id", "merchant_id", "mode", "token", "product_id", "title", "amount_minor", "currency", "max_payments", "expires_at", "archived_at", "created_by", "created_at", "paid_count", "plan_id"],
    },
    Table {
        name: "payments",
        personal: &[
            Personal { column: "buyer_email", subject: Subject::Buyer, category: Category::Contact, what: "email address the receipt went to", purpose: PAYMENT, basis: Basis::Contract, retention: Retention::AmlRecords, kept_for_aml: false },
            Personal { column: "masked_pan", subject: Subject::Buyer, category: Category::Financial, what: "masked card number (first six and last four digits)", purpose: AML_RECORD, basis: Basis::LegalObligation, retention: Retention::AmlRecords, kept_for_aml: true },
            Personal { column: "card_brand", subject: Subject::Buyer, category: Category::Financial, what: "card brand", purpose: AML_RECORD, basis: Basis::LegalObligation, retention: Retention::AmlRecords, kept_for_aml: true },
        ],
        not_personal: &["id", "merchant_id", "mode", "session_id", "order_id", "gateway_client_id", "amount_minor", "currency", "status", "auth_code", "host_ref_num", "trans_id", "proc_return_code", "md_status", "decline_reason", "refunded_minor", "created_at", "updated_at", "paid_at", "refund_pending_minor", "recon_due_at", "recon_attempts", "recon_state", "recon_checked_at", "eci", "liability_shifted", "subscription_id", "installment", "buyer_locale"],
    },
    Table {
        name: "payout_batches",
        personal: &[],
        not_personal: &["id", "mode", "currency", "status", "created_by", "created_at", "approved_by", "approved_at", "sent_by", "sent_at"],
    },
    Table {
        name: "payout_statement_imports",
        personal: &[],
        not_personal: &["id", "file_name", "imported_by", "imported_at"],
    },
    Table {
        name: "payout_statement_lines",
        personal: &[],
        not_personal: &["id", "import_id", "line_no", "booked_on", "amount_minor", "end_to_end_id", "payout_id", "outcome", "note"],
    },
    Table {
        name: "payouts",
        personal: &[],
        not_personal: &["id", "batch_id", "merchant_id", "bank_account_id", "mode", "currency", "amount_minor", "run_on", "end_to_end_id", "status", "created_at", "sent_at", "paid_at", "returned_at", "return_reason", "settled_by"],
    },
    Table {
        name: "privacy_exports",
        personal: &[
            Personal { column: "archive_enc", subject: Subject::Requester, category: Category::Correspondence, what: "the archive that answers an access request, encrypted", purpose: REQUEST, basis: Basis::LegalObligation, retention: Retention::Until("it is downloaded, or its link expires a week after it was sent"), kept_for_aml: false },
        ],
        not_personal: &["request_id", "token_hash", "expires_at", "created_by", "created_at", "downloaded_at"],
    },
    Table {
        name: "privacy_request_kyc_people",
        personal: &[],
        not_personal: &["request_id", "request_kind", "kyc_person_id", "linked_by", "linked_at"],
    },
    Table {
        name: "privacy_requests",
        personal: &[
            Personal { column: "email", subject: Subject::Requester, category: Category::Contact, what: "email address", purpose: REQUEST, basis: Basis::LegalObligation, retention: REQUEST_KEPT, kept_for_aml: false },
            Personal { column: "details", subject: Subject::Requester, category: Category::Correspondence, what: "what the request is about, and how it was answered", purpose: REQUEST, basis: Basis::LegalObligation, retention: REQUEST_KEPT, kept_for_aml: false },
            Personal { column: "extended_reason", subject: Subject::Requester, category: Category::Correspondence, what: "what the request is about, and how it was answered", purpose: REQUEST, basis: Basis::LegalObligation, retention: REQUEST_KEPT, kept_for_aml: false },
            Personal { column: "outcome", subject: Subject::Requester, category: Category::Correspondence, what: "what the request is about, and how it was answered", purpose: REQUEST, basis: Basis::LegalObligation, retention: REQUEST_KEPT, kept_for_aml: false },
        ],
        not_personal: &["id", "kind", "status", "token_hash", "token_expires_at", "requested_at", "verified_at", "due_on", "assigned_to", "closed_at", "closed_by"],
    },
    Table {
        name: "products",
        personal: &[],
        not_personal: &["id", "merchant_id", "mode", "name", "price_minor", "currency", "archived_at", "created_at", "description"],
    },
    Table {
        name: "public_holidays",
        personal: &[],
        not_personal: &["day", "name"],
    },
    Table {
        name: "rate_limit_hits",
        personal: &[
            Personal { column: "key", subject: Subject::Visitor, category: Category::Network, what: "IP address, or a digest of an email address, being counted", purpose: SECURITY, basis: Basis::LegitimateInterests, retention: Retention::Until("a day after its window"), kept_for_aml: false },
        ],
        not_personal: &["bucket", "window_start", "hits"],
    },
    Table {
        name: "reconciliation_exceptions",
        personal: &[],
        not_personal: &["id", "payment_id", "merchant_id", "mode", "kind", "platform_state", "gateway_state", "gateway_status", "gateway_refunded_minor", "created_at", "resolved_at", "resolved_by", "resolution", "note", "ledger_account_id"],
    },
    Table {
        name: "refunds",
        personal: &[],
        not_personal: &["id", "payment_id", "merchant_id", "mode", "request_id", "amount_minor", "currency", "method", "status", "reason", "requested_by", "requested_via", "host_ref_num", "trans_id", "failure", "created_at", "completed_at", "sent_at"],
    },
    Table {
        name: "risk_blocklist",
        personal: &[
            Personal { column: "value", subject: Subject::Buyer, category: Category::Contact, what: "blocked email address, IP address or card prefix", purpose: FRAUD, basis: Basis::LegitimateInterests, retention: Retention::Until("staff lift the block"), kept_for_aml: false },
        ],
        not_personal: &["id", "kind", "network", "note", "created_by", "created_at"],
    },
    Table {
        name: "risk_decisions",
        personal: &[
            Personal { column: "ip", subject: Subject::Buyer, category: Category::Network, what: "IP address at checkout", purpose: FRAUD, basis: Basis::LegitimateInterests, retention: Retention::AmlRecords, kept_for_aml: false },
            Personal { column: "buyer_email", subject: Subject::Buyer, category: Category::Contact, what: "email address at checkout", purpose: FRAUD, basis: Basis::LegitimateInterests, retention: Retention::AmlRecords, kept_for_aml: false },
        ],
        not_personal: &["id", "merchant_id", "mode", "session_id", "payment_id", "amount_minor", "currency", "action", "reasons", "created_at"],
    },
    Table {
        name: "risk_rules",
        personal: &[],
        not_personal: &["rule", "limit_value", "window_minutes", "min_attempts", "action", "enabled", "updated_by", "updated_at"],
    },
    Table {
        name: "sanctions_entries",
        personal: &[
            Personal { column: "name", subject: Subject::ListedPerson, category: Category::Identity, what: "name", purpose: SANCTIONS, basis: Basis::LegalObligation, retention: Retention::Until("the list is replaced by a newer one"), kept_for_aml: false },
            Personal { column: "aliases", subject: Subject::ListedPerson, category: Category::Identity, what: "other names", purpose: SANCTIONS, basis: Basis::LegalObligation, retention: Retention::Until("the list is replaced by a newer one"), kept_for_aml: false },
            Personal { column: "date_of_birth", subject: Subject::ListedPerson, category: Category::Identity, what: "date of birth", purpose: SANCTIONS, basis: Basis::LegalObligation, retention: Retention::Until("the list is replaced by a newer one"), kept_for_aml: false },
        ],
        not_personal: &["id", "list_id", "source_list", "reference"],
    },
    Table {
        name: "sanctions_hits",
        personal: &[
            Personal { column: "subject_name", subject: Subject::KycPerson, category: Category::Identity, what: "name screened and found similar to a listed name", purpose: SANCTIONS, basis: Basis::LegalObligation, retention: Retention::AmlRecords, kept_for_aml: true },
            Personal { column: "entry_name", subject: Subject::ListedPerson, category: Category::Identity, what: "listed name", purpose: SANCTIONS, basis: Basis::LegalObligation, retention: Retention::AmlRecords, kept_for_aml: true },
            Personal { column: "matched_name", subject: Subject::ListedPerson, category: Category::Identity, what: "listed name or alias that matched", purpose: SANCTIONS, basis: Basis::LegalObligation, retention: Retention::AmlRecords, kept_for_aml: true },
            Personal { column: "entry_date_of_birth", subject: Subject::ListedPerson, category: Category::Identity, what: "listed date of birth", purpose: SANCTIONS, basis: Basis::LegalObligation, retention: Retention::AmlRecords, kept_for_aml: true },
        ],
        not_personal: &["id", "merchant_id", "subject", "person_id", "list_id", "source_list", "reference", "score", "found_at", "decision", "note", "decided_by", "decided_at"],
    },
    Table {
        name: "sanctions_lists",
        personal: &[],
        not_personal: &["id", "source", "entry_count", "loaded_at", "replaced_at"],
    },
    Table {
        name: "sessions",
        personal: &[
            Personal { column: "data", subject: Subject::AccountHolder, category: Category::Authentication, what: "sign-in session, with the IP address and browser it was started from", purpose: SIGN_IN, basis: Basis::Contract, retention: Retention::Until("the session ends"), kept_for_aml: false },
        ],
        not_personal: &["id_hash", "expires_at", "user_id", "created_at"],
    },
    Table {
        name: "staff_permissions",
        personal: &[],
        not_personal: &["user_id", "module", "level", "granted_by", "granted_at"],
    },
    Table {
        name: "subscription_consents",
        personal: &[],
        not_personal: &["payment_id", "text", "consented_at"],
    },
    Table {
        name: "subscription_plans",
        personal: &[],
        not_personal: &["id", "merchant_id", "mode", "product_id", "name", "amount_minor", "currency", "interval", "interval_count", "installments", "until_cancelled", "archived_at", "created_by", "created_at"],
    },
    Table {
        name: "subscription_portal_links",
        personal: &[],
        not_personal: &["digest", "subscription_id", "created_at", "expires_at"],
    },
    Table {
        name: "subscriptions",
        personal: &[],
        not_personal: &["id", "merchant_id", "mode", "plan_id", "first_payment_id", "amount_minor", "currency", "interval", "interval_count", "installments", "recurring_id", "status", "paid_installments", "next_charge_at", "poll_due_at", "poll_attempts", "cancel_requested_at", "cancelled_at", "ended_at", "created_at", "cancel_for_unpaid", "cancel_at", "until_cancelled", "renews"],
    },
    Table {
        name: "user_mfa",
        personal: &[
            Personal { column: "totp_secret", subject: Subject::AccountHolder, category: Category::Authentication, what: "two-factor secret, encrypted", purpose: SIGN_IN, basis: Basis::Contract, retention: Retention::WhileAccountOpen, kept_for_aml: false },
        ],
        not_personal: &["user_id", "enabled_at", "last_used_step", "created_at"],
    },
    Table {
        name: "users",
        personal: &[
            Personal { column: "email", subject: Subject::AccountHolder, category: Category::Contact, what: "email address", purpose: ACCOUNT, basis: Basis::Contract, retention: Retention::WhileAccountOpen, kept_for_aml: false },
            Personal { column: "full_name", subject: Subject::AccountHolder, category: Category::Contact, what: "name", purpose: ACCOUNT, basis: Basis::Contract, retention: Retention::WhileAccountOpen, kept_for_aml: false },
            Personal { column: "password_hash", subject: Subject::AccountHolder, category: Category::Authentication, what: "password, as an Argon2id hash", purpose: SIGN_IN, basis: Basis::Contract, retention: Retention::WhileAccountOpen, kept_for_aml: false },
        ],
        not_personal: &["id", "kind", "email_verified_at", "disabled_at", "created_at"],
    },
    Table {
        name: "webhook_attempts",
        personal: &[],
        not_personal: &["id", "delivery_id", "endpoint_id", "event_id", "attempt", "attempted_at", "response_status", "response_body", "duration_ms", "error_class"],
    },
    Table {
        name: "webhook_deliveries",
        personal: &[],
        not_personal: &["id", "endpoint_id", "event_id", "event_seq", "object_id", "manual", "status", "attempts", "next_attempt_at", "created_at", "lease_owner", "leased_until"],
    },
    Table {
        name: "webhook_endpoints",
        personal: &[],
        not_personal: &["id", "merchant_id", "mode", "url", "description", "event_types", "enabled", "disabled_reason", "secret", "previous_secret", "previous_secret_expires_at", "failing_since", "created_at", "updated_at"],
    },
];
