//! The decision forms of the review page: accept or ask for changes per checklist item,
//! approve (with the reason it is not open yet, if it is not), reject with a reason, and
//! ask a verified merchant for re-verification. They show only to staff who may decide;
//! the server refuses everyone else anyway, and checks the application's state again.

use leptos::prelude::*;

use crate::kyc_review::{
    AcceptKycItem, ApproveKyc, ItemView, RejectKyc, RequestKycChanges, RequestReverification,
    ReviewView, item_state_label,
};

/// The page's server actions, shared by its forms.
#[derive(Clone, Copy)]
pub struct Actions {
    pub accept: ServerAction<AcceptKycItem>,
    pub changes: ServerAction<RequestKycChanges>,
    pub approve: ServerAction<ApproveKyc>,
    pub reject: ServerAction<RejectKyc>,
    pub reverify: ServerAction<RequestReverification>,
}

impl Actions {
    /// Changes whenever any decision completes, to reload the application.
    pub fn versions(&self) -> [usize; 5] {
        [
            self.accept.version().get(),
            self.changes.version().get(),
            self.approve.version().get(),
            self.reject.version().get(),
            self.reverify.version().get(),
        ]
    }
}

/// Items are decided while the application is with staff.
fn reviewing(status: &str) -> bool {
    matches!(status, "submitted" | "changes_requested")
}

#[component]
pub fn Checklist(view: ReviewView, actions: Actions) -> impl IntoView {
    let deciding = view.can_act && reviewing(&view.status);
    let merchant_id = view.merchant_id.clone();
    view! {
        <section class="panel" aria-labelledby="checklist-heading">
            <h2 id="checklist-heading">"Checklist"</h2>
            <table class="list">
                <thead>
                    <tr><th>"Item"</th><th>"State"</th><th>"Asked to change"</th>{deciding.then(|| view! { <th>"Decision"</th> })}</tr>
                </thead>
                <tbody>
                    {view.items.into_iter().map(|line| {
                        let decision = deciding.then(|| view! { <td><ItemDecision line=line.clone() merchant_id=merchant_id.clone() actions /></td> });
                        view! {
                            <tr>
                                <td>{line.label.clone()}</td>
                                <td>{item_state_label(&line.state)}</td>
                                <td>{line.reason.clone().unwrap_or_default()}</td>
                                {decision}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

#[component]
fn ItemDecision(line: ItemView, merchant_id: String, actions: Actions) -> impl IntoView {
    let (id, item, label) = (
        merchant_id.clone(),
        line.item.clone(),
        line.label.to_lowercase(),
    );
    let accept = (line.state == "submitted").then(move || {
        view! {
            <ActionForm action=actions.accept attr:class="inline">
                <input type="hidden" name="merchant_id" value=id />
                <input type="hidden" name="item" value=item />
                <button type="submit" class="secondary" disabled=move || actions.accept.pending().get()>
                    {format!("Accept {label}")}
                </button>
            </ActionForm>
        }
    });
    let ask = matches!(line.state.as_str(), "submitted" | "accepted").then(move || {
        let field = format!("reason-{}", line.item);
        view! {
            <details>
                <summary>"Ask for changes"</summary>
                <ActionForm action=actions.changes attr:class="form">
                    <input type="hidden" name="merchant_id" value=merchant_id />
                    <input type="hidden" name="item" value=line.item.clone() />
                    <div class="field">
                        <label for=field.clone()>{format!("What should change in {}? The merchant sees this.", line.label.to_lowercase())}</label>
                        <textarea id=field name="reason" required maxlength="1000" rows="3"></textarea>
                    </div>
                    <button type="submit" disabled=move || actions.changes.pending().get()>"Send back for changes"</button>
                </ActionForm>
            </details>
        }
    });
    view! { {accept} {ask} }
}

#[component]
pub fn Decisions(view: ReviewView, actions: Actions) -> impl IntoView {
    if !view.can_act {
        return ().into_any();
    }
    let reverify =
        (view.status == "approved").then(|| view! { <Reverification view=view.clone() actions /> });
    let merchant_id = view.merchant_id.clone();
    let approve_id = view.merchant_id.clone();
    let approve = match view.approve_blocked.clone() {
        None => view! {
            <ActionForm action=actions.approve attr:class="inline">
                <input type="hidden" name="merchant_id" value=approve_id />
                <button type="submit" disabled=move || actions.approve.pending().get()>"Approve: open Live Mode"</button>
            </ActionForm>
        }
        .into_any(),
        Some(why) => view! { <p class="aside">{format!("Approval is not open: {why}")}</p> }.into_any(),
    };
    let reject = reviewing(&view.status).then(move || {
        view! {
            <ActionForm action=actions.reject attr:class="form">
                <input type="hidden" name="merchant_id" value=merchant_id />
                <div class="field">
                    <label for="reject-reason">"Why it is rejected (the merchant sees this)"</label>
                    <textarea id="reject-reason" name="reason" required maxlength="1000" rows="3"></textarea>
                </div>
                <button type="submit" class="danger" disabled=move || actions.reject.pending().get()>"Reject the application"</button>
            </ActionForm>
        }
    });
    view! {
        <section class="panel" aria-labelledby="decision-heading">
            <h2 id="decision-heading">"Decision"</h2>
            <p class="aside">"Approving and rejecting ask for a fresh code from your authenticator app."</p>
            {approve}
            {reject}
            {reverify}
        </section>
    }
    .into_any()
}

/// Reopens an accepted item of an approved application with a deadline.
#[component]
fn Reverification(view: ReviewView, actions: Actions) -> impl IntoView {
    let accepted: Vec<ItemView> = view
        .items
        .into_iter()
        .filter(|line| line.state == "accepted")
        .collect();
    if accepted.is_empty() {
        return view! { <p class="aside">"Every item is already waiting for the merchant's update."</p> }.into_any();
    }
    view! {
        <h3>"Ask for re-verification"</h3>
        <p class="aside">"Live Mode stays open until the deadline; past it, it closes until you approve the update."</p>
        <ActionForm action=actions.reverify attr:class="form">
            <input type="hidden" name="merchant_id" value=view.merchant_id />
            <div class="field">
                <label for="reverify-item">"Item to update"</label>
                <select id="reverify-item" name="item">
                    {accepted.into_iter().map(|line| view! { <option value=line.item>{line.label}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="reverify-reason">"What to update (the merchant sees this)"</label>
                <textarea id="reverify-reason" name="reason" required maxlength="1000" rows="3"></textarea>
            </div>
            <div class="field">
                <label for="reverify-due">"Deadline (at least tomorrow)"</label>
                <input id="reverify-due" name="due" type="date" required />
            </div>
            <button type="submit" disabled=move || actions.reverify.pending().get()>"Ask for the update"</button>
        </ActionForm>
    }
    .into_any()
}
