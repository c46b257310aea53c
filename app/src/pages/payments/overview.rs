//! The overview's chart: paid volume and paid payments per day for the last thirty days,
//! drawn as inline SVG bars (every bar titled with its day and figures), the same numbers
//! as a table for screen readers and copying, and the payments by status.

use leptos::prelude::*;

use super::load_error;
use crate::payments::{DayView, OVERVIEW_DAYS, OverviewView, payments_overview};

/// Bars of `values` in a 100-high box, one 10-wide slot per day, each titled with its
/// label; a day with nothing gets no bar.
fn bars(values: &[i64], labels: &[String]) -> impl IntoView + use<> {
    let max = values.iter().copied().max().unwrap_or(0).max(1);
    values
        .iter()
        .enumerate()
        .filter(|(_, value)| **value > 0)
        .map(|(i, value)| {
            // At least 2 high, so the smallest day still shows.
            let height = (value * 96 / max).max(2);
            view! {
                <rect x=i * 10 + 1 y=100 - height width="8" height=height>
                    <title>{labels[i].clone()}</title>
                </rect>
            }
        })
        .collect_view()
}

#[component]
fn BarChart(
    id: &'static str,
    title: String,
    summary: String,
    values: Vec<i64>,
    labels: Vec<String>,
) -> impl IntoView {
    let width = values.len() * 10;
    let (desc_id, title_id) = (format!("{id}-desc"), format!("{id}-title"));
    view! {
        <figure class="chart">
            <figcaption id=title_id.clone()>{title}</figcaption>
            <svg
                viewBox=format!("0 0 {width} 100")
                preserveAspectRatio="none"
                role="img"
                aria-labelledby=title_id
                aria-describedby=desc_id.clone()
            >
                <desc id=desc_id.clone()>{summary}</desc>
                <line x1="0" y1="100" x2=width y2="100" class="axis" />
                {bars(&values, &labels)}
            </svg>
        </figure>
    }
}

#[component]
fn Charts(overview: OverviewView) -> impl IntoView {
    let OverviewView {
        days,
        total,
        statuses,
    } = overview;
    let currency = total.currency();
    let total_count: i64 = days.iter().map(|d| d.payments).sum();
    let label = |d: &DayView| format!("{}: {} paid, {}", d.day, d.payments, d.volume);
    let labels: Vec<String> = days.iter().map(label).collect();
    let span = match (days.first(), days.last()) {
        (Some(first), Some(last)) => format!("{} to {}", first.day, last.day),
        _ => String::new(),
    };
    view! {
        <p>
            {format!("Last {OVERVIEW_DAYS} days ({span}): {total_count} paid payments, {total}.")}
        </p>
        <div class="charts">
            <BarChart
                id="volume-chart"
                title=format!("Paid volume per day ({currency})")
                summary=format!("Total {total} over {OVERVIEW_DAYS} days.")
                values=days.iter().map(|d| d.volume.minor()).collect()
                labels=labels.clone()
            />
            <BarChart
                id="count-chart"
                title="Paid payments per day".to_owned()
                summary=format!("{total_count} paid payments over {OVERVIEW_DAYS} days.")
                values=days.iter().map(|d| d.payments).collect()
                labels
            />
        </div>
        <details>
            <summary>"The numbers per day"</summary>
            <table class="list">
                <thead><tr><th>"Day"</th><th>"Paid payments"</th><th>"Paid volume"</th></tr></thead>
                <tbody>
                    {days.iter().rev().map(|d| view! {
                        <tr><td>{d.day.clone()}</td><td>{d.payments}</td><td>{d.volume.to_string()}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </details>
        <h3>"Payments by status"</h3>
        {if statuses.is_empty() {
            view! { <p>"No payments in these days yet."</p> }.into_any()
        } else {
            view! {
                <dl class="facts">
                    {statuses.into_iter().map(|(status, count)| view! {
                        <dt>{status.label()}</dt><dd>{count}</dd>
                    }).collect_view()}
                </dl>
            }.into_any()
        }}
    }
}

/// The overview section of the dashboard's landing page.
#[component]
pub fn OverviewPanel() -> impl IntoView {
    let overview = Resource::new(|| (), |_| payments_overview());
    view! {
        <section class="panel" aria-labelledby="overview-heading">
            <h2 id="overview-heading">"Overview"</h2>
            <Transition fallback=|| view! { <p>"Loading the overview…"</p> }>
                {move || overview.get().map(|result| match result {
                    Ok(overview) => view! { <Charts overview /> }.into_any(),
                    Err(error) => load_error(error),
                })}
            </Transition>
        </section>
    }
}
