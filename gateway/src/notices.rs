//! Cross-border notices in transit: each one stored durably (the store's `notices` journal)
//! before its sender hears it was received, numbered in its addressee's inbox, and handed to
//! the addressee's node until that node acknowledges it. Notices are few (a handful a day per
//! state) and small, so all of them are also kept in memory.
//!
//! | journal key | value |
//! |---|---|
//! | `n` + addressee + inbox sequence (8 bytes, big-endian) | [`StoredNotice`] |
//! | `a` + addressee | the highest sequence its node acknowledged (8 bytes, big-endian) |

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard, PoisonError};

use midwa_proto::codes::{CountryCode, Month};
use midwa_proto::notice::{Notice, NoticeId};
use midwa_proto::pb;
use midwa_proto::vocab::Vulnerabilities;
use prost::Message;
use tokio::sync::watch;

use crate::store::{Journal, StoreError};

/// What the journal keeps of a notice.
#[derive(Clone, PartialEq, prost::Message)]
pub struct StoredNotice {
    /// The notice, in canonical form.
    #[prost(message, optional, tag = "1")]
    pub notice: Option<pb::Notice>,
    /// The sender's certificate identity.
    #[prost(string, tag = "2")]
    pub sender: String,
    /// When the gateway received it, milliseconds since 1970 UTC.
    #[prost(int64, tag = "3")]
    pub sent_at_ms: i64,
}

/// Where a notice is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Where {
    /// Waiting for the addressee's node.
    Waiting,
    /// Sent to the addressee's node, not yet acknowledged.
    Delivered,
    /// Stored by the addressee's node.
    Acknowledged,
}

/// A notice held, and where it is.
#[derive(Debug, Clone)]
pub struct Status {
    /// The notice.
    pub notice: Notice,
    /// The sender's identity.
    pub sender: String,
    /// When received, ms since 1970 UTC.
    pub sent_at_ms: i64,
    /// Its place in the addressee's inbox.
    pub seq: u64,
    /// Where it is.
    pub state: Where,
}

/// Why a notice was not accepted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SendError {
    /// The same id was sent before with other content.
    #[error("notice {0} was sent before with different content; a new notice needs a new id")]
    Conflict(NoticeId),
    /// It could not be stored.
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, Clone)]
struct Held {
    notice: Notice,
    sender: String,
    sent_at_ms: i64,
}

#[derive(Debug, Default, Clone, Copy)]
struct Inbox {
    /// The highest sequence given out.
    last: u64,
    /// The highest sequence sent on an inbox stream since the gateway started.
    delivered: u64,
    /// The highest sequence the node acknowledged, durably.
    acked: u64,
}

#[derive(Debug, Default)]
struct Board {
    held: BTreeMap<(CountryCode, u64), Held>,
    ids: HashMap<NoticeId, (CountryCode, u64)>,
    inboxes: HashMap<CountryCode, Inbox>,
}

/// Every notice in transit or delivered.
#[derive(Debug)]
pub struct Notices {
    journal: Journal,
    board: Mutex<Board>,
    /// Bumped whenever a notice is added, to wake inbox streams.
    added: watch::Sender<u64>,
}

