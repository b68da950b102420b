//! An answer in the formats the region's statisticians load: SDMX-CSV 2.0 ([`sdmx`]), DHIS2's
//! data value sets ([`dhis2`]) and HXL-tagged CSV ([`hxl`]). `docs/exports.md` documents the
//! structure they share: every figure of an answer becomes an observation of an indicator
//! (returns, assisted persons, a mean score, ...), located by the dimensions asked, with its
//! 95 % error, or marked hidden.

pub mod dhis2;
pub mod hxl;
pub mod sdmx;

use midwa_proto::pb;

/// One figure of an answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    /// What is counted or measured: `RETURNS`, `MEAN_SCORE_SOCIAL`, ...
    pub indicator: &'static str,
    /// The query's dimensions and this figure's value of each (`period` → `2024-Q1`).
    pub dims: Vec<(String, String)>,
    /// The figure; `None` when hidden.
    pub value: Option<f64>,
    /// Whether the value is a count of persons (else a share or a mean, from 0 to 1).
    pub count: bool,
    /// The half-width of its 95 % interval.
    pub error: f64,
    /// Why it is hidden: `primary` (too few) or `uncertain` (too noisy).
    pub hidden: Option<String>,
}

/// The observations of an answer, cell by cell (the total alone when nothing is grouped).
pub fn observations(a: &pb::AggregateResponse) -> Vec<Observation> {
    let cells: Vec<&pb::Cell> = if a.columns.is_empty() {
        a.total.iter().collect()
    } else {
        a.cells.iter().collect()
    };
    let mut out = Vec::new();
    for cell in cells {
        let dims: Vec<(String, String)> = a
            .columns
            .iter()
            .cloned()
            .zip(cell.values.iter().cloned())
            .collect();
        let hidden = (!cell.suppressed.is_empty()).then(|| cell.suppressed.clone());
        let observation = |indicator, value: Option<f64>, count, error| Observation {
            indicator,
            dims: dims.clone(),
            value: value.filter(|_| hidden.is_none()),
            count,
            error,
            hidden: hidden.clone(),
        };
        let count = cell.count.map(|c| c as f64);
        match a.metric.as_str() {
            "mean_scores" => {
                out.push(observation("SURVEYS", count, true, cell.count_error));
                for (indicator, mean) in [
                    ("MEAN_SCORE_ECONOMIC", cell.economic),
                    ("MEAN_SCORE_SOCIAL", cell.social),
                    ("MEAN_SCORE_PSYCHOSOCIAL", cell.psychosocial),
                    ("MEAN_SCORE_COMPOSITE", cell.composite),
                ] {
                    let mut o = observation(indicator, mean, false, cell.mean_error);
                    if mean.is_none() && o.hidden.is_none() {
                        // Fewer than 20 surveys: the count is shown, the means are not.
                        o.hidden = Some("primary".into());
                    }
                    out.push(o);
                }
            }
            "coverage" => {
                out.push(observation(
                    "ASSISTED_PERSONS",
                    count,
                    true,
                    cell.count_error,
                ));
                out.push(observation("COVERAGE", cell.share, false, cell.mean_error));
            }
            metric => out.push(observation(
                indicator(metric),
                count,
                true,
                cell.count_error,
            )),
        }
    }
    out
}

/// The indicator of a count metric.
fn indicator(metric: &str) -> &'static str {
    match metric {
        "returns" => "RETURNS",
        "assisted_persons" => "ASSISTED_PERSONS",
        "assessments" => "ASSESSMENTS",
        "closures" => "CLOSURES",
        _ => "OTHER",
    }
}

/// A figure as text: a whole count, or a share or mean with four decimals.
fn number(value: f64, count: bool) -> String {
    if count {
        format!("{}", value.round() as i64)
    } else {
        format!("{value:.4}")
    }
}

/// The half-width of a figure's 95 % interval: two decimals for a count, four for a share or
/// a mean.
fn error(o: &Observation) -> String {
    if o.count {
        format!("{:.2}", o.error)
    } else {
        format!("{:.4}", o.error)
    }
}

/// The value of `dimension` in `o`, if the query asked for it.
fn dim<'a>(o: &'a Observation, dimension: &str) -> Option<&'a str> {
    o.dims
        .iter()
        .find(|(d, _)| {
            d == dimension || (dimension == "vulnerability" && d == "vulnerability_flag")
        })
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An answer grouped by period (quarters), origin and sex, one cell hidden.
    pub fn answer() -> pb::AggregateResponse {
        let cell = |values: [&str; 3], count: Option<u64>, suppressed: &str| pb::Cell {
            values: values.map(String::from).to_vec(),
            count,
            suppressed: suppressed.into(),
            count_error: 7.27,
            ..Default::default()
        };
        pb::AggregateResponse {
            metric: "returns".into(),
            columns: ["period", "origin", "sex"].map(String::from).to_vec(),
            cells: vec![
                cell(["2024-Q1", "NG", "M"], Some(80), ""),
                cell(["2024-Q1", "NG", "F"], None, "primary"),
                cell(["2024-Q2", "GH", "X"], None, "uncertain"),
            ],
            total: Some(pb::Cell {
                count: Some(95),
                count_error: 12.6,
                ..Default::default()
            }),
            first_month: "2024-01".into(),
            last_month: "2024-06".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_cell_is_an_observation_and_hidden_ones_have_no_value() {
        let o = observations(&answer());
        assert_eq!(o.len(), 3);
        assert_eq!(o[0].value, Some(80.0));
        assert_eq!(o[0].indicator, "RETURNS");
        assert_eq!(dim(&o[0], "sex"), Some("M"));
        assert_eq!(o[1].value, None);
        assert_eq!(o[1].hidden.as_deref(), Some("primary"));
    }

    #[test]
    fn means_and_coverage_give_one_observation_per_figure() {
        let a = pb::AggregateResponse {
            metric: "mean_scores".into(),
            total: Some(pb::Cell {
                count: Some(14),
                economic: None,
                ..Default::default()
            }),
            ..Default::default()
        };
        let o = observations(&a);
        assert_eq!(o.len(), 5);
        assert_eq!(o[0].value, Some(14.0));
        assert!(
            o[1..]
                .iter()
                .all(|x| x.value.is_none() && x.hidden.is_some())
        );
        let c = pb::AggregateResponse {
            metric: "coverage".into(),
            total: Some(pb::Cell {
                count: Some(967),
                share: Some(0.478),
                mean_error: 0.0356,
                ..Default::default()
            }),
            ..Default::default()
        };
        let o = observations(&c);
        assert_eq!(o[1].indicator, "COVERAGE");
        assert_eq!(number(o[1].value.expect("share"), o[1].count), "0.4780");
    }
}
