//! Aggregate queries: the request from the command line, and the answer as a table, CSV or
//! JSON.

use std::fmt::Write as _;

use midwa_proto::pb;
use serde_json::{Value, json};

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

/// Builds a request. `filters` are `dimension=value[,value...]`.
pub fn request(
    metric: &str,
    group_by: &[String],
    unit: Option<&str>,
    filters: &[String],
    from: Option<&str>,
    to: Option<&str>,
) -> Result<pb::AggregateRequest, String> {
    let filters = filters
        .iter()
        .map(|f| {
            let (dimension, values) = f
                .split_once('=')
                .ok_or_else(|| format!("--where {f:?}: write dimension=value[,value...]"))?;
            Ok(pb::Filter {
                dimension: dimension.trim().to_owned(),
                values: values.split(',').map(|v| v.trim().to_owned()).collect(),
            })
        })
        .collect::<Result<_, String>>()?;
    Ok(pb::AggregateRequest {
        metric: metric.to_owned(),
        group_by: group_by
            .iter()
            .flat_map(|g| g.split(','))
            .map(|g| g.trim().to_owned())
            .filter(|g| !g.is_empty())
            .collect(),
        period_unit: unit.unwrap_or_default().to_owned(),
        filters,
        from_month: from.unwrap_or_default().to_owned(),
        to_month: to.unwrap_or_default().to_owned(),
    })
}

fn is_means(a: &pb::AggregateResponse) -> bool {
    a.metric == "mean_scores"
}

/// The count column's name.
fn counted(a: &pb::AggregateResponse) -> &'static str {
    match a.metric.as_str() {
        "assisted_persons" | "mean_scores" => "persons",
        _ => "count",
    }
}

fn count_text(cell: &pb::Cell) -> String {
    cell.count.map_or_else(|| "x".to_owned(), |c| c.to_string())
}

fn mean_text(v: Option<f64>) -> String {
    v.map_or_else(|| "x".to_owned(), |m| format!("{m:.3}"))
}

/// The answer as aligned columns, with its notes.
pub fn table(a: &pb::AggregateResponse) -> String {
    let mut header: Vec<String> = a.columns.clone();
    header.push(counted(a).into());
    if is_means(a) {
        header.extend(["economic", "social", "psychosocial", "composite"].map(String::from));
    }
    let row = |values: Vec<String>, cell: &pb::Cell| {
        let mut r = values;
        r.push(count_text(cell));
        if is_means(a) {
            r.extend(
                [
                    cell.economic,
                    cell.social,
                    cell.psychosocial,
                    cell.composite,
                ]
                .map(mean_text),
            );
        }
        r
    };
    let mut rows: Vec<Vec<String>> = a.cells.iter().map(|c| row(c.values.clone(), c)).collect();
    if let Some(total) = &a.total {
        let mut values = vec![String::new(); a.columns.len()];
        if let Some(first) = values.first_mut() {
            *first = "total".into();
        }
        rows.push(row(values, total));
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}{} (threshold {})\n",
        a.metric,
        if a.columns.is_empty() {
            String::new()
        } else {
            format!(" by {}", a.columns.join(", "))
        },
        a.threshold
    );
    out.push_str(&crate::text::aligned(&header, &rows, |i| {
        i >= a.columns.len()
    }));
    let hidden = a.cells.iter().chain(&a.total).any(|c| c.count.is_none())
        || (is_means(a)
            && a.cells
                .iter()
                .chain(&a.total)
                .any(|c| c.composite.is_none()));
    if hidden {
        let _ = writeln!(
            out,
            "\nx: suppressed: a count below {} (a mean over fewer than 20 persons), or hidden so that no suppressed value can be worked out from the others",
            a.threshold
        );
    }
    let _ = writeln!(out);
    out.push_str(&crate::text::origins(&a.origins));
    out
}

