//! Aggregate queries: the request from the command line, and the answer as a table, CSV or
//! JSON.

use std::fmt::Write as _;

use midwa_commands::text::origin_json;
use midwa_i18n::text;
use midwa_proto::pb;
use serde_json::{Value, json};

pub use midwa_commands::text::Format;

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

fn is_coverage(a: &pb::AggregateResponse) -> bool {
    a.metric == "coverage"
}

/// The count column's name, in the user's language.
fn counted_text(a: &pb::AggregateResponse) -> String {
    match a.metric.as_str() {
        "assisted_persons" | "coverage" => text!("query-col-persons"),
        "mean_scores" => text!("query-col-surveys"),
        _ => text!("query-col-count"),
    }
    .to_string()
}

/// The count column's name.
fn counted(a: &pb::AggregateResponse) -> &'static str {
    match a.metric.as_str() {
        "assisted_persons" | "coverage" => "persons",
        "mean_scores" => "surveys",
        _ => "count",
    }
}

fn count_text(cell: &pb::Cell) -> String {
    cell.count.map_or_else(|| "x".to_owned(), |c| c.to_string())
}

fn mean_text(v: Option<f64>) -> String {
    v.map_or_else(|| "x".to_owned(), |m| format!("{m:.3}"))
}

/// `+/- 7.3`, the half-width of a cell's 95 % interval.
fn error_text(e: f64) -> String {
    format!("+/- {e:.1}")
}

/// The answer as aligned columns, with its notes.
pub fn table(a: &pb::AggregateResponse) -> String {
    let error = || text!("query-col-error").to_string();
    let mut header: Vec<String> = a.columns.clone();
    header.push(counted_text(a));
    header.push(error());
    if is_means(a) {
        header.extend(
            [
                text!("console-col-economic"),
                text!("console-col-social"),
                text!("console-col-psychosocial"),
                text!("console-col-composite"),
            ]
            .map(|t| t.to_string()),
        );
        header.push(error());
    }
    if is_coverage(a) {
        header.push(text!("query-col-share").to_string());
        header.push(error());
    }
    let row = |values: Vec<String>, cell: &pb::Cell| {
        let mut r = values;
        r.push(count_text(cell));
        r.push(error_text(cell.count_error));
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
            r.push(if cell.composite.is_some() {
                format!("+/- {:.3}", cell.mean_error)
            } else {
                String::new()
            });
        }
        if is_coverage(a) {
            r.push(
                cell.share
                    .map_or_else(|| "x".into(), |s| format!("{:.1} %", s * 100.0)),
            );
            r.push(if cell.share.is_some() {
                format!("+/- {:.1} %", cell.mean_error * 100.0)
            } else {
                String::new()
            });
        }
        r
    };
    let mut rows: Vec<Vec<String>> = a.cells.iter().map(|c| row(c.values.clone(), c)).collect();
    if let Some(total) = &a.total {
        let mut values = vec![String::new(); a.columns.len()];
        if let Some(first) = values.first_mut() {
            *first = text!("query-total").to_string();
        }
        if !a.columns.is_empty() {
            rows.push(row(values, total));
        }
    }
    let mut out = String::new();
    let title = if a.columns.is_empty() {
        text!(
            "query-title",
            metric = &a.metric,
            threshold = a.threshold,
            first = &a.first_month,
            last = &a.last_month
        )
    } else {
        text!(
            "query-title-by",
            metric = &a.metric,
            dims = a.columns.join(", "),
            threshold = a.threshold,
            first = &a.first_month,
            last = &a.last_month
        )
    };
    let _ = writeln!(out, "{title}\n");
    let first_number = a.columns.len();
    out.push_str(&midwa_commands::text::aligned(&header, &rows, |i| {
        i >= first_number
    }));
    let _ = writeln!(
        out,
        "\n{}",
        text!("query-noisy", error = format!("{:.1}", a.error))
    );
    let hidden = a.cells.iter().chain(&a.total).any(|c| c.count.is_none())
        || (is_means(a)
            && a.cells
                .iter()
                .chain(&a.total)
                .any(|c| c.composite.is_none()));
    if hidden {
        let _ = writeln!(out, "{}", text!("query-hidden", threshold = a.threshold));
    }
    let _ = writeln!(out);
    out.push_str(&midwa_commands::text::origins(&a.origins));
    out
}

