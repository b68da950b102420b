//! Closed sets of words used in policy files, queries and messages (data classes, dimensions,
//! kinds of opportunity): one Rust enum per set, each word spelled once.

/// Defines an enum whose values are written as the given terms, with `ALL`, `TERMS`,
/// `as_str`, `FromStr` (an [`crate::vocab::UnknownTerm`] listing every accepted term) and
/// `Display`. [`vocabulary!`](crate::vocab) adds wire values to the same.
macro_rules! terms {
    ($(#[$doc:meta])* $name:ident { $( $(#[$vdoc:meta])* $variant:ident = $term:literal, )+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vdoc])* $variant, )+
        }

        impl $name {
            /// Every value, in order.
            pub const ALL: &[$name] = &[$( $name::$variant, )+];
            /// The term of every value, in order.
            pub const TERMS: &[&str] = &[$( $term, )+];

            /// The term, as written in policy files and queries.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $term, )+
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::vocab::UnknownTerm;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $( $term => Ok($name::$variant), )+
                    _ => Err($crate::vocab::UnknownTerm {
                        found: s.to_owned(),
                        expected: Self::TERMS,
                    }),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
