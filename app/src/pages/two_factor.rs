//! Two-factor settings: set-up (QR code, secret as text, first code, recovery codes), and
//! once it is on, new recovery codes or turning it off, both behind a step-up check.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::auth::two_factor::{
    ConfirmTwoFactor, DisableTwoFactor, EnrolmentView, RegenerateRecoveryCodes, StartTwoFactor,
    TwoFactorView, two_factor_status,
};
use crate::components::download::text_data_url;
use crate::components::form::{Field, FormError, field_error, form_error};
use crate::components::step_up::StepUpPrompt;

#[component]
pub fn TwoFactorPage() -> impl IntoView {
    let confirm = ServerAction::<ConfirmTwoFactor>::new();
    let query = use_query_map();
    let disabled = move || query.read().get("disabled").is_some();
    // Turning it off ends in a redirect to `?disabled=1`, which refetches the status too.
    let status = Resource::new(
        move || (confirm.version().get(), disabled()),
        |_| two_factor_status(),
    );
    view! {
        <Title text="Two-factor authentication" />
        <section class="page">
            <h1>"Two-factor authentication"</h1>
            <Show when=disabled>
                <p class="success" role="status">"Two-factor authentication is off."</p>
            </Show>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || status.get().map(|result| match result {
                    Ok(status) if status.enabled => view! { <Enabled status /> }.into_any(),
                    Ok(status) => view! { <SetUp status confirm /> }.into_any(),
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                })}
            </Transition>
            // Shown once, after set-up; the status above has switched to "on" by then.
            {move || {
                let home = status.get().and_then(Result::ok).map_or_else(|| "/".to_owned(), |s| s.home);
                confirm.value().get().and_then(Result::ok).map(|codes| view! { <RecoveryCodes codes home /> })
            }}
            <p class="aside"><a href="/account">"Back to account settings"</a></p>
        </section>
    }
}

#[component]
fn SetUp(status: TwoFactorView, confirm: ServerAction<ConfirmTwoFactor>) -> impl IntoView {
    let start = ServerAction::<StartTwoFactor>::new();
    view! {
        <section class="panel" aria-labelledby="setup-heading">
            <h2 id="setup-heading">"Set up two-factor authentication"</h2>
            {status.required.then(|| view! {
                <p class="notice" role="status">
                    "Your account must use two-factor authentication. Set it up to continue."
                </p>
            })}
            <p>
                "Signing in will need a code from an authenticator app on your phone (Google Authenticator, "
                "Microsoft Authenticator, 1Password, Aegis…) as well as your password."
            </p>
            <ActionForm action=start attr:class="form">
                <Field label="Your password" name="password" error=field_error(start, "password")>
                    <input id="password" name="password" type="password" required autocomplete="current-password" />
                </Field>
                <FormError message=form_error(start, &["password"]) />
                <button type="submit" disabled=move || start.pending().get()>"Set up two-factor authentication"</button>
            </ActionForm>
            {move || start.value().get().and_then(Result::ok).map(|enrolment| view! { <Confirm enrolment confirm /> })}
        </section>
    }
}

#[component]
fn Confirm(enrolment: EnrolmentView, confirm: ServerAction<ConfirmTwoFactor>) -> impl IntoView {
    view! {
        <ol class="steps">
            <li>
                <p>"Scan this QR code with your authenticator app:"</p>
                <div class="qr" role="img" aria-label="QR code for your authenticator app" inner_html=enrolment.qr_svg></div>
                <p>"Or type this key into the app:"</p>
                <p><code class="totp-secret" data-secret=enrolment.secret.clone()>{enrolment.secret.clone()}</code></p>
            </li>
            <li>
                <ActionForm action=confirm attr:class="form">
                    <Field label="Enter the 6-digit code the app shows" name="code" error=field_error(confirm, "code")>
                        <input
                            id="code"
                            name="code"
                            required
                            inputmode="numeric"
                            pattern="[0-9 ]{6,7}"
                            maxlength="7"
                            autocomplete="one-time-code"
                        />
                    </Field>
                    <FormError message=form_error(confirm, &["code"]) />
                    <button type="submit" disabled=move || confirm.pending().get()>"Turn on"</button>
                </ActionForm>
            </li>
        </ol>
    }
}

#[component]
fn Enabled(status: TwoFactorView) -> impl IntoView {
    let regenerate = ServerAction::<RegenerateRecoveryCodes>::new();
    let disable = ServerAction::<DisableTwoFactor>::new();
    view! {
        <section class="panel" aria-labelledby="on-heading">
            <h2 id="on-heading">"Two-factor authentication is on"</h2>
            <p class="recovery-left">{format!("{} of 10 recovery codes left.", status.recovery_codes_left)}</p>
            <ActionForm action=regenerate attr:class="inline">
                <button type="submit" class="secondary" disabled=move || regenerate.pending().get()>
                    "Make new recovery codes"
                </button>
            </ActionForm>
            <StepUpPrompt action=regenerate id="codes-step-up" />
            <FormError message=form_error(regenerate, &[]) />
            {move || {
                let home = status.home.clone();
                regenerate.value().get().and_then(Result::ok).map(|codes| view! { <RecoveryCodes codes home /> })
            }}
        </section>
        <section class="panel" aria-labelledby="off-heading">
            <h2 id="off-heading">"Turn off"</h2>
            {status.required.then(|| view! {
                <p class="notice">"Your account must use two-factor authentication: after turning it off you will set it up again."</p>
            })}
            <ActionForm action=disable attr:class="form">
                <Field label="Your password" name="password" error=field_error(disable, "password")>
                    <input id="password" name="password" type="password" required autocomplete="current-password" />
                </Field>
                <FormError message=form_error(disable, &["password"]) />
                <button type="submit" class="danger" disabled=move || disable.pending().get()>
                    "Turn off two-factor authentication"
                </button>
            </ActionForm>
            <StepUpPrompt action=disable id="disable-step-up" />
        </section>
    }
}

/// The recovery codes, shown once: to copy, or to download as a text file.
#[component]
fn RecoveryCodes(codes: Vec<String>, home: String) -> impl IntoView {
    let text = format!(
        "Saleonix recovery codes. Each works once, in place of a code from your authenticator app.\n\n{}\n",
        codes.join("\n")
    );
    let download = text_data_url("text/plain", &text);
    let copied = RwSignal::new(false);
    let copy = {
        let text = text.clone();
        move |_| {
            #[cfg(feature = "hydrate")]
            if let Some(window) = web_sys::window() {
                // The promise settles on its own; the label below is the feedback.
                let _ = window.navigator().clipboard().write_text(&text);
                copied.set(true);
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = &text;
        }
    };
    view! {
        <section class="panel recovery-codes" aria-labelledby="codes-heading">
            <h2 id="codes-heading">"Your recovery codes"</h2>
            <p>
                "If you lose your phone, each of these codes signs you in once. Keep them somewhere safe: "
                "they will not be shown again."
            </p>
            <ol class="codes">{codes.into_iter().map(|code| view! { <li><code>{code}</code></li> }).collect_view()}</ol>
            <p class="actions">
                <a class="button secondary" href=download download="saleonix-recovery-codes.txt">"Download as a text file"</a>
                <button type="button" class="secondary" on:click=copy>
                    {move || if copied.get() { "Copied" } else { "Copy" }}
                </button>
                <a class="button" href=home>"Continue"</a>
            </p>
        </section>
    }
}
