//! Staff management, for platform administrators: the staff list, invitations with module
//! permissions, and one member's permissions, deactivation and two-factor reset. Every
//! change is a step-up action.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::{AdminShell, grants_text};
use crate::admin::{
    DeactivateStaff, Grant, InviteStaff, MODULES, ResendStaffInvitation, SetStaffPermissions,
    StaffRow, staff_detail, staff_list,
};
use crate::auth::two_factor::ResetTwoFactor;
use crate::components::form::{
    Field, FormError, InviteeFields, field_error, form_error, succeeded,
};
use crate::components::step_up::StepUpPrompt;

/// The choices for each module, as `GrantsForm` reads them.
const LEVELS: &[(&str, &str)] = &[
    ("none", "No access"),
    ("view", "View"),
    ("act", "View and act"),
];

/// What the staff member's account is doing: one word for the list.
fn state(row: &StaffRow) -> &'static str {
    if row.deactivated {
        "Deactivated"
    } else if row.invited {
        "Invited"
    } else {
        "Active"
    }
}

fn permissions_text(row: &StaffRow) -> String {
    if row.is_admin {
        "All modules".to_owned()
    } else {
        grants_text(&row.grants)
    }
}

/// One `grants[<slug>]` select per module, set to the levels in `grants`.
#[component]
fn GrantSelects(grants: Vec<Grant>, #[prop(into)] error: Signal<Option<String>>) -> impl IntoView {
    view! {
        <fieldset class="grants">
            <legend>"Modules"</legend>
            {MODULES.iter().map(|&(slug, label)| {
                let level = grants.iter().find(|g| g.module == slug).map_or("none", |g| g.level.as_str()).to_owned();
                view! {
                    <Field label name=slug>
                        <select id=slug name=format!("grants[{slug}]")>
                            {LEVELS.iter().map(|&(value, text)| view! {
                                <option value=value selected=value == level>{text}</option>
                            }).collect_view()}
                        </select>
                    </Field>
                }
            }).collect_view()}
            <p class="field-error" role="alert">{move || error.get()}</p>
        </fieldset>
    }
}

#[component]
pub fn StaffPage() -> impl IntoView {
    let invite = ServerAction::<InviteStaff>::new();
    let staff = Resource::new(move || invite.version().get(), |_| staff_list());
    view! {
        <Title text="Staff" />
        <AdminShell>
            <h1>"Staff"</h1>
            <Transition fallback=|| view! { <p>"Loading staff…"</p> }>
                {move || staff.get().map(|result| match result {
                    Ok(list) => view! { <StaffTable list /> }.into_any(),
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                })}
            </Transition>
            <section class="panel" aria-labelledby="invite-heading">
                <h2 id="invite-heading">"Invite staff"</h2>
                <p>"They choose a password from the emailed link and set up two-factor authentication at their first sign-in."</p>
                <ActionForm action=invite attr:class="form">
                    <InviteeFields action=invite />
                    <GrantSelects grants=Vec::new() error=field_error(invite, "grants") />
                    <FormError message=form_error(invite, &["email", "full_name", "grants"]) />
                    <Show when=succeeded(invite)>
                        <p class="success" role="status">"Invitation sent."</p>
                    </Show>
                    <button type="submit" disabled=move || invite.pending().get()>"Send the invitation"</button>
                </ActionForm>
                <StepUpPrompt action=invite id="invite-step-up" />
            </section>
        </AdminShell>
    }
}

