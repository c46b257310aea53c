//! The page of a console module whose screens are still to come: the frame and its name,
//! so the navigation and the route guard can be tried module by module.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{AdminShell, module_label};

#[component]
pub fn ModulePage(slug: &'static str) -> impl IntoView {
    let label = module_label(slug).unwrap_or(slug);
    view! {
        <Title text=label />
        <AdminShell>
            <h1>{label}</h1>
            <p>"This module's screens arrive with their issue."</p>
        </AdminShell>
    }
}
