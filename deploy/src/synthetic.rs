//! Synthetic agency records with the proportions of the public figures in `shared/DOMAIN.md`:
//! hosts mostly Niger and Libya, mostly young men, about 2 % unaccompanied minors, air and
//! land returns. Deterministic for a given seed. No real person is described.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use midwa_proto::pb;

/// The four CSV files written by [`Synthetic::write_csv_files`].
#[derive(Debug, Clone)]
pub struct CsvFiles {
    /// `returns.csv`.
    pub returns: PathBuf,
    /// `assistance.csv`.
    pub assistance: PathBuf,
    /// `assessments.csv`.
    pub assessments: PathBuf,
    /// `closures.csv`.
    pub closures: PathBuf,
}

/// A person's records after their return, from [`Synthetic::follow_ups`].
#[derive(Debug, Clone)]
pub struct FollowUps {
    /// Reintegration assistance.
    pub assistance: Option<pb::AssistanceRecord>,
    /// A sustainability survey.
    pub assessment: Option<pb::AssessmentRecord>,
    /// The case's closure.
    pub closure: Option<pb::ClosureRecord>,
}

/// The date six months after a `YYYY-MM-DD` date (days are at most 28, so always valid).
fn six_months_after(date: &str) -> String {
    let year: u32 = date[..4].parse().unwrap_or(2020);
    let month: u32 = date[5..7].parse().unwrap_or(1);
    let (year, month) = if month > 6 {
        (year + 1, month - 6)
    } else {
        (year, month + 6)
    };
    format!("{year}-{month:02}-{}", &date[8..])
}

/// A small deterministic generator (xorshift64*).
#[derive(Debug, Clone)]
pub struct Synthetic {
    state: u64,
    state_code: String,
}

impl Synthetic {
    /// A generator of records of `state_code`'s agency.
    pub fn new(state_code: &str, seed: u64) -> Self {
        Self {
            state: seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
            state_code: state_code.to_owned(),
        }
    }

