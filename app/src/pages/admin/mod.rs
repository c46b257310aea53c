//! The admin console's pages and the frame they share: the console navigation, which
//! lists only the modules the signed-in staff member holds. The server's route guard
//! decides who may open each page; these only render what the server functions return.

pub mod all_payments;
pub mod audit;
pub mod bank_account;
pub mod chargebacks;
pub mod fees;
pub mod kyc;
pub mod ledger;
pub mod merchant_terms;
pub mod merchants;
pub mod overview;
pub mod payouts;
pub mod reconciliation;
pub mod refunds;
pub mod risk;
pub mod sanctions;
pub mod settings;
pub mod staff;
pub mod support;
pub mod support_kyc;

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::admin::{Grant, MODULES, admin_overview};

/// A module's label from its slug, if the console knows the module.
pub fn module_label(slug: &str) -> Option<&'static str> {
    MODULES
        .iter()
        .find(|(s, _)| *s == slug)
        .map(|(_, label)| *label)
}

/// Grants as people read them: "Payments (view), Risk (act)".
pub fn grants_text(grants: &[Grant]) -> String {
    if grants.is_empty() {
        return "None".to_owned();
    }
    grants
        .iter()
        .map(|g| {
            format!(
                "{} ({})",
                module_label(&g.module).unwrap_or(&g.module),
                g.level
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether the page at `path` belongs under the navigation link `href`.
fn current(path: &str, href: &str) -> bool {
    path == href
        || path
            .strip_prefix(href)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// The console's frame: its navigation beside the page's own content.
#[component]
pub fn AdminShell(children: Children) -> impl IntoView {
    view! {
        <section class="page admin">
            <AdminNav />
            <div class="admin-main">{children()}</div>
        </section>
    }
}

/// The modules the viewer holds, in the console's order, and staff management for
/// administrators. It asks the server itself, so every page shows the same list.
#[component]
pub fn AdminNav() -> impl IntoView {
    let overview = Resource::new(|| (), |_| admin_overview());
    let path = use_location().pathname;
    let link = move |href: String, label: &'static str| {
        let here = href.clone();
        view! {
            <a href=href aria-current=move || current(&path.read(), &here).then_some("page")>{label}</a>
        }
    };
    view! {
        <nav class="admin-nav" aria-label="Admin">
            <Transition fallback=|| ()>
                {move || overview.get().map(|result| match result {
                    Ok(overview) => {
                        let held = |slug: &str| overview.modules.iter().any(|g| g.module == slug);
                        // KYC review ("Verification") and fee schedules belong to the merchants
                        // module; the ledger to payouts; chargebacks to payments.
                        let modules = MODULES
                            .iter()
                            .filter(|(slug, _)| held(slug))
                            .map(|&(slug, label)| {
                                let verification = (slug == "merchants").then(|| link("/admin/kyc".to_owned(), "Verification"));
                                let fees = (slug == "merchants").then(|| link("/admin/fees".to_owned(), "Fees"));
                                let ledger = (slug == "payouts").then(|| link("/admin/ledger".to_owned(), "Ledger"));
                                let chargebacks = (slug == "payments").then(|| link("/admin/chargebacks".to_owned(), "Chargebacks"));
                                view! { {link(format!("/admin/{slug}"), label)} {verification} {fees} {ledger} {chargebacks} }
                            })
                            .collect_view();
                        let staff = overview.is_admin.then(|| link("/admin/staff".to_owned(), "Staff"));
                        view! { {modules} {staff} }.into_any()
                    }
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                })}
            </Transition>
        </nav>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grants_read_as_labels_with_levels() {
        let grant = |module: &str, level: &str| Grant {
            module: module.into(),
            level: level.into(),
        };
        assert_eq!(
            grants_text(&[grant("payments", "view"), grant("risk", "act")]),
            "Payments (view), Risk (act)"
        );
        assert_eq!(grants_text(&[]), "None");
    }

    #[test]
    fn a_link_is_current_on_its_page_and_below_it_only() {
        assert!(current("/admin/merchants", "/admin/merchants"));
        assert!(current("/admin/merchants/8d2f", "/admin/merchants"));
        assert!(!current("/admin/merchants-old", "/admin/merchants"));
        assert!(!current("/admin", "/admin/merchants"));
    }
}
