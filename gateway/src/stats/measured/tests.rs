use super::*;
use crate::stats::fact::{Fact, FactBody, ReturnFields};

fn ng() -> CountryCode {
    "NG".parse().expect("code")
}

fn at(date: &str) -> OffsetDateTime {
    let d = time::Date::parse(
        date,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .expect("date");
    d.midnight().assume_utc()
}

fn month(text: &str) -> u32 {
    key::month_index(text.parse().expect("month"))
}

fn settings() -> Settings {
    Settings {
        rho: 2.0,
        measure_after_days: 10,
        supplement_every: Duration::from_secs(3600),
        first_month: month("2024-01"),
        hosts: Hosts::region_default(),
    }
}

fn returns(cube: &mut Cube, first_person: u64, n: u64, month: u32) {
    for p in first_person..first_person + n {
        let fact = Fact {
            origin: ng(),
            person: p,
            body: FactBody::Return {
                fields: ReturnFields {
                    host: key::country_index("LY".parse().expect("code")),
                    mode: 2,
                    return_type: 1,
                    sex: 2,
                    age: 2,
                    vulnerabilities: 0,
                    region: [0; 6],
                },
                month,
                receipt: 1_000_000 + p,
            },
        };
        cube.apply(&fact).expect("apply");
    }
}

/// The noisy total of NG's returns in a month.
fn total(m: &Measurements, month: u32) -> i64 {
    m.period(ng(), Family::Returns, Every::Month, month)
        .expect("measured")
        .noisy()
        .find(|(k, _)| k.table() == 0)
        .map(|(_, v)| v)
        .expect("total cell")
}

#[test]
fn released_months_are_measured_once_over_their_whole_domain() {
    let dir = tempfile::tempdir().expect("dir");
    let mut cube = Cube::create(dir.path()).expect("cube");
    returns(&mut cube, 0, 40, month("2024-03"));
    let mut m = Measurements::in_memory(settings(), Noise::seeded(5));
    let wanted = [(ng(), Family::Returns, 2.0)];
    // On 2024-05-05, April ended less than 10 days ago: January to March are released.
    let done = m
        .refresh(&cube, &wanted, at("2024-05-05"))
        .expect("refresh");
    // The months, and the first quarter (by its first month).
    assert_eq!(
        done[&ng()].measured[&Family::Returns],
        vec![
            month("2024-01"),
            month("2024-02"),
            month("2024-03"),
            month("2024-01")
        ]
    );
    let quarter = m
        .period(
            ng(),
            Family::Returns,
            Every::Quarter,
            Every::Quarter.period(month("2024-03")),
        )
        .expect("the first quarter");
    let by_sex = |s: u32| {
        quarter
            .cells
            .iter()
            .find(|c| c.0 == CellKey::new(3, 0, &[s]))
            .map(|c| c.2)
    };
    assert_eq!(by_sex(2), Some(40), "the quarter's truth by sex");
    assert!(
        m.period(ng(), Family::Returns, Every::Month, month("2024-04"))
            .is_none()
    );
    assert!(
        m.period(ng(), Family::Returns, Every::Month, month("2023-12"))
            .is_none()
    );
    let march = m
        .period(ng(), Family::Returns, Every::Month, month("2024-03"))
        .expect("march");
    let domain = workload::domain(Family::Returns, Every::Month, &settings().hosts);
    assert_eq!(march.noisy().map(|(k, _)| k).collect::<Vec<_>>(), domain);
    assert_eq!(march.count_variance, 13.75);
    assert!(march.rho <= 0.8 && march.rho > 0.79, "{}", march.rho);
    // Noise on every cell, zero or not: far from all of them keep their true value.
    let unchanged = quarter
        .cells
        .iter()
        .filter(|(_, noisy, truth)| noisy == truth)
        .count();
    assert!(
        unchanged < quarter.cells.len() / 4,
        "{unchanged} of {}",
        quarter.cells.len()
    );
    let before = total(&m, month("2024-03"));
    // Asking again measures nothing again: the same values.
    let done = m
        .refresh(&cube, &wanted, at("2024-05-06"))
        .expect("refresh");
    assert!(done.is_empty());
    assert_eq!(total(&m, month("2024-03")), before);
    // May is measured once its lag is over; the second quarter once June's is.
    let done = m
        .refresh(&cube, &wanted, at("2024-06-11"))
        .expect("refresh");
    assert_eq!(
        done[&ng()].measured[&Family::Returns],
        vec![month("2024-04"), month("2024-05")]
    );
    let done = m
        .refresh(&cube, &wanted, at("2024-07-11"))
        .expect("refresh");
    assert_eq!(
        done[&ng()].measured[&Family::Returns],
        vec![month("2024-06"), month("2024-04")]
    );
}

#[test]
fn noise_has_the_variance_the_budget_gives() {
    let dir = tempfile::tempdir().expect("dir");
    let cube = Cube::create(dir.path()).expect("cube");
    let mut s = settings();
    s.first_month = month("2000-01");
    let mut m = Measurements::in_memory(s, Noise::seeded(11));
    m.refresh(&cube, &[(ng(), Family::Returns, 2.0)], at("2024-05-05"))
        .expect("refresh");
    // About 290 months of about 160 cells, every true value zero.
    let values: Vec<f64> = m.periods[&(ng(), Family::Returns, Every::Month)]
        .values()
        .flat_map(|x| x.noisy().map(|(_, v)| v as f64))
        .collect();
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| v * v).sum::<f64>() / n;
    // Five standard errors: a false alarm less than once in a million runs (the seed is fixed).
    assert!(mean.abs() < 5.0 * (13.75 / n).sqrt(), "{mean}");
    assert!(
        (var - 13.75).abs() < 5.0 * (2.0 * 13.75 * 13.75 / n).sqrt(),
        "{var}"
    );
}

