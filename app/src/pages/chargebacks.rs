//! The dashboard's Chargebacks: the list with each deadline and status, and one
//! chargeback with what is on file (the payment's 3-D Secure result and receipt) and the
//! evidence added, where owners, admins and finance members add a statement or a file
//! until the deadline. The console's page shows the same record ([`ChargebackRecord`]).

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::chargebacks::{
    AddChargebackEvidence, ChargebackDetailView, ChargebackRowView, EvidenceView,
    chargeback_detail, chargebacks,
};
use crate::components::form::{Field, FormError, field_error, form_error, succeeded};
use crate::pages::payments::{DashboardShell, load_error};
use domain::ChargebackStatus;

/// A chargeback's status as a badge: its words and class.
pub fn status_badge(status: ChargebackStatus) -> impl IntoView + use<> {
    let class = match status {
        ChargebackStatus::Open | ChargebackStatus::EvidenceSubmitted => "badge pending",
        ChargebackStatus::Won => "badge ok",
        ChargebackStatus::Lost => "badge bad",
    };
    view! { <span class=class>{status.label()}</span> }
}

#[component]
pub fn ChargebacksPage() -> impl IntoView {
    view! { <DashboardShell title="Chargebacks" body=|_| view! { <ChargebackList /> } /> }
}

#[component]
fn ChargebackList() -> impl IntoView {
    let list = Resource::new(|| (), |_| chargebacks());
    view! {
        <p>"When a card holder's bank disputes a payment, the acquirer takes the money back and we deduct it from \
            your balance. Add your evidence before the deadline; if the chargeback is decided for you, the money \
            comes back."</p>
        <Transition fallback=|| view! { <p>"Loading the chargebacks…"</p> }>
            {move || list.get().map(|result| match result {
                Ok(rows) if rows.is_empty() => view! { <p>"No chargebacks."</p> }.into_any(),
                Ok(rows) => view! { <ChargebackTable rows href="/dashboard/chargebacks" with_merchant=false /> }.into_any(),
                Err(error) => load_error(error),
            })}
        </Transition>
    }
}

