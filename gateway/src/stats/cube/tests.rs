use std::collections::BTreeMap;

use super::*;
use crate::stats::fact::ReturnFields;
use crate::stats::workload::CellKey;

fn ng() -> CountryCode {
    "NG".parse().expect("code")
}

fn returned(person: u64, month: u32, receipt: u64, sex: u8) -> Fact {
    Fact {
        origin: ng(),
        person,
        body: FactBody::Return {
            fields: ReturnFields {
                host: key::country_index("LY".parse().expect("code")),
                mode: 1,
                return_type: 1,
                sex,
                age: 2,
                vulnerabilities: 0,
                region: [0; 6],
            },
            month,
            receipt,
        },
    }
}

fn fact(person: u64, body: FactBody) -> Fact {
    Fact {
        origin: ng(),
        person,
        body,
    }
}

/// The truth of a family: (month, cell) to value, over every cell.
fn truth(cube: &Cube, family: Family) -> BTreeMap<(u32, CellKey), i64> {
    let mut out = BTreeMap::new();
    for every in Every::ALL {
        cube.truth(
            family,
            every,
            &Hosts::region_default(),
            &|_, _| true,
            &mut |_, m, k, v| {
                *out.entry((m, k)).or_default() += v;
            },
        );
    }
    out.retain(|_, v| *v != 0);
    out
}

/// The value of table `table`'s cell of `values` (count part) in month `month`.
fn at(t: &BTreeMap<(u32, CellKey), i64>, month: u32, table: u8, values: &[u32]) -> i64 {
    t.get(&(month, CellKey::new(table, 0, values)))
        .copied()
        .unwrap_or(0)
}

#[test]
fn what_a_person_counts_in_is_capped() {
    let dir = tempfile::tempdir().expect("dir");
    let mut cube = Cube::create(dir.path()).expect("cube");
    for (i, month) in [100, 101, 102].into_iter().enumerate() {
        cube.apply(&returned(1, month, 10 + i as u64, 1))
            .expect("apply");
    }
    let returns = truth(&cube, Family::Returns);
    assert_eq!(at(&returns, 100, 0, &[]), 1);
    assert_eq!(at(&returns, 101, 0, &[]), 1);
    assert_eq!(
        at(&returns, 102, 0, &[]),
        0,
        "a third return is not counted"
    );
    // Four kinds of assistance, and the first again: three kinds counted, each once.
    for (month, category, kind) in [
        (100, 1, 1),
        (101, 1, 2),
        (102, 2, 6),
        (103, 3, 10),
        (104, 1, 1),
    ] {
        let body = FactBody::Assistance {
            month,
            category,
            kind,
        };
        cube.apply(&fact(1, body)).expect("apply");
    }
    let assisted = truth(&cube, Family::Assistance);
    let total = |table: u8| -> i64 {
        assisted
            .iter()
            .filter(|((_, k), _)| k.table() == table && k.part() == 0)
            .map(|(_, v)| v)
            .sum()
    };
    assert_eq!(
        total(9),
        1,
        "the person once, in the month of the first assistance"
    );
    assert_eq!(at(&assisted, 100, 9, &[]), 1);
    assert_eq!(
        total(11),
        2,
        "categories of the first three kinds: economic and social"
    );
    assert_eq!(at(&assisted, 102, 11, &[2]), 1);
    assert_eq!(total(13), 3, "three types");
    assert_eq!(
        at(&assisted, 103, 13, &[10]),
        0,
        "the fourth kind is not counted"
    );
    // Three surveys: two counted, with their scores; two closures: one.
    for month in [106, 107, 108] {
        let body = FactBody::Assessment {
            month,
            scores: [0.8, 0.5, 0.0],
        };
        cube.apply(&fact(1, body)).expect("apply");
    }
    for month in [110, 111] {
        cube.apply(&fact(1, FactBody::Closure { month, outcome: 1 }))
            .expect("apply");
    }
    let surveys = truth(&cube, Family::Surveys);
    assert_eq!(at(&surveys, 106, 14, &[]) + at(&surveys, 107, 14, &[]), 2);
    assert_eq!(at(&surveys, 108, 14, &[]), 0);
    assert_eq!(
        surveys.get(&(106, CellKey::new(14, 1, &[]))),
        Some(&30),
        "0.8 is 30 hundredths above the middle"
    );
    assert_eq!(surveys.get(&(106, CellKey::new(14, 3, &[]))), Some(&-50));
    let closures = truth(&cube, Family::Closures);
    assert_eq!(at(&closures, 110, 18, &[1]), 1);
    assert_eq!(at(&closures, 111, 18, &[1]), 0);
}

