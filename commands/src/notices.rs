//! Cross-border notices from the command line: sending one, what became of those sent, and the
//! notices a state received. Shared by `midwa` (consulates) and `midwa-node` (state nodes).

use midwa_certs::authority::hex;
use midwa_i18n::{Text, text};
use midwa_proto::notice::{Notice, NoticeId};
use midwa_proto::pb::{self, notices_client::NoticesClient};
use midwa_proto::vocab::Mode;
use tonic::transport::Channel;

use crate::text::{aligned, party, time_ms};

/// The `notice` commands of `midwa` and `midwa-node`.
#[derive(Debug, clap::Subcommand)]
pub enum NoticeCommand {
    /// Send a notice of expected returns to their state of origin. It names nobody: a date, a
    /// mode, an arrival point, how many, and vulnerability flags.
    Send(NoticeArgs),
    /// The notices sent with this certificate, and whether each reached its addressee.
    Sent,
    /// For regional coordinators: notices across the region, counted by origin, expected
    /// month and mode.
    Summary {
        /// First expected month, YYYY-MM.
        #[arg(long)]
        from: Option<String>,
        /// Last expected month, YYYY-MM.
        #[arg(long)]
        to: Option<String>,
    },
}

/// Runs a `notice` command; what to print.
pub async fn run(channel: Channel, command: NoticeCommand) -> Result<String, String> {
    match command {
        NoticeCommand::Send(args) => send(channel, args.to_pb()?).await,
        NoticeCommand::Sent => sent(channel).await,
        NoticeCommand::Summary { from, to } => {
            let rows = summary(channel, from.unwrap_or_default(), to.unwrap_or_default()).await?;
            Ok(summary_table(&rows))
        }
    }
}

/// Notices across the region, counted (coordinators).
pub async fn summary(
    channel: Channel,
    from: String,
    to: String,
) -> Result<Vec<pb::NoticeSummaryRow>, String> {
    Ok(NoticesClient::new(channel)
        .summary(pb::NoticeSummaryRequest { from, to })
        .await
        .map_err(|s| refused(&s))?
        .into_inner()
        .rows)
}

fn summary_table(rows: &[pb::NoticeSummaryRow]) -> String {
    if rows.is_empty() {
        return format!("{}\n", text!("notices-none"));
    }
    let header = [
        text!("notices-col-origin"),
        text!("notices-col-month"),
        text!("notices-col-mode"),
        text!("notices-col-notices"),
        text!("notices-col-persons"),
        text!("notices-col-vulnerable"),
        text!("notices-col-acknowledged"),
    ]
    .map(|t| t.to_string());
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.origin.clone(),
                r.month.clone(),
                r.mode.clone(),
                r.notices.to_string(),
                r.persons.to_string(),
                r.with_vulnerabilities.to_string(),
                r.acknowledged.to_string(),
            ]
        })
        .collect();
    aligned(&header, &rows, |i| i >= 3)
}

/// A notice as given on the command line.
#[derive(Debug, Clone, clap::Args)]
pub struct NoticeArgs {
    /// The returnees' state of origin, which receives the notice (GH).
    #[arg(long)]
    pub to: String,
    /// Expected date of arrival, YYYY-MM-DD.
    #[arg(long)]
    pub date: String,
    /// air, land or sea.
    #[arg(long)]
    pub mode: String,
    /// Where they arrive: an airport (ACC) or border post code (PAGA-BORDER).
    #[arg(long)]
    pub arrival_point: String,
    /// How many persons are expected.
    #[arg(long)]
    pub persons: u32,
    /// Vulnerabilities among them, comma separated: single_woman, victim_of_trafficking,
    /// unaccompanied_minor, older_migrant, disability, medical_need.
    #[arg(long, value_delimiter = ',')]
    pub vulnerable: Vec<String>,
    /// The country they return from (required for consulates; a node's own state by default).
    #[arg(long)]
    pub from: Option<String>,
    /// The notice's id (32 hex digits), to send again a notice whose answer was lost; new by
    /// default.
    #[arg(long)]
    pub id: Option<String>,
}

impl NoticeArgs {
    /// The notice on the wire, with a new random id unless one was given.
    pub fn to_pb(&self) -> Result<pb::Notice, String> {
        let id = match &self.id {
            None => NoticeId::random().0.to_vec(),
            Some(hex) => parse_id(hex)?,
        };
        Ok(pb::Notice {
            id,
            origin: self.to.clone(),
            expected_date: self.date.clone(),
            mode: self.mode.clone(),
            arrival_point: self.arrival_point.clone(),
            persons: self.persons,
            vulnerabilities: self.vulnerable.clone(),
            host_country: self.from.clone().unwrap_or_default(),
        })
    }
}

