//! A record-level subscription kept in a file: the events an origin state granted this party,
//! as JSON lines, each delivered batch followed by a `{"cursor": N}` line once it is written and
//! synced. The file is its own cursor: a subscription started again truncates whatever follows
//! the last cursor (a batch cut by a crash) and resumes after it, so nothing is stored twice
//! or missed. Shared by `midwa` (coordinators) and `midwa-node` (other states).

use std::fs::OpenOptions;
use std::io::{BufRead, BufReader, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use midwa_certs::authority::hex;
use midwa_i18n::text;
use midwa_proto::pb::{self, event::Body, subscriptions_client::SubscriptionsClient};
use midwa_proto::vocab;
use serde_json::{Map, Value, json};
use tonic::transport::Channel;

/// A subscription as given on the command line.
#[derive(Debug, Clone, clap::Args)]
pub struct SubscribeArgs {
    /// The origin state whose events to receive (GH).
    #[arg(long)]
    pub origin: String,
    /// The JSON-lines file the events go to; started again, it resumes where it stopped.
    #[arg(long)]
    pub out: PathBuf,
    /// Stop once everything stored so far is received, instead of following new events.
    #[arg(long)]
    pub once: bool,
}

/// The cursor of a subscription file, truncating what follows its last cursor line. A file
/// that does not exist yet has cursor 0.
pub fn recover(path: &Path) -> Result<u64, String> {
    let fail = |e: std::io::Error| format!("{}: {e}", path.display());
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(fail(e)),
    };
    let (mut cursor, mut end, mut at) = (0u64, 0u64, 0u64);
    let mut reader = BufReader::new(file);
    let mut line = String::new();
    let mut number = 0;
    loop {
        line.clear();
        let n = reader.read_line(&mut line).map_err(fail)?;
        if n == 0 {
            break;
        }
        number += 1;
        at += n as u64;
        if !line.ends_with('\n') {
            break;
        }
        let value: Value = serde_json::from_str(&line).map_err(|e| {
            format!(
                "{}: line {number} is not JSON ({e}); this is not a subscription file",
                path.display()
            )
        })?;
        if let Some(c) = value.get("cursor").and_then(Value::as_u64) {
            cursor = c;
            end = at;
        }
    }
    let file = OpenOptions::new().write(true).open(path).map_err(fail)?;
    if file.metadata().map_err(fail)?.len() > end {
        file.set_len(end).map_err(fail)?;
        file.sync_all().map_err(fail)?;
    }
    Ok(cursor)
}

/// Runs a subscription until caught up (`once`), `stop` resolves, or the gateway ends it;
/// returns what to print.
pub async fn run(
    channel: Channel,
    args: &SubscribeArgs,
    stop: impl std::future::Future<Output = ()>,
) -> Result<String, String> {
    let after = recover(&args.out)?;
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(&args.out)
        .map_err(|e| {
            text!(
                "tls-cannot-read",
                path = args.out.display().to_string(),
                why = midwa_certs::config::io_reason(&e)
            )
            .to_string()
        })?;
    file.seek(SeekFrom::End(0))
        .map_err(|e| format!("{}: {e}", args.out.display()))?;
    let mut stream = SubscriptionsClient::new(channel)
        .max_decoding_message_size(64 * 1024 * 1024)
        .subscribe(pb::SubscribeRequest {
            origin: args.origin.clone(),
            after_seq: after,
        })
        .await
        .map_err(|s| text!("subscribe-refused", why = s.message().to_owned()).to_string())?
        .into_inner();
    let (mut received, mut cursor) = (0u64, after);
    let summary = |received: u64, cursor: u64| {
        format!(
            "{}\n",
            text!(
                "subscribe-summary",
                count = received,
                origin = &args.origin,
                out = args.out.display().to_string(),
                cursor = cursor
            )
        )
    };
    tokio::pin!(stop);
    loop {
        let batch = tokio::select! {
            b = stream.message() => b,
            _ = &mut stop => return Ok(summary(received, cursor)),
        };
        let batch = match batch {
            Ok(Some(batch)) => batch,
            Ok(None) => return Ok(summary(received, cursor)),
            Err(s) => {
                return Err(format!(
                    "{}{}",
                    summary(received, cursor),
                    text!("subscribe-ended", why = s.message().to_owned())
                ));
            }
        };
        if batch.caught_up {
            if args.once {
                return Ok(summary(received, cursor));
            }
            continue;
        }
        let mut lines = String::new();
        for event in &batch.events {
            lines.push_str(&event_json(event, &batch.fields).to_string());
            lines.push('\n');
        }
        lines.push_str(&json!({ "cursor": batch.last_seq }).to_string());
        lines.push('\n');
        file.write_all(lines.as_bytes())
            .and_then(|()| file.sync_data())
            .map_err(|e| {
                text!(
                    "import-receipts-cannot-write",
                    path = args.out.display().to_string(),
                    why = midwa_certs::config::io_reason(&e)
                )
                .to_string()
            })?;
        received += batch.events.len() as u64;
        cursor = batch.last_seq;
    }
}