/// The answer as CSV: the group-by columns, the count, `suppressed`, and the means for
/// mean_scores; the total is the last row, with `total` in the first column.
pub fn csv(a: &pb::AggregateResponse) -> Result<String, String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = a.columns.clone();
    header.push(counted(a).into());
    header.push("suppressed".into());
    if is_means(a) {
        header.extend(["economic", "social", "psychosocial", "composite"].map(String::from));
    }
    w.write_record(&header).map_err(|e| e.to_string())?;
    let total = a.total.iter().map(|t| {
        let mut values = vec![String::new(); a.columns.len().max(1)];
        values[0] = "total".into();
        values.truncate(a.columns.len().max(1));
        (values, t)
    });
    for (values, cell) in a.cells.iter().map(|c| (c.values.clone(), c)).chain(total) {
        let mut r = values;
        if a.columns.is_empty() {
            r.clear();
        }
        r.push(cell.count.map(|c| c.to_string()).unwrap_or_default());
        r.push(cell.suppressed.clone());
        if is_means(a) {
            r.extend(
                [
                    cell.economic,
                    cell.social,
                    cell.psychosocial,
                    cell.composite,
                ]
                .map(|m| m.map(|m| format!("{m:.4}")).unwrap_or_default()),
            );
        }
        w.write_record(&r).map_err(|e| e.to_string())?;
    }
    String::from_utf8(w.into_inner().map_err(|e| e.to_string())?).map_err(|e| e.to_string())
}

/// The answer as JSON.
pub fn json(a: &pb::AggregateResponse) -> String {
    let cell = |c: &pb::Cell| -> Value {
        let mut v = json!({
            "values": c.values,
            "count": c.count,
        });
        if !c.suppressed.is_empty() {
            v["suppressed"] = json!(c.suppressed);
        }
        if is_means(a) {
            v["economic"] = json!(c.economic);
            v["social"] = json!(c.social);
            v["psychosocial"] = json!(c.psychosocial);
            v["composite"] = json!(c.composite);
        }
        v
    };
    let value = json!({
        "metric": a.metric,
        "columns": a.columns,
        "threshold": a.threshold,
        "cells": a.cells.iter().map(cell).collect::<Vec<_>>(),
        "total": a.total.as_ref().map(cell),
        "origins": a.origins.iter().map(origin_json).collect::<Vec<_>>(),
    });
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

/// One origin of an answer, included or left out and why, as JSON.
pub(crate) fn origin_json(o: &pb::OriginStatus) -> serde_json::Value {
    json!({
        "state": o.state,
        "included": o.included,
        "reason": o.reason,
        "reason_kind": o.reason_kind,
        "expired_on": o.expired_on,
        "uncovered": o.uncovered,
        "policy_version": o.policy_version,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer() -> pb::AggregateResponse {
        pb::AggregateResponse {
            columns: vec!["sex".into()],
            cells: vec![
                pb::Cell {
                    values: vec!["F".into()],
                    count: None,
                    suppressed: "primary".into(),
                    ..Default::default()
                },
                pb::Cell {
                    values: vec!["M".into()],
                    count: Some(1234),
                    ..Default::default()
                },
            ],
            total: Some(pb::Cell {
                count: Some(1240),
                ..Default::default()
            }),
            origins: vec![
                pb::OriginStatus {
                    state: "NG".into(),
                    included: true,
                    policy_version: 2,
                    ..Default::default()
                },
                pb::OriginStatus {
                    state: "SN".into(),
                    included: false,
                    reason: "no policy".into(),
                    reason_kind: "no_policy".into(),
                    ..Default::default()
                },
            ],
            threshold: 10,
            metric: "returns".into(),
        }
    }

    #[test]
    fn every_format_shows_suppression_and_origins() {
        let a = answer();
        let t = table(&a);
        assert!(
            t.contains("F          x") && t.contains("1234") && t.contains("total"),
            "{t}"
        );
        assert!(
            t.contains("left out: SN: no policy") && t.contains("NG (policy version 2)"),
            "{t}"
        );
        let c = csv(&a).expect("csv");
        assert_eq!(
            c,
            "sex,count,suppressed\nF,,primary\nM,1234,\ntotal,1240,\n"
        );
        let j: Value = serde_json::from_str(&json(&a)).expect("json");
        assert_eq!(j["cells"][0]["count"], Value::Null);
        assert_eq!(j["total"]["count"], 1240);
    }

    #[test]
    fn filters_must_name_a_dimension() {
        assert!(request("returns", &[], None, &["sex".into()], None, None).is_err());
        let r = request(
            "returns",
            &["period,sex".into()],
            Some("quarter"),
            &["host_country=LY, NE".into()],
            None,
            None,
        )
        .expect("valid");
        assert_eq!(r.group_by, vec!["period", "sex"]);
        assert_eq!(r.filters[0].values, vec!["LY", "NE"]);
    }
}
