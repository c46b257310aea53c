//! The ceiling for server rendering that `bench/ceiling.sh` measures the app's own pages
//! against (issue 24): one component in the shell of Leptos's axum template, behind a
//! router with one route, served by `leptos_axum` and built with the server's release
//! profile. Nothing else runs per request: no middleware, no session, no database.
//!
//! `leptos-ceiling <address>` serves it, e.g. `leptos-ceiling 127.0.0.1:3221`.

use std::net::SocketAddr;

use axum::Router;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <HydrationScripts options />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
fn App() -> impl IntoView {
    view! {
        <Router>
            <main>
                <Routes fallback=|| "Page not found">
                    <Route path=path!("/") view=Page />
                </Routes>
            </main>
        </Router>
    }
}

#[component]
fn Page() -> impl IntoView {
    view! {
        <h1>"Saleonix"</h1>
        <p>"Payments and merchant of record for Kosovo."</p>
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let address: SocketAddr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3221".into())
        .parse()?;
    let options = LeptosOptions::builder()
        .output_name("ceiling")
        .site_addr(address)
        .build();
    let app = Router::new()
        .leptos_routes(&options, generate_route_list(App), {
            let options = options.clone();
            move || shell(options.clone())
        })
        .with_state(options);
    let listener = tokio::net::TcpListener::bind(address).await?;
    axum::serve(listener, app).await?;
    Ok(())
}
