//! The notices addressed to this state, kept under `n` + notice id: a notice delivered twice
//! (its acknowledgement lost, or the gateway restarted) is stored once.

use midwa_proto::pb;
use prost::Message;

use super::{Outbox, StoreError, damaged};

impl Outbox {
    /// Stores a delivered notice durably; `false` if it was stored before.
    pub fn keep_notice(&self, delivery: &pb::InboxDelivery) -> Result<bool, StoreError> {
        let id = delivery
            .notice
            .as_ref()
            .map(|n| n.id.as_slice())
            .unwrap_or_default();
        let mut key = Vec::with_capacity(1 + id.len());
        key.push(b'n');
        key.extend_from_slice(id);
        let received = pb::ReceivedNotice {
            delivery: Some(delivery.clone()),
            received_at_ms: (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000)
                as i64,
        };
        if !self.tree.insert_new(&key, received.encode_to_vec())? {
            return Ok(false);
        }
        self.sync()?;
        Ok(true)
    }

    /// Every notice received, newest first.
    pub fn notices(&self) -> Result<Vec<pb::ReceivedNotice>, StoreError> {
        let mut out = Vec::new();
        for item in self.tree.scan_prefix(b"n") {
            let (_, value) = item?;
            out.push(
                pb::ReceivedNotice::decode(value.as_ref())
                    .map_err(|_| damaged(&self.path, "a received notice"))?,
            );
        }
        out.sort_by_key(|n| std::cmp::Reverse(n.received_at_ms));
        Ok(out)
    }

    /// How many notices were received.
    pub fn notice_count(&self) -> u64 {
        self.tree.scan_prefix(b"n").count() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_delivered_twice_is_kept_once() {
        let dir = tempfile::tempdir().expect("temp dir");
        let delivery = |seq: u64, id: u8| pb::InboxDelivery {
            seq,
            notice: Some(pb::Notice {
                id: vec![id; 16],
                ..pb::Notice::default()
            }),
            sender: "spiffe://midwa.test/state/NE/node".into(),
            sent_at_ms: 1,
        };
        {
            let outbox = Outbox::open(dir.path(), 1 << 20, 10).expect("open");
            assert!(outbox.keep_notice(&delivery(1, 1)).expect("keep"));
            assert!(!outbox.keep_notice(&delivery(1, 1)).expect("again"));
            assert!(outbox.keep_notice(&delivery(2, 2)).expect("keep"));
        }
        let outbox = Outbox::open(dir.path(), 1 << 20, 10).expect("reopen");
        assert!(
            !outbox
                .keep_notice(&delivery(7, 2))
                .expect("after reopening")
        );
        assert_eq!(outbox.notices().expect("list").len(), 2);
        assert_eq!(outbox.notice_count(), 2);
    }
}
