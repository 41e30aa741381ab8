//! The core's one error type. Every variant has a stable, serialisable code that front
//! ends map to translated text; no caller should ever match on a message string.

use std::path::PathBuf;

/// What went wrong, in terms a front end can act on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("the passphrase (or recovery key) does not open this vault; check it and try again")]
    WrongPassphrase,
    #[error("no vault at {0}; create one with `kua init` or point --vault at an existing file")]
    NoVault(PathBuf),
    #[error("a vault already exists at {0}; choose another path or remove it first")]
    VaultExists(PathBuf),
    #[error("{0} is not a Kua vault (or its header is damaged beyond reading)")]
    NotAVault(PathBuf),
    #[error("this vault was written by a newer Kua (format {found}, this build reads {supported}); update Kua")]
    UnsupportedFormat { found: u32, supported: u32 },
    #[error("the vault header's {part} is damaged; if the vault still opens, run `kua verify` and make a new recovery key (`kua recovery-key`), otherwise restore the file from a backup")]
    HeaderDamaged { part: &'static str },
    #[error("integrity failure in {place}: the stored data was altered or damaged; run `kua verify` and restore from a bundle or backup")]
    Integrity { place: String },
    #[error("no case with id {0}; `kua case list` shows the cases")]
    CaseNotFound(String),
    #[error("no testimony with id {0}")]
    TestimonyNotFound(String),
    #[error("testimony {id} has no version {version}")]
    VersionNotFound { id: String, version: u32 },
    #[error("no attachment {attachment} on testimony {testimony}")]
    AttachmentNotFound {
        testimony: String,
        attachment: String,
    },
    #[error("no template named {0}; `kua template list` shows the installed ones")]
    TemplateNotFound(String),
    #[error(transparent)]
    Invalid(#[from] crate::template::ValidationErrors),
    #[error("invalid input: {0}")]
    BadInput(String),
    #[error("{0}")]
    LinkageSecretInvalid(String),
    #[error("this vault already has a linkage secret; forget it first if the coalition really changed it")]
    LinkageSecretExists,
    #[error(
        "testimony {0} is sealed; sealed versions never change — record a change with `kua amend`"
    )]
    Sealed(String),
    #[error("testimony {0} is still a draft; seal it first, then amend")]
    NotSealed(String),
    #[error("testimony {0} cannot be sealed without a consent record (given_at, method, scope including \"store\")")]
    ConsentMissing(String),
    #[error("consent for testimony {0} was withdrawn; it can no longer be sealed or amended")]
    ConsentWithdrawn(String),
    #[error("the attachment's content does not match its evidence hash (expected {expected}, got {actual}); the vault is damaged")]
    EvidenceHashMismatch { expected: String, actual: String },
    #[error(
        "the disk is full; free some space and retry — nothing was lost, the last save is intact"
    )]
    DiskFull,
    #[error("the file is too large for the drive it is written to (a FAT32 stick holds files up to 4 GiB); nothing was lost — write to a drive formatted exFAT, NTFS or ext4, or export fewer testimonies at once")]
    FileTooLarge,
    #[error("the vault's drive or folder is read-only, so nothing can be saved; nothing was lost — make it writable (or copy the vault somewhere writable) and retry")]
    ReadOnly,
    #[error("I/O error: {0}")]
    Io(std::io::Error),
    #[error(
        "cannot read or write {path}: {source}; check that the file or drive is there and writable"
    )]
    File {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("storage error: {0}")]
    Storage(String),
    #[error("the vault is locked; unlock it first")]
    Locked,
    #[error("the bundle's sender is not trusted (fingerprint {fingerprint}); compare the fingerprint with the sender, then `kua trust add` their key or import with --trust-new")]
    UntrustedSender { fingerprint: String },
    #[error("{message}")]
    Bundle { code: &'static str, message: String },
    #[error("another Kua window or command has this vault open, so old pages could not be cleared from its journal; close the other one and lock again")]
    VaultBusy,
    #[error("record {id} was received from several senders ({}); name the sender's key id", senders.join(", "))]
    ReceivedAmbiguous { id: String, senders: Vec<String> },
}

