//! Plain-text output shared by the commands: aligned columns, times, and the origins an answer
//! included or left out.

use std::fmt::Write as _;

use midwa_i18n::text;
use midwa_proto::pb;
use serde_json::json;

/// Rows under a header, each column as wide as its widest value; columns for which `right`
/// is true are aligned to the right (numbers).
pub fn aligned(header: &[String], rows: &[Vec<String>], right: impl Fn(usize) -> bool) -> String {
    let widths: Vec<usize> = (0..header.len())
        .map(|i| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|v| v.chars().count())
                .chain([header[i].chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for r in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)) {
        let cells: Vec<String> = r
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (v, w))| {
                if right(i) {
                    format!("{v:>w$}")
                } else {
                    format!("{v:<w$}")
                }
            })
            .collect();
        let _ = writeln!(out, "{}", cells.join("  ").trim_end());
    }
    out
}

/// Which states an answer included, and which it left out and why, one line each.
pub fn origins(origins: &[pb::OriginStatus]) -> String {
    let included: Vec<String> = origins
        .iter()
        .filter(|o| o.included)
        .map(|o| {
            let version = if o.policy_version == 0 {
                text!("origins-own-data")
            } else {
                text!("origins-policy-version", version = o.policy_version)
            };
            match &o.privacy {
                Some(p) => format!("{} ({version}; {})", o.state, privacy(p)),
                None => format!("{} ({version})", o.state),
            }
        })
        .collect();
    let list = if included.is_empty() {
        text!("origins-none").to_string()
    } else {
        included.join(", ")
    };
    let mut out = format!("{}\n", text!("origins-included", list = list));
    for o in origins.iter().filter(|o| !o.included) {
        let _ = writeln!(
            out,
            "{}",
            text!(
                "origins-left-out",
                state = &o.state,
                reason = left_out_reason(o)
            )
        );
    }
    out
}

/// Why an origin is left out: the gateway's own words in English, the reason it names in the
/// user's language otherwise (with the state as a sentence names it: "du Sénégal").
fn left_out_reason(o: &pb::OriginStatus) -> String {
    if midwa_i18n::current() == midwa_i18n::Lang::En || o.reason_kind.is_empty() {
        return o.reason.clone();
    }
    let form = |kind: &str| {
        midwa_i18n::message(&format!("console-form-{kind}-{}", o.state), &[]).unwrap_or_else(|| {
            midwa_i18n::message(
                &format!("console-form-{kind}-any"),
                &[("name", o.state.clone())],
            )
            .unwrap_or_else(|| o.state.clone())
        })
    };
    let kind = if o.reason_kind == "expired" && o.expired_on.is_empty() {
        "expired_undated".to_owned()
    } else {
        o.reason_kind.clone()
    };
    let reason = midwa_i18n::message(
        &format!("console-why-{kind}"),
        &[
            ("state", o.state.clone()),
            ("the_state", form("the")),
            ("of_state", form("of")),
            ("date", o.expired_on.clone()),
            ("dims", o.uncovered.join(", ")),
        ],
    );
    reason.map_or_else(|| o.reason.clone(), |r| capitalise(&r))
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// A state's privacy budget and spending, as people read it: `privacy budget rho 2.00, 0.80
/// spent (epsilon 8.4 at delta 1e-6)`.
pub fn privacy(p: &pb::Privacy) -> String {
    text!(
        "origins-privacy",
        budget = format!("{:.2}", p.rho_budget),
        spent = format!("{:.2}", p.rho_spent),
        epsilon = format!("{:.1}", p.epsilon),
        delta = format!("{:e}", p.delta)
    )
    .to_string()
}

/// How an answer is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns for a terminal, with the origins included and left out.
    Table,
    /// CSV with a header; the total is the last row.
    Csv,
    /// The whole answer as JSON.
    Json,
}

/// One origin of an answer, included or left out and why, as JSON.
pub fn origin_json(o: &pb::OriginStatus) -> serde_json::Value {
    json!({
        "state": o.state,
        "included": o.included,
        "reason": o.reason,
        "reason_kind": o.reason_kind,
        "expired_on": o.expired_on,
        "uncovered": o.uncovered,
        "policy_version": o.policy_version,
        "privacy": o.privacy.as_ref().map(|p| json!({
            "rho_budget": p.rho_budget,
            "rho_spent": p.rho_spent,
            "epsilon": p.epsilon,
            "delta": p.delta,
        })),
    })
}

/// A time in milliseconds since 1970, as `2026-11-22 21:50 UTC`.
pub fn time_ms(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(time::macros::format_description!(
                "[year]-[month]-[day] [hour]:[minute] UTC"
            ))
            .ok()
        })
        .unwrap_or_else(|| "?".into())
}

/// Lines of `label  value` under `indent`, the values aligned, the labels in the user's
/// language; `colon` puts the language's colon after each label.
pub fn labelled(lines: &[(midwa_i18n::Text, String)], indent: &str, colon: bool) -> String {
    let labels: Vec<String> = lines
        .iter()
        .map(|(l, _)| {
            if colon {
                text!("status-label", label = l.clone()).to_string()
            } else {
                l.to_string()
            }
        })
        .collect();
    let width = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let mut out = String::new();
    for (label, (_, value)) in labels.iter().zip(lines) {
        let _ = writeln!(out, "{indent}{label:width$}  {value}");
    }
    out
}

/// A certificate identity as people say it: `NE node`, `GH consulate (niamey)`, `coordinator
/// ecowas`.
pub fn party(uri: &str) -> String {
    let path: Vec<&str> = uri
        .strip_prefix("spiffe://")
        .and_then(|rest| rest.split_once('/'))
        .map(|(_, path)| path.split('/').collect())
        .unwrap_or_default();
    let own = |s: &&str| s.to_string();
    match path.as_slice() {
        ["state", s, "node"] => text!("party-node", state = own(s)).to_string(),
        ["state", s, "consulate", post] => {
            text!("party-consulate", state = own(s), post = own(post)).to_string()
        }
        ["region", "coordinator", name] => text!("party-coordinator", name = own(name)).to_string(),
        _ => uri.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_left_out_is_explained_in_the_users_language() {
        let left_out = pb::OriginStatus {
            state: "SN".into(),
            reason: "SN has pushed no policy".into(),
            reason_kind: "no_policy".into(),
            ..Default::default()
        };
        let fr = midwa_i18n::in_language(midwa_i18n::Lang::Fr, || {
            origins(std::slice::from_ref(&left_out))
        });
        let en = origins(std::slice::from_ref(&left_out));
        assert!(
            fr.contains("exclu : SN : Le Sénégal n'a pas publié de politique de consentement"),
            "{fr}"
        );
        assert!(en.contains("left out: SN: SN has pushed no policy"), "{en}");
    }

    #[test]
    fn columns_align_and_parties_read_plainly() {
        let header = vec!["state".to_owned(), "count".to_owned()];
        let rows = vec![vec!["GH".to_owned(), "7".to_owned()]];
        assert_eq!(
            aligned(&header, &rows, |i| i == 1),
            "state  count\nGH         7\n"
        );
        assert_eq!(party("spiffe://midwa.test/state/NE/node"), "NE node");
        assert_eq!(
            party("spiffe://midwa.test/state/GH/consulate/niamey"),
            "GH consulate (niamey)"
        );
        assert_eq!(time_ms(0), "1970-01-01 00:00 UTC");
    }
}