fn parse_id(hex: &str) -> Result<Vec<u8>, String> {
    let bad = || text!("notice-bad-id", value = format!("{hex:?}")).to_string();
    if hex.len() != 32 {
        return Err(bad());
    }
    (0..16)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(|_| bad()))
        .collect()
}

/// Where a notice is, in words.
pub fn state_text(state: i32) -> Text {
    match pb::NoticeState::try_from(state) {
        Ok(pb::NoticeState::Waiting) => text!("notice-waiting"),
        Ok(pb::NoticeState::Delivered) => text!("notice-delivered"),
        Ok(pb::NoticeState::Acknowledged) => text!("notice-acknowledged"),
        _ => text!("notice-state-unknown"),
    }
}

/// A notice in one line, in the user's language.
fn one_line(n: Option<&pb::Notice>) -> String {
    let Some(n) = n.and_then(|n| Notice::from_pb(n, None).ok()) else {
        return text!("notice-unreadable").to_string();
    };
    let by = match n.mode {
        Mode::Air => text!("notice-by-air"),
        Mode::Land => text!("notice-by-land"),
        Mode::Sea => text!("notice-by-sea"),
    };
    let line = text!(
        "notice-line",
        persons = n.persons,
        host = n.host_country.to_string(),
        by = by,
        point = n.arrival_point.as_str().to_owned(),
        date = n.date_text()
    );
    let flags: Vec<&str> = n.vulnerabilities.iter().map(|v| v.as_str()).collect();
    if flags.is_empty() {
        line.to_string()
    } else {
        format!("{line} ({})", flags.join(", "))
    }
}

fn refused(status: &tonic::Status) -> String {
    text!("gateway-refused", why = status.message().to_owned()).to_string()
}

/// Sends a notice; the answer names the notice and where it is.
pub async fn send(channel: Channel, notice: pb::Notice) -> Result<String, String> {
    let id = hex(&notice.id);
    let status = NoticesClient::new(channel)
        .send(midwa_certs::language::ask_in_language(notice))
        .await
        .map_err(|s| refused(&s))?
        .into_inner();
    let origin = status
        .notice
        .as_ref()
        .map_or(String::new(), |n| n.origin.clone());
    let line = one_line(status.notice.as_ref());
    let sent = if status.new {
        text!("notice-sent", id = id, origin = origin, notice = line)
    } else {
        text!(
            "notice-sent-before",
            id = id,
            origin = origin,
            notice = line
        )
    };
    Ok(format!(
        "{sent}\n{}\n",
        text!("notice-status", status = state_text(status.state))
    ))
}

/// The notices this party sent, newest first, as a table.
pub async fn sent(channel: Channel) -> Result<String, String> {
    let sent = NoticesClient::new(channel)
        .sent(pb::SentNoticesRequest {})
        .await
        .map_err(|s| refused(&s))?
        .into_inner()
        .notices;
    if sent.is_empty() {
        return Ok(format!("{}\n", text!("notices-none-sent")));
    }
    let header = [
        text!("notices-col-sent"),
        text!("notices-col-to"),
        text!("notices-col-notice"),
        text!("notices-col-status"),
        text!("notices-col-id"),
    ]
    .map(|t| t.to_string());
    let rows: Vec<Vec<String>> = sent
        .iter()
        .map(|s| {
            vec![
                time_ms(s.sent_at_ms),
                s.notice
                    .as_ref()
                    .map(|n| n.origin.clone())
                    .unwrap_or_default(),
                one_line(s.notice.as_ref()),
                state_text(s.state).to_string(),
                hex(&s.id),
            ]
        })
        .collect();
    Ok(aligned(&header, &rows, |_| false))
}

/// The notices a state received, newest first, as a table.
pub fn received(notices: &[pb::ReceivedNotice]) -> String {
    if notices.is_empty() {
        return format!("{}\n", text!("notices-none-received"));
    }
    let header = [
        text!("notices-col-received"),
        text!("notices-col-from"),
        text!("notices-col-notice"),
    ]
    .map(|t| t.to_string());
    let rows: Vec<Vec<String>> = notices
        .iter()
        .filter_map(|r| r.delivery.as_ref().map(|d| (r, d)))
        .map(|(r, d)| {
            vec![
                time_ms(r.received_at_ms),
                party(&d.sender),
                one_line(d.notice.as_ref()),
            ]
        })
        .collect();
    aligned(&header, &rows, |_| false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_32_hex_digits() {
        assert_eq!(parse_id(&"0f".repeat(16)), Ok(vec![15; 16]));
        assert!(parse_id("abc").is_err());
        assert!(parse_id(&"zz".repeat(16)).is_err());
        assert_eq!(hex(&[15; 2]), "0f0f");
    }
}
