//! Reintegration opportunities from the command line: a state publishes them from a TOML file
//! (see `deploy/opportunities.toml`) and withdraws them; anyone its policy allows lists them.
//! Shared by `midwa` and `midwa-node`.

use std::path::Path;

use midwa_i18n::text;
use midwa_proto::codes::CountryCode;
use midwa_proto::opportunity::Opportunity;
use midwa_proto::pb::{self, opportunities_client::OpportunitiesClient};
use serde::Deserialize;
use tonic::transport::Channel;

use crate::text::Format;
use crate::text::{aligned, origins};

/// An opportunities file: `[[opportunity]]` tables.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    opportunity: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    id: String,
    kind: String,
    sector: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    capacity: u32,
    starts: String,
    #[serde(default)]
    ends: String,
    title: String,
    contact_office: String,
    contact: String,
}

/// Reads and checks every opportunity of a file, for `state`; nothing is returned unless all
/// are valid.
pub fn load(path: &Path, state: CountryCode) -> Result<Vec<pb::Opportunity>, String> {
    let shown = path.display().to_string();
    let invalid =
        |why: midwa_i18n::Text| text!("tls-invalid", path = &shown, why = why).to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        text!(
            "tls-cannot-read",
            path = &shown,
            why = midwa_certs::config::io_reason(&e)
        )
        .to_string()
    })?;
    let file: File =
        toml::from_str(&text).map_err(|e| invalid(midwa_certs::config::toml_reason(&text, &e)))?;
    if file.opportunity.is_empty() {
        return Err(invalid(text!("opportunities-file-empty")));
    }
    let mut seen = std::collections::HashSet::new();
    file.opportunity
        .into_iter()
        .enumerate()
        .map(|(i, e)| {
            let wire = pb::Opportunity {
                id: e.id,
                kind: e.kind,
                sector: e.sector,
                region: e.region,
                capacity: e.capacity,
                starts: e.starts,
                ends: e.ends,
                title: e.title,
                contact_office: e.contact_office,
                contact: e.contact,
                state: String::new(),
            };
            Opportunity::from_pb(&wire, state).map_err(|e| {
                invalid(text!(
                    "opportunities-file-entry",
                    number = i,
                    why = e.to_string()
                ))
            })?;
            if !seen.insert(wire.id.clone()) {
                return Err(invalid(text!(
                    "opportunities-file-twice",
                    number = i,
                    id = format!("{:?}", wire.id)
                )));
            }
            Ok(wire)
        })
        .collect()
}

/// Publishes each opportunity; one line per opportunity.
pub async fn publish(channel: Channel, all: Vec<pb::Opportunity>) -> Result<String, String> {
    let mut client = OpportunitiesClient::new(channel);
    let mut out = String::new();
    for o in all {
        let id = o.id.clone();
        let p = client
            .publish(o)
            .await
            .map_err(|s| {
                format!(
                    "{out}{}",
                    text!(
                        "opportunity-refused",
                        id = format!("{id:?}"),
                        why = s.message().to_owned()
                    )
                )
            })?
            .into_inner();
        out.push_str(&format!(
            "{}\n",
            text!("opportunity-published", id = &id, version = p.version)
        ));
    }
    Ok(out)
}

/// Withdraws one opportunity.
pub async fn withdraw(channel: Channel, id: String) -> Result<String, String> {
    let p = OpportunitiesClient::new(channel)
        .withdraw(pb::WithdrawOpportunity { id: id.clone() })
        .await
        .map_err(|s| text!("gateway-refused", why = s.message().to_owned()).to_string())?
        .into_inner();
    Ok(format!(
        "{}\n",
        text!("opportunity-withdrawn", id = &id, version = p.version)
    ))
}