#[component]
fn StaffTable(list: Vec<StaffRow>) -> impl IntoView {
    view! {
        <table class="list">
            <thead>
                <tr><th>"Name"</th><th>"Email"</th><th>"Kind"</th><th>"Modules"</th><th>"Two-factor"</th><th>"State"</th></tr>
            </thead>
            <tbody>
                {list.into_iter().map(|row| view! {
                    <tr>
                        <td><a href=format!("/admin/staff/{}", row.id)>{row.full_name.clone()}</a></td>
                        <td>{row.email.clone()}</td>
                        <td>{if row.is_admin { "Admin" } else { "Staff" }}</td>
                        <td>{permissions_text(&row)}</td>
                        <td>{if row.mfa_enabled { "On" } else { "Off" }}</td>
                        <td>{state(&row)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// One staff member's actions, created with the page so that each step-up prompt keeps
/// the input it repeats while the details above it reload.
#[derive(Clone, Copy)]
struct MemberActions {
    save: ServerAction<SetStaffPermissions>,
    deactivate: ServerAction<DeactivateStaff>,
    reset: ServerAction<ResetTwoFactor>,
    resend: ServerAction<ResendStaffInvitation>,
}

#[component]
pub fn StaffMemberPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let actions = MemberActions {
        save: ServerAction::new(),
        deactivate: ServerAction::new(),
        reset: ServerAction::new(),
        resend: ServerAction::new(),
    };
    let versions = move || {
        (
            actions.save.version().get(),
            actions.deactivate.version().get(),
            actions.reset.version().get(),
        )
    };
    let member = Resource::new(move || (id(), versions()), |(id, _)| staff_detail(id));
    let MemberActions {
        save,
        deactivate,
        reset,
        resend,
    } = actions;
    view! {
        <Title text="Staff member" />
        <AdminShell>
            <p class="aside"><a href="/admin/staff">"All staff"</a></p>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || member.get().map(|result| match result {
                    Ok(row) => view! { <StaffMember row actions /> }.into_any(),
                    Err(error) => view! {
                        <h1>"Staff member"</h1>
                        <p class="form-error" role="alert">{error.to_string()}</p>
                    }.into_any(),
                })}
            </Transition>
            <Show when=succeeded(save)>
                <p class="success" role="status">"Permissions saved. They apply from the member's next request."</p>
            </Show>
            <Show when=succeeded(deactivate)>
                <p class="success" role="status">"Deactivated: they cannot sign in, and their sessions have ended."</p>
            </Show>
            <Show when=succeeded(reset)>
                <p class="success" role="status">
                    "Two-factor authentication is reset and their sessions have ended. They set it up again at their next sign-in."
                </p>
            </Show>
            <Show when=succeeded(resend)>
                <p class="success" role="status">"A new invitation link is on its way."</p>
            </Show>
            <FormError message=form_error(deactivate, &[]) />
            <FormError message=form_error(reset, &[]) />
            <FormError message=form_error(resend, &[]) />
            <StepUpPrompt action=save id="save-step-up" />
            <StepUpPrompt action=deactivate id="deactivate-step-up" />
            <StepUpPrompt action=reset id="reset-step-up" />
        </AdminShell>
    }
}

#[component]
fn StaffMember(row: StaffRow, actions: MemberActions) -> impl IntoView {
    let MemberActions {
        save,
        deactivate,
        reset,
        resend,
    } = actions;
    let permissions = if row.is_admin {
        view! { <p>"All modules: administrators hold every module."</p> }.into_any()
    } else {
        let (id, grants) = (row.id.clone(), row.grants.clone());
        view! {
            <ActionForm action=save attr:class="form">
                <input type="hidden" name="user_id" value=id />
                <GrantSelects grants error=field_error(save, "grants") />
                <FormError message=form_error(save, &["grants"]) />
                <button type="submit" disabled=move || save.pending().get()>"Save permissions"</button>
            </ActionForm>
        }
        .into_any()
    };
    // The server deactivates staff only: an administrator stays one.
    let can_deactivate = !row.is_admin && !row.deactivated;
    view! {
        <h1>{row.full_name.clone()}</h1>
        <dl class="facts">
            <dt>"Email"</dt><dd>{row.email.clone()}</dd>
            <dt>"Kind"</dt><dd>{if row.is_admin { "Administrator" } else { "Staff" }}</dd>
            <dt>"State"</dt><dd>{state(&row)}</dd>
            <dt>"Two-factor"</dt><dd>{if row.mfa_enabled { "On" } else { "Off" }}</dd>
        </dl>
        <section class="panel" aria-labelledby="permissions-heading">
            <h2 id="permissions-heading">"Permissions"</h2>
            {permissions}
        </section>
        <section class="panel" aria-labelledby="access-heading">
            <h2 id="access-heading">"Access"</h2>
            {row.mfa_enabled.then(|| {
                let id = row.id.clone();
                view! {
                    <ActionForm action=reset attr:class="inline">
                        <input type="hidden" name="user_id" value=id />
                        <button type="submit" class="secondary" disabled=move || reset.pending().get()>"Reset two-factor"</button>
                    </ActionForm>
                }
            })}
            {(row.invited && !row.deactivated).then(|| {
                let id = row.id.clone();
                view! {
                    <ActionForm action=resend attr:class="inline">
                        <input type="hidden" name="user_id" value=id />
                        <button type="submit" class="secondary" disabled=move || resend.pending().get()>"Re-send invitation"</button>
                    </ActionForm>
                }
            })}
            {can_deactivate.then(|| {
                let id = row.id.clone();
                view! {
                    <ActionForm action=deactivate attr:class="inline">
                        <input type="hidden" name="user_id" value=id />
                        <button type="submit" class="danger" disabled=move || deactivate.pending().get()>"Deactivate"</button>
                    </ActionForm>
                }
            })}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> StaffRow {
        StaffRow {
            id: String::new(),
            email: String::new(),
            full_name: String::new(),
            is_admin: false,
            invited: false,
            deactivated: false,
            mfa_enabled: true,
            grants: vec![Grant {
                module: "payments".into(),
                level: "view".into(),
            }],
        }
    }

    #[test]
    fn administrators_hold_every_module() {
        assert_eq!(permissions_text(&row()), "Payments (view)");
        assert_eq!(
            permissions_text(&StaffRow {
                is_admin: true,
                ..row()
            }),
            "All modules"
        );
    }

    #[test]
    fn deactivation_outranks_a_pending_invitation() {
        assert_eq!(
            state(&StaffRow {
                invited: true,
                deactivated: true,
                ..row()
            }),
            "Deactivated"
        );
        assert_eq!(
            state(&StaffRow {
                invited: true,
                ..row()
            }),
            "Invited"
        );
        assert_eq!(state(&row()), "Active");
    }
}