    fn next(&mut self) -> u64 {
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        self.state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, weighted: &[(&'a str, u64)]) -> &'a str {
        let total: u64 = weighted.iter().map(|(_, w)| w).sum();
        let mut roll = self.below(total);
        for (item, weight) in weighted {
            if roll < *weight {
                return item;
            }
            roll -= weight;
        }
        weighted[0].0
    }

    /// The return of person number `n` (its `person_id` is derived from `n`).
    pub fn return_record(&mut self, n: u64) -> pb::ReturnRecord {
        let minor = self.below(100) < 2;
        let sex = if self.below(100) < 86 { "M" } else { "F" };
        let age = if minor {
            14 + self.below(4)
        } else {
            18 + self.below(30)
        };
        let year = 2019 + self.below(6) as i32;
        let month = 1 + self.below(12);
        let day = 1 + self.below(28);
        let mode = self.pick(&[("air", 62), ("land", 35), ("sea", 3)]);
        let host = self.pick(&[
            ("NE", 37),
            ("LY", 44),
            ("DZ", 7),
            ("MA", 5),
            ("ML", 4),
            ("TN", 3),
        ]);
        // Nobody returns from their own country: Niger's and Mali's own come back from Libya.
        let host = if host == self.state_code { "LY" } else { host };
        let mut vulnerabilities = Vec::new();
        if minor {
            vulnerabilities.push("unaccompanied_minor".to_owned());
        }
        if sex == "F" && self.below(3) == 0 {
            vulnerabilities.push("single_woman".to_owned());
        }
        if self.below(20) == 0 {
            vulnerabilities.push("medical_need".to_owned());
        }
        pb::ReturnRecord {
            person_id: format!("{}-{n:08}", self.state_code),
            date_of_birth: format!("{}-{month:02}-{day:02}", year - age as i32),
            sex: sex.into(),
            nationality: self.state_code.clone(),
            return_date: format!("{year}-{month:02}-{day:02}"),
            mode: mode.into(),
            return_type: self
                .pick(&[("avrr", 70), ("vhr", 22), ("forced", 5), ("spontaneous", 3)])
                .into(),
            host_country: host.into(),
            transit_countries: if host == "LY" && self.state_code != "NE" {
                vec!["NE".into()]
            } else {
                vec![]
            },
            arrival_point: if mode == "air" {
                "APT-1".into()
            } else {
                "BORDER-1".into()
            },
            destination_region: String::new(),
            vulnerabilities,
        }
    }

    /// Assistance given to person number `n`, after the return `r`.
    pub fn assistance_record(&mut self, n: u64, r: &pb::ReturnRecord) -> pb::AssistanceRecord {
        let (category, kind) = *[
            ("economic", "business_support"),
            ("economic", "vocational_training"),
            ("social", "housing"),
            ("social", "health_care"),
            ("psychosocial", "counselling"),
        ]
        .get(self.below(5) as usize)
        .unwrap_or(&("economic", "business_support"));
        pb::AssistanceRecord {
            person_id: format!("{}-{n:08}", self.state_code),
            date: r.return_date.clone(),
            category: category.into(),
            r#type: kind.into(),
            modality: self
                .pick(&[("individual", 80), ("collective", 15), ("community", 5)])
                .into(),
            provider: self
                .pick(&[("iom", 60), ("government", 25), ("ngo", 15)])
                .into(),
        }
    }

    /// An invented name and phone number for person number `n`, as an agency's export would
    /// carry them: the node must drop both.
    pub fn contact(&mut self, n: u64) -> (String, String) {
        const GIVEN: &[&str] = &[
            "Amina", "Ibrahim", "Fatou", "Moussa", "Kwame", "Aissatou", "Chinedu", "Mariama",
            "Ousmane", "Adjoa", "Sekou", "Ngozi",
        ];
        const FAMILY: &[&str] = &[
            "Bello", "Diallo", "Mensah", "Traore", "Okafor", "Ndiaye", "Camara", "Sow", "Owusu",
            "Keita",
        ];
        let given = GIVEN[self.below(GIVEN.len() as u64) as usize];
        let family = FAMILY[self.below(FAMILY.len() as u64) as usize];
        (format!("{family}, {given} {n}"), format!("+2217{n:08}"))
    }

    /// Writes the four CSV files of `shared/INTAKE.md` for `people` persons numbered from
    /// `first`, with names and phone numbers as agencies export them: every person has a return,
    /// about half got assistance, a third were surveyed six months later, a fifth have a closed
    /// case.
    pub fn write_csv_files(
        &mut self,
        dir: &Path,
        first: u64,
        people: u64,
    ) -> std::io::Result<CsvFiles> {
        let files = CsvFiles {
            returns: dir.join("returns.csv"),
            assistance: dir.join("assistance.csv"),
            assessments: dir.join("assessments.csv"),
            closures: dir.join("closures.csv"),
        };
        let open = |path: &Path| std::fs::File::create(path).map(BufWriter::new);
        let mut returns = open(&files.returns)?;
        let mut assistance = open(&files.assistance)?;
        let mut assessments = open(&files.assessments)?;
        let mut closures = open(&files.closures)?;
        writeln!(
            returns,
            "person_id,full_name,phone,date_of_birth,sex,nationality,return_date,mode,return_type,host_country,transit_countries,arrival_point,destination_region,vulnerabilities"
        )?;
        writeln!(assistance, "person_id,date,category,type,modality,provider")?;
        writeln!(assessments, "person_id,date,economic,social,psychosocial")?;
        writeln!(closures, "person_id,date,outcome")?;
        for n in first..first + people {
            let r = self.return_record(n);
            let (name, phone) = self.contact(n);
            writeln!(
                returns,
                "{},\"{name}\",{phone},{},{},{},{},{},{},{},{},{},{},{}",
                r.person_id,
                r.date_of_birth,
                r.sex,
                r.nationality,
                r.return_date,
                r.mode,
                r.return_type,
                r.host_country,
                r.transit_countries.join(";"),
                r.arrival_point,
                r.destination_region,
                r.vulnerabilities.join(";"),
            )?;
            let f = self.follow_ups(n, &r);
            if let Some(a) = f.assistance {
                writeln!(
                    assistance,
                    "{},{},{},{},{},{}",
                    a.person_id, a.date, a.category, a.r#type, a.modality, a.provider
                )?;
            }
            if let Some(a) = f.assessment {
                writeln!(
                    assessments,
                    "{},{},{},{},{}",
                    a.person_id, a.date, a.economic, a.social, a.psychosocial
                )?;
            }
            if let Some(c) = f.closure {
                writeln!(closures, "{},{},{}", c.person_id, c.date, c.outcome)?;
            }
        }
        for mut file in [returns, assistance, assessments, closures] {
            file.flush()?;
        }
        Ok(files)
    }

    /// What follows the return `r` of person number `n`: assistance for about half of the
    /// people, a survey six months later for a third, a closed case for a fifth.
    pub fn follow_ups(&mut self, n: u64, r: &pb::ReturnRecord) -> FollowUps {
        let assistance = (self.below(2) == 0).then(|| self.assistance_record(n, r));
        let later = six_months_after(&r.return_date);
        let assessment = (self.below(3) == 0).then(|| {
            let mut score = || (self.below(101) as f64) / 100.0;
            pb::AssessmentRecord {
                person_id: r.person_id.clone(),
                date: later.clone(),
                economic: score(),
                social: score(),
                psychosocial: score(),
            }
        });
        let closure = (self.below(5) == 0).then(|| pb::ClosureRecord {
            person_id: r.person_id.clone(),
            date: later.clone(),
            outcome: self
                .pick(&[
                    ("completed", 60),
                    ("withdrawn", 10),
                    ("remigrated", 10),
                    ("lost_contact", 18),
                    ("deceased", 2),
                ])
                .into(),
        });
        FollowUps {
            assistance,
            assessment,
            closure,
        }
    }

    /// A return and, for about half of the people, an assistance record: `people` returns.
    pub fn records(&mut self, first: u64, people: u64) -> Vec<pb::Record> {
        use pb::record::Kind;
        let mut out = Vec::new();
        for n in first..first + people {
            let r = self.return_record(n);
            let assisted = self.below(2) == 0;
            let a = assisted.then(|| self.assistance_record(n, &r));
            out.push(pb::Record {
                kind: Some(Kind::Return(r)),
            });
            if let Some(a) = a {
                out.push(pb::Record {
                    kind: Some(Kind::Assistance(a)),
                });
            }
        }
        out
    }
}
