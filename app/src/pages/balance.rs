//! The dashboard's Balance page: available (and why it is below zero when it is), pending
//! with its release days, reserve and in payout; the last 90 days as a server-drawn SVG
//! chart with the same numbers as a table for screen readers; and the CSV export.

use domain::{Currency, Money, PayoutStatus};
use leptos::prelude::*;

use crate::balance::{
    BalanceRow, BalanceView, CHART_DAYS, ChartDay, EXPORT_PATH, UpcomingPayout, merchant_balance,
};
use crate::pages::payments::{DashboardShell, load_error};
use crate::payments::Mode;

const WIDTH: i64 = 720;
const HEIGHT: i64 = 200;

#[component]
pub fn BalancePage() -> impl IntoView {
    view! { <DashboardShell title="Balance" body=|_| view! { <Balance /> } /> }
}

#[component]
fn Balance() -> impl IntoView {
    let balance = Resource::new(|| (), |_| merchant_balance());
    view! {
        <Transition fallback=|| view! { <p>"Loading your balance…"</p> }>
            {move || balance.get().map(|result| match result {
                Ok(view) => view! { <BalanceFacts view /> }.into_any(),
                Err(error) => load_error(error),
            })}
        </Transition>
    }
}

#[component]
fn BalanceFacts(view: BalanceView) -> impl IntoView {
    let BalanceView {
        mode,
        balances,
        releases,
        payouts,
        chart_currency,
        chart,
    } = view;
    let none = balances.is_empty().then(|| {
        view! { <p>{format!("Nothing in your {} Mode balance yet: paid payments show here.", mode.label())}</p> }
    });
    view! {
        {none}
        {balances.into_iter().map(|row| view! { <CurrencyBalance row /> }).collect_view()}
        <section class="panel" aria-labelledby="releases-heading">
            <h2 id="releases-heading">"Release days"</h2>
            <p class="aside">
                "Sold money stays pending for your settlement delay in business days (weekends and "
                "Kosovo's public holidays do not count), then moves to available."
            </p>
            {if releases.is_empty() {
                view! { <p>"Nothing is waiting to be released."</p> }.into_any()
            } else {
                view! {
                    <table class="list">
                        <thead><tr><th>"Released on"</th><th>"From"</th><th>"Amount"</th></tr></thead>
                        <tbody>
                            {releases.into_iter().map(|r| view! {
                                <tr>
                                    <td>{r.release_on}</td>
                                    <td>{if r.kind == "reserve" { "Reserve" } else { "Pending" }}</td>
                                    <td>{r.amount.to_string()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
        <UpcomingPayouts payouts live=mode == Mode::Live />
        <BalanceChart currency=chart_currency days=chart />
        <section class="panel" aria-labelledby="export-heading">
            <h2 id="export-heading">"For your accountant"</h2>
            <p>
                <a href=EXPORT_PATH download="">"Download the ledger lines (CSV)"</a>
                {format!(" of {} Mode: date, type, gross, fee, VAT, net and reference of every entry.", mode.label())}
            </p>
        </section>
    }
}

/// Payouts on their way to the bank; the Payouts page has every payout and its statement.
#[component]
fn UpcomingPayouts(payouts: Vec<UpcomingPayout>, live: bool) -> impl IntoView {
    // The Balance page's own words: a payout here is still on its way.
    let status = |s: PayoutStatus| match s {
        PayoutStatus::Sent => "Sent to the bank",
        PayoutStatus::Approved => "Approved, sending soon",
        _ => "Waiting for approval",
    };
    view! {
        <section class="panel" aria-labelledby="payouts-heading">
            <h2 id="payouts-heading">"Upcoming payouts"</h2>
            {if !live {
                view! { <p>"Test Mode money is never paid out to a bank."</p> }.into_any()
            } else if payouts.is_empty() {
                view! { <p>"No payout is on its way. " <a href="/dashboard/payouts">"Payouts and their schedule"</a></p> }.into_any()
            } else {
                view! {
                    <table class="list">
                        <thead><tr><th>"Made on"</th><th>"To"</th><th>"Amount"</th><th>"Status"</th></tr></thead>
                        <tbody>
                            {payouts.into_iter().map(|p| view! {
                                <tr>
                                    <td>{p.made_on}</td>
                                    <td>{p.iban_masked}</td>
                                    <td>{p.amount.to_string()}</td>
                                    <td>{status(p.status)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn CurrencyBalance(row: BalanceRow) -> impl IntoView {
    let BalanceRow {
        currency,
        available,
        pending,
        reserve,
        in_payout,
    } = row;
    let negative = (available.minor() < 0).then(|| {
        view! {
            <p class="notice" role="note">
                "Refunds took more than you had; new sales pay it back before any payout."
            </p>
        }
    });
    let facts = [
        ("Available", available),
        ("Pending", pending),
        ("Reserve", reserve),
        ("In payout", in_payout),
    ];
    view! {
        <section class="panel" aria-label=format!("Balance in {currency}")>
            {negative}
            <dl class="facts">
                {facts.into_iter().map(|(label, money)| view! { <dt>{label}</dt><dd>{money.to_string()}</dd> }).collect_view()}
            </dl>
        </section>
    }
}

/// An SVG polyline's points for `values` on a `WIDTH` × `HEIGHT` canvas whose bottom is
/// `low` and top `high` (minor units), one step per value.
pub fn points(values: &[i64], low: i64, high: i64) -> String {
    let span = (high - low).max(1);
    let steps = i64::try_from(values.len().saturating_sub(1))
        .unwrap_or(1)
        .max(1);
    values
        .iter()
        .enumerate()
        .map(|(i, value)| {
            let x = i64::try_from(i).unwrap_or(0) * WIDTH / steps;
            let y = HEIGHT - (value - low) * HEIGHT / span;
            format!("{x},{y}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The last 90 days' closing balances: available and held (pending and reserve), drawn on
/// the server, so it needs no script; the table below holds the same numbers.
#[component]
fn BalanceChart(currency: Currency, days: Vec<(String, ChartDay)>) -> impl IntoView {
    let money = move |minor: i64| Money::new(minor, currency).to_string();
    let available: Vec<i64> = days.iter().map(|(_, d)| d.available_minor).collect();
    let held: Vec<i64> = days.iter().map(|(_, d)| d.held_minor).collect();
    let low = available
        .iter()
        .chain(&held)
        .copied()
        .min()
        .unwrap_or(0)
        .min(0);
    let high = available
        .iter()
        .chain(&held)
        .copied()
        .max()
        .unwrap_or(0)
        .max(100);
    let zero_y = HEIGHT - (0 - low) * HEIGHT / (high - low).max(1);
    let summary = format!(
        "Your balance over the last {CHART_DAYS} days in {currency}: available from {} to {}, pending and reserve up to {}.",
        money(available.iter().copied().min().unwrap_or(0)),
        money(available.iter().copied().max().unwrap_or(0)),
        money(held.iter().copied().max().unwrap_or(0)),
    );
    view! {
        <section class="panel" aria-labelledby="chart-heading">
            <h2 id="chart-heading">{format!("The last {CHART_DAYS} days")}</h2>
            <figure class="chart">
                <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-labelledby="chart-summary" preserveAspectRatio="none">
                    <line x1="0" x2=WIDTH.to_string() y1=zero_y.to_string() y2=zero_y.to_string() class="axis" />
                    <polyline points=points(&held, low, high) class="series held" fill="none" />
                    <polyline points=points(&available, low, high) class="series available" fill="none" />
                </svg>
                <figcaption id="chart-summary">{summary}" The line marked available is solid; pending and reserve is dashed."</figcaption>
            </figure>
            <details>
                <summary>"The chart as a table"</summary>
                <table class="list">
                    <caption>{format!("Closing balances per day, {currency}")}</caption>
                    <thead><tr>
                        <th scope="col">"Day"</th><th scope="col">"Available"</th>
                        <th scope="col">"Pending and reserve"</th><th scope="col">"In payout"</th>
                    </tr></thead>
                    <tbody>
                        {days.into_iter().rev().map(|(day, d)| view! {
                            <tr>
                                <th scope="row">{day}</th>
                                <td>{money(d.available_minor)}</td>
                                <td>{money(d.held_minor)}</td>
                                <td>{money(d.in_payout_minor)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </details>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chart_spans_its_canvas_with_zero_at_the_bottom() {
        assert_eq!(points(&[0, 50, 100], 0, 100), "0,200 360,100 720,0");
        assert_eq!(points(&[-100, 100], -100, 100), "0,200 720,0");
        assert_eq!(points(&[5], 0, 100), "0,190");
    }
}
