//! The keys table: what each key is, who made it, when it was last used and where it
//! stands, with roll and revoke behind a confirmation step each (a `<details>` that opens
//! the final form, so it works with and without WASM).

use leptos::prelude::*;

use crate::developers::{KeyRow, KeyStatus, ROLL_OVERLAPS, RevokeApiKey, RollApiKey};

fn status(status: &KeyStatus) -> AnyView {
    match status {
        KeyStatus::Active => view! { <span class="badge ok">"Active"</span> }.into_any(),
        KeyStatus::Expires { at } => {
            view! { <span class="badge pending">{format!("Expires {at}")}</span> }.into_any()
        }
        KeyStatus::Expired { at } => {
            view! { <span class="badge">{format!("Expired {at}")}</span> }.into_any()
        }
        KeyStatus::Revoked { at } => {
            view! { <span class="badge bad">{format!("Revoked {at}")}</span> }.into_any()
        }
    }
}

#[component]
pub fn KeyTable(
    keys: Vec<KeyRow>,
    roll: ServerAction<RollApiKey>,
    revoke: ServerAction<RevokeApiKey>,
) -> impl IntoView {
    if keys.is_empty() {
        return view! { <p>"No keys yet. Make one below."</p> }.into_any();
    }
    view! {
        <table class="list keys">
            <thead>
                <tr>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Mode"</th>
                    <th scope="col">"Key"</th>
                    <th scope="col">"Permissions"</th>
                    <th scope="col">"Created"</th>
                    <th scope="col">"Last used"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr>
            </thead>
            <tbody>
                {keys.into_iter().map(|key| view! { <KeyLine key roll revoke /> }.into_any()).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn KeyLine(
    key: KeyRow,
    roll: ServerAction<RollApiKey>,
    revoke: ServerAction<RevokeApiKey>,
) -> impl IntoView {
    let (overlap_id, overlap_for) = (format!("overlap-{}", key.id), format!("overlap-{}", key.id));
    let (roll_id, roll_name) = (key.id.clone(), key.name.clone());
    let roll_form = key.can_roll.then(move || {
        let options = ROLL_OVERLAPS
            .iter()
            .map(|(hours, label)| view! { <option value=hours.to_string() selected=*hours == 24>{*label}</option> })
            .collect_view();
        view! {
            <details class="confirm">
                <summary>"Roll…"</summary>
                <ActionForm action=roll attr:class="form">
                    <input type="hidden" name="key_id" value=roll_id />
                    <div class="field">
                        <label for=overlap_for>"When the old key stops"</label>
                        <select id=overlap_id name="overlap_hours">{options}</select>
                    </div>
                    <p>"A new key with the same permissions replaces it, shown once. Roll it with a code from your authenticator app."</p>
                    <button type="submit" disabled=move || roll.pending().get()>{format!("Roll \u{201c}{roll_name}\u{201d}")}</button>
                </ActionForm>
            </details>
        }
        .into_any()
    });
    let (revoke_id, revoke_name, prefix) = (key.id.clone(), key.name.clone(), key.prefix.clone());
    let revoke_form = key.can_revoke.then(move || {
        view! {
            <details class="confirm">
                <summary>"Revoke…"</summary>
                <ActionForm action=revoke attr:class="form">
                    <input type="hidden" name="key_id" value=revoke_id />
                    <p>{format!("Every request with {prefix}… is refused from now on. This cannot be undone.")}</p>
                    <button type="submit" class="danger" disabled=move || revoke.pending().get()>
                        {format!("Yes, revoke \u{201c}{revoke_name}\u{201d}")}
                    </button>
                </ActionForm>
            </details>
        }
        .into_any()
    });
    view! {
        <tr>
            <td>{key.name.clone()}</td>
            <td><span class="badge">{key.mode.label()}</span></td>
            <td><code>{format!("{}…", key.prefix)}</code></td>
            <td>{key.permissions}</td>
            <td>{key.created_at}<br /><span class="aside">{format!("by {}", key.created_by)}</span></td>
            <td>{key.last_used.unwrap_or_else(|| "Never".into())}</td>
            <td>{status(&key.status)}</td>
            <td class="row-actions">{roll_form}{revoke_form}</td>
        </tr>
    }
    .into_any()
}
