//! Closed sets of words used in policy files, queries and messages (data classes, dimensions,
//! kinds of opportunity): one Rust enum per set, each word spelled once.

/// Defines an enum whose values are written as the given terms, with `ALL`, `as_str`,
/// `FromStr` (an error listing every accepted term) and `Display`.
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

            /// The term, as written in policy files and queries.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $term, )+
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = String;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $( $term => Ok($name::$variant), )+
                    _ => Err(format!(
                        "{s:?} is not one of: {}",
                        [$( $term, )+].join(", ")
                    )),
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
