//! Checkout sessions of the current mode: for owners, admins and developers a new one for
//! one order (item lines, buyer email, reference, return addresses, expiry), and the
//! latest sessions with their status.

use leptos::prelude::*;

use super::{DashboardShell, ShareableUrl, load_error};
use crate::components::form::{Field, FormError, field_error, form_error};
use crate::payments::{
    CHECKOUT_EXPIRIES, CheckoutView, CreateCheckout, DashboardView, ProductView, checkouts,
    products,
};

/// The fields whose errors concern the item lines.
const LINE_FIELDS: &[&str] = &["items", "quantity", "item_name", "item_price"];

#[component]
pub fn CheckoutsPage() -> impl IntoView {
    view! { <DashboardShell title="Checkouts" body=|state: DashboardView| view! { <Checkouts can_edit=state.can_edit /> } /> }
}

#[component]
fn Checkouts(can_edit: bool) -> impl IntoView {
    let create = ServerAction::<CreateCheckout>::new();
    let list = Resource::new(move || create.version().get(), |_| checkouts());
    view! {
        {can_edit.then(|| view! { <NewCheckout create /> })}
        <section class="panel" aria-labelledby="checkouts-heading">
            <h2 id="checkouts-heading">"Recent checkouts"</h2>
            <Transition fallback=|| view! { <p>"Loading checkouts…"</p> }>
                {move || list.get().map(|result| match result {
                    Ok(list) if list.is_empty() => view! { <p>"No checkouts in this mode yet."</p> }.into_any(),
                    Ok(list) => view! { <CheckoutTable list /> }.into_any(),
                    Err(error) => load_error(error),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn NewCheckout(create: ServerAction<CreateCheckout>) -> impl IntoView {
    let catalog = Resource::new(|| (), |_| products());
    // Lines are added, never removed: a line left empty is ignored.
    let lines = RwSignal::new(1usize);
    let line_error = Signal::derive(move || {
        create.value().with(|v| {
            let error = v.as_ref()?.as_ref().err()?;
            LINE_FIELDS.iter().find_map(|field| error.for_field(field))
        })
    });
    let expiry_options = CHECKOUT_EXPIRIES
        .iter()
        .map(|&(minutes, label)| view! { <option value=minutes selected=minutes == "1440">{label}</option> })
        .collect_view();
    view! {
        <section class="panel" aria-labelledby="new-checkout-heading">
            <h2 id="new-checkout-heading">"New checkout"</h2>
            <p class="aside">"One order for one buyer: send them the address it gives you."</p>
            <ActionForm action=create attr:class="form">
                <fieldset class="lines">
                    <legend>"Items"</legend>
                    <p class="field-hint">"Choose a product, or leave it on “Custom item” and type a name and unit price in euro."</p>
                    <Transition fallback=|| view! { <p>"Loading products…"</p> }>
                        {move || catalog.get().map(|result| {
                            let active: Vec<ProductView> = result.unwrap_or_default().into_iter().filter(|p| !p.archived).collect();
                            view! {
                                <For each=move || 0..lines.get() key=|i| *i let:i>
                                    <ItemLine index=i products=active.clone() />
                                </For>
                            }
                        })}
                    </Transition>
                    <p class="field-error" role="alert">{move || line_error.get()}</p>
                    <button type="button" class="secondary" on:click=move |_| lines.update(|n| *n += 1)>"Add a line"</button>
                </fieldset>
                <Field label="Buyer email (optional)" name="buyer_email" error=field_error(create, "buyer_email")>
                    <input id="buyer_email" name="checkout[buyer_email]" type="email" maxlength="254" autocomplete="off" />
                </Field>
                <Field label="Reference (optional)" name="reference" error=field_error(create, "reference") hint="Your order number, shown with the payment.">
                    <input id="reference" name="checkout[reference]" maxlength="100" autocomplete="off" />
                </Field>
                <Field label="Success address (optional)" name="success_url" error=field_error(create, "success_url") hint="Where the buyer goes after paying.">
                    <input id="success_url" name="checkout[success_url]" type="url" placeholder="https://" />
                </Field>
                <Field label="Cancel address (optional)" name="cancel_url" error=field_error(create, "cancel_url") hint="Where the buyer goes if they do not pay.">
                    <input id="cancel_url" name="checkout[cancel_url]" type="url" placeholder="https://" />
                </Field>
                <Field label="Payable for" name="expires_in_minutes" error=field_error(create, "expires_in_minutes")>
                    <select id="expires_in_minutes" name="checkout[expires_in_minutes]">{expiry_options}</select>
                </Field>
                <FormError message=form_error(
                    create,
                    &["items", "quantity", "item_name", "item_price", "buyer_email", "reference", "success_url", "cancel_url", "expires_in_minutes"],
                ) />
                {move || create.value().get().and_then(Result::ok).map(|url| view! {
                    <p class="success" role="status">"The checkout is ready: " <ShareableUrl url /></p>
                })}
                <button type="submit" disabled=move || create.pending().get()>"Create the checkout"</button>
            </ActionForm>
        </section>
    }
}

/// One line of the order, posted as `checkout[items][index][…]`.
#[component]
fn ItemLine(index: usize, products: Vec<ProductView>) -> impl IntoView {
    let name = move |field: &str| format!("checkout[items][{index}][{field}]");
    let number = index + 1;
    view! {
        <div class="line">
            <select name=name("product") aria-label=format!("Line {number}: product")>
                <option value="">"Custom item"</option>
                {products.into_iter().map(|p| {
                    let label = format!("{} ({})", p.name, p.price);
                    view! { <option value=p.id>{label}</option> }
                }).collect_view()}
            </select>
            <input name=name("name") aria-label=format!("Line {number}: name") maxlength="200" autocomplete="off" />
            <input name=name("price") aria-label=format!("Line {number}: unit price in euro") inputmode="decimal" autocomplete="off" />
            <input
                name=name("quantity")
                aria-label=format!("Line {number}: quantity")
                type="number"
                min="1"
                max="999"
                value="1"
            />
        </div>
    }
}

#[component]
fn CheckoutTable(list: Vec<CheckoutView>) -> impl IntoView {
    view! {
        <table class="list">
            <thead>
                <tr><th>"Amount"</th><th>"Status"</th><th>"Buyer"</th><th>"Reference"</th><th>"Created"</th><th>"Expires"</th><th>"Address"</th></tr>
            </thead>
            <tbody>
                {list.into_iter().map(|c| {
                    let class = format!("badge status-{}", c.status.as_str());
                    view! {
                        <tr>
                            <td>{c.amount.to_string()}</td>
                            <td><span class=class>{c.status.as_str()}</span></td>
                            <td>{c.buyer_email}</td>
                            <td>{c.reference}</td>
                            <td>{c.created}</td>
                            <td>{c.expires}</td>
                            <td><ShareableUrl url=c.url /></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