#[test]
fn a_changed_month_is_measured_again_for_the_difference_only() {
    let dir = tempfile::tempdir().expect("dir");
    let mut cube = Cube::create(dir.path()).expect("cube");
    returns(&mut cube, 0, 40, month("2024-03"));
    let mut m = Measurements::in_memory(settings(), Noise::seeded(7));
    let wanted = [(ng(), Family::Returns, 2.0)];
    m.refresh(&cube, &wanted, at("2024-05-05"))
        .expect("refresh");
    m.note_changes(cube.take_changed());
    // Marked, but nothing changed: no supplement (only the months newly released).
    let done = m
        .refresh(&cube, &wanted, at("2024-06-05"))
        .expect("refresh");
    assert!(done[&ng()].supplemented.is_empty());
    let before = m
        .period(ng(), Family::Returns, Every::Month, month("2024-03"))
        .expect("m")
        .clone();

    // Twelve late returns.
    returns(&mut cube, 100, 12, month("2024-03"));
    m.note_changes(cube.take_changed());
    let done = m
        .refresh(&cube, &wanted, at("2024-06-06"))
        .expect("refresh");
    assert_eq!(
        done[&ng()].supplemented[&Family::Returns],
        vec![month("2024-03"), month("2024-01")],
        "March, and the first quarter"
    );
    let after = m
        .period(ng(), Family::Returns, Every::Month, month("2024-03"))
        .expect("m");
    assert_eq!(after.times, 2);
    assert_eq!(after.count_variance, 2.0 * before.count_variance);
    // Every cell got fresh noise, and the true difference.
    let moved = before
        .cells
        .iter()
        .zip(&after.cells)
        .filter(|(b, a)| b.1 != a.1)
        .count();
    assert!(moved > before.cells.len() / 2);
    let total = |x: &Measured| x.cells.iter().find(|c| c.0.table() == 0).map(|c| c.2);
    assert_eq!(total(&before), Some(40));
    assert_eq!(total(after), Some(52));
    // Other months are untouched.
    assert_eq!(
        m.period(ng(), Family::Returns, Every::Month, month("2024-02"))
            .map(|x| x.times),
        Some(1)
    );
    // Another late return: not measured before an hour since the last measurement.
    returns(&mut cube, 200, 1, month("2024-03"));
    m.note_changes(cube.take_changed());
    let soon = at("2024-06-06") + time::Duration::minutes(30);
    assert!(m.refresh(&cube, &wanted, soon).expect("refresh").is_empty());
    let later = at("2024-06-06") + time::Duration::minutes(61);
    let done = m.refresh(&cube, &wanted, later).expect("refresh");
    assert_eq!(
        done[&ng()].supplemented[&Family::Returns],
        vec![month("2024-03"), month("2024-01")]
    );
}