/// The list as a table; `href` is the base of each chargeback's page.
#[component]
pub fn ChargebackTable(
    rows: Vec<ChargebackRowView>,
    href: &'static str,
    with_merchant: bool,
) -> impl IntoView {
    view! {
        <table class="list chargebacks">
            <thead>
                <tr>
                    <th>"Recorded"</th>
                    {with_merchant.then(|| view! { <th>"Merchant"</th> })}
                    <th>"Order"</th><th>"Amount"</th><th>"Reason code"</th><th>"Evidence due"</th><th>"Status"</th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|c| view! {
                    <tr>
                        <td><a href=format!("{href}/{}", c.id)>{c.recorded}</a></td>
                        {with_merchant.then(|| view! { <td>{c.merchant_name}</td> })}
                        <td><code>{c.order_id}</code></td>
                        <td>{c.amount.to_string()}</td>
                        <td>{c.reason_code}</td>
                        <td>{c.evidence_due_on}</td>
                        <td>{status_badge(c.status)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
pub fn ChargebackPage() -> impl IntoView {
    view! { <DashboardShell title="Chargeback" body=|_| view! { <Chargeback /> } /> }
}

/// What the upload route's redirect says, in the page's words (the codes are fixed, never
/// text from the request).
fn upload_message(code: &str) -> &'static str {
    match code {
        "size" => "The file is larger than 10 MB. Upload a smaller one.",
        "type" => "Upload a PDF, JPEG or PNG file.",
        "empty" => "Choose a file to upload.",
        "closed" => {
            "Evidence is closed for this chargeback: it was decided or its deadline has passed."
        }
        _ => "The file could not be added.",
    }
}

#[component]
fn Chargeback() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let add = ServerAction::<AddChargebackEvidence>::new();
    let detail = Resource::new(
        move || {
            (
                params.read().get("id").unwrap_or_default(),
                add.version().get(),
            )
        },
        |(id, _)| chargeback_detail(id),
    );
    let uploaded = move || {
        query
            .read()
            .get("uploaded")
            .map(|_| view! { <p class="success" role="status">"The file was added."</p> })
    };
    let upload_error = move || {
        query
            .read()
            .get("upload_error")
            .map(|code| view! { <p class="form-error" role="alert">{upload_message(&code)}</p> })
    };
    view! {
        <p class="aside"><a href="/dashboard/chargebacks">"All chargebacks"</a></p>
        {uploaded}
        {upload_error}
        <Transition fallback=|| view! { <p>"Loading the chargeback…"</p> }>
            {move || detail.get().map(|result| match result {
                Ok(detail) => {
                    let id = detail.chargeback.id.clone();
                    let forms = detail.can_add_evidence.then(|| view! { <EvidenceForms id add /> });
                    view! {
                        <ChargebackRecord detail payment_href="/dashboard/payments" />
                        {forms}
                    }
                    .into_any()
                }
                Err(error) => load_error(error),
            })}
        </Transition>
    }
}

/// A statement (a server function) and a file (the multipart route, a plain form post).
#[component]
fn EvidenceForms(id: String, add: ServerAction<AddChargebackEvidence>) -> impl IntoView {
    let upload = format!("/api/chargebacks/{id}/evidence");
    view! {
        <section class="panel" aria-labelledby="add-evidence-heading">
            <h2 id="add-evidence-heading">"Add evidence"</h2>
            <ActionForm action=add attr:class="form">
                <input type="hidden" name="id" value=id />
                <Field label="Statement" name="text" error=field_error(add, "text")
                    hint="What was sold and delivered, when, and anything the buyer agreed to. At most 5000 characters.">
                    <textarea id="text" name="text" required maxlength="5000" rows="6"></textarea>
                </Field>
                <FormError message=form_error(add, &["text"]) />
                <Show when=succeeded(add)><p class="success" role="status">"Your statement was added."</p></Show>
                <button type="submit" disabled=move || add.pending().get()>"Add the statement"</button>
            </ActionForm>
            <form method="post" action=upload enctype="multipart/form-data" class="form upload">
                <div class="field">
                    <label for="evidence-file">"File (PDF, JPEG or PNG, at most 10 MB)"</label>
                    <input id="evidence-file" name="file" type="file" required
                        accept="application/pdf,image/jpeg,image/png" />
                </div>
                <button type="submit">"Upload the file"</button>
            </form>
        </section>
    }
}

/// One chargeback as both the dashboard and the console show it: what was reported, what
/// is on file from the payment, and the evidence. `payment_href` is the base of the
/// payment's page.
#[component]
pub fn ChargebackRecord(detail: ChargebackDetailView, payment_href: &'static str) -> impl IntoView {
    let ChargebackDetailView {
        chargeback: c,
        payment_id,
        three_d_secure,
        receipt,
        refunded,
        evidence,
        ..
    } = detail;
    let amount = c.amount;
    let deadline = if c.open_for_evidence {
        format!(
            "Evidence is taken until the end of {} (Kosovo time).",
            c.evidence_due_on
        )
    } else {
        format!("Evidence closed (deadline {}).", c.evidence_due_on)
    };
    let refunded = refunded.is_positive().then(|| {
        view! { <dt>"Refunded before"</dt><dd>{refunded.to_string()}</dd> }
    });
    let receipt = match receipt {
        Some(r) => view! {
            <dl class="facts">
                <dt>"Paid"</dt><dd>{r.paid}</dd>
                <dt>"Amount"</dt><dd>{r.amount.to_string()}</dd>
                <dt>"Card"</dt><dd>{r.card}</dd>
                <dt>"Authorisation code"</dt><dd>{r.auth_code.unwrap_or_else(|| "-".into())}</dd>
                <dt>"Receipt sent to"</dt><dd>{r.buyer_email.unwrap_or_else(|| "-".into())}</dd>
                <dt>"Items"</dt><dd>{r.items.join(", ")}</dd>
                {refunded}
            </dl>
            <p><a href=r.url>"The buyer's receipt"</a></p>
        }
        .into_any(),
        None => view! { <p>"No receipt: the payment is not paid."</p> }.into_any(),
    };
    view! {
        <section class="panel" aria-labelledby="chargeback-heading">
            <h2 id="chargeback-heading">{format!("{amount} on order {}", c.order_id)}</h2>
            <dl class="facts">
                <dt>"Status"</dt><dd>{status_badge(c.status)}</dd>
                <dt>"Merchant"</dt><dd>{c.merchant_name}</dd>
                <dt>"Mode"</dt><dd>{c.mode.as_str()}</dd>
                <dt>"Reason code"</dt><dd>{c.reason_code}</dd>
                <dt>"Reported by the acquirer"</dt><dd>{c.reported_on}</dd>
                <dt>"Evidence due"</dt><dd>{c.evidence_due_on}</dd>
                <dt>"Recorded"</dt><dd>{c.recorded}</dd>
                {c.decided.map(|at| view! { <dt>"Decided"</dt><dd>{at}</dd> })}
            </dl>
            <p>{deadline}</p>
            <p><a href=format!("{payment_href}/{payment_id}")>"The payment"</a></p>
        </section>
        <section class="panel" aria-labelledby="on-file-heading">
            <h2 id="on-file-heading">"Evidence on file"</h2>
            <h3>"3-D Secure"</h3>
            <p>{three_d_secure.unwrap_or_else(|| "The gateway reported no 3-D Secure result for this payment.".into())}</p>
            <h3>"Receipt"</h3>
            {receipt}
        </section>
        <section class="panel" id="evidence" aria-labelledby="evidence-heading">
            <h2 id="evidence-heading">"Evidence added"</h2>
            <EvidenceList evidence />
        </section>
    }
}

#[component]
fn EvidenceList(evidence: Vec<EvidenceView>) -> impl IntoView {
    if evidence.is_empty() {
        return view! { <p>"None yet."</p> }.into_any();
    }
    view! {
        <ul class="evidence">
            {evidence.into_iter().map(|e| {
                let body = match (e.text, e.file_url) {
                    (Some(text), _) => view! { <blockquote class="statement">{text}</blockquote> }.into_any(),
                    (None, Some(url)) => {
                        let label = format!("{} file, {} KB", e.content_type, (e.size_bytes + 1023) / 1024);
                        view! { <a href=url>{label}</a> }.into_any()
                    }
                    (None, None) => view! { <span>"Unreadable"</span> }.into_any(),
                };
                view! { <li><span class="aside">{e.added}</span> " " {body}</li> }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_upload_code_has_its_own_words() {
        assert!(upload_message("size").contains("10 MB"));
        assert!(upload_message("type").contains("PDF, JPEG or PNG"));
        assert!(upload_message("closed").contains("deadline"));
        assert_eq!(upload_message("<script>"), "The file could not be added.");
    }
}
