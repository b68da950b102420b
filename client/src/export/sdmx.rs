//! SDMX-CSV 2.0 of the dataflow `MIDWA:DF_RETURN_REINTEGRATION(1.0)` (`docs/exports.md`): one
//! row per observation, every dimension of the structure in every row (`_T`, the total, where
//! the question did not break a dimension down), the figure in `OBS_VALUE`, hidden figures empty
//! and flagged by `OBS_STATUS` and `CONF_STATUS`, the 95 % error in the `ERROR_95` attribute.

use midwa_proto::pb;

use super::{Observation, dim, error, number, observations};

/// The dataflow every export refers to.
pub const DATAFLOW: &str = "MIDWA:DF_RETURN_REINTEGRATION(1.0)";

/// The dimensions of the structure, and the query dimension each comes from.
pub const DIMENSIONS: [(&str, &str); 12] = [
    ("INDICATOR", ""),
    ("REF_AREA", "origin"),
    ("TIME_PERIOD", "period"),
    ("SEX", "sex"),
    ("AGE", "age_band"),
    ("COUNTERPART_AREA", "host_country"),
    ("TRANSPORT_MODE", "mode"),
    ("RETURN_TYPE", "return_type"),
    ("VULNERABILITY", "vulnerability"),
    ("ASSISTANCE_CATEGORY", "assistance_category"),
    ("ASSISTANCE_TYPE", "assistance_type"),
    ("OUTCOME", "outcome"),
];

/// The answer as SDMX-CSV 2.0.
pub fn write(a: &pb::AggregateResponse) -> Result<String, String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["STRUCTURE", "STRUCTURE_ID", "ACTION"];
    header.extend(DIMENSIONS.map(|(id, _)| id));
    header.extend([
        "OBS_VALUE",
        "UNIT_MEASURE",
        "OBS_STATUS",
        "CONF_STATUS",
        "ERROR_95",
    ]);
    w.write_record(&header).map_err(|e| e.to_string())?;
    for o in observations(a) {
        let mut row = vec!["dataflow".to_owned(), DATAFLOW.to_owned(), "I".to_owned()];
        for (id, query) in DIMENSIONS {
            row.push(match id {
                "INDICATOR" => o.indicator.to_owned(),
                "TIME_PERIOD" => dim(&o, query).map_or_else(|| span(a), str::to_owned),
                _ => dim(&o, query).map_or_else(|| "_T".to_owned(), code),
            });
        }
        let (status, confidentiality) = status(&o);
        row.extend([
            o.value.map(|v| number(v, o.count)).unwrap_or_default(),
            if o.count { "PS" } else { "PURE_NUMB" }.to_owned(),
            status.to_owned(),
            confidentiality.to_owned(),
            error(&o),
        ]);
        w.write_record(&row).map_err(|e| e.to_string())?;
    }
    let bytes = w.into_inner().map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| e.to_string())
}

/// `OBS_STATUS` and `CONF_STATUS`: every released figure is an estimate (noise was added);
/// one hidden as too few is confidential, one hidden as too noisy unreliable and withheld.
fn status(o: &Observation) -> (&'static str, &'static str) {
    match o.hidden.as_deref() {
        None => ("E", "F"),
        Some("uncertain") => ("U", "N"),
        Some(_) => ("O", "C"),
    }
}

/// A value as an SDMX code: `60+` → `60_PLUS`, flags `a;b` → `a-b`.
fn code(value: &str) -> String {
    value
        .replace('+', "_PLUS")
        .chars()
        .map(|c| match c {
            ';' => '-',
            c if c.is_ascii_alphanumeric() || "_@$-".contains(c) => c,
            _ => '_',
        })
        .collect()
}

/// The months an answer covers, as an SDMX time range: `2024-01-01/P6M`.
fn span(a: &pb::AggregateResponse) -> String {
    let index = |m: &str| -> Option<i64> {
        let (y, m) = m.split_once('-')?;
        Some(y.parse::<i64>().ok()? * 12 + m.parse::<i64>().ok()? - 1)
    };
    match (index(&a.first_month), index(&a.last_month)) {
        (Some(first), Some(last)) if last >= first => {
            format!("{}-01/P{}M", a.first_month, last - first + 1)
        }
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::tests::answer;

    #[test]
    fn every_dimension_in_every_row_hidden_cells_flagged() {
        let text = write(&answer()).expect("sdmx");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "STRUCTURE,STRUCTURE_ID,ACTION,INDICATOR,REF_AREA,TIME_PERIOD,SEX,AGE,COUNTERPART_AREA,TRANSPORT_MODE,RETURN_TYPE,VULNERABILITY,ASSISTANCE_CATEGORY,ASSISTANCE_TYPE,OUTCOME,OBS_VALUE,UNIT_MEASURE,OBS_STATUS,CONF_STATUS,ERROR_95"
        );
        assert_eq!(
            lines[1],
            "dataflow,MIDWA:DF_RETURN_REINTEGRATION(1.0),I,RETURNS,NG,2024-Q1,M,_T,_T,_T,_T,_T,_T,_T,_T,80,PS,E,F,7.27"
        );
        assert!(lines[2].contains(",F,_T,") && lines[2].ends_with(",,PS,O,C,7.27"));
        assert!(lines[3].ends_with(",,PS,U,N,7.27"));
    }

    #[test]
    fn codes_and_spans() {
        assert_eq!(code("60+"), "60_PLUS");
        assert_eq!(
            code("single_woman;medical_need"),
            "single_woman-medical_need"
        );
        let mut a = answer();
        a.columns.clear();
        let text = write(&a).expect("sdmx");
        assert!(text.contains(",RETURNS,_T,2024-01-01/P6M,_T,"), "{text}");
        assert!(text.contains(",95,PS,E,F,12.60"), "{text}");
    }
}
