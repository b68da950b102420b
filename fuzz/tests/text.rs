//! What users and agencies write: CSV files, policy and opportunity files, receipt codes.

use std::io::Cursor;

use midwa_node::record::intake::CsvRecords;

/// Four synthetic files, as agencies export them.
fn csv_seeds() -> Vec<Vec<u8>> {
    vec![
        b"person_id,full_name,phone,date_of_birth,sex,nationality,return_date,mode,return_type,host_country,transit_countries,arrival_point,destination_region,vulnerabilities\nNG-1,\"Bello, Amina\",+2217000,1990-05-01,F,NG,2024-03-02,land,avrr,LY,NE,SEME-BORDER,NG-LA,single_woman;medical_need\nNG-2,Ade,,2001-01-09,M,NG,2024-03-05,air,vhr,NE,,LOS,,\n".to_vec(),
        b"person_id,date,category,type,modality,provider\nNG-1,2024-04-01,economic,business_support,individual,iom\n".to_vec(),
        b"\xef\xbb\xbfperson_id,date,economic,social,psychosocial\r\nNG-1,2024-09-01,0.5,0.25,1\r\n".to_vec(),
        b"person_id,date,outcome\nNG-1,2024-10-01,completed\n".to_vec(),
    ]
}

#[test]
fn agency_csv_files() {
    midwa_fuzz::run("csv", &csv_seeds(), |bytes| {
        if let Ok(mut records) = CsvRecords::new(Cursor::new(bytes.to_vec())) {
            // Every row is read or refused with a problem; the input is finite.
            for _ in 0..10_000 {
                if records.next_record().is_none() {
                    break;
                }
            }
        }
    });
}

#[test]
fn policy_files() {
    let seed = include_bytes!("../../deploy/policy.toml").to_vec();
    midwa_fuzz::run("policy-toml", &[seed], |bytes| {
        let _ = midwa_node::cli::policy::parse(&String::from_utf8_lossy(bytes));
    });
}

#[test]
fn opportunity_files() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("opportunities.toml");
    let seed = include_bytes!("../../deploy/opportunities.toml").to_vec();
    let ng = "NG".parse().expect("code");
    midwa_fuzz::run("opportunity-toml", &[seed], |bytes| {
        std::fs::write(&file, bytes).expect("write");
        let _ = midwa_commands::opportunities::load(&file, ng);
    });
}

#[test]
fn receipt_codes() {
    let seeds = vec![b"7K3M-Q9TD-2HXA".to_vec(), b"7k3mq9td2hxa".to_vec()];
    midwa_fuzz::run("receipt-code", &seeds, |bytes| {
        use midwa_proto::receipt::ReceiptCode;
        if let Ok(code) = String::from_utf8_lossy(bytes).parse::<ReceiptCode>() {
            assert!(matches!(code.to_string().parse::<ReceiptCode>(), Ok(c) if c == code));
        }
    });
}
