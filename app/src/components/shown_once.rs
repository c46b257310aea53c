//! A secret shown this once (an API key, a webhook signing secret) in a read-only field to
//! copy. It lives only in the action's answer that carried it: "I have stored it" forgets
//! it, and so does leaving the page; nothing the server sends later holds it.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::components::copy::CopyButton;
use crate::error::AppError;

/// An answer that carries a secret to show once.
pub trait ShownOnce {
    /// What the secret belongs to, as the notice's heading says it.
    fn heading(&self) -> String;
    fn secret(&self) -> String;
}

/// The words around one kind of secret.
#[derive(Debug, Clone, Copy)]
pub struct SecretWords {
    /// "key": "This is the only time the key is shown."
    pub noun: &'static str,
    /// What the secret is for and what to do with it.
    pub advice: &'static str,
    /// The read-only field's label.
    pub label: &'static str,
    /// The copy button's label for screen readers.
    pub copy_label: &'static str,
}

/// The secret in `action`'s latest answer, while there is one. `id` prefixes the notice's
/// element ids; give each notice on a page its own.
#[component]
pub fn NewSecretNotice<S>(
    action: ServerAction<S>,
    id: &'static str,
    words: SecretWords,
) -> impl IntoView
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: ShownOnce + Clone + Send + Sync + 'static,
{
    let answer = move || {
        action
            .value()
            .with(|answer| answer.as_ref().and_then(|a| a.as_ref().ok()).cloned())
    };
    view! {
        {move || answer().map(|new| {
            let heading = format!("{id}-heading");
            let field = format!("{id}-secret");
            let warning = format!("{id}-warning");
            let (labelled_by, label_for, described_by) = (heading.clone(), field.clone(), warning.clone());
            let secret = new.secret();
            view! {
                <div class="notice new-secret" role="region" aria-labelledby=labelled_by>
                    <h3 id=heading>{new.heading()}</h3>
                    <p id=warning>
                        <strong>{format!("This is the only time the {} is shown. ", words.noun)}</strong>
                        {words.advice}
                    </p>
                    <div class="field">
                        <label for=label_for>{words.label}</label>
                        <span class="shareable">
                            <input id=field class="secret" type="text" readonly value=secret.clone()
                                autocomplete="off" spellcheck="false" aria-describedby=described_by />
                            <CopyButton text=secret label=words.copy_label />
                        </span>
                    </div>
                    <button type="button" class="secondary" on:click=move |_| action.value().set(None)>
                        "I have stored it"
                    </button>
                </div>
            }
            .into_any()
        })}
    }
}
