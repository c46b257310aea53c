//! The Settings module: the Payten gateway account of each mode. Staff holding settings see
//! the configured addresses, the client id, the API user and when each secret was set;
//! platform administrators also get a form per mode, and saving asks for a fresh code. The
//! secrets are typed, never shown: a blank secret field keeps the stored one.

use leptos::prelude::*;
use leptos_meta::Title;

use super::AdminShell;
use crate::components::form::{FormError, field_error, form_error, succeeded};
use crate::components::step_up::StepUpPrompt;
use crate::pages::payments::load_error;
use crate::payments::Mode;
use crate::settings::{GatewayAccountView, SaveGatewayAccount, gateway_settings};

const FIELDS: &[&str] = &["client_id", "api_user", "store_key", "api_password"];

#[component]
pub fn SettingsPage() -> impl IntoView {
    // One action per mode, made here so that each step-up prompt outlives the reload.
    let save_test = ServerAction::<SaveGatewayAccount>::new();
    let save_live = ServerAction::<SaveGatewayAccount>::new();
    let settings = Resource::new(
        move || (save_test.version().get(), save_live.version().get()),
        |_| gateway_settings(),
    );
    view! {
        <Title text="Settings" />
        <AdminShell>
            <h1>"Settings"</h1>
            <p class="aside">
                "The gateway addresses come from the server's configuration. Store keys and API passwords "
                "are kept encrypted and are never shown again, only when they were set and by whom."
            </p>
            <Transition fallback=|| view! { <p>"Loading the gateway accounts…"</p> }>
                {move || settings.get().map(|result| match result {
                    Ok(view) => view
                        .accounts
                        .into_iter()
                        .map(|account| {
                            let save = if account.mode == Mode::Live { save_live } else { save_test };
                            view! { <Account account save can_edit=view.can_edit /> }
                        })
                        .collect_view()
                        .into_any(),
                    Err(error) => load_error(error),
                })}
            </Transition>
            <StepUpPrompt action=save_test id="test-account-step-up" />
            <StepUpPrompt action=save_live id="live-account-step-up" />
        </AdminShell>
    }
}

#[component]
fn Account(
    account: GatewayAccountView,
    save: ServerAction<SaveGatewayAccount>,
    can_edit: bool,
) -> impl IntoView {
    let GatewayAccountView {
        mode,
        gate_url,
        api_url,
        account,
    } = account;
    let slug = if mode == Mode::Live { "live" } else { "test" };
    let (heading, labelled_by) = (
        format!("{slug}-account-heading"),
        format!("{slug}-account-heading"),
    );
    let stored = match &account {
        Some(stored) => view! {
            <dt>"Client id"</dt><dd><code>{stored.client_id.clone()}</code></dd>
            <dt>"API user"</dt><dd>{stored.api_user.clone()}</dd>
            <dt>"Store key"</dt><dd>{stored.store_key_set.clone()}</dd>
            <dt>"API password"</dt><dd>{stored.api_password_set.clone()}</dd>
        }
        .into_any(),
        None => view! { <dt>"Account"</dt><dd>{format!("None yet: {} Mode payments are refused until one is saved.", mode.label())}</dd> }
            .into_any(),
    };
    let stray = account.as_ref().is_some_and(|stored| !stored.uses_configured_urls).then(|| {
        view! {
            <p class="form-error" role="alert">
                "This account was stored with other addresses than the configured ones, so its payments are refused. "
                "Save it again here to use the configured addresses."
            </p>
        }
    });
    let form = can_edit.then(|| view! { <AccountForm slug mode account=account.clone() save /> });
    view! {
        <section class="panel" aria-labelledby=labelled_by>
            <h2 id=heading>{format!("{} Mode gateway account", mode.label())}</h2>
            <dl class="facts">
                <dt>"3-D gate"</dt><dd><code>{gate_url}</code></dd>
                <dt>"XML API"</dt><dd><code>{api_url}</code></dd>
                {stored}
            </dl>
            {stray}
            {form}
        </section>
    }
}

/// The administrator's form. The secrets' inputs start empty every time: the page never
/// has them to fill in.
#[component]
fn AccountForm(
    slug: &'static str,
    mode: Mode,
    account: Option<crate::settings::StoredAccountView>,
    save: ServerAction<SaveGatewayAccount>,
) -> impl IntoView {
    let exists = account.is_some();
    let (client_id, api_user) = account
        .map(|a| (a.client_id, a.api_user))
        .unwrap_or_default();
    let secret_hint = if exists {
        "Leave empty to keep the stored one. Needed when the client id changes."
    } else {
        ""
    };
    let input = move |label: &'static str, name: &'static str, value: String, secret: bool| {
        let id = format!("{slug}-{name}");
        let error = field_error(save, name);
        let hint = (secret && exists).then(|| view! { <p class="field-hint">{secret_hint}</p> });
        let kind = if secret { "password" } else { "text" };
        let autocomplete = if secret { "new-password" } else { "off" };
        // A typed secret leaves the page as soon as the server has answered, whatever the
        // answer: the rebuilt form keeps its input element (and so what was typed) unless
        // the property is emptied. A retry after a step-up resends the arguments it holds.
        let shown = value.clone();
        let current = move || {
            if secret {
                save.version().track();
            }
            shown.clone()
        };
        view! {
            <div class="field">
                <label for=id.clone()>{label}</label>
                <input id=id type=kind name=name value=value prop:value=current required=!(secret && exists) maxlength="128"
                    autocomplete=autocomplete />
                {hint}
                <p class="field-error" role="alert">{move || error.get()}</p>
            </div>
        }
    };
    view! {
        <ActionForm action=save attr:class="form">
            <input type="hidden" name="mode" value=slug />
            <fieldset class="filter-grid">
                {input("Client id", "client_id", client_id, false)}
                {input("API user", "api_user", api_user, false)}
                {input("Store key", "store_key", String::new(), true)}
                {input("API password", "api_password", String::new(), true)}
            </fieldset>
            <FormError message=form_error(save, FIELDS) />
            <Show when=succeeded(save)>
                <p class="success" role="status">{format!("The {} Mode account is saved.", mode.label())}</p>
            </Show>
            <button type="submit" disabled=move || save.pending().get()>{format!("Save the {} Mode account", mode.label())}</button>
        </ActionForm>
    }
}
