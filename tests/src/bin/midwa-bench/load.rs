//! Events published to the gateway as the nodes would: synthetic agency records anonymised by
//! the node's own code (returns, and for some people assistance, a survey, a closure), sent
//! over a node's stream with its certificate; and the truth the benchmark keeps of them.

use std::collections::HashMap;
use std::time::Duration;

use anyhow::{Result, bail};
use midwa_deploy::region::TRUST_DOMAIN;
use midwa_deploy::synthetic::Synthetic;
use midwa_node::keys::Keys;
use midwa_node::record::anonymise::{Returns, anonymise};
use midwa_proto::codes::Month;
use midwa_proto::event::Pseudonym;
use midwa_proto::pb;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

/// What the benchmark knows of the records it made: returns by state and month, and by state,
/// quarter and host or flag.
#[derive(Default)]
pub struct Truth {
    pub monthly: HashMap<(String, String), u64>,
    pub small: HashMap<(String, String, String), u64>,
}

impl Truth {
    fn add(&mut self, state: &str, r: &pb::ReturnRecord) {
        let month = r.return_date[..7].to_owned();
        let m: u32 = month[5..].parse().unwrap_or(1);
        let quarter = format!("{}-Q{}", &month[..4], (m - 1) / 3 + 1);
        *self.monthly.entry((state.into(), month)).or_default() += 1;
        *self
            .small
            .entry((
                state.into(),
                quarter.clone(),
                format!("host:{}", r.host_country),
            ))
            .or_default() += 1;
        for flag in &r.vulnerabilities {
            *self
                .small
                .entry((state.into(), quarter.clone(), format!("flag:{flag}")))
                .or_default() += 1;
        }
    }

    pub fn merge(&mut self, other: Truth) {
        for (k, v) in other.monthly {
            *self.monthly.entry(k).or_default() += v;
        }
        for (k, v) in other.small {
            *self.small.entry(k).or_default() += v;
        }
    }
}

/// Returns recorded so far, for the anonymiser's checks of follow-ups.
struct Held(HashMap<Pseudonym, Month>);

impl Returns for Held {
    fn return_month(&self, person: &Pseudonym) -> std::io::Result<Option<Month>> {
        Ok(self.0.get(person).copied())
    }
}

/// Anonymises about `events` synthetic events of `state` and publishes them on the node's
/// stream, waiting for every acknowledgement. Returns how many were stored.
/// Where a state's stream goes on from: the next sequence number and person number.
#[derive(Clone, Copy, Debug)]
pub struct Position {
    pub seq: u64,
    pub person: u64,
}

impl Position {
    pub const START: Position = Position { seq: 1, person: 0 };
}

/// What one state's stream stored, what it was, and where a later stream goes on from.
pub struct Loaded {
    pub stored: u64,
    pub truth: Truth,
    pub next: Position,
}

/// Publishes about `events` events of `state` over one stream, from `from`, and waits until
/// the gateway acknowledged them all.
pub async fn load(
    state: &str,
    seed: u64,
    from: Position,
    events: u64,
    tls: &std::path::Path,
    key: &std::path::Path,
    gateway: std::net::SocketAddr,
) -> Result<Loaded> {
    let credentials = midwa_certs::tls::Credentials::load(
        &midwa_certs::tls::TlsFiles {
            cert: tls.join("cert.pem"),
            key: tls.join("key.pem"),
            ca: tls.join("ca.pem"),
        },
        &TRUST_DOMAIN.parse()?,
    )?;
    let address = midwa_certs::address::GatewayAddress::parse(&format!("https://{gateway}"))
        .map_err(anyhow::Error::msg)?;
    let channel = midwa_certs::connect::connect(
        &address,
        midwa_certs::tls::client_config(&credentials)?,
        Duration::from_secs(10),
    )
    .await
    .map_err(anyhow::Error::msg)?;
    let (keys, _) = Keys::load_or_create(key)?;
    let (tx, rx) = mpsc::channel::<pb::PublishRequest>(16);
    let mut client = pb::exchange_client::ExchangeClient::new(channel)
        .max_encoding_message_size(64 << 20)
        .max_decoding_message_size(64 << 20);
    let mut responses = client.publish(ReceiverStream::new(rx)).await?.into_inner();
    let state_code = state.parse()?;
    let state = state.to_owned();
    let producer = tokio::task::spawn_blocking(move || -> Result<(Truth, Position)> {
        let today = time::OffsetDateTime::now_utc().date();
        let mut synthetic = Synthetic::new(&state, seed + 17);
        let mut held = Held(HashMap::new());
        let mut seq = from.seq;
        let mut batch = Vec::with_capacity(2000);
        let mut sent = 0u64;
        let mut person = from.person;
        let mut truth = Truth::default();
        while sent + (batch.len() as u64) < events {
            let r = synthetic.return_record(person);
            truth.add(&state, &r);
            let f = synthetic.follow_ups(person, &r);
            person += 1;
            use pb::record::Kind;
            let mut records = vec![Kind::Return(r)];
            records.extend(f.assistance.map(Kind::Assistance));
            records.extend(f.assessment.map(Kind::Assessment));
            records.extend(f.closure.map(Kind::Closure));
            for kind in records {
                let a = anonymise(
                    pb::Record { kind: Some(kind) },
                    state_code,
                    &keys,
                    today,
                    &held,
                )
                .map_err(|e| anyhow::anyhow!("synthetic record: {e}"))?;
                if let Some(month) = a.return_month {
                    held.0.insert(a.event.subject, month);
                }
                batch.push(pb::Event::from(&a.event));
            }
            if batch.len() >= 2000 {
                let n = batch.len() as u64;
                let request = pb::PublishRequest {
                    first_seq: seq,
                    events: std::mem::take(&mut batch),
                };
                seq += n;
                sent += n;
                if tx.blocking_send(request).is_err() {
                    bail!("the gateway closed the stream");
                }
            }
        }
        if !batch.is_empty() {
            let n = batch.len() as u64;
            seq += n;
            if tx
                .blocking_send(pb::PublishRequest {
                    first_seq: seq - n,
                    events: batch,
                })
                .is_err()
            {
                bail!("the gateway closed the stream");
            }
        }
        Ok((truth, Position { seq, person }))
    });
    let (target_tx, mut target) = tokio::sync::watch::channel(u64::MAX);
    let reader = tokio::spawn(async move {
        let (mut stored, mut last) = (0u64, 0u64);
        loop {
            if last >= *target.borrow() {
                return Ok::<_, anyhow::Error>(stored);
            }
            tokio::select! {
                message = responses.message() => match message? {
                    Some(pb::PublishResponse { kind: Some(pb::publish_response::Kind::Ack(ack)) }) => {
                        stored += u64::from(ack.stored);
                        last = ack.last_seq;
                    }
                    Some(_) => {}
                    None => {
                        let _ = target.wait_for(|t| *t != u64::MAX).await;
                        if last >= *target.borrow() {
                            return Ok(stored);
                        }
                        bail!("the gateway ended the stream at sequence {last}");
                    }
                },
                _ = target.changed() => {}
            }
        }
    });
    let (truth, next) = producer.await??;
    let _ = target_tx.send(next.seq - 1);
    let stored = reader.await??;
    Ok(Loaded {
        stored,
        truth,
        next,
    })
}
