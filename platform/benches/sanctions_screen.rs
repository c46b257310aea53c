//! The time to screen one name against a 10,000-entry sanctions list (the issue's
//! measurement): the list prepared once (every name and alias tokenised), then one name
//! screened against it, and the preparation itself, which `screen_application` pays once
//! per application. Pure CPU, no database:
//!   cargo bench -p platform --bench sanctions_screen
//! The entries are generated: Albanian and Serbian first names and surnames, half with an
//! alias, half with a date of birth, a tenth organisations.

// Benchmark code: a failed unwrap is the benchmark stopping with its reason, as an
// assertion does (clippy.toml allows this inside #[test] functions, not in their helpers).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use platform::kyc::sanctions::matcher::{Entry, Matcher};

const FIRST: &[&str] = &[
    "Arbën", "Besnik", "Dragan", "Đorđe", "Fatmir", "Goran", "Ilir", "Jelena", "Ljiljana", "Miloš",
    "Nebojša", "Petar", "Shpëtim", "Valon", "Zhaklina", "Dženan", "Blerta", "Vesna", "Agron",
    "Marija",
];
const LAST: &[&str] = &[
    "Krasniqi",
    "Gashi",
    "Đurđević",
    "Šćekić",
    "Xhemaili",
    "Çollaku",
    "Živković",
    "Čolović",
    "Hoxhaj",
    "Mujkić",
    "Stanojević",
    "Rexhaj",
    "Ademi",
    "Radić",
    "Kastrati",
    "Vukašinović",
    "Berisha",
    "Petrović",
    "Hasani",
    "Jovanović",
    "Morina",
    "Ilić",
    "Shala",
    "Nikolić",
    "Bytyqi",
];
const TRADE: &[&str] = &[
    "Trading",
    "Logistika",
    "Minerals",
    "Holding",
    "Exchange",
    "Petroleum",
    "Shipping",
    "Export",
];

fn generated(count: usize) -> Vec<Entry> {
    (0..count)
        .map(|i| {
            let (first, last) = (FIRST[i % FIRST.len()], LAST[(i / FIRST.len()) % LAST.len()]);
            let suffix = i / (FIRST.len() * LAST.len());
            if i % 10 == 9 {
                return Entry {
                    name: format!("{last} {} {suffix} SH.P.K.", TRADE[i % TRADE.len()]),
                    aliases: vec![],
                    date_of_birth: None,
                    list: "EU".into(),
                    reference: format!("EU.BENCH.{i}"),
                };
            }
            let born = time::Date::from_calendar_date(
                1940 + (i % 60) as i32,
                time::Month::March,
                1 + (i % 28) as u8,
            )
            .ok();
            Entry {
                name: format!("{first} {last}{suffix}"),
                aliases: if i % 2 == 0 {
                    vec![format!("{last}{suffix} {first}")]
                } else {
                    vec![]
                },
                date_of_birth: if i % 2 == 0 { born } else { None },
                list: "EU".into(),
                reference: format!("EU.BENCH.{i}"),
            }
        })
        .collect()
}

fn screening(c: &mut Criterion) {
    let entries = generated(10_000);
    let matcher = Matcher::new(&entries);
    let mut group = c.benchmark_group("sanctions");
    group.bench_function("screen one name against 10,000 entries", |b| {
        b.iter(|| matcher.screen(black_box("Dragan Đurđević2"), None))
    });
    group.bench_function("prepare 10,000 entries", |b| {
        b.iter(|| Matcher::new(black_box(&entries)))
    });
    group.finish();
}

criterion_group!(benches, screening);
criterion_main!(benches);