/// An event as one JSON object, with the fields granted (`fields`, dimension names).
pub fn event_json(e: &pb::Event, fields: &[String]) -> Value {
    let has = |f: &str| fields.iter().any(|g| g == f);
    let mut o = Map::new();
    o.insert("id".into(), hex(&e.id).into());
    o.insert("origin".into(), e.origin.clone().into());
    o.insert("subject".into(), hex(&e.subject).into());
    let mut put = |name: &str, granted: bool, value: Value| {
        if granted {
            o.insert(name.into(), value);
        }
    };
    fn term<T: Copy + std::fmt::Display>(from: fn(i32) -> Option<T>, v: i32) -> Value {
        from(v).map_or(Value::Null, |t| t.to_string().into())
    }
    let period = has("period");
    let kind = match &e.body {
        Some(Body::Return(r)) => {
            put("month", period, r.month.clone().into());
            put("sex", has("sex"), term(vocab::Sex::from_pb, r.sex));
            put(
                "age_band",
                has("age_band"),
                term(vocab::AgeBand::from_pb, r.age_band),
            );
            put(
                "host_country",
                has("host_country"),
                r.host_country.clone().into(),
            );
            put("mode", has("mode"), term(vocab::Mode::from_pb, r.mode));
            put(
                "return_type",
                has("return_type"),
                term(vocab::ReturnType::from_pb, r.return_type),
            );
            put(
                "destination_region",
                has("destination_region"),
                r.destination_region.clone().into(),
            );
            let flags: Vec<Value> = r
                .vulnerabilities
                .iter()
                .map(|v| term(vocab::Vulnerability::from_pb, *v))
                .collect();
            put("vulnerabilities", has("vulnerability"), flags.into());
            "return"
        }
        Some(Body::Assistance(a)) => {
            put("month", period, a.month.clone().into());
            put(
                "category",
                has("assistance_category"),
                term(vocab::AssistanceCategory::from_pb, a.category),
            );
            put(
                "type",
                has("assistance_type"),
                term(vocab::AssistanceType::from_pb, a.r#type),
            );
            "assistance"
        }
        Some(Body::Assessment(a)) => {
            put("month", period, a.month.clone().into());
            put("months_since_return", period, a.months_since_return.into());
            put("economic", true, a.economic.into());
            put("social", true, a.social.into());
            put("psychosocial", true, a.psychosocial.into());
            put("composite", true, a.composite.into());
            "assessment"
        }
        Some(Body::Closure(c)) => {
            put("month", period, c.month.clone().into());
            put(
                "outcome",
                has("outcome"),
                term(vocab::Outcome::from_pb, c.outcome),
            );
            "closure"
        }
        Some(Body::Retraction(r)) => {
            // Empty: everything about the subject is to be erased.
            put("erases", true, hex(&r.event_id).into());
            "retraction"
        }
        None => "unknown",
    };
    o.insert("kind".into(), kind.into());
    Value::Object(o)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_cut_by_a_crash_is_dropped_and_the_cursor_found() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("sub.jsonl");
        assert_eq!(recover(&path), Ok(0));
        let whole = "{\"id\":\"01\"}\n{\"cursor\":500}\n{\"id\":\"02\"}\n{\"cursor\":900}\n";
        std::fs::write(&path, format!("{whole}{{\"id\":\"03\"}}\n{{\"id\":")).expect("write");
        assert_eq!(recover(&path), Ok(900));
        assert_eq!(std::fs::read_to_string(&path).expect("read"), whole);
        std::fs::write(&path, "not json\n").expect("write");
        assert!(
            recover(&path)
                .expect_err("not a subscription file")
                .contains("line 1")
        );
    }

    #[test]
    fn only_granted_fields_are_written() {
        let e = pb::Event {
            id: vec![1],
            origin: "GH".into(),
            subject: vec![2],
            body: Some(Body::Return(pb::Return {
                month: "2026-03".into(),
                mode: 2,
                ..Default::default()
            })),
        };
        let v = event_json(&e, &["period".into(), "mode".into()]);
        assert_eq!(
            v,
            json!({"id": "01", "origin": "GH", "subject": "02", "kind": "return",
                   "month": "2026-03", "mode": "land"})
        );
    }
}
