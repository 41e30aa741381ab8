//! Why a bundle was refused. Every variant has a stable code; front ends translate
//! codes, never messages.

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("this bundle is not addressed to any of your identities (or it is not an age file); ask the sender to export it to your recipient key")]
    NotForYou,
    #[error("the bundle is damaged or was altered: {0}")]
    Corrupt(String),
    #[error("the bundle was cut short: {0}; ask for it again")]
    Truncated(String),
    #[error("bundle format {found} is newer than this Kua understands ({supported}); update Kua")]
    UnsupportedVersion { found: u32, supported: u32 },
    #[error("the bundle's manifest is not valid: {0}")]
    BadManifest(String),
    #[error("the manifest's signature does not verify with the sender key it names: the bundle was altered")]
    BadSignature,
    #[error("the bundle holds a file its manifest does not list: {0}")]
    UnlistedFile(String),
    #[error("a file listed in the manifest is missing from the bundle: {0}")]
    MissingFile(String),
    #[error("{path} does not match the hash in the signed manifest: the bundle was altered")]
    HashMismatch { path: String },
    #[error("the bundle has data after its end: it was altered")]
    TrailingData,
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Rejected(String),
    #[error("the bundle's age header is larger than any bundle's header (at most {} bytes in {} lines): a crafted file, refused before decryption", crate::header::MAX_AGE_HEADER, crate::header::MAX_AGE_HEADER_LINES)]
    HeaderTooLarge,
    #[error("the bundle holds {0}, which is not a plain file (a link, a directory, or a long-name or PAX header): refused")]
    NotPlainFile(String),
    #[error("the bundle names a file {0:?} that a bundle may not hold: {1}")]
    BadPath(String, &'static str),
}

impl Error {
    pub fn code(&self) -> &'static str {
        match self {
            Error::NotForYou => "bundle_not_for_you",
            Error::Corrupt(_) => "bundle_corrupt",
            Error::Truncated(_) => "bundle_truncated",
            Error::UnsupportedVersion { .. } => "bundle_unsupported_version",
            Error::BadManifest(_) => "bundle_bad_manifest",
            Error::BadSignature => "bundle_bad_signature",
            Error::UnlistedFile(_) => "bundle_unlisted_file",
            Error::MissingFile(_) => "bundle_missing_file",
            Error::HashMismatch { .. } => "bundle_hash_mismatch",
            Error::TrailingData => "bundle_trailing_data",
            Error::Io(_) => "io",
            Error::Rejected(_) => "bundle_rejected",
            Error::HeaderTooLarge => "bundle_header_too_large",
            Error::NotPlainFile(_) => "bundle_not_plain_file",
            Error::BadPath(..) => "bundle_bad_path",
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
