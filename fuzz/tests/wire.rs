//! What arrives over the network: protobuf messages decoded and checked into domain types
//! (events a node publishes, policies, notices, opportunities).

use midwa_node::keys::Keys;
use midwa_node::record::anonymise::{Returns, anonymise};
use midwa_proto::codes::{CountryCode, Month};
use midwa_proto::event::{Event, Pseudonym};
use midwa_proto::pb;
use prost::Message;

/// Every follow-up finds a return in March 2024.
struct Held;

impl Returns for Held {
    fn return_month(&self, _: &Pseudonym) -> std::io::Result<Option<Month>> {
        Ok(Month::new(2024, 3))
    }
}

fn ng() -> CountryCode {
    "NG".parse().expect("code")
}

/// Events of each kind, as a node publishes them.
fn events() -> Vec<Vec<u8>> {
    let dir = tempfile::tempdir().expect("dir");
    let (keys, _) = Keys::load_or_create(&dir.path().join("key")).expect("key");
    let today = time::Date::from_calendar_date(2026, time::Month::December, 1).expect("date");
    let records = vec![
        pb::record::Kind::Return(pb::ReturnRecord {
            person_id: "NG-1".into(),
            date_of_birth: "1990-05-01".into(),
            sex: "F".into(),
            nationality: "NG".into(),
            return_date: "2024-03-02".into(),
            mode: "land".into(),
            return_type: "avrr".into(),
            host_country: "LY".into(),
            transit_countries: vec!["NE".into()],
            arrival_point: "SEME-BORDER".into(),
            destination_region: "NG-LA".into(),
            vulnerabilities: vec!["single_woman".into()],
        }),
        pb::record::Kind::Assistance(pb::AssistanceRecord {
            person_id: "NG-1".into(),
            date: "2024-04-01".into(),
            category: "economic".into(),
            r#type: "business_support".into(),
            modality: "individual".into(),
            provider: "iom".into(),
        }),
        pb::record::Kind::Assessment(pb::AssessmentRecord {
            person_id: "NG-1".into(),
            date: "2024-09-01".into(),
            economic: 0.5,
            social: 0.25,
            psychosocial: 1.0,
        }),
        pb::record::Kind::Closure(pb::ClosureRecord {
            person_id: "NG-1".into(),
            date: "2024-10-01".into(),
            outcome: "completed".into(),
        }),
    ];
    records
        .into_iter()
        .map(|kind| {
            let a = anonymise(pb::Record { kind: Some(kind) }, ng(), &keys, today, &Held)
                .expect("a valid record");
            pb::Event::from(&a.event).encode_to_vec()
        })
        .collect()
}

#[test]
fn events_from_the_wire() {
    midwa_fuzz::run("event", &events(), |bytes| {
        if let Ok(wire) = pb::Event::decode(bytes) {
            if let Ok(event) = Event::try_from(&wire) {
                // What is accepted encodes back to what checks again.
                let again = pb::Event::from(&event);
                assert!(Event::try_from(&again).is_ok());
            }
            let mut canonical = wire.clone();
            midwa_proto::convert::canonicalize(&mut canonical);
        }
    });
}

#[test]
fn batches_from_the_wire() {
    let batch = pb::PublishRequest {
        first_seq: 1,
        events: events()
            .iter()
            .map(|b| pb::Event::decode(b.as_slice()).expect("event"))
            .collect(),
    };
    midwa_fuzz::run("batch", &[batch.encode_to_vec()], |bytes| {
        if let Ok(request) = pb::PublishRequest::decode(bytes) {
            let _ = midwa_proto::convert::events_from_pb(&request.events);
        }
    });
}

#[test]
fn policies_from_the_wire() {
    let policy = midwa_node::cli::policy::parse(include_str!("../../deploy/policy.toml"))
        .expect("the example policy");
    midwa_fuzz::run("policy", &[policy.encode_to_vec()], |bytes| {
        if let Ok(wire) = pb::Policy::decode(bytes)
            && let Ok(policy) = midwa_proto::policy::Policy::try_from(&wire)
        {
            assert_eq!(
                midwa_proto::policy::Policy::try_from(&pb::Policy::from(&policy)),
                Ok(policy)
            );
        }
    });
}

#[test]
fn notices_from_the_wire() {
    let notice = pb::Notice {
        id: vec![7; 16],
        origin: "NG".into(),
        expected_date: "2026-12-03".into(),
        mode: "land".into(),
        arrival_point: "SEME-BORDER".into(),
        persons: 12,
        vulnerabilities: vec!["unaccompanied_minor".into()],
        host_country: "NE".into(),
    };
    midwa_fuzz::run("notice", &[notice.encode_to_vec()], |bytes| {
        if let Ok(wire) = pb::Notice::decode(bytes) {
            let _ = midwa_proto::notice::Notice::from_pb(&wire, Some(ng()));
            let _ = midwa_proto::notice::Notice::from_pb(&wire, None);
        }
    });
}

#[test]
fn opportunities_from_the_wire() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("opportunities.toml");
    std::fs::write(&file, include_str!("../../deploy/opportunities.toml")).expect("write");
    let seeds: Vec<Vec<u8>> = midwa_commands::opportunities::load(&file, ng())
        .expect("the example opportunities")
        .iter()
        .map(Message::encode_to_vec)
        .collect();
    midwa_fuzz::run("opportunity", &seeds, |bytes| {
        if let Ok(wire) = pb::Opportunity::decode(bytes) {
            let _ = midwa_proto::opportunity::Opportunity::from_pb(&wire, ng());
        }
    });
}