impl Error {
    /// A stable code for this class of error. Front ends map codes to translated text.
    pub fn code(&self) -> &'static str {
        match self {
            Error::WrongPassphrase => "wrong_passphrase",
            Error::NoVault(_) => "no_vault",
            Error::VaultExists(_) => "vault_exists",
            Error::NotAVault(_) => "not_a_vault",
            Error::UnsupportedFormat { .. } => "unsupported_format",
            Error::Integrity { .. } => "integrity",
            Error::HeaderDamaged { .. } => "header_damaged",
            Error::TestimonyNotFound(_) => "testimony_not_found",
            Error::CaseNotFound(_) => "case_not_found",
            Error::VersionNotFound { .. } => "version_not_found",
            Error::AttachmentNotFound { .. } => "attachment_not_found",
            Error::TemplateNotFound(_) => "template_not_found",
            Error::Invalid(_) => "invalid_content",
            Error::BadInput(_) => "bad_input",
            Error::LinkageSecretInvalid(_) => "linkage_secret_invalid",
            Error::LinkageSecretExists => "linkage_secret_exists",
            Error::Sealed(_) => "sealed",
            Error::NotSealed(_) => "not_sealed",
            Error::ConsentMissing(_) => "consent_missing",
            Error::ConsentWithdrawn(_) => "consent_withdrawn",
            Error::EvidenceHashMismatch { .. } => "evidence_hash_mismatch",
            Error::DiskFull => "disk_full",
            Error::ReadOnly => "read_only",
            Error::FileTooLarge => "file_too_large",
            Error::Io(_) => "io",
            Error::File { .. } => "file",
            Error::Storage(_) => "storage",
            Error::Locked => "locked",
            Error::VaultBusy => "vault_busy",
            Error::UntrustedSender { .. } => "untrusted_sender",
            Error::Bundle { code, .. } => code,
            Error::ReceivedAmbiguous { .. } => "received_ambiguous",
        }
    }

    /// The broad class of the error; the CLI turns each class into its own exit code.
    pub fn class(&self) -> ErrorClass {
        match self {
            Error::WrongPassphrase => ErrorClass::Auth,
            Error::NoVault(_)
            | Error::TestimonyNotFound(_)
            | Error::CaseNotFound(_)
            | Error::VersionNotFound { .. }
            | Error::AttachmentNotFound { .. }
            | Error::TemplateNotFound(_) => ErrorClass::NotFound,
            Error::NotAVault(_)
            | Error::UnsupportedFormat { .. }
            | Error::Integrity { .. }
            | Error::HeaderDamaged { .. }
            | Error::EvidenceHashMismatch { .. }
            | Error::Bundle { .. } => ErrorClass::Integrity,
            Error::UntrustedSender { .. } => ErrorClass::Auth,
            Error::VaultExists(_)
            | Error::Invalid(_)
            | Error::BadInput(_)
            | Error::LinkageSecretInvalid(_)
            | Error::LinkageSecretExists
            | Error::Sealed(_)
            | Error::NotSealed(_)
            | Error::ConsentMissing(_)
            | Error::ConsentWithdrawn(_)
            | Error::Locked
            | Error::ReceivedAmbiguous { .. } => ErrorClass::Input,
            Error::DiskFull
            | Error::ReadOnly
            | Error::FileTooLarge
            | Error::Io(_)
            | Error::File { .. }
            | Error::Storage(_)
            | Error::VaultBusy => ErrorClass::Io,
        }
    }

    /// An I/O error on a file the user named; a full disk, or a file too large for its
    /// file system, is reported as such.
    pub fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        let source = match source.downcast::<Error>() {
            Ok(own) => return own,
            Err(source) => source,
        };
        // A read-only output (a write-protected stick) is named by its path below, not
        // taken for the vault's drive.
        if let Some(e @ (Error::DiskFull | Error::FileTooLarge)) = storage_fault(&source) {
            return e;
        }
        Error::File {
            path: path.to_path_buf(),
            source,
        }
    }

    pub(crate) fn integrity(place: impl Into<String>) -> Self {
        Error::Integrity {
            place: place.into(),
        }
    }
}

/// Broad error classes, one exit code each in the CLI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    Auth,
    NotFound,
    Integrity,
    Input,
    Io,
}

/// A full disk (ENOSPC, or EDQUOT: the user's quota on it), a file too large for its
/// file system (EFBIG: FAT32's 4 GiB) or a read-only file system (EROFS) is said as
/// such, wherever the I/O error comes from. By the error's kind, which the standard
/// library derives from each system's own codes.
fn storage_fault(e: &std::io::Error) -> Option<Error> {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded => Some(Error::DiskFull),
        ErrorKind::FileTooLarge => Some(Error::FileTooLarge),
        ErrorKind::ReadOnlyFilesystem => Some(Error::ReadOnly),
        _ => None,
    }
}

impl From<std::io::Error> for Error {
    /// An error of the vault's own that crossed an `io::Read` (a damaged chunk read for
    /// an export) comes out as itself; a storage fault as such; anything else as `Io`.
    fn from(e: std::io::Error) -> Self {
        match e.downcast::<Error>() {
            Ok(own) => own,
            Err(e) => storage_fault(&e).unwrap_or(Error::Io(e)),
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ffi::ErrorCode;
        match &e {
            rusqlite::Error::SqliteFailure(f, _) => match f.code {
                ErrorCode::DiskFull => Error::DiskFull,
                ErrorCode::ReadOnly => Error::ReadOnly,
                ErrorCode::NotADatabase => Error::integrity("the vault file (not a database)"),
                ErrorCode::DatabaseCorrupt => Error::integrity("the vault file (database corrupt)"),
                _ => Error::Storage(e.to_string()),
            },
            _ => Error::Storage(e.to_string()),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
