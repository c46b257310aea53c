//! Payment links of the current mode: each with its shareable address, payments so far,
//! limit and expiry; for owners, admins and developers a new link (for an active product,
//! or a title and fixed amount) and archiving.

use leptos::prelude::*;

use super::{DashboardShell, ShareableUrl, load_error};
use crate::components::form::{Field, FormError, field_error, form_error};
use crate::payments::{ArchiveLink, CreateLink, DashboardView, LinkView, payment_links, products};

#[component]
pub fn LinksPage() -> impl IntoView {
    view! { <DashboardShell title="Payment links" body=|state: DashboardView| view! { <Links can_edit=state.can_edit /> } /> }
}

#[component]
fn Links(can_edit: bool) -> impl IntoView {
    let create = ServerAction::<CreateLink>::new();
    let archive = ServerAction::<ArchiveLink>::new();
    let list = Resource::new(
        move || (create.version().get(), archive.version().get()),
        |_| payment_links(),
    );
    view! {
        <section class="panel" aria-labelledby="links-heading">
            <h2 id="links-heading">"Your payment links"</h2>
            <p class="aside">"Anyone with a link can pay it, as often as its limit allows, until it expires or you archive it."</p>
            <Transition fallback=|| view! { <p>"Loading links…"</p> }>
                {move || list.get().map(|result| match result {
                    Ok(list) if list.is_empty() => view! { <p>"No payment links in this mode yet."</p> }.into_any(),
                    Ok(list) => view! { <LinkTable list archive can_edit /> }.into_any(),
                    Err(error) => load_error(error),
                })}
            </Transition>
            <FormError message=form_error(archive, &[]) />
        </section>
        {can_edit.then(|| view! { <NewLink create /> })}
    }
}

#[component]
fn NewLink(create: ServerAction<CreateLink>) -> impl IntoView {
    let catalog = Resource::new(|| (), |_| products());
    view! {
        <section class="panel" aria-labelledby="new-link-heading">
            <h2 id="new-link-heading">"New payment link"</h2>
            <ActionForm action=create attr:class="form">
                <Field label="Product" name="product" error=field_error(create, "product")>
                    // The whole list waits for the products, so that it hydrates as rendered.
                    <Transition fallback=|| view! { <select id="product" disabled></select> }>
                        {move || catalog.get().map(|result| {
                            let active = result.unwrap_or_default().into_iter().filter(|p| !p.archived);
                            view! {
                                <select id="product" name="product">
                                    <option value="">"None: a title and amount of my own"</option>
                                    {active.map(|p| {
                                        let label = format!("{} ({})", p.name, p.price);
                                        view! { <option value=p.id>{label}</option> }
                                    }).collect_view()}
                                </select>
                            }
                        })}
                    </Transition>
                </Field>
                <Field label="Title" name="title" error=field_error(create, "title") hint="Without a product: what the buyer pays for.">
                    <input id="title" name="title" maxlength="200" autocomplete="off" />
                </Field>
                <Field label="Amount in euro" name="amount" error=field_error(create, "amount") hint="Without a product: for example 25.00">
                    <input id="amount" name="amount" inputmode="decimal" autocomplete="off" />
                </Field>
                <Field label="Maximum payments (optional)" name="max_payments" error=field_error(create, "max_payments")>
                    <input id="max_payments" name="max_payments" type="number" min="1" step="1" />
                </Field>
                <Field label="Expires (UTC, optional)" name="expires_at" error=field_error(create, "expires_at")>
                    <input id="expires_at" name="expires_at" type="datetime-local" />
                </Field>
                <FormError message=form_error(create, &["product", "title", "amount", "max_payments", "expires_at"]) />
                {move || create.value().get().and_then(Result::ok).map(|url| view! {
                    <p class="success" role="status">"The link is ready: " <ShareableUrl url /></p>
                })}
                <button type="submit" disabled=move || create.pending().get()>"Create the link"</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn LinkTable(
    list: Vec<LinkView>,
    archive: ServerAction<ArchiveLink>,
    can_edit: bool,
) -> impl IntoView {
    view! {
        <table class="list">
            <thead>
                <tr><th>"Title"</th><th>"Amount"</th><th>"Link"</th><th>"Payments"</th><th>"Expires"</th><th></th></tr>
            </thead>
            <tbody>
                {list.into_iter().map(|l| {
                    let control = (can_edit && !l.archived).then(|| {
                        let label = format!("Archive {}", l.title);
                        view! {
                            <ActionForm action=archive attr:class="inline">
                                <input type="hidden" name="id" value=l.id.clone() />
                                <button type="submit" class="secondary" aria-label=label disabled=move || archive.pending().get()>
                                    "Archive"
                                </button>
                            </ActionForm>
                        }
                    });
                    let state = if l.archived {
                        Some("Archived")
                    } else if !l.available {
                        Some("No longer payable")
                    } else {
                        None
                    };
                    let payments = match l.max_payments {
                        Some(max) => format!("{} of {max}", l.payments),
                        None => l.payments.to_string(),
                    };
                    view! {
                        <tr class:archived=l.archived>
                            <td>{l.title.clone()}{state.map(|s| view! { " " <span class="badge">{s}</span> })}</td>
                            <td>{l.amount.to_string()}</td>
                            <td><ShareableUrl url=l.url.clone() /></td>
                            <td>{payments}</td>
                            <td>{l.expires.clone().unwrap_or_else(|| "Never".into())}</td>
                            <td class="row-actions">{control}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