/// Which opportunities to list, as given on the command line.
#[derive(Debug, Clone, clap::Args)]
pub struct ListArgs {
    /// Only these publishing states, comma separated.
    #[arg(long = "state", value_delimiter = ',')]
    pub states: Vec<String>,
    /// Only these kinds: training, business, employment.
    #[arg(long = "kind", value_delimiter = ',')]
    pub kinds: Vec<String>,
    /// Only these sectors (agriculture, ict, ...).
    #[arg(long = "sector", value_delimiter = ',')]
    pub sectors: Vec<String>,
    /// Only in these regions (GH-AA), or nationwide in their state.
    #[arg(long = "region", value_delimiter = ',')]
    pub regions: Vec<String>,
    /// Only those open on this day, YYYY-MM-DD.
    #[arg(long)]
    pub open_on: Option<String>,
    /// Withdrawn ones too.
    #[arg(long)]
    pub withdrawn: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

/// Lists opportunities, printed in the format asked.
pub async fn list(channel: Channel, args: &ListArgs) -> Result<String, String> {
    let answer = OpportunitiesClient::new(channel)
        .list(pb::ListOpportunities {
            states: args.states.clone(),
            kinds: args.kinds.clone(),
            sectors: args.sectors.clone(),
            regions: args.regions.clone(),
            open_on: args.open_on.clone().unwrap_or_default(),
            include_withdrawn: args.withdrawn,
        })
        .await
        .map_err(|s| text!("gateway-refused", why = s.message().to_owned()).to_string())?
        .into_inner();
    match args.format {
        Format::Table => Ok(table(&answer)),
        Format::Csv => csv(&answer),
        Format::Json => Ok(json(&answer)),
    }
}

const COLUMNS: [&str; 12] = [
    "state",
    "id",
    "kind",
    "sector",
    "region",
    "capacity",
    "starts",
    "ends",
    "title",
    "contact_office",
    "contact",
    "status",
];

fn row(p: &pb::PublishedOpportunity) -> Vec<String> {
    let o = p.opportunity.clone().unwrap_or_default();
    vec![
        o.state,
        o.id,
        o.kind,
        o.sector,
        if o.region.is_empty() {
            "nationwide".into()
        } else {
            o.region
        },
        if o.capacity == 0 {
            "-".into()
        } else {
            o.capacity.to_string()
        },
        o.starts,
        if o.ends.is_empty() {
            "-".into()
        } else {
            o.ends
        },
        o.title,
        o.contact_office,
        o.contact,
        if p.withdrawn { "withdrawn" } else { "open" }.into(),
    ]
}

/// The list for people: the columns named, and the words of `row`, in the user's language.
fn table(a: &pb::OpportunityList) -> String {
    let mut out = if a.opportunities.is_empty() {
        format!("{}\n", text!("opportunities-none"))
    } else {
        let word = |v: String| match v.as_str() {
            "nationwide" => text!("opportunities-nationwide").to_string(),
            "open" => text!("opportunities-open").to_string(),
            "withdrawn" => text!("opportunities-withdrawn").to_string(),
            _ => v,
        };
        let rows: Vec<Vec<String>> = a
            .opportunities
            .iter()
            .map(|p| row(p).into_iter().map(word).collect())
            .collect();
        let header = COLUMNS.map(|c| {
            midwa_i18n::message(&format!("opportunities-col-{c}"), &[])
                .unwrap_or_else(|| c.to_owned())
        });
        aligned(&header, &rows, |i| i == 5)
    };
    out.push('\n');
    out.push_str(&origins(&a.states));
    out
}

fn csv(a: &pb::OpportunityList) -> Result<String, String> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let fail = |e: ::csv::Error| e.to_string();
    w.write_record(COLUMNS).map_err(fail)?;
    for p in &a.opportunities {
        w.write_record(row(p)).map_err(fail)?;
    }
    String::from_utf8(w.into_inner().map_err(|e| e.to_string())?).map_err(|e| e.to_string())
}

/// The list as JSON: `opportunities` (each with the table's columns and `version`) and `states`.
pub fn json(a: &pb::OpportunityList) -> String {
    let opportunities: Vec<serde_json::Value> = a
        .opportunities
        .iter()
        .map(|p| {
            let fields = COLUMNS
                .iter()
                .zip(row(p))
                .map(|(k, v)| ((*k).to_owned(), v.into()));
            let mut object: serde_json::Map<String, serde_json::Value> = fields.collect();
            object.insert("version".into(), p.version.into());
            serde_json::Value::Object(object)
        })
        .collect();
    let states: Vec<serde_json::Value> = a.states.iter().map(crate::text::origin_json).collect();
    serde_json::json!({ "opportunities": opportunities, "states": states }).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_checked_whole_before_anything_is_sent() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("o.toml");
        let good = r#"
[[opportunity]]
id = "GH-1"
kind = "training"
sector = "ict"
starts = "2026-01-01"
title = "Mobile repair"
contact_office = "Accra desk"
contact = "desk@example.org"
"#;
        let gh: CountryCode = "GH".parse().expect("code");
        std::fs::write(&file, good).expect("write");
        assert_eq!(load(&file, gh).expect("valid").len(), 1);
        std::fs::write(&file, format!("{good}{}", good.replace("ict", "mining"))).expect("write");
        let e = load(&file, gh).expect_err("second is invalid");
        assert!(e.contains("opportunity[1].sector"), "{e}");
        std::fs::write(&file, format!("{good}{good}")).expect("write");
        assert!(
            load(&file, gh)
                .expect_err("twice")
                .contains("appears twice")
        );
    }
}
