//! Return receipts. A returnee gets a short code, such as `7K3M-Q9TD-2HXA`, that a consulate can
//! verify. The node derives it from the return's event id with a key only the node holds, so a
//! re-import yields the same code; the event carries only a digest of it, which is all the
//! gateway ever stores.
//!
//! The code is 12 characters of Crockford's base 32 (60 bits): no I, L, O or U, so it survives
//! being read out over the phone; `I` and `L` are read as `1`, `O` as `0`, and case, spaces and
//! dashes do not matter.

use std::fmt;
use std::str::FromStr;

/// Characters of the code, in value order.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Characters in a code.
const LEN: usize = 12;
/// Domain separation for the digest.
const DIGEST_CONTEXT: &[u8] = b"midwa/v1/receipt\0";

/// A receipt code.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReceiptCode(u64);

/// What the gateway stores of a receipt: the first 16 bytes of SHA-256 over the code.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct ReceiptDigest(pub [u8; 16]);

impl ReceiptDigest {
    /// The digest as lower-case hex, as attestations carry it.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// A text that is not a receipt code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is not a receipt code: expected 12 letters and digits such as 7K3M-Q9TD-2HXA (dashes and spaces optional)"
)]
pub struct ReceiptCodeError(pub String);

impl ReceiptCode {
    /// The code made of the low 60 bits of `bits`.
    pub fn from_bits(bits: u64) -> Self {
        Self(bits & ((1 << 60) - 1))
    }

    /// The 60 bits of the code.
    pub fn bits(&self) -> u64 {
        self.0
    }

    /// The digest the gateway stores and looks codes up by.
    pub fn digest(&self) -> ReceiptDigest {
        let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
        ctx.update(DIGEST_CONTEXT);
        ctx.update(&self.0.to_be_bytes());
        let mut out = [0u8; 16];
        out.copy_from_slice(&ctx.finish().as_ref()[..16]);
        ReceiptDigest(out)
    }
}

impl FromStr for ReceiptCode {
    type Err = ReceiptCodeError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let err = || ReceiptCodeError(text.to_owned());
        let mut value = 0u64;
        let mut len = 0;
        for c in text.chars().filter(|c| !matches!(c, '-' | ' ')) {
            let c = match c.to_ascii_uppercase() {
                'I' | 'L' => '1',
                'O' => '0',
                c => c,
            };
            let digit = ALPHABET
                .iter()
                .position(|&a| char::from(a) == c)
                .ok_or_else(err)?;
            value = value << 5 | digit as u64;
            len += 1;
            if len > LEN {
                return Err(err());
            }
        }
        if len != LEN {
            return Err(err());
        }
        Ok(Self(value))
    }
}

impl fmt::Display for ReceiptCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for i in 0..LEN {
            if i > 0 && i.is_multiple_of(4) {
                f.write_str("-")?;
            }
            let digit = (self.0 >> (5 * (LEN - 1 - i))) & 31;
            write!(f, "{}", char::from(ALPHABET[digit as usize]))?;
        }
        Ok(())
    }
}

impl fmt::Debug for ReceiptCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A code is a bearer secret: keep it out of debug output and so out of logs.
        f.write_str("ReceiptCode(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_reads_back_however_it_is_typed() {
        let code = ReceiptCode::from_bits(0x0123_4567_89ab_cdef);
        let text = code.to_string();
        assert_eq!(text.len(), 14);
        assert_eq!(text.parse::<ReceiptCode>(), Ok(code));
        let sloppy = text.to_lowercase().replace('-', " ").replace('1', "l");
        assert_eq!(sloppy.parse::<ReceiptCode>(), Ok(code));
        assert_eq!(
            code.digest(),
            text.parse::<ReceiptCode>().expect("valid").digest()
        );
    }

    #[test]
    fn malformed_codes_are_refused() {
        for bad in [
            "",
            "7K3M-Q9TD-2HX",
            "7K3M-Q9TD-2HXAB",
            "7K3M-Q9TD-2HXU",
            "7K3M_Q9TD_2HXA",
        ] {
            assert!(bad.parse::<ReceiptCode>().is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn different_codes_have_different_digests() {
        let a = ReceiptCode::from_bits(1);
        let b = ReceiptCode::from_bits(2);
        assert_ne!(a.digest(), b.digest());
        assert!(!format!("{a:?}").contains(&a.to_string()));
    }
}
