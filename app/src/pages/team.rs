//! A merchant's team, for its owner and admins: the members with their roles, role
//! changes, removal and invitations.

use domain::MerchantRole;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::form::{
    Field, FormError, InviteeFields, field_error, form_error, succeeded,
};
use crate::components::step_up::StepUpPrompt;
use crate::pages::dashboard::DashboardNav;
use crate::team::{
    ASSIGNABLE_ROLES, ChangeMemberRole, InviteMember, MemberView, RemoveMember,
    ResendMemberInvitation, TransferOwnership, team_members,
};

/// The role choices, with `chosen` selected.
fn role_options(chosen: MerchantRole) -> impl IntoView + use<> {
    ASSIGNABLE_ROLES
        .iter()
        .map(|&(role, label)| view! { <option value=role.as_str() selected=role == chosen>{label}</option> })
        .collect_view()
}

/// The team's actions, created with the page: the list reloads after each one.
#[derive(Clone, Copy)]
struct TeamActions {
    change: ServerAction<ChangeMemberRole>,
    remove: ServerAction<RemoveMember>,
    resend: ServerAction<ResendMemberInvitation>,
    transfer: ServerAction<TransferOwnership>,
}

#[component]
pub fn TeamPage() -> impl IntoView {
    let invite = ServerAction::<InviteMember>::new();
    let actions = TeamActions {
        change: ServerAction::new(),
        remove: ServerAction::new(),
        resend: ServerAction::new(),
        transfer: ServerAction::new(),
    };
    let versions = move || {
        (
            invite.version().get(),
            actions.change.version().get(),
            actions.remove.version().get(),
            actions.transfer.version().get(),
        )
    };
    let members = Resource::new(versions, |_| team_members());
    view! {
        <Title text="Team" />
        <section class="page">
            <h1>"Team"</h1>
            // Only the owner and admins reach this page; both manage API keys too.
            <DashboardNav manages_team=true manages_keys=true />
            <section class="panel" aria-labelledby="members-heading">
                <h2 id="members-heading">"Members"</h2>
                <Transition fallback=|| view! { <p>"Loading the team…"</p> }>
                    {move || members.get().map(|result| match result {
                        Ok(list) => view! { <MemberTable list actions /> }.into_any(),
                        Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                    })}
                </Transition>
                <Show when=succeeded(actions.change)>
                    <p class="success" role="status">"The role is changed."</p>
                </Show>
                <Show when=succeeded(actions.remove)>
                    <p class="success" role="status">"They are removed: their account is closed and their sessions have ended."</p>
                </Show>
                <Show when=succeeded(actions.resend)>
                    <p class="success" role="status">"A new invitation link is on its way."</p>
                </Show>
                <Show when=succeeded(actions.transfer)>
                    <p class="success" role="status">"They own the account now, and you are an admin. Both of you were mailed."</p>
                </Show>
                <FormError message=form_error(actions.change, &[]) />
                <FormError message=form_error(actions.remove, &[]) />
                <FormError message=form_error(actions.resend, &[]) />
                <FormError message=form_error(actions.transfer, &[]) />
                <StepUpPrompt action=actions.change id="change-step-up" />
                <StepUpPrompt action=actions.remove id="remove-step-up" />
                <StepUpPrompt action=actions.transfer id="transfer-step-up" />
            </section>
            <section class="panel" aria-labelledby="invite-heading">
                <h2 id="invite-heading">"Invite a team member"</h2>
                <p>"We email them a link to choose a password; the link works for three days."</p>
                <ActionForm action=invite attr:class="form">
                    <InviteeFields action=invite />
                    <Field label="Role" name="role" error=field_error(invite, "role")>
                        <select id="role" name="role">{role_options(MerchantRole::Viewer)}</select>
                    </Field>
                    <FormError message=form_error(invite, &["email", "full_name", "role"]) />
                    <Show when=succeeded(invite)>
                        <p class="success" role="status">"Invitation sent."</p>
                    </Show>
                    <button type="submit" disabled=move || invite.pending().get()>"Send the invitation"</button>
                </ActionForm>
                <StepUpPrompt action=invite id="invite-step-up" />
            </section>
        </section>
    }
}

#[component]
fn MemberTable(list: Vec<MemberView>, actions: TeamActions) -> impl IntoView {
    let TeamActions {
        change,
        remove,
        resend,
        transfer,
    } = actions;
    // Only the owner hands the account over, to a member who has accepted their invitation.
    let you_own = list
        .iter()
        .any(|m| m.is_you && m.role == MerchantRole::Owner);
    view! {
        <table class="list">
            <thead>
                <tr><th>"Name"</th><th>"Email"</th><th>"Role"</th><th></th></tr>
            </thead>
            <tbody>
                {list.into_iter().map(|m| {
                    // Nobody changes their own role or the owner's: ownership moves another way.
                    let managed = !m.is_you && m.role != MerchantRole::Owner;
                    let invited = m.invited;
                    let controls = managed.then(|| {
                        let (change_id, remove_id, resend_id, transfer_id) =
                            (m.user_id.clone(), m.user_id.clone(), m.user_id.clone(), m.user_id.clone());
                        let options = role_options(m.role);
                        let role_label = format!("Role for {}", m.full_name);
                        view! {
                            <ActionForm action=change attr:class="inline">
                                <input type="hidden" name="user_id" value=change_id />
                                <select name="role" aria-label=role_label>{options}</select>
                                <button type="submit" class="secondary" disabled=move || change.pending().get()>"Change role"</button>
                            </ActionForm>
                            {invited.then(|| view! {
                                <ActionForm action=resend attr:class="inline">
                                    <input type="hidden" name="user_id" value=resend_id />
                                    <button type="submit" class="secondary" disabled=move || resend.pending().get()>"Re-send invitation"</button>
                                </ActionForm>
                            })}
                            {(you_own && !invited).then(|| view! {
                                <ActionForm action=transfer attr:class="inline">
                                    <input type="hidden" name="user_id" value=transfer_id />
                                    <button type="submit" class="secondary" disabled=move || transfer.pending().get()>"Make owner"</button>
                                </ActionForm>
                            })}
                            <ActionForm action=remove attr:class="inline">
                                <input type="hidden" name="user_id" value=remove_id />
                                <button type="submit" class="danger" disabled=move || remove.pending().get()>"Remove"</button>
                            </ActionForm>
                        }
                    });
                    view! {
                        <tr>
                            <td>
                                {m.full_name.clone()}
                                {m.is_you.then(|| view! { " " <span class="badge">"You"</span> })}
                                {m.invited.then(|| view! { " " <span class="badge pending">"Invited"</span> })}
                            </td>
                            <td>{m.email.clone()}</td>
                            <td>{m.role.label()}</td>
                            <td class="row-actions">{controls}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