#[test]
fn spending_adds_up_per_family_and_a_lower_budget_stops_more() {
    let dir = tempfile::tempdir().expect("dir");
    let cube = Cube::create(dir.path()).expect("cube");
    let mut m = Measurements::in_memory(settings(), Noise::seeded(3));
    assert_eq!(m.spent(ng()), 0.0);
    assert!(m.over_budget(ng(), Family::Returns, 2.0).is_none());
    m.refresh(&cube, &[(ng(), Family::Returns, 2.0)], at("2024-05-05"))
        .expect("refresh");
    let after_returns = m.spent(ng());
    assert!(after_returns <= 0.8 && after_returns > 0.79);
    m.refresh(&cube, &[(ng(), Family::Surveys, 2.0)], at("2024-05-05"))
        .expect("refresh");
    assert!(m.spent(ng()) <= 1.2 + 1e-9 && m.spent(ng()) > 1.18);
    // Measuring more months of a family spends nothing more.
    m.refresh(&cube, &[(ng(), Family::Returns, 2.0)], at("2024-09-05"))
        .expect("refresh");
    assert!(m.spent(ng()) <= 1.2 + 1e-9);
    // Every family under the region's budget fits in it.
    for f in Family::ALL {
        assert!(m.over_budget(ng(), f, 2.0).is_none(), "{f}");
    }
    // The state lowers its budget to 1: what was spent is over it already.
    let over = m.over_budget(ng(), Family::Returns, 1.0).expect("over");
    assert!(over.spent > 1.0 && over.budget == 1.0);
    // At 1.5, returns and surveys are measured, and closures (0.225 more) still fit; nothing else.
    assert!(m.over_budget(ng(), Family::Closures, 1.5).is_none());
    assert!(m.over_budget(ng(), Family::Assistance, 1.25).is_some());
}

#[test]
fn measurements_survive_a_restart() {
    let dir = tempfile::tempdir().expect("dir");
    let mut cube = Cube::create(&dir.path().join("scratch")).expect("cube");
    returns(&mut cube, 0, 25, month("2024-02"));
    let store = crate::store::Store::open(&dir.path().join("db"), 1 << 20).expect("store");
    let journal = store.journal("measurements").expect("journal");
    let wanted = [(ng(), Family::Returns, 2.0)];
    let first = {
        let mut m = Measurements::open(journal.clone(), settings()).expect("open");
        m.refresh(&cube, &wanted, at("2024-05-05"))
            .expect("refresh");
        m.periods.clone()
    };
    let mut m = Measurements::open(journal, settings()).expect("open");
    assert_eq!(m.periods, first);
    assert!(
        (m.spent(ng()) - first[&(ng(), Family::Returns, Every::Month)][&month("2024-02")].rho)
            .abs()
            < 1e-12
    );
    // Every month is checked against the truth after a restart; unchanged, none is measured again.
    assert!(
        m.refresh(&cube, &wanted, at("2024-05-06"))
            .expect("refresh")
            .is_empty()
    );
    assert_eq!(m.periods, first);
}
