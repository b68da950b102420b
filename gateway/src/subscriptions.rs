//! Record-level release: an origin's event cut down, at delivery, to what its "records" grants
//! give one recipient. Receipts, arrival points and transit countries are never released this
//! way; the subject becomes a pseudonym of the origin's pseudonym that differs per recipient,
//! so two recipients cannot join what they received.

use midwa_proto::pb::{self, event::Body};
use midwa_proto::policy::Dimension;

/// `event` as `recipient` (a certificate identity) may receive it under `granted`.
pub fn project(mut event: pb::Event, granted: &[Dimension], recipient: &str) -> pb::Event {
    let has = |d: Dimension| granted.contains(&d);
    event.subject = pseudonym(&event.subject, recipient);
    let period = has(Dimension::Period);
    match &mut event.body {
        Some(Body::Return(r)) => {
            if !period {
                r.month.clear();
            }
            if !has(Dimension::Sex) {
                r.sex = 0;
            }
            if !has(Dimension::AgeBand) {
                r.age_band = 0;
            }
            if !has(Dimension::HostCountry) {
                r.host_country.clear();
            }
            if !has(Dimension::Mode) {
                r.mode = 0;
            }
            if !has(Dimension::ReturnType) {
                r.return_type = 0;
            }
            if !has(Dimension::DestinationRegion) {
                r.destination_region.clear();
            }
            if !has(Dimension::Vulnerability) {
                r.vulnerabilities.clear();
            }
            r.transit_countries.clear();
            r.arrival_point.clear();
            r.receipt.clear();
        }
        Some(Body::Assistance(a)) => {
            if !period {
                a.month.clear();
            }
            if !has(Dimension::AssistanceCategory) {
                a.category = 0;
            }
            if !has(Dimension::AssistanceType) {
                a.r#type = 0;
            }
            a.modality = 0;
            a.provider = 0;
        }
        Some(Body::Assessment(a)) => {
            if !period {
                a.month.clear();
                a.months_since_return = 0;
            }
        }
        Some(Body::Closure(c)) => {
            if !period {
                c.month.clear();
            }
            if !has(Dimension::Outcome) {
                c.outcome = 0;
            }
        }
        // A retraction names only what is to be erased: the recipient must erase it too.
        Some(Body::Retraction(_)) | None => {}
    }
    event
}

/// The subject as one recipient sees it.
fn pseudonym(subject: &[u8], recipient: &str) -> Vec<u8> {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    ctx.update(b"midwa subscription pseudonym v1\0");
    ctx.update(recipient.as_bytes());
    ctx.update(b"\0");
    ctx.update(subject);
    ctx.finish().as_ref().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a_return() -> pb::Event {
        pb::Event {
            id: vec![1; 16],
            origin: "GH".into(),
            subject: vec![2; 32],
            body: Some(Body::Return(pb::Return {
                month: "2026-03".into(),
                sex: 1,
                age_band: 2,
                host_country: "LY".into(),
                transit_countries: vec!["NE".into()],
                mode: 2,
                return_type: 1,
                arrival_point: "ACC".into(),
                destination_region: "GH-AA".into(),
                vulnerabilities: vec![1],
                receipt: vec![3; 16],
            })),
        }
    }

    #[test]
    fn only_granted_fields_are_released_under_a_pseudonym_per_recipient() {
        let granted = [Dimension::Period, Dimension::Mode];
        let sn = project(a_return(), &granted, "spiffe://m/state/SN/node");
        let Some(Body::Return(r)) = &sn.body else {
            panic!("a return stays a return");
        };
        assert_eq!((r.month.as_str(), r.mode), ("2026-03", 2));
        assert_eq!((r.sex, r.age_band, r.return_type), (0, 0, 0));
        assert!(r.host_country.is_empty() && r.destination_region.is_empty());
        assert!(r.vulnerabilities.is_empty() && r.transit_countries.is_empty());
        assert!(r.receipt.is_empty() && r.arrival_point.is_empty());
        assert_eq!((sn.id.clone(), sn.origin.as_str()), (vec![1; 16], "GH"));

        let coordinator = project(a_return(), &granted, "spiffe://m/region/coordinator/x");
        assert_ne!(
            sn.subject,
            vec![2; 32],
            "the origin's pseudonym is not released"
        );
        assert_ne!(
            sn.subject, coordinator.subject,
            "each recipient has its own"
        );
        assert_eq!(
            sn.subject,
            project(a_return(), &[], "spiffe://m/state/SN/node").subject,
            "and it is stable"
        );
    }
}
