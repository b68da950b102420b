//! Erasure: a retraction event published like any other, and the node's own ledger forgetting
//! the events, so that a corrected record can be imported again.

use midwa_proto::codes::CountryCode;
use midwa_proto::event::{Event, EventBody, EventId, Retraction};
use midwa_proto::pb;
use midwa_proto::vocab::AssistanceType;
use midwa_store::index::PrefixMap;

use crate::keys::Keys;
use crate::outbox::{Outbox, Prepared, Recorded, StoreError};
use crate::record::anonymise::{Anonymised, Identity, event_id};

/// The event a reference names: its kind and identifying fields, as in the CSV files.
pub fn target(r: &pb::EventRef) -> Result<(String, String, Identity), String> {
    let identity = match r.kind.as_str() {
        "return" => Identity::Return,
        "assessment" => Identity::Assessment,
        "closure" => Identity::Closure,
        "assistance" => Identity::Assistance(
            r.r#type
                .parse::<AssistanceType>()
                .map_err(|e| format!("event.type: {e}"))?,
        ),
        other => {
            return Err(format!(
                "event.kind: {other:?} is not one of: return, assistance, assessment, closure"
            ));
        }
    };
    if r.date.trim().is_empty() {
        return Err("event.date: required but empty".into());
    }
    Ok((r.kind.clone(), r.date.clone(), identity))
}

/// Records the retraction of a person's events (or of one), then forgets them in the ledger.
/// Returns the retraction's sequence and how many events were forgotten.
pub fn erase(
    keys: &Keys,
    outbox: &Outbox,
    state: CountryCode,
    person_id: &str,
    target: Option<(String, String, Identity)>,
) -> Result<(u64, usize), StoreError> {
    let subject = keys.pseudonym(person_id.trim());
    let event: Option<EventId> = target
        .as_ref()
        .map(|(_, date, identity)| event_id(keys, *identity, person_id, date));
    // Unique per erasure: erasing again later is a new retraction.
    let nonce = time::OffsetDateTime::now_utc()
        .unix_timestamp_nanos()
        .to_be_bytes();
    let what = event.map(|e| e.0.to_vec()).unwrap_or_default();
    let id = keys.event_id(&[b"retraction", person_id.trim().as_bytes(), &what, &nonce]);
    let retraction = Anonymised {
        event: Event {
            id,
            origin: state,
            subject,
            body: EventBody::Retraction(Retraction { event }),
        },
        return_month: None,
        receipt: None,
    };
    // Forgotten first: if the node stops in between, erasing again publishes the retraction.
    let forgotten = outbox.forget(
        PrefixMap::<u32>::key_of(&subject.0),
        event.map(|e| PrefixMap::<u32>::key_of(&e.0)),
    )?;
    let seq = match outbox.record(vec![Prepared::new(&retraction)])?.first() {
        Some(Recorded::New(seq)) => *seq,
        _ => 0,
    };
    if seq > 0 {
        outbox.scrub_after(seq)?;
    }
    Ok((seq, forgotten))
}
