//! The Developers area of the dashboard, for owners, admins and developers: the API keys
//! (list, make, roll, revoke), copyable examples, the API reference, the webhook endpoints
//! with their delivery logs, and the event list.

mod create;
mod endpoint_form;
pub mod events;
mod examples;
mod keys;
pub mod reference;
pub mod webhook_log;
pub mod webhooks;

use leptos::prelude::*;

use crate::components::form::FormError;
use crate::components::shown_once::{NewSecretNotice, SecretWords, ShownOnce};
use crate::components::step_up::StepUpPrompt;
use crate::developers::{CreateApiKey, NewSecret, RevokeApiKey, RollApiKey, api_keys};
use crate::pages::payments::{DashboardShell, load_error};
use crate::payments::{DashboardView, LiveAccess};

/// The page's actions, created with it: the list reloads after each, and the step-up
/// prompts (outside the part that reloads) repeat them.
#[derive(Clone, Copy)]
struct KeyActions {
    create: ServerAction<CreateApiKey>,
    roll: ServerAction<RollApiKey>,
    revoke: ServerAction<RevokeApiKey>,
}

#[component]
pub fn DevelopersPage() -> impl IntoView {
    let actions = KeyActions {
        create: ServerAction::new(),
        roll: ServerAction::new(),
        revoke: ServerAction::new(),
    };
    // Type-erased: the page's view type is too deep for the compiler's layout queries.
    view! { <DashboardShell title="Developers" body=move |view: DashboardView| {
        let live_open = view.live == LiveAccess::Open;
        view! { <DevelopersBody actions live_open /> }.into_any()
    } /> }
}

#[component]
fn DevelopersBody(actions: KeyActions, live_open: bool) -> impl IntoView {
    let KeyActions {
        create,
        roll,
        revoke,
    } = actions;
    let versions = move || {
        (
            create.version().get(),
            roll.version().get(),
            revoke.version().get(),
        )
    };
    let list = Resource::new(versions, |_| api_keys());
    view! {
        <p>
            "Your shop's server talks to Saleonix with a secret key. "
            <a href="/dashboard/developers/reference">"Read the API reference"</a>
            " or fetch the "
            <a href="/v1/openapi.json" rel="external">"OpenAPI document"</a>
            "."
        </p>
        <p>
            "Your server hears of payments and refunds through "
            <a href="/dashboard/developers/webhooks">"webhooks"</a>
            "; the "
            <a href="/dashboard/developers/events">"events"</a>
            " list shows what was sent."
        </p>
        {view! {
        <section class="panel" aria-labelledby="keys-heading">
            <h2 id="keys-heading">"API keys"</h2>
            <NewSecretNotice action=create id="created-key" words=KEY_WORDS />
            <NewSecretNotice action=roll id="rolled-key" words=KEY_WORDS />
            <Transition fallback=|| view! { <p>"Loading the keys…"</p> }>
                {move || list.get().map(|result| match result {
                    Ok(page) => view! { <keys::KeyTable keys=page.keys roll revoke /> }.into_any(),
                    Err(error) => load_error(error),
                })}
            </Transition>
            <Show when=crate::components::form::succeeded(revoke)>
                <p class="success" role="status">"The key is revoked: it stopped working just now."</p>
            </Show>
            <FormError message=crate::components::form::form_error(roll, &[]) />
            <FormError message=crate::components::form::form_error(revoke, &[]) />
            <StepUpPrompt action=roll id="roll-key-step-up" />
            <StepUpPrompt action=revoke id="revoke-key-step-up" />
        </section>
        }.into_any()}
        {view! {
        <section class="panel" aria-labelledby="create-key-heading">
            <h2 id="create-key-heading">"Make a key"</h2>
            <create::CreateKeyForm create live_open />
            <StepUpPrompt action=create id="create-key-step-up" />
        </section>
        }.into_any()}
        <Transition fallback=|| ()>
            {move || list.get().and_then(Result::ok).map(|page| view! { <examples::Examples origin=page.origin /> })}
        </Transition>
    }
    .into_any()
}

impl ShownOnce for NewSecret {
    fn heading(&self) -> String {
        format!(
            "The {} key \u{201c}{}\u{201d}: copy it now",
            self.mode.label(),
            self.name
        )
    }

    fn secret(&self) -> String {
        self.secret.clone()
    }
}

const KEY_WORDS: SecretWords = SecretWords {
    noun: "key",
    advice: "Saleonix keeps only a fingerprint of it and cannot show it again. Store it in your server's secrets, never in a web page, an app or a repository. If it is lost, roll the key.",
    label: "Secret key",
    copy_label: "Copy the secret key",
};
