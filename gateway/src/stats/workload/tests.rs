use super::*;

#[test]
fn sensitivities_follow_the_tables_and_caps() {
    // Returns: 8 tables of one cell and the flag table of up to 3, for each of 2 returns.
    assert_eq!(Family::Returns.count_d2(), 22.0);
    // Assistance: 2 tables of one cell, 3 of up to 3 cells.
    assert_eq!(Family::Assistance.count_d2(), 11.0);
    assert_eq!(Family::Surveys.count_d2(), 6.0);
    assert_eq!(Family::Surveys.sum_d2(), 6.0 * 3.0 * 2500.0);
    assert_eq!(Family::Closures.count_d2(), 3.0);
    let shares: f64 = Family::ALL
        .iter()
        .map(|f| f.count_share() + f.sum_share())
        .sum();
    assert!((shares - 1.0).abs() < 1e-12);
}

#[test]
fn domains_are_fixed_and_cover_every_cell_a_person_can_be_in() {
    let hosts = Hosts::new(&["LY".parse().expect("code"), "NE".parse().expect("code")]);
    assert_eq!(domain(Family::Returns, Every::Month, &hosts).len(), 1 + 4);
    let returns = domain(Family::Returns, Every::Quarter, &hosts);
    // 5 + 4 + 7 + 28 + (2 hosts, other, unknown) + 64 combinations + 6 flags.
    assert_eq!(returns.len(), 5 + 4 + 7 + 28 + 4 + 64 + 6);
    assert_eq!(domain(Family::Surveys, Every::Month, &hosts).len(), 4);
    assert_eq!(
        domain(Family::Surveys, Every::Quarter, &hosts).len(),
        4 * (4 + 7)
    );
    let profile = key::profile(
        "NG".parse().expect("code"),
        &super::super::fact::ReturnFields {
            host: key::country_index("DZ".parse().expect("code")),
            mode: 2,
            return_type: 1,
            sex: 1,
            age: 3,
            vulnerabilities: 0b10_0101,
            region: [0; 6],
        },
        &mut key::Regions::default(),
    );
    let p = Profile::of(profile, &hosts);
    let mut cells = Vec::new();
    Source::Returns.spread(Every::Quarter, p, 0, 0, 1, [0; 3], &mut |k, n| {
        cells.push((k, n))
    });
    // One cell in each of 6 tables, 3 flags in the flag table.
    assert_eq!(cells.len(), 9);
    assert!(cells.iter().all(|(k, _)| returns.binary_search(k).is_ok()));
    assert!(
        cells.contains(&(CellKey::new(6, 0, &[OTHER_HOST]), 1)),
        "DZ is other"
    );
    assert!(
        cells.contains(&(CellKey::new(8, 0, &[5]), 1)),
        "medical need"
    );
    assert_eq!(
        (
            Every::Quarter.period(1),
            Every::Quarter.period(3),
            Every::Quarter.period(4)
        ),
        (1, 1, 2)
    );
    assert_eq!(
        (Every::Quarter.first_month(2), Every::Quarter.last_month(2)),
        (4, 6)
    );
    let key = CellKey::new(19, 0, &[5, 3]);
    assert_eq!(
        (key.table(), key.part(), key.value(0), key.value(1)),
        (19, 0, 5, 3)
    );
}
