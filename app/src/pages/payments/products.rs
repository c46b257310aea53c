//! Products of the current mode: the list (active first, archived marked), and for
//! owners, admins and developers a new product and archiving.

use leptos::prelude::*;

use super::{DashboardShell, load_error};
use crate::components::form::{Field, FormError, field_error, form_error, succeeded};
use crate::payments::{ArchiveProduct, CreateProduct, DashboardView, ProductView, products};

#[component]
pub fn ProductsPage() -> impl IntoView {
    view! { <DashboardShell title="Products" body=|state: DashboardView| view! { <Products can_edit=state.can_edit /> } /> }
}

#[component]
fn Products(can_edit: bool) -> impl IntoView {
    let create = ServerAction::<CreateProduct>::new();
    let archive = ServerAction::<ArchiveProduct>::new();
    let list = Resource::new(
        move || (create.version().get(), archive.version().get()),
        |_| products(),
    );
    view! {
        <section class="panel" aria-labelledby="products-heading">
            <h2 id="products-heading">"Your products"</h2>
            <Transition fallback=|| view! { <p>"Loading products…"</p> }>
                {move || list.get().map(|result| match result {
                    Ok(list) if list.is_empty() => view! { <p>"No products in this mode yet."</p> }.into_any(),
                    Ok(list) => view! { <ProductTable list archive can_edit /> }.into_any(),
                    Err(error) => load_error(error),
                })}
            </Transition>
            <FormError message=form_error(archive, &[]) />
        </section>
        {can_edit.then(|| view! {
            <section class="panel" aria-labelledby="new-product-heading">
                <h2 id="new-product-heading">"New product"</h2>
                <ActionForm action=create attr:class="form">
                    <Field label="Name" name="name" error=field_error(create, "name")>
                        <input id="name" name="name" required maxlength="200" autocomplete="off" />
                    </Field>
                    <Field label="Description (optional)" name="description" error=field_error(create, "description")>
                        <textarea id="description" name="description" maxlength="1000" rows="2"></textarea>
                    </Field>
                    <Field label="Price in euro" name="price" error=field_error(create, "price") hint="For example 12.50">
                        <input id="price" name="price" required inputmode="decimal" autocomplete="off" />
                    </Field>
                    <FormError message=form_error(create, &["name", "description", "price"]) />
                    <Show when=succeeded(create)>
                        <p class="success" role="status">"The product is created."</p>
                    </Show>
                    <button type="submit" disabled=move || create.pending().get()>"Create the product"</button>
                </ActionForm>
            </section>
        })}
    }
}

#[component]
fn ProductTable(
    list: Vec<ProductView>,
    archive: ServerAction<ArchiveProduct>,
    can_edit: bool,
) -> impl IntoView {
    view! {
        <table class="list">
            <thead>
                <tr><th>"Name"</th><th>"Price"</th><th>"Created"</th><th></th></tr>
            </thead>
            <tbody>
                {list.into_iter().map(|p| {
                    let control = (can_edit && !p.archived).then(|| {
                        let label = format!("Archive {}", p.name);
                        view! {
                            <ActionForm action=archive attr:class="inline">
                                <input type="hidden" name="id" value=p.id.clone() />
                                <button type="submit" class="secondary" aria-label=label disabled=move || archive.pending().get()>
                                    "Archive"
                                </button>
                            </ActionForm>
                        }
                    });
                    view! {
                        <tr class:archived=p.archived>
                            <td>
                                {p.name.clone()}
                                {p.archived.then(|| view! { " " <span class="badge">"Archived"</span> })}
                                {p.description.clone().map(|d| view! { <br /><span class="aside">{d}</span> })}
                            </td>
                            <td>{p.price.to_string()}</td>
                            <td>{p.created.clone()}</td>
                            <td class="row-actions">{control}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
