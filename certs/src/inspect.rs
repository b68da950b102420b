//! What a certificate says, for people.

use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};

use crate::identity::{Role, TrustDomain};

/// A readable summary of a PEM or DER certificate: identity, role, serial, validity, issuer.
pub fn describe(bytes: &[u8]) -> Result<String, String> {
    let der = match x509_parser::pem::parse_x509_pem(bytes) {
        Ok((_, pem)) => pem.contents,
        Err(_) => bytes.to_vec(),
    };
    let (_, cert) =
        X509Certificate::from_der(&der).map_err(|e| format!("not a certificate: {e}"))?;
    let mut uris = Vec::new();
    let mut names = Vec::new();
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for name in &san.value.general_names {
            match name {
                GeneralName::URI(uri) => uris.push((*uri).to_owned()),
                GeneralName::DNSName(dns) => names.push((*dns).to_owned()),
                GeneralName::IPAddress(ip) => names.push(format!("{ip:?}")),
                _ => {}
            }
        }
    }
    let role = match uris.as_slice() {
        [uri] => uri
            .strip_prefix("spiffe://")
            .and_then(|rest| rest.split('/').next())
            .and_then(|domain| domain.parse::<TrustDomain>().ok())
            .and_then(|domain| Role::from_uri(uri, &domain).ok())
            .map(|role| role.to_string())
            .unwrap_or_else(|| "none: not a MIDWA identity".into()),
        [] if cert.is_ca() => "certificate authority".into(),
        [] => "none: no identity URI".into(),
        _ => format!(
            "none: {} identity URIs, exactly one is required",
            uris.len()
        ),
    };
    let validity = cert.validity();
    let state = if validity.is_valid() {
        "valid now"
    } else {
        "NOT valid now"
    };
    Ok(format!(
        "identity:  {}\nrole:      {role}\nserial:    {}\nvalid:     {} to {} ({state})\nissuer:    {}\nsubject:   {}\nhosts:     {}\n",
        if uris.is_empty() {
            "-".into()
        } else {
            uris.join(", ")
        },
        cert.raw_serial_as_string().replace(':', ""),
        validity.not_before,
        validity.not_after,
        cert.issuer(),
        cert.subject(),
        if names.is_empty() {
            "-".into()
        } else {
            names.join(", ")
        },
    ))
}
