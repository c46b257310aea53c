//! The sanctions panel of an application under review: the list screened against (and when
//! it was loaded), every hit with what it matched, and for staff holding merchants `act` a
//! decision per hit (a false positive, or a true match) with a note. An undecided hit or a
//! true match keeps the application from approval.

use leptos::prelude::*;

use crate::components::form::{FormError, field_error, form_error};
use crate::components::step_up::StepUpPrompt;
use crate::pages::payments::load_error;
use crate::sanctions::{DecideSanctionsHit, SanctionsHitView, SanctionsListView, sanctions_hits};

#[component]
pub fn SanctionsPanel(merchant_id: String) -> impl IntoView {
    let decide = ServerAction::<DecideSanctionsHit>::new();
    let id = StoredValue::new(merchant_id);
    let hits = Resource::new(
        move || (id.get_value(), decide.version().get()),
        |(id, _)| sanctions_hits(id),
    );
    view! {
        <section class="panel" aria-labelledby="sanctions-heading">
            <h2 id="sanctions-heading">"Sanctions screening"</h2>
            <Transition fallback=|| view! { <p>"Loading the screening…"</p> }>
                {move || hits.get().map(|result| match result {
                    Ok(view) => {
                        let summary = match view.open {
                            0 => "No open hit.".to_owned(),
                            1 => "1 open hit: approval waits for a decision.".to_owned(),
                            n => format!("{n} open hits: approval waits for a decision on each."),
                        };
                        let rows = view
                            .hits
                            .into_iter()
                            .map(|hit| view! { <HitRow hit merchant_id=id.get_value() decide can_decide=view.can_decide /> })
                            .collect_view();
                        view! {
                            <ListLine list=view.list />
                            <p>{summary}</p>
                            <ul class="hits">{rows}</ul>
                        }
                        .into_any()
                    }
                    Err(error) => load_error(error),
                })}
            </Transition>
            <FormError message=form_error(decide, &["note", "decision"]) />
            <StepUpPrompt action=decide id="sanctions-step-up" />
        </section>
    }
}

#[component]
fn ListLine(list: Option<SanctionsListView>) -> impl IntoView {
    match list {
        Some(list) => view! {
            <p class="aside">{format!("Screened against {} ({} entries), loaded {}.", list.source, list.entries, list.loaded_at)}</p>
        }
        .into_any(),
        None => view! {
            <p class="form-error" role="alert">"No sanctions list is loaded: applications are not screened. See the README, \"Sanctions screening\"."</p>
        }
        .into_any(),
    }
}

fn decision_label(decision: Option<&str>) -> (&'static str, &'static str) {
    match decision {
        None => ("Undecided", "badge pending"),
        Some("false_positive") => ("False positive", "badge ok"),
        Some(_) => ("True match", "badge bad"),
    }
}

#[component]
fn HitRow(
    hit: SanctionsHitView,
    merchant_id: String,
    decide: ServerAction<DecideSanctionsHit>,
    can_decide: bool,
) -> impl IntoView {
    let (label, class) = decision_label(hit.decision.as_deref());
    let alias = hit.matched_alias.map(|alias| format!(" (as \"{alias}\")"));
    let born = hit.entry_date_of_birth.map(|born| format!(", born {born}"));
    let decided = hit.decided.map(|decided| {
        view! { <p>{format!("Decided {decided}: ")}<q>{hit.note.unwrap_or_default()}</q></p> }
    });
    let form = can_decide.then(|| {
        let note_id = format!("note-{}", hit.id);
        let note_error = field_error(decide, "note");
        let decision_error = field_error(decide, "decision");
        view! {
            <ActionForm action=decide attr:class="form">
                <input type="hidden" name="merchant_id" value=merchant_id />
                <input type="hidden" name="hit_id" value=hit.id.clone() />
                <fieldset>
                    <legend>"Decision"</legend>
                    <label><input type="radio" name="decision" value="false_positive" required />" Not them: a false positive"</label>
                    <label><input type="radio" name="decision" value="true_match" />" The listed one: a true match"</label>
                    <p class="field-error" role="alert">{move || decision_error.get()}</p>
                </fieldset>
                <div class="field">
                    <label for=note_id.clone()>"Note (why)"</label>
                    <textarea id=note_id name="note" required maxlength="1000" rows="2"></textarea>
                    <p class="field-error" role="alert">{move || note_error.get()}</p>
                </div>
                <button type="submit" disabled=move || decide.pending().get()>"Record the decision"</button>
            </ActionForm>
        }
    });
    view! {
        <li class="hit">
            <p>
                <strong>{format!("{}: {}", hit.subject, hit.subject_name)}</strong>
                " matched "
                <strong>{hit.entry_name}</strong>
                {alias}
                {born}
                {format!(" — {}, score {} %, found {}. ", hit.listed_as, hit.score, hit.found_at)}
                <span class=class>{label}</span>
            </p>
            {decided}
            {form}
        </li>
    }
}
