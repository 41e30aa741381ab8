//! Errors of the analysis, each with a stable code front ends translate.

use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("there is no dimension {0:?}; the dimensions are: {known}", known = crate::Dimension::ALL.iter().map(|d| d.id()).collect::<Vec<_>>().join(", "))]
    UnknownDimension(String),
    #[error("{dimension} has no code {code:?}; `kua stats --by {dimension}` lists its codes")]
    UnknownCode { dimension: String, code: String },
    #[error("{0:?} is not a date; use YYYY-MM-DD, YYYY-MM or YYYY")]
    BadDate(String),
    #[error("a filter must read DIMENSION=CODE, not {0:?}")]
    BadFilter(String),
    #[error("counts go by at most two dimensions at once (a table or a cross-tab)")]
    TooManyDimensions,
    #[error("a dimension is given twice in --by")]
    RepeatedDimension,
    #[error("place_region and place_type (or injury_region and lesion_type) are counted per record, so together they would pair one place's region with another's type, or one injury's region with another's type; count by one of them (for places, the dataset's detention_places table has both)")]
    SameList,
    #[error("the date range ends before it starts")]
    BadRange,
    #[error("published figures are of the whole vault by one dimension (not source or year): without filters, date range, drafts or a second dimension, any of which would let a withheld count be worked out by difference")]
    PublicSelection,
    #[error("could not write {path}: {source}; check the folder exists, is writable and has free space, then export again")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{0} already exists and is not empty; choose an empty or new folder so that no earlier export is mixed in")]
    NotEmpty(String),
    #[error("no counted record {0}; `kua list` and `kua received list` show the records (a record whose person withdrew consent is not counted)")]
    UnknownRecord(String),
    #[error("no person {0}; `kua persons list` shows them, and a record id finds its person")]
    UnknownPerson(String),
    #[error("counting persons needs the records linked first")]
    PersonsNotLinked,
    #[error("two records from different sources have the id {0} (a bundle reused another record's id); linkage keeps them apart and takes no decision on them: `kua received list` shows both")]
    AmbiguousRecord(String),
    #[error("persons cannot be published while reviewers' decisions are unreadable or records share an id: `kua verify` and `kua persons list` say which; repair the vault from a backup or ask the sender, then publish")]
    PersonsIncomplete,
}

impl Error {
    /// The stable code front ends map to translated text.
    pub fn code(&self) -> &'static str {
        match self {
            Error::UnknownDimension(_) => "unknown_dimension",
            Error::UnknownCode { .. } => "unknown_code",
            Error::BadDate(_) => "bad_date",
            Error::BadFilter(_) => "bad_filter",
            Error::TooManyDimensions => "too_many_dimensions",
            Error::RepeatedDimension => "repeated_dimension",
            Error::SameList => "same_list",
            Error::BadRange => "bad_range",
            Error::PublicSelection => "public_selection",
            Error::Write { .. } => "write_failed",
            Error::NotEmpty(_) => "folder_not_empty",
            Error::UnknownRecord(_) => "unknown_record",
            Error::UnknownPerson(_) => "unknown_person",
            Error::PersonsNotLinked => "persons_not_linked",
            Error::AmbiguousRecord(_) => "ambiguous_record",
            Error::PersonsIncomplete => "persons_incomplete",
        }
    }
}

impl Serialize for Error {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Error", 2)?;
        st.serialize_field("code", self.code())?;
        st.serialize_field("message", &self.to_string())?;
        st.end()
    }
}

pub type Result<T> = std::result::Result<T, Error>;
