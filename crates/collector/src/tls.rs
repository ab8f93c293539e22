//! TLS for the collector's own connections (to PostgreSQL, to the alert webhook): rustls
//! with ring, the public roots (webpki-roots), and the roots of a PEM file when given.

use rustls::pki_types::{pem::PemObject, CertificateDer};
use std::sync::Arc;

/// A client configuration trusting the public roots and those in the PEM file `extra`.
pub fn client_config(extra: Option<&str>) -> Result<rustls::ClientConfig, String> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = extra {
        let certs = CertificateDer::pem_file_iter(path).map_err(|e| format!("{path}: {e}"))?;
        for cert in certs {
            let cert = cert.map_err(|e| format!("{path}: {e}"))?;
            roots.add(cert).map_err(|e| format!("{path}: {e}"))?;
        }
    }
    Ok(rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| format!("TLS: {e}"))?
    .with_root_certificates(roots)
    .with_no_client_auth())
}
