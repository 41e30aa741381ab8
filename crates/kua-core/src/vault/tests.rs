//! The vault's unit tests that need its private parts: a full disk under the database,
//! injected through SQLite's page limit; a setting's logged state across a rollback; a
//! search index broken under a search.

use super::*;
use crate::model::TestimonyInput;
use crate::seams::SteppingClock;
use crate::{NewAttachment, Silent};
use rand_core::SeedableRng;

fn seams(seed: u64) -> Seams {
    Seams::new(
        Box::new(SteppingClock::new(1_641_600_000_000, 1_000)),
        Box::new(rand_chacha::ChaCha20Rng::seed_from_u64(seed)),
    )
}

/// A new vault at `path` with the test KDF, passphrase "p".
fn create(path: &std::path::Path, seed: u64) -> Vault {
    let options = CreateOptions {
        kdf: KdfParams::INSECURE_FOR_TESTS,
        allow_weak_kdf: true,
    };
    Vault::create(path, &SecretString::from("p"), options, seams(seed))
        .unwrap()
        .0
}

/// A full disk, simulated by capping the file's page count on the vault's own
/// connection: every write fails with a clear `DiskFull`, and nothing saved before is
/// lost or damaged.
#[test]
fn a_full_disk_is_a_clear_error_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.kua");
    let mut v = create(&path, 1);
    let input = |text: &str| TestimonyInput {
        narrative: Some(text.into()),
        ..TestimonyInput::default()
    };
    let kept = v.add(&input("сохранено до заполнения диска")).unwrap();
    let pages: i64 =
        v.db.query_row("PRAGMA page_count", [], |r| r.get(0))
            .unwrap();
    v.db.execute_batch(&format!("PRAGMA max_page_count = {}", pages + 2))
        .unwrap();

    let big = "қ".repeat(200_000);
    assert!(matches!(v.add(&input(&big)), Err(Error::DiskFull)));
    assert!(matches!(v.edit(&kept, &input(&big)), Err(Error::DiskFull)));
    let data = vec![1u8; 1 << 20];
    let attached = v.attach(
        &kept,
        &mut data.as_slice(),
        NewAttachment {
            name: "x.bin".into(),
            ..NewAttachment::default()
        },
        &mut Silent,
    );
    assert!(matches!(attached, Err(Error::DiskFull)), "{attached:?}");
    let mode: String =
        v.db.query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
    assert_eq!(mode, "wal", "the bulk append left rollback-journal mode on");
    assert_eq!(Error::DiskFull.code(), "disk_full");

    // Space comes back: everything from before is intact and the vault works on.
    v.db.execute_batch("PRAGMA max_page_count = 1073741823")
        .unwrap();
    assert_eq!(v.list().unwrap().len(), 1);
    assert_eq!(
        v.show(&kept, None).unwrap().narrative,
        "сохранено до заполнения диска"
    );
    assert!(v.show(&kept, None).unwrap().attachments.is_empty());
    assert!(v.verify(&mut Silent).unwrap().ok);
    v.edit(&kept, &input(&big)).unwrap();
    drop(v);
    let mut v = Vault::open(&path, seams(2)).unwrap();
    v.unlock(&SecretString::from("p")).unwrap();
    assert_eq!(v.show(&kept, None).unwrap().narrative, big);
    assert!(v.verify(&mut Silent).unwrap().ok);
}

/// A setting's read is checked against its last logged state, which is kept between
/// reads (secret.rs). A transaction that writes and logs the setting and then rolls
/// back must leave nothing of its entry in what is kept: the row is back to the old
/// value, and reading it must not be taken for a rollback attack.
#[test]
fn a_rolled_back_write_leaves_the_settings_logged_state_as_committed() {
    let dir = tempfile::tempdir().unwrap();
    let mut v = create(&dir.path().join("v.kua"), 2);
    let mut ctx = v.ctx().unwrap();
    let write = |ctx: &mut Ctx<'_>, tx: &Connection, tail: &mut Tail, value: &[u8]| {
        let state = ctx.write_secret(tx, "probe", value)?;
        ctx.log(
            tx,
            tail,
            Event::SettingChanged,
            state.change(Some("probe".into())),
        )
    };
    ctx.transaction(|ctx, tx, tail| write(ctx, tx, tail, b"old"))
        .unwrap();
    assert_eq!(
        ctx.read_secret("probe").unwrap().map(|v| v.to_vec()),
        Some(b"old".to_vec())
    );
    let rolled_back = ctx.transaction(|ctx, tx, tail| {
        write(ctx, tx, tail, b"new")?;
        // Inside the transaction its own entry counts.
        assert_eq!(
            ctx.read_secret("probe")?.map(|v| v.to_vec()),
            Some(b"new".to_vec())
        );
        Err::<(), _>(Error::BadInput("rolled back on purpose".into()))
    });
    assert!(rolled_back.is_err());
    assert_eq!(
        ctx.read_secret("probe").unwrap().map(|v| v.to_vec()),
        Some(b"old".to_vec())
    );
    // And the next write continues from the committed state.
    ctx.transaction(|ctx, tx, tail| write(ctx, tx, tail, b"newer"))
        .unwrap();
    assert_eq!(
        ctx.read_secret("probe").unwrap().map(|v| v.to_vec()),
        Some(b"newer".to_vec())
    );
}

/// A search that fails on a broken index (here a shard left by a thread that panicked)
/// drops the index, and the next search builds it again and finds what it should.
#[test]
fn a_search_that_fails_on_its_index_rebuilds_it_on_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let mut v = create(&dir.path().join("v.kua"), 5);
    for text in ["Задержан в Алматы", "Алматы, ночью"] {
        v.add(&TestimonyInput {
            narrative: Some(text.into()),
            ..TestimonyInput::default()
        })
        .unwrap();
    }
    assert_eq!(v.build_search_index_in(2).unwrap(), 2);
    assert_eq!(v.search("алматы", 10).unwrap().len(), 2);
    v.ctx().unwrap().keys.search.as_ref().unwrap().poison(1);
    assert!(v.search("алматы", 10).is_err());
    assert!(
        v.ctx().unwrap().keys.search.is_none(),
        "the broken index was dropped"
    );
    assert_eq!(v.search("алматы", 10).unwrap().len(), 2);
    assert!(v.ctx().unwrap().keys.search.is_some());
}
