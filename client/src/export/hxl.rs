//! HXL-tagged CSV, for IOM and HDX: a header row of names, a row of HXL hashtags, then one row
//! per observation. Dates and countries carry HXL's core hashtags; the other dimensions are
//! `#meta` columns named by attribute; the figure is `#indicator+value+num`, hidden ones empty
//! with `#status` saying why (`docs/exports.md`).

use midwa_proto::pb;

use super::{error, number, observations};

/// The hashtag of a query dimension's column.
fn hashtag(dimension: &str) -> String {
    match dimension {
        "period" => "#date".into(),
        "origin" => "#country+code+origin".into(),
        "host_country" => "#country+code+host".into(),
        other => format!("#meta+{}", other.replace('_', "")),
    }
}

/// The answer as HXL-tagged CSV.
pub fn write(a: &pb::AggregateResponse) -> Result<String, String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut names: Vec<String> = a.columns.clone();
    let mut tags: Vec<String> = a.columns.iter().map(|c| hashtag(c)).collect();
    for (name, tag) in [
        ("indicator", "#indicator+code"),
        ("value", "#indicator+value+num"),
        ("error_95", "#meta+error95+num"),
        ("status", "#status"),
    ] {
        names.push(name.into());
        tags.push(tag.into());
    }
    w.write_record(&names).map_err(|e| e.to_string())?;
    w.write_record(&tags).map_err(|e| e.to_string())?;
    for o in observations(a) {
        let mut row: Vec<String> = o.dims.iter().map(|(_, v)| v.clone()).collect();
        row.push(o.indicator.to_owned());
        row.push(o.value.map(|v| number(v, o.count)).unwrap_or_default());
        row.push(error(&o));
        row.push(match &o.hidden {
            Some(why) => format!("hidden ({why})"),
            None => "estimate".to_owned(),
        });
        w.write_record(&row).map_err(|e| e.to_string())?;
    }
    let bytes = w.into_inner().map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::tests::answer;

    #[test]
    fn names_then_hashtags_then_observations() {
        let text = write(&answer()).expect("hxl");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "period,origin,sex,indicator,value,error_95,status"
        );
        assert_eq!(
            lines[1],
            "#date,#country+code+origin,#meta+sex,#indicator+code,#indicator+value+num,#meta+error95+num,#status"
        );
        assert_eq!(lines[2], "2024-Q1,NG,M,RETURNS,80,7.27,estimate");
        assert_eq!(lines[3], "2024-Q1,NG,F,RETURNS,,7.27,hidden (primary)");
    }
}
