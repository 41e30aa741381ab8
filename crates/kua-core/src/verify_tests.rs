//! Unit tests of how `verify` judges an attachment: each way its content can differ
//! from what was recorded of it, alone.

use super::*;
use uuid::Uuid;

const A: &str = "aa";
const B: &str = "bb";

fn judged(expected: &Expected, parent: &Uuid, recorded: &str, hash: &str) -> Option<&'static str> {
    attachment_problem(expected, parent, "photo", recorded, hash).map(|(code, _)| code)
}

#[test]
fn an_attachment_must_hash_as_recorded_and_as_logged_under_its_own_parent() {
    let testimony = Uuid::from_bytes([1; 16]);
    let other = Uuid::from_bytes([2; 16]);
    let media = crate::import::MEDIA_PARENT;
    let mut expected = Expected::default();
    assert_eq!(judged(&expected, &testimony, A, A), Some("unlogged_record"));
    assert_eq!(
        judged(&expected, &media, A, A),
        None,
        "received media is not in the coordinator's own log"
    );
    assert_eq!(
        judged(&expected, &media, A, B),
        Some("evidence_hash_mismatch")
    );

    expected
        .attachments
        .insert("photo".into(), (testimony.to_string(), A.into()));
    assert_eq!(judged(&expected, &testimony, A, A), None);
    assert_eq!(
        judged(&expected, &testimony, A, B),
        Some("evidence_hash_mismatch"),
        "content that is not what its metadata records"
    );
    assert_eq!(
        judged(&expected, &testimony, B, B),
        Some("content_hash_mismatch"),
        "metadata and content agree, but not with the log"
    );
    assert_eq!(
        judged(&expected, &other, A, A),
        Some("content_hash_mismatch"),
        "logged under another testimony"
    );
}