/// The answer as CSV: the group-by columns, the count, its 95 % error, `suppressed`, and the
/// means (mean_scores) or the share (coverage) with their error; the total is the last row,
/// with `total` in the first column.
pub fn csv(a: &pb::AggregateResponse) -> Result<String, String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = a.columns.clone();
    header.push(counted(a).into());
    header.push("error_95".into());
    header.push("suppressed".into());
    if is_means(a) {
        header.extend(
            [
                "economic",
                "social",
                "psychosocial",
                "composite",
                "mean_error_95",
            ]
            .map(String::from),
        );
    }
    if is_coverage(a) {
        header.extend(["share", "share_error_95"].map(String::from));
    }
    w.write_record(&header).map_err(|e| e.to_string())?;
    let total = a.total.iter().map(|t| {
        let mut values = vec![String::new(); a.columns.len().max(1)];
        values[0] = "total".into();
        values.truncate(a.columns.len().max(1));
        (values, t)
    });
    let cells: Vec<(Vec<String>, &pb::Cell)> = if a.columns.is_empty() {
        total.collect()
    } else {
        a.cells
            .iter()
            .map(|c| (c.values.clone(), c))
            .chain(total)
            .collect()
    };
    for (values, cell) in cells {
        let mut r = values;
        if a.columns.is_empty() {
            r.clear();
        }
        r.push(cell.count.map(|c| c.to_string()).unwrap_or_default());
        r.push(format!("{:.2}", cell.count_error));
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
            r.push(if cell.composite.is_some() {
                format!("{:.4}", cell.mean_error)
            } else {
                String::new()
            });
        }
        if is_coverage(a) {
            r.push(cell.share.map(|s| format!("{s:.4}")).unwrap_or_default());
            r.push(if cell.share.is_some() {
                format!("{:.4}", cell.mean_error)
            } else {
                String::new()
            });
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
            "error": c.count_error,
        });
        if !c.suppressed.is_empty() {
            v["suppressed"] = json!(c.suppressed);
        }
        if is_means(a) {
            v["economic"] = json!(c.economic);
            v["social"] = json!(c.social);
            v["psychosocial"] = json!(c.psychosocial);
            v["composite"] = json!(c.composite);
            v["mean_error"] = json!(c.mean_error);
        }
        if is_coverage(a) {
            v["share"] = json!(c.share);
            v["share_error"] = json!(c.mean_error);
        }
        v
    };
    let value = json!({
        "metric": a.metric,
        "columns": a.columns,
        "threshold": a.threshold,
        "noisy": true,
        "confidence": 0.95,
        "error": a.error,
        "first_month": a.first_month,
        "last_month": a.last_month,
        "cells": a.cells.iter().map(cell).collect::<Vec<_>>(),
        "total": a.total.as_ref().map(cell),
        "origins": a.origins.iter().map(origin_json).collect::<Vec<_>>(),
    });
    serde_json::to_string_pretty(&value).unwrap_or_default()
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
                    count_error: 7.3,
                    ..Default::default()
                },
            ],
            total: Some(pb::Cell {
                count: Some(1240),
                count_error: 7.3,
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
            error: 7.3,
            first_month: "2019-01".into(),
            last_month: "2026-10".into(),
        }
    }

    #[test]
    fn every_format_shows_suppression_errors_and_origins() {
        let a = answer();
        let t = table(&a);
        assert!(
            t.contains("F          x") && t.contains("1234       +/- 7.3") && t.contains("total"),
            "{t}"
        );
        assert!(
            t.contains("noisy") && t.contains("95 %") && t.contains("2019-01 to 2026-10"),
            "{t}"
        );
        assert!(
            t.contains("left out: SN: no policy") && t.contains("NG (policy version 2)"),
            "{t}"
        );
        let c = csv(&a).expect("csv");
        assert_eq!(
            c,
            "sex,count,error_95,suppressed\nF,,0.00,primary\nM,1234,7.30,\ntotal,1240,7.30,\n"
        );
        let j: Value = serde_json::from_str(&json(&a)).expect("json");
        assert_eq!(j["cells"][0]["count"], Value::Null);
        assert_eq!(j["total"]["count"], 1240);
        assert_eq!(j["total"]["error"], 7.3);
        assert_eq!(
            (j["noisy"].as_bool(), j["error"].as_f64()),
            (Some(true), Some(7.3))
        );
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
