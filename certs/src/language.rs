//! The user's language across a gRPC call: a client asks for answers in it (the
//! `accept-language` header), a server answers each caller in the language asked.

use midwa_i18n::Lang;
use tonic::metadata::{AsciiMetadataValue, MetadataMap};

/// `message` as a request asking to be answered in the user's language
/// ([`midwa_i18n::current`]).
pub fn ask_in_language<T>(message: T) -> tonic::Request<T> {
    ask_in(midwa_i18n::current(), message)
}

/// `message` as a request asking to be answered in `lang`.
pub fn ask_in<T>(lang: Lang, message: T) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    request.metadata_mut().insert(
        midwa_i18n::HEADER,
        AsciiMetadataValue::from_static(lang.code()),
    );
    request
}

/// The language a caller asked to be answered in; English if none of the three.
pub fn caller_lang(metadata: &MetadataMap) -> Lang {
    metadata
        .get(midwa_i18n::HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(Lang::from_accept_language)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_asked_is_the_language_answered() {
        let request = midwa_i18n::in_language(Lang::Pt, || ask_in_language(()));
        assert_eq!(caller_lang(request.metadata()), Lang::Pt);
        assert_eq!(caller_lang(&MetadataMap::new()), Lang::En);
    }
}
