//! TLS to the stores: the custom CA files and the rules that keep a connection verified.
//!
//! PostgreSQL (sqlx), Redis (redis) and RabbitMQ (lapin) all speak TLS through rustls with
//! the `ring` provider. A TLS URL (`sslmode=verify-full`, `rediss://`, `amqps://`) checks the
//! server's certificate and host name against the bundled Mozilla roots (`webpki-roots`),
//! unless a CA file is set for that store: then the certificate must chain to the file's
//! certificates (PostgreSQL and RabbitMQ keep the Mozilla roots as well, Redis trusts the
//! file alone; see `docs/architecture.md`). A CA file is read and checked when the store is
//! first connected, and a CA file next to a URL that would not verify with it (`redis://`,
//! `amqp://`, an `sslmode` other than `verify-full`) is refused rather than ignored.

use std::path::{Path, PathBuf};

use rustls::RootCertStore;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::{self, PemObject};

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("{setting}: cannot read the CA file {path}: {source}")]
    Read {
        setting: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{setting}: {path} is not a PEM certificate file: {source}")]
    Pem {
        setting: &'static str,
        path: PathBuf,
        source: pem::Error,
    },
    #[error("{setting}: {path} holds no PEM certificate")]
    Empty {
        setting: &'static str,
        path: PathBuf,
    },
    #[error("{setting}: certificate {index} in {path} cannot be a trust anchor: {source}")]
    Certificate {
        setting: &'static str,
        path: PathBuf,
        index: usize,
        source: rustls::Error,
    },
    #[error(
        "{setting} is set but {url_setting} would not verify the server with it: \
         use {expected}"
    )]
    NotVerified {
        setting: &'static str,
        url_setting: &'static str,
        expected: &'static str,
    },
}

/// A store's custom CA: the PEM text of one or more certificates, checked to parse.
#[derive(Clone)]
pub struct CaFile {
    setting: &'static str,
    path: PathBuf,
    pem: Vec<u8>,
}

impl std::fmt::Debug for CaFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaFile")
            .field("setting", &self.setting)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl CaFile {
    /// Reads the CA file of `setting` (e.g. `database.ca_file`, for the messages) and checks
    /// that it holds at least one certificate and that each can be a trust anchor.
    pub fn load(setting: &'static str, path: &Path) -> Result<Self, TlsError> {
        let pem = std::fs::read(path).map_err(|source| TlsError::Read {
            setting,
            path: path.to_owned(),
            source,
        })?;
        let ca = Self {
            setting,
            path: path.to_owned(),
            pem,
        };
        let certificates = ca.certificates()?;
        if certificates.is_empty() {
            return Err(TlsError::Empty {
                setting,
                path: path.to_owned(),
            });
        }
        let mut store = RootCertStore::empty();
        for (index, certificate) in certificates.into_iter().enumerate() {
            store
                .add(certificate)
                .map_err(|source| TlsError::Certificate {
                    setting,
                    path: path.to_owned(),
                    index: index + 1,
                    source,
                })?;
        }
        Ok(ca)
    }

    /// [`CaFile::load`] when `path` is set.
    pub fn load_optional(
        setting: &'static str,
        path: Option<&Path>,
    ) -> Result<Option<Self>, TlsError> {
        path.map(|path| Self::load(setting, path)).transpose()
    }

    /// The file's contents, PEM.
    pub fn pem(&self) -> &[u8] {
        &self.pem
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn certificates(&self) -> Result<Vec<CertificateDer<'static>>, TlsError> {
        CertificateDer::pem_slice_iter(&self.pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|source| TlsError::Pem {
                setting: self.setting,
                path: self.path.clone(),
                source,
            })
    }

    /// Refuses a CA file next to a URL that would not use it to verify the server.
    pub fn require(
        &self,
        verified: bool,
        url_setting: &'static str,
        expected: &'static str,
    ) -> Result<(), TlsError> {
        if verified {
            Ok(())
        } else {
            Err(TlsError::NotVerified {
                setting: self.setting,
                url_setting,
                expected,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_names_the_setting_and_the_path() {
        let err = CaFile::load("redis.ca_file", Path::new("/nonexistent/ca.pem")).unwrap_err();
        assert!(matches!(err, TlsError::Read { .. }), "{err}");
        let text = err.to_string();
        assert!(
            text.contains("redis.ca_file") && text.contains("/nonexistent/ca.pem"),
            "{text}"
        );
    }

    #[test]
    fn a_file_without_certificates_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ca.pem");
        std::fs::write(&path, "not a certificate\n").unwrap();
        let err = CaFile::load("amqp.ca_file", &path).unwrap_err();
        assert!(matches!(err, TlsError::Empty { .. }), "{err}");
        assert!(err.to_string().contains("amqp.ca_file"), "{err}");
    }

    #[test]
    fn a_certificate_that_is_not_x509_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ca.pem");
        // Well-formed PEM around bytes that are no certificate.
        std::fs::write(
            &path,
            "-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        let err = CaFile::load("database.ca_file", &path).unwrap_err();
        assert!(
            matches!(err, TlsError::Certificate { index: 1, .. }),
            "{err}"
        );
    }

    #[test]
    fn broken_pem_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ca.pem");
        std::fs::write(&path, "-----BEGIN CERTIFICATE-----\n!!!\n").unwrap();
        let err = CaFile::load("database.ca_file", &path).unwrap_err();
        assert!(matches!(err, TlsError::Pem { .. }), "{err}");
    }

    #[test]
    fn a_ca_file_requires_a_verifying_url() {
        let ca = CaFile {
            setting: "redis.ca_file",
            path: PathBuf::from("ca.pem"),
            pem: Vec::new(),
        };
        assert!(ca.require(true, "redis.url", "rediss://").is_ok());
        let err = ca.require(false, "redis.url", "rediss://").unwrap_err();
        assert_eq!(
            err.to_string(),
            "redis.ca_file is set but redis.url would not verify the server with it: use rediss://"
        );
    }
}
