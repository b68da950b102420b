//! The controlled vocabularies of `shared/DOMAIN.md`. Each term has one spelling in agency files
//! (the CSV term) and one wire value; both are defined once, here.

use std::fmt;

use crate::pb;

/// A term outside a vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{found:?} is not one of: {}", accepted(expected))]
pub struct UnknownTerm {
    /// What was given.
    pub found: String,
    /// The accepted terms.
    pub expected: &'static [&'static str],
}

/// The accepted terms, saying so where an empty value is one of them.
fn accepted(terms: &[&str]) -> String {
    let named: Vec<&str> = terms.iter().copied().filter(|t| !t.is_empty()).collect();
    if named.len() < terms.len() {
        format!("{} (or empty if unknown)", named.join(", "))
    } else {
        named.join(", ")
    }
}

/// A closed set of terms ([`terms!`]) that also travels on the wire: `to_pb` and `from_pb`
/// map each value to its protobuf enum value.
macro_rules! vocabulary {
    (
        $(#[$doc:meta])*
        $name:ident => $pb:ident { $( $(#[$vdoc:meta])* $variant:ident = $term:literal => $pbv:ident, )+ }
    ) => {
        terms! {
            $(#[$doc])*
            $name { $( $(#[$vdoc])* $variant = $term, )+ }
        }

        impl $name {
            /// The wire value.
            pub fn to_pb(self) -> i32 {
                match self { $(Self::$variant => pb::$pb::$pbv as i32,)+ }
            }

            /// The term for a wire value; `None` for an unknown or unspecified value.
            pub fn from_pb(value: i32) -> Option<Self> {
                match pb::$pb::try_from(value).ok()? {
                    $(pb::$pb::$pbv => Some(Self::$variant),)+
                    #[allow(unreachable_patterns)]
                    _ => None,
                }
            }
        }
    };
}

vocabulary! {
    /// Sex as recorded by the agency.
    Sex => Sex {
        /// Female.
        Female = "F" => Female,
        /// Male.
        Male = "M" => Male,
        /// Another or unrecorded sex.
        Other = "X" => Other,
    }
}

vocabulary! {
    /// Age at the date of return.
    AgeBand => AgeBand {
        /// The birth date was not recorded.
        Unknown = "unknown" => Unknown,
        /// 0 to 17 years.
        Under18 = "0-17" => AgeBand017,
        /// 18 to 24 years.
        From18To24 = "18-24" => AgeBand1824,
        /// 25 to 34 years.
        From25To34 = "25-34" => AgeBand2534,
        /// 35 to 44 years.
        From35To44 = "35-44" => AgeBand3544,
        /// 45 to 59 years.
        From45To59 = "45-59" => AgeBand4559,
        /// 60 years or more.
        Over60 = "60+" => AgeBand60Plus,
    }
}

impl AgeBand {
    /// The band for an age in whole years.
    pub fn for_age(years: u32) -> Self {
        match years {
            0..=17 => Self::Under18,
            18..=24 => Self::From18To24,
            25..=34 => Self::From25To34,
            35..=44 => Self::From35To44,
            45..=59 => Self::From45To59,
            _ => Self::Over60,
        }
    }
}

vocabulary! {
    /// How the person travelled back.
    Mode => Mode {
        /// By air.
        Air = "air" => Air,
        /// By land.
        Land = "land" => Land,
        /// By sea.
        Sea = "sea" => Sea,
    }
}

vocabulary! {
    /// The kind of return.
    ReturnType => ReturnType {
        /// Assisted voluntary return.
        Avrr = "avrr" => Avrr,
        /// Voluntary humanitarian return.
        Vhr = "vhr" => Vhr,
        /// Forced return.
        Forced = "forced" => Forced,
        /// Spontaneous return.
        Spontaneous = "spontaneous" => Spontaneous,
    }
}

vocabulary! {
    /// MIDWA's list of vulnerability flags.
    Vulnerability => Vulnerability {
        /// Single woman.
        SingleWoman = "single_woman" => SingleWoman,
        /// Victim of trafficking.
        VictimOfTrafficking = "victim_of_trafficking" => VictimOfTrafficking,
        /// Unaccompanied minor.
        UnaccompaniedMinor = "unaccompanied_minor" => UnaccompaniedMinor,
        /// Older migrant.
        OlderMigrant = "older_migrant" => OlderMigrant,
        /// Disability.
        Disability = "disability" => Disability,
        /// Medical need.
        MedicalNeed = "medical_need" => MedicalNeed,
    }
}

vocabulary! {
    /// The category of reintegration assistance.
    AssistanceCategory => AssistanceCategory {
        /// Economic.
        Economic = "economic" => Economic,
        /// Social.
        Social = "social" => Social,
        /// Psychosocial.
        Psychosocial = "psychosocial" => Psychosocial,
    }
}

vocabulary! {
    /// The type of reintegration assistance.
    AssistanceType => AssistanceType {
        /// Business support.
        BusinessSupport = "business_support" => BusinessSupport,
        /// Vocational training.
        VocationalTraining = "vocational_training" => VocationalTraining,
        /// Job placement.
        JobPlacement = "job_placement" => JobPlacement,
        /// Cash for work.
        CashForWork = "cash_for_work" => CashForWork,
        /// Education.
        Education = "education" => Education,
        /// Housing.
        Housing = "housing" => Housing,
        /// Health care.
        HealthCare = "health_care" => HealthCare,
        /// Documentation.
        Documentation = "documentation" => Documentation,
        /// Legal aid.
        LegalAid = "legal_aid" => LegalAid,
        /// Counselling.
        Counselling = "counselling" => Counselling,
        /// Psychosocial support.
        PsychosocialSupport = "psychosocial_support" => PsychosocialSupport,
        /// Family tracing.
        FamilyTracing = "family_tracing" => FamilyTracing,
        /// Any other type.
        Other = "other" => Other,
    }
}

vocabulary! {
    /// How assistance was delivered.
    Modality => Modality {
        /// To one person.
        Individual = "individual" => Individual,
        /// To a group of returnees.
        Collective = "collective" => Collective,
        /// To the community the person returned to.
        Community = "community" => Community,
    }
}

vocabulary! {
    /// Who provided assistance.
    ProviderKind => ProviderKind {
        /// Not recorded.
        Unknown = "" => Unknown,
        /// A government service.
        Government = "government" => Government,
        /// IOM.
        Iom = "iom" => Iom,
        /// A non-governmental organisation.
        Ngo = "ngo" => Ngo,
        /// Anyone else.
        Other = "other" => Other,
    }
}

vocabulary! {
    /// How a reintegration case ended.
    Outcome => Outcome {
        /// Completed.
        Completed = "completed" => Completed,
        /// Withdrawn by the person.
        Withdrawn = "withdrawn" => Withdrawn,
        /// The person migrated again.
        Remigrated = "remigrated" => Remigrated,
        /// Contact was lost.
        LostContact = "lost_contact" => LostContact,
        /// The person died.
        Deceased = "deceased" => Deceased,
    }
}

/// A set of vulnerability flags.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Vulnerabilities(u8);

impl Vulnerabilities {
    /// No flag.
    pub const NONE: Self = Self(0);

    /// Adds a flag.
    pub fn insert(&mut self, flag: Vulnerability) {
        self.0 |= 1 << Self::bit(flag);
    }

    /// The set as six bits, in vocabulary order.
    pub fn bits(self) -> u8 {
        self.0
    }

    /// The set of six bits, in vocabulary order; other bits are ignored.
    pub fn from_bits(bits: u8) -> Self {
        Self(bits & 0b11_1111)
    }

    /// Whether the flag is set.
    pub fn contains(self, flag: Vulnerability) -> bool {
        self.0 & (1 << Self::bit(flag)) != 0
    }

    /// The flags set, in vocabulary order.
    pub fn iter(self) -> impl Iterator<Item = Vulnerability> {
        Vulnerability::ALL
            .iter()
            .copied()
            .filter(move |f| self.contains(*f))
    }

    fn bit(flag: Vulnerability) -> u8 {
        // The vocabulary has six flags, so the position fits a u8 bit index.
        Vulnerability::ALL
            .iter()
            .position(|f| *f == flag)
            .unwrap_or(0) as u8
    }
}

impl FromIterator<Vulnerability> for Vulnerabilities {
    fn from_iter<I: IntoIterator<Item = Vulnerability>>(iter: I) -> Self {
        let mut set = Self::NONE;
        iter.into_iter().for_each(|f| set.insert(f));
        set
    }
}

impl fmt::Debug for Vulnerabilities {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_round_trip_through_text_and_wire() {
        for mode in Mode::ALL {
            assert_eq!(mode.as_str().parse::<Mode>(), Ok(*mode));
            assert_eq!(Mode::from_pb(mode.to_pb()), Some(*mode));
        }
        for t in AssistanceType::ALL {
            assert_eq!(AssistanceType::from_pb(t.to_pb()), Some(*t));
        }
    }

    #[test]
    fn unspecified_and_unknown_wire_values_are_refused() {
        assert_eq!(Mode::from_pb(0), None);
        assert_eq!(Mode::from_pb(99), None);
        // Where zero means "not recorded", it is a term of its own.
        assert_eq!(AgeBand::from_pb(0), Some(AgeBand::Unknown));
    }

    #[test]
    fn unknown_terms_list_the_accepted_ones() {
        let err = "boat".parse::<Mode>().expect_err("not a mode");
        assert_eq!(err.to_string(), "\"boat\" is not one of: air, land, sea");
    }

    #[test]
    fn age_bands_follow_the_domain_limits() {
        assert_eq!(AgeBand::for_age(17), AgeBand::Under18);
        assert_eq!(AgeBand::for_age(18), AgeBand::From18To24);
        assert_eq!(AgeBand::for_age(59), AgeBand::From45To59);
        assert_eq!(AgeBand::for_age(60), AgeBand::Over60);
    }

    #[test]
    fn vulnerability_sets_keep_their_flags() {
        let set: Vulnerabilities = [Vulnerability::MedicalNeed, Vulnerability::SingleWoman]
            .into_iter()
            .collect();
        assert!(set.contains(Vulnerability::SingleWoman));
        assert!(!set.contains(Vulnerability::Disability));
        assert_eq!(set.iter().count(), 2);
    }
}
