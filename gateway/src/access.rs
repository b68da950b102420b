//! Each state's access log: every release and refusal of its data, appended to a hash chain
//! (each entry carries the hash of the one before), kept in the store's `access` journal and
//! durable before the data leaves. Only the state's own node reads it, and it checks the chain
//! and that the log still extends what it saw last time.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use midwa_proto::access::hash_of;
use midwa_proto::codes::CountryCode;
use midwa_proto::pb;
use prost::Message;

use crate::consent::Decision;
use crate::store::{Journal, StoreError};

/// What is recorded of one release or refusal.
#[derive(Debug, Clone)]
pub struct Access {
    /// The owner of the data.
    pub origin: CountryCode,
    /// The requester's identity URI.
    pub identity: String,
    /// `aggregate`, `verify` or `opportunities`.
    pub operation: &'static str,
    /// The class of data.
    pub data_class: String,
    /// `released`, `refused`, or `measured` (a measurement, which spends privacy budget).
    pub decision: &'static str,
    /// The policy version applied.
    pub policy_version: u64,
    /// Cells or records released.
    pub count: u64,
    /// Why refused, or what was measured.
    pub reason: String,
    /// The origin's privacy budget and what was spent of it (rho), for aggregates.
    pub privacy: Option<(f64, f64)>,
}

impl Access {
    /// The record of `decision` on `origin`'s data for `identity`: `count` cells or records
    /// if released.
    pub fn of(
        origin: CountryCode,
        identity: &str,
        operation: &'static str,
        data_class: String,
        decision: &Decision,
        count: u64,
    ) -> Self {
        let (released, policy_version, reason) = match decision {
            Decision::Allowed { version, .. } => (true, *version, String::new()),
            Decision::Refused {
                version, reason, ..
            } => (false, *version, reason.clone()),
        };
        Self {
            origin,
            identity: identity.to_owned(),
            operation,
            data_class,
            decision: if released { "released" } else { "refused" },
            policy_version,
            count: if released { count } else { 0 },
            reason,
            privacy: None,
        }
    }

    /// The record of months of `origin`'s `data_class` measured with noise (`first`) and
    /// measured again for what changed (`again`), at the request of `identity`: `count` months
    /// in all, and the budget spent after it.
    pub fn measured(
        origin: CountryCode,
        identity: &str,
        data_class: String,
        first: &[String],
        again: &[String],
        privacy: (f64, f64),
    ) -> Self {
        let span = |months: &[String]| match (months.first(), months.last()) {
            (Some(a), Some(b)) if a == b => a.clone(),
            (Some(a), Some(b)) => format!("{a} to {b}"),
            _ => String::new(),
        };
        let mut what = Vec::new();
        if !first.is_empty() {
            what.push(format!("{} months measured ({})", first.len(), span(first)));
        }
        if !again.is_empty() {
            what.push(format!(
                "{} measured again for what changed ({})",
                again.len(),
                again.join(", ")
            ));
        }
        Self {
            origin,
            identity: identity.to_owned(),
            operation: "measure",
            data_class,
            decision: "measured",
            policy_version: 0,
            count: (first.len() + again.len()) as u64,
            reason: what.join("; "),
            privacy: Some(privacy),
        }
    }
}

/// The logs of every state.
#[derive(Debug)]
pub struct AccessLog {
    journal: Journal,
    /// Per state: the next index and the hash of the last entry.
    heads: Mutex<HashMap<CountryCode, (u64, [u8; 32])>>,
}

impl AccessLog {
    /// Opens the logs, finding each state's head.
    pub fn open(journal: Journal) -> Result<Self, StoreError> {
        let mut heads = HashMap::new();
        for (key, value) in journal.scan(b"")? {
            let Some(state) = std::str::from_utf8(&key[..2.min(key.len())])
                .ok()
                .and_then(|s| s.parse::<CountryCode>().ok())
            else {
                continue;
            };
            if let Ok(entry) = pb::AccessLogEntry::decode(value.as_slice()) {
                let mut hash = [0u8; 32];
                if entry.hash.len() == 32 {
                    hash.copy_from_slice(&entry.hash);
                }
                heads.insert(state, (entry.index + 1, hash));
            }
        }
        Ok(Self {
            journal,
            heads: Mutex::new(heads),
        })
    }

    /// Appends entries, durably, before the data they record is released.
    pub fn append(&self, accesses: &[Access]) -> Result<(), StoreError> {
        if accesses.is_empty() {
            return Ok(());
        }
        let mut heads = self.heads.lock().unwrap_or_else(PoisonError::into_inner);
        let now = time::OffsetDateTime::now_utc();
        let time_ms = (now.unix_timestamp_nanos() / 1_000_000) as i64;
        let mut next = heads.clone();
        let mut records = Vec::with_capacity(accesses.len());
        for a in accesses {
            let (index, previous) = next.get(&a.origin).copied().unwrap_or((0, [0u8; 32]));
            let mut entry = pb::AccessLogEntry {
                index,
                time_ms,
                identity: a.identity.clone(),
                operation: a.operation.into(),
                data_class: a.data_class.clone(),
                decision: a.decision.into(),
                policy_version: a.policy_version,
                count: a.count,
                reason: a.reason.clone(),
                previous: previous.to_vec(),
                hash: Vec::new(),
                rho_budget: a.privacy.map_or(0.0, |p| p.0),
                rho_spent: a.privacy.map_or(0.0, |p| p.1),
            };
            let hash = hash_of(&entry);
            entry.hash = hash.to_vec();
            next.insert(a.origin, (index + 1, hash));
            records.push((key(a.origin, index), entry.encode_to_vec()));
        }
        let refs: Vec<(&[u8], &[u8])> = records
            .iter()
            .map(|(k, v)| (k.as_slice(), v.as_slice()))
            .collect();
        self.journal.put_all(&refs)?;
        *heads = next;
        Ok(())
    }

    /// The entries of `state` from `from` on, as stored.
    pub fn read(
        &self,
        state: CountryCode,
        from: u64,
    ) -> Result<Vec<pb::AccessLogEntry>, StoreError> {
        let prefix = state.as_bytes();
        let mut out = Vec::new();
        for (key, value) in self.journal.scan(&prefix)? {
            let index = key
                .get(2..10)
                .and_then(|b| b.try_into().ok())
                .map(u64::from_be_bytes)
                .unwrap_or(0);
            if index < from {
                continue;
            }
            // A damaged record is handed over as it is: the reader's check reports it.
            out.push(
                pb::AccessLogEntry::decode(value.as_slice()).unwrap_or(pb::AccessLogEntry {
                    index,
                    reason: "(this entry cannot be decoded)".into(),
                    ..Default::default()
                }),
            );
        }
        Ok(out)
    }
}

/// The journal key of an entry.
pub fn key(state: CountryCode, index: u64) -> Vec<u8> {
    let mut k = state.as_bytes().to_vec();
    k.extend_from_slice(&index.to_be_bytes());
    k
}