#[test]
fn follow_ups_keep_the_profile_they_arrived_under_until_the_return_is_erased() {
    let dir = tempfile::tempdir().expect("dir");
    let mut cube = Cube::create(dir.path()).expect("cube");
    let closure = fact(
        7,
        FactBody::Closure {
            month: 120,
            outcome: 5,
        },
    );
    cube.apply(&closure).expect("apply");
    cube.apply(&returned(7, 110, 70, 1)).expect("apply");
    let assistance = fact(
        7,
        FactBody::Assistance {
            month: 111,
            category: 1,
            kind: 1,
        },
    );
    cube.apply(&assistance).expect("apply");
    let closures = truth(&cube, Family::Closures);
    assert_eq!(
        at(&closures, 120, 19, &[5, 0]),
        1,
        "closed before the return arrived: sex unknown"
    );
    let assisted = truth(&cube, Family::Assistance);
    assert_eq!(at(&assisted, 111, 10, &[1]), 1, "assisted after: a woman");
    let changed = cube.take_changed();
    let o = key::country_index(ng());
    assert!(changed.contains(&(o, Family::Returns, 110)));
    assert!(changed.contains(&(o, Family::Closures, 120)));
    assert!(changed.contains(&(o, Family::Assistance, 111)));
    assert!(cube.take_changed().is_empty());

    // The return erased: it is out, and the assistance moves to the unknown profile.
    cube.remove(&returned(7, 110, 70, 1)).expect("remove");
    assert!(truth(&cube, Family::Returns).is_empty());
    let assisted = truth(&cube, Family::Assistance);
    assert_eq!(at(&assisted, 111, 10, &[1]), 0);
    assert_eq!(at(&assisted, 111, 10, &[0]), 1);
    // The rest erased: nothing left anywhere.
    cube.remove(&assistance).expect("remove");
    cube.remove(&closure).expect("remove");
    for family in Family::ALL {
        assert!(truth(&cube, family).is_empty(), "{family}");
    }
}

#[test]
fn a_saved_cube_loads_the_same() {
    let dir = tempfile::tempdir().expect("dir");
    let mut cube = Cube::create(dir.path()).expect("cube");
    cube.apply(&returned(1, 100, 1, 2)).expect("apply");
    cube.apply(&fact(
        1,
        FactBody::Assessment {
            month: 106,
            scores: [0.25, 1.0, 0.5],
        },
    ))
    .expect("apply");
    cube.apply(&fact(
        2,
        FactBody::Closure {
            month: 107,
            outcome: 3,
        },
    ))
    .expect("apply");
    cube.apply(&fact(
        1,
        FactBody::Assistance {
            month: 101,
            category: 2,
            kind: 7,
        },
    ))
    .expect("apply");
    let mut bytes = Vec::new();
    cube.save(&mut |b| {
        bytes.extend_from_slice(b);
        Ok(())
    })
    .expect("save");
    let scratch = tempfile::tempdir().expect("dir");
    let mut at = 0;
    let loaded = Cube::load(
        &mut |buf| {
            let b = bytes.get(at..at + buf.len())?;
            buf.copy_from_slice(b);
            at += buf.len();
            Some(())
        },
        scratch.path(),
    )
    .expect("load");
    for family in Family::ALL {
        assert_eq!(truth(&loaded, family), truth(&cube, family), "{family}");
    }
}