impl Notices {
    /// Loads every notice and inbox mark from the journal.
    pub fn open(journal: Journal) -> Result<Self, StoreError> {
        let mut board = Board::default();
        for (key, value) in journal.scan(b"")? {
            let Some(state) = key
                .get(1..3)
                .and_then(|s| std::str::from_utf8(s).ok())
                .and_then(|s| s.parse::<CountryCode>().ok())
            else {
                continue;
            };
            let number = |b: &[u8]| b.try_into().ok().map(u64::from_be_bytes);
            match (key[0], number(&key[3..]), number(&value)) {
                (b'n', Some(seq), _) => {
                    let held = StoredNotice::decode(value.as_slice()).ok().and_then(|s| {
                        let notice = Notice::from_pb(s.notice.as_ref()?, None).ok()?;
                        Some(Held {
                            notice,
                            sender: s.sender,
                            sent_at_ms: s.sent_at_ms,
                        })
                    });
                    let Some(held) = held else {
                        tracing::error!(%state, seq, "a stored notice cannot be read; it is skipped");
                        continue;
                    };
                    board.ids.insert(held.notice.id, (state, seq));
                    board.held.insert((state, seq), held);
                    let inbox = board.inboxes.entry(state).or_default();
                    inbox.last = inbox.last.max(seq);
                }
                (b'a', _, Some(acked)) if key.len() == 3 => {
                    board.inboxes.entry(state).or_default().acked = acked;
                }
                _ => {}
            }
        }
        Ok(Self {
            journal,
            board: Mutex::new(board),
            added: watch::Sender::new(0),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Board> {
        self.board.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Stores a checked notice from `sender`, durably, and wakes its addressee's inbox.
    /// Returns its status and whether it is new (false: the same notice was sent before).
    pub fn send(&self, notice: Notice, sender: &str) -> Result<(Status, bool), SendError> {
        let mut board = self.lock();
        if let Some(&(state, seq)) = board.ids.get(&notice.id) {
            let held = &board.held[&(state, seq)];
            if held.notice != notice || held.sender != sender {
                return Err(SendError::Conflict(notice.id));
            }
            return Ok((status(&board, state, seq, held), false));
        }
        let origin = notice.origin;
        let seq = board.inboxes.get(&origin).map_or(0, |i| i.last) + 1;
        let sent_at_ms =
            (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64;
        let stored = StoredNotice {
            notice: Some(pb::Notice::from(&notice)),
            sender: sender.to_owned(),
            sent_at_ms,
        };
        self.journal
            .put(&notice_key(origin, seq), &stored.encode_to_vec())?;
        let held = Held {
            notice,
            sender: sender.to_owned(),
            sent_at_ms,
        };
        board.ids.insert(held.notice.id, (origin, seq));
        board.inboxes.entry(origin).or_default().last = seq;
        board.held.insert((origin, seq), held.clone());
        let answer = status(&board, origin, seq, &held);
        drop(board);
        self.added.send_modify(|n| *n += 1);
        Ok((answer, true))
    }

    /// The notices `sender` sent, newest first.
    pub fn sent_by(&self, sender: &str) -> Vec<Status> {
        let board = self.lock();
        let mut out: Vec<Status> = board
            .held
            .iter()
            .filter(|(_, h)| h.sender == sender)
            .map(|(&(state, seq), h)| status(&board, state, seq, h))
            .collect();
        out.sort_by_key(|s| std::cmp::Reverse(s.sent_at_ms));
        out
    }

    /// Notices counted by origin, expected month and mode, for months in `from..=to`.
    pub fn summary(&self, from: Option<Month>, to: Option<Month>) -> Vec<pb::NoticeSummaryRow> {
        let board = self.lock();
        let mut rows: BTreeMap<(CountryCode, Month, &'static str), pb::NoticeSummaryRow> =
            BTreeMap::new();
        for (&(origin, seq), held) in &board.held {
            let n = &held.notice;
            let Some(month) =
                Month::new(n.expected_date.year() as u16, n.expected_date.month() as u8)
            else {
                continue;
            };
            if from.is_some_and(|f| month < f) || to.is_some_and(|t| month > t) {
                continue;
            }
            let acked = board.inboxes.get(&origin).is_some_and(|i| seq <= i.acked);
            let row = rows
                .entry((origin, month, n.mode.as_str()))
                .or_insert_with(|| pb::NoticeSummaryRow {
                    origin: origin.to_string(),
                    month: month.to_string(),
                    mode: n.mode.to_string(),
                    ..Default::default()
                });
            row.notices += 1;
            row.persons += n.persons;
            row.with_vulnerabilities += u32::from(n.vulnerabilities != Vulnerabilities::NONE);
            row.acknowledged += u32::from(acked);
        }
        rows.into_values().collect()
    }

    /// The highest sequence `state`'s node acknowledged.
    pub fn acked(&self, state: CountryCode) -> u64 {
        self.lock().inboxes.get(&state).map_or(0, |i| i.acked)
    }

    /// The notices of `state`'s inbox after `after`, in order, marked as delivered.
    pub fn deliver_after(&self, state: CountryCode, after: u64) -> Vec<pb::InboxDelivery> {
        let mut board = self.lock();
        let out: Vec<pb::InboxDelivery> = board
            .held
            .range((state, after + 1)..=(state, u64::MAX))
            .map(|(&(_, seq), h)| pb::InboxDelivery {
                seq,
                notice: Some(pb::Notice::from(&h.notice)),
                sender: h.sender.clone(),
                sent_at_ms: h.sent_at_ms,
            })
            .collect();
        if let Some(last) = out.last() {
            let inbox = board.inboxes.entry(state).or_default();
            inbox.delivered = inbox.delivered.max(last.seq);
        }
        out
    }

    /// Records, durably, that `state`'s node stored its inbox up to `seq`. An acknowledgement
    /// of more than was delivered is refused.
    pub fn acknowledge(&self, state: CountryCode, seq: u64) -> Result<(), AckError> {
        let mut board = self.lock();
        let inbox = board.inboxes.entry(state).or_default();
        if seq > inbox.delivered {
            return Err(AckError::Ahead {
                seq,
                delivered: inbox.delivered,
            });
        }
        if seq <= inbox.acked {
            return Ok(());
        }
        self.journal.put(&ack_key(state), &seq.to_be_bytes())?;
        inbox.acked = seq;
        Ok(())
    }

    /// A receiver that changes whenever a notice is added.
    pub fn watch(&self) -> watch::Receiver<u64> {
        self.added.subscribe()
    }
}

/// Why an acknowledgement was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AckError {
    /// It acknowledges notices never delivered.
    #[error("acknowledgement up to {seq}, but only {delivered} notices were delivered")]
    Ahead {
        /// What was acknowledged.
        seq: u64,
        /// What was delivered.
        delivered: u64,
    },
    /// It could not be stored.
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn status(board: &Board, state: CountryCode, seq: u64, held: &Held) -> Status {
    let inbox = board.inboxes.get(&state).copied().unwrap_or_default();
    Status {
        notice: held.notice.clone(),
        sender: held.sender.clone(),
        sent_at_ms: held.sent_at_ms,
        seq,
        state: if seq <= inbox.acked {
            Where::Acknowledged
        } else if seq <= inbox.delivered {
            Where::Delivered
        } else {
            Where::Waiting
        },
    }
}

fn notice_key(state: CountryCode, seq: u64) -> Vec<u8> {
    let mut k = vec![b'n'];
    k.extend_from_slice(&state.as_bytes());
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

fn ack_key(state: CountryCode) -> Vec<u8> {
    let mut k = vec![b'a'];
    k.extend_from_slice(&state.as_bytes());
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice(id: u8, origin: &str) -> Notice {
        Notice::from_pb(
            &pb::Notice {
                id: vec![id; 16],
                origin: origin.into(),
                expected_date: "2026-12-03".into(),
                mode: "land".into(),
                arrival_point: "PAGA-BORDER".into(),
                persons: 3,
                vulnerabilities: vec![],
                host_country: "NE".into(),
            },
            None,
        )
        .expect("valid notice")
    }

    #[test]
    fn notices_are_numbered_per_addressee_delivered_once_acknowledged_and_survive_reopening() {
        let dir = tempfile::tempdir().expect("temp dir");
        let gh: CountryCode = "GH".parse().expect("code");
        let sender = "spiffe://midwa.test/state/NE/node";
        {
            let store = crate::store::Store::open(dir.path(), 1 << 20).expect("store");
            let notices = Notices::open(store.journal("notices").expect("journal")).expect("open");
            let (s, new) = notices.send(notice(1, "GH"), sender).expect("send");
            assert!(new && s.seq == 1 && s.state == Where::Waiting);
            let (again, new) = notices.send(notice(1, "GH"), sender).expect("resend");
            assert!(!new && again.seq == 1, "a resend is the same notice");
            let mut changed = notice(1, "GH");
            changed.persons = 4;
            assert!(matches!(
                notices.send(changed, sender),
                Err(SendError::Conflict(_))
            ));
            notices.send(notice(2, "SN"), sender).expect("send");
            notices.send(notice(3, "GH"), sender).expect("send");

            assert!(notices.acknowledge(gh, 1).is_err(), "nothing delivered yet");
            let delivered = notices.deliver_after(gh, 0);
            assert_eq!(delivered.iter().map(|d| d.seq).collect::<Vec<_>>(), [1, 2]);
            notices.acknowledge(gh, 1).expect("ack");
            let states: Vec<Where> = notices.sent_by(sender).iter().map(|s| s.state).collect();
            assert_eq!(states.len(), 3);
            assert!(states.contains(&Where::Acknowledged) && states.contains(&Where::Delivered));
        }
        let store = crate::store::Store::open(dir.path(), 1 << 20).expect("reopen");
        let notices = Notices::open(store.journal("notices").expect("journal")).expect("open");
        assert_eq!(notices.acked(gh), 1);
        let again: Vec<u64> = notices
            .deliver_after(gh, notices.acked(gh))
            .iter()
            .map(|d| d.seq)
            .collect();
        assert_eq!(
            again,
            [2],
            "only what was not acknowledged is delivered again"
        );
        let (s, _) = notices
            .send(notice(4, "GH"), sender)
            .expect("send after reopening");
        assert_eq!(s.seq, 3, "numbering goes on after reopening");
    }
}
