//! A DHIS2 data value set (`POST /api/dataValueSets` with `dataElementIdScheme=CODE`,
//! `orgUnitIdScheme=CODE` and `categoryOptionComboIdScheme=CODE`; `docs/exports.md` gives the
//! metadata to create once). A data value needs a period and an organisation unit, so the
//! question must be broken down by period and origin; each state is the organisation unit
//! whose code is its ISO code. The other dimensions make the category option combination,
//! `MIDWA_SEX_F` or `MIDWA_MODE_AIR_SEX_F`. DHIS2 cannot mark a value hidden: hidden figures
//! are left out; every value carries its 95 % error in its comment.

use midwa_proto::pb;
use serde_json::{Value, json};

use super::{Observation, error, number, observations};

/// The answer as a data value set, or why it cannot be one.
pub fn write(a: &pb::AggregateResponse) -> Result<String, String> {
    for needed in ["period", "origin"] {
        if !a.columns.iter().any(|c| c == needed) {
            return Err(format!(
                "a DHIS2 data value needs a period and an organisation unit: add --by period,origin (this answer is not broken down by {needed})"
            ));
        }
    }
    let values: Vec<Value> = observations(a).iter().filter_map(data_value).collect();
    serde_json::to_string_pretty(&json!({ "dataValues": values })).map_err(|e| e.to_string())
}

fn data_value(o: &Observation) -> Option<Value> {
    let value = o.value?;
    let mut period = String::new();
    let mut org_unit = String::new();
    let mut combo = Vec::new();
    for (dimension, v) in &o.dims {
        match dimension.as_str() {
            "period" => period = dhis2_period(v),
            "origin" => org_unit = v.clone(),
            other => combo.push(format!("{}_{}", code(other), code(v))),
        }
    }
    let mut out = json!({
        "dataElement": format!("MIDWA_{}", o.indicator),
        "period": period,
        "orgUnit": org_unit,
        "value": number(value, o.count),
        "comment": format!("+/- {} (95 %); noisy: differential privacy", error(o)),
    });
    if !combo.is_empty() {
        out["categoryOptionCombo"] = json!(format!("MIDWA_{}", combo.join("_")));
    }
    Some(out)
}

/// `2024-03` → `202403`, `2024-Q1` → `2024Q1`, `2024` → `2024`.
fn dhis2_period(p: &str) -> String {
    p.replace('-', "")
}

/// A dimension or value as part of a DHIS2 code: upper case, `+` as `PLUS`, flags joined.
fn code(text: &str) -> String {
    text.replace('+', "PLUS")
        .chars()
        .map(|c| match c {
            c if c.is_ascii_alphanumeric() => c.to_ascii_uppercase(),
            ';' => '-',
            '-' => '-',
            _ => '_',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::tests::answer;

    #[test]
    fn released_figures_become_data_values_with_codes() {
        let text = write(&answer()).expect("dhis2");
        let set: Value = serde_json::from_str(&text).expect("json");
        let values = set["dataValues"].as_array().expect("values");
        // The two hidden cells are left out.
        assert_eq!(values.len(), 1);
        assert_eq!(
            values[0],
            json!({
                "dataElement": "MIDWA_RETURNS",
                "period": "2024Q1",
                "orgUnit": "NG",
                "categoryOptionCombo": "MIDWA_SEX_M",
                "value": "80",
                "comment": "+/- 7.27 (95 %); noisy: differential privacy",
            })
        );
        assert_eq!(code("60+"), "60PLUS");
        assert_eq!(code("age_band"), "AGE_BAND");
        assert_eq!(dhis2_period("2024-03"), "202403");
    }

    #[test]
    fn without_period_and_origin_it_says_what_to_add() {
        let mut a = answer();
        a.columns = vec!["sex".into()];
        let err = write(&a).expect_err("no period");
        assert!(err.contains("--by period,origin"), "{err}");
    }
}
