use std::collections::HashMap;

use time::macros::date;

use super::*;

struct Held(HashMap<Pseudonym, Month>);
impl Returns for Held {
    fn return_month(&self, person: &Pseudonym) -> std::io::Result<Option<Month>> {
        Ok(self.0.get(person).copied())
    }
}

fn keys() -> Keys {
    let dir = tempfile::tempdir().expect("temp dir");
    Keys::load_or_create(&dir.path().join("k")).expect("key").0
}

fn a_return() -> pb::ReturnRecord {
    pb::ReturnRecord {
        person_id: "NG-2024-0001".into(),
        date_of_birth: "2000-06-15".into(),
        sex: "M".into(),
        nationality: "NG".into(),
        return_date: "2024-06-14".into(),
        mode: "air".into(),
        return_type: "avrr".into(),
        host_country: "LY".into(),
        transit_countries: vec!["NE".into()],
        arrival_point: "LOS".into(),
        destination_region: "NG-LA".into(),
        vulnerabilities: vec!["medical_need".into()],
    }
}

fn run(record: pb::record::Kind, held: &Held, keys: &Keys) -> Result<Anonymised, RecordErrors> {
    let ng = "NG".parse().expect("code");
    anonymise(
        pb::Record { kind: Some(record) },
        ng,
        keys,
        date!(2024 - 12 - 31),
        held,
    )
}

#[test]
fn a_return_keeps_only_anonymised_fields() {
    let keys = keys();
    let out = run(
        pb::record::Kind::Return(a_return()),
        &Held(HashMap::new()),
        &keys,
    )
    .expect("valid");
    let EventBody::Return(r) = &out.event.body else {
        panic!("a return")
    };
    assert_eq!(r.month.to_string(), "2024-06");
    // One day short of 24: the band follows the birthday.
    assert_eq!(r.age_band, AgeBand::From18To24);
    assert_eq!(out.event.subject, keys.pseudonym("NG-2024-0001"));
    let bytes = out.event.canonical_bytes();
    for secret in [&b"NG-2024-0001"[..], b"2000-06-15", b"2024-06-14"] {
        assert!(!bytes.windows(secret.len()).any(|w| w == secret));
    }
}

#[test]
fn bad_fields_are_named() {
    let keys = keys();
    let held = Held(HashMap::new());
    type Spoil = fn(&mut pb::ReturnRecord);
    let cases: [(Spoil, &str); 6] = [
        (|r| r.nationality = "GH".into(), "nationality"),
        (|r| r.return_date = "2025-01-01".into(), "return_date"),
        (|r| r.return_date = "14/06/2024".into(), "return_date"),
        (|r| r.mode = "boat".into(), "mode"),
        (
            |r| r.destination_region = "GH-AA".into(),
            "destination_region",
        ),
        (
            |r| r.vulnerabilities = vec!["tired".into()],
            "vulnerabilities",
        ),
    ];
    for (spoil, field) in cases {
        let mut r = a_return();
        spoil(&mut r);
        let err = run(pb::record::Kind::Return(r), &held, &keys).expect_err(field);
        assert_eq!(err.0.len(), 1, "{err}");
        assert_eq!(err.0[0].field, field, "{err}");
    }
}

#[test]
fn every_bad_field_of_a_record_is_reported_in_column_order() {
    let keys = keys();
    let mut r = a_return();
    r.sex = "Q".into();
    r.return_date = "2024-13-01".into();
    r.person_id = " ".into();
    r.vulnerabilities = vec!["medical_need".into(), "tired".into()];
    r.date_of_birth = "2030-01-01".into();
    let err = run(pb::record::Kind::Return(r), &Held(HashMap::new()), &keys)
        .expect_err("five bad fields");
    let fields: Vec<_> = err.0.iter().map(|e| e.field).collect();
    assert_eq!(
        fields,
        [
            "person_id",
            "return_date",
            "date_of_birth",
            "sex",
            "vulnerabilities"
        ],
        "{err}"
    );
    let closure = pb::record::Kind::Closure(pb::ClosureRecord {
        person_id: "NG-2024-0001".into(),
        date: "yesterday".into(),
        outcome: "fine".into(),
    });
    let err = run(closure, &Held(HashMap::new()), &keys).expect_err("three bad fields");
    let fields: Vec<_> = err.0.iter().map(|e| e.field).collect();
    assert_eq!(fields, ["date", "person_id", "outcome"], "{err}");
}

#[test]
fn follow_ups_need_a_return_first() {
    let keys = keys();
    let assessment = pb::record::Kind::Assessment(pb::AssessmentRecord {
        person_id: "NG-2024-0001".into(),
        date: "2024-09-02".into(),
        economic: 0.5,
        social: 0.7,
        psychosocial: 0.6,
    });
    let err = run(assessment.clone(), &Held(HashMap::new()), &keys).expect_err("no return");
    assert_eq!(err.0[0].field, "person_id");
    let held = Held(HashMap::from([(
        keys.pseudonym("NG-2024-0001"),
        "2024-06".parse().expect("month"),
    )]));
    let out = run(assessment, &held, &keys).expect("valid");
    let EventBody::Assessment(a) = out.event.body else {
        panic!("an assessment")
    };
    assert_eq!(a.months_since_return, 3);
}
