//! The page's IPC types are generated from the Rust types (ts-rs) into
//! `ui/src/lib/bindings/`. The test below regenerates them and fails when the committed
//! files differ, so the page can never drift from what the shell sends; run it with
//! `KUA_BLESS=1` to rewrite them after a deliberate change.
//!
//! 64-bit integers become `number`: the ones that cross the IPC (sizes, log positions)
//! stay far below 2^53.

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::{Path, PathBuf};
    use ts_rs::{Config, TS};

    fn export_all(dir: &Path) {
        let cfg = Config::new().with_out_dir(dir).with_large_int("number");
        macro_rules! export {
            ($($t:ty),* $(,)?) => { $( <$t>::export_all(&cfg).expect(stringify!($t)); )* };
        }
        use kua_core::model::*;
        export!(
            crate::commands::vault::AppState,
            crate::commands::vault::Unlocked,
            crate::error::IpcError,
            crate::progress::ProgressEvent,
            crate::chooser::Pick,
            crate::commands::reports::ReportRequest,
            crate::commands::reports::ReportSaved,
            crate::commands::reports::DisclosureDone,
            crate::commands::exchange::ExportChoice,
            ListRow,
            ListQuery,
            ListPage,
            kua_core::template::Template,
            kua_core::body::Atlas,
            kua_core::body::BodyMap,
            kua_core::body::MarkChange,
            Testimony,
            TestimonyInput,
            VersionInfo,
            SearchHit,
            kua_core::LogLine,
            kua_core::VerifyReport,
            kua_core::IdentityInfo,
            kua_core::Recipient,
            kua_core::TrustedSender,
            kua_core::ExportPlan,
            kua_core::ExportReport,
            kua_core::BundleReport,
            kua_core::ImportReport,
            kua_core::ReceivedSummary,
            kua_core::ReceivedRecord,
            kua_core::MediaRef,
            crate::commands::recording::InputDevice,
            crate::commands::recording::MediaHandle,
            crate::recorder::RecordingEvent,
            crate::recorder::RecordingState,
            crate::commands::analysis::Dashboard,
            kua_analysis::Query,
            kua_analysis::RecordRef,
            kua_analysis::DatasetReport,
            kua_analysis::DatasetFormat,
            kua_analysis::Dimension,
            kua_analysis::Unit,
            kua_analysis::persons::PairView,
            kua_analysis::persons::Person,
            kua_analysis::persons::PersonView,
            kua_core::Decision,
            kua_core::Verdict,
            crate::commands::persons::LinkageSecretShown,
            crate::commands::persons::PersonsList,
            crate::commands::vault::EraseAfter,
            crate::commands::cases::CaseShown,
            kua_case::Course,
            kua_case::CaseSummary,
            kua_case::Deadline,
            kua_case::entry::Step,
            kua_case::entry::Petition,
            kua_case::entry::PetitionDecision,
            kua_case::entry::Evidence,
            kua_case::entry::EvidenceStatus,
            kua_case::entry::Examined,
            kua_case::entry::Note,
            kua_case::entry::Document,
            kua_core::CaseEntry,
            kua_case::Outcomes,
        );
    }

    fn files(dir: &Path) -> BTreeMap<PathBuf, String> {
        let mut out = BTreeMap::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d).expect("read dir") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    let rel = path.strip_prefix(dir).expect("prefix").to_path_buf();
                    out.insert(rel, std::fs::read_to_string(&path).expect("read"));
                }
            }
        }
        out
    }

    #[test]
    fn ui_bindings_match_the_rust_types() {
        let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/bindings");
        if std::env::var_os("KUA_BLESS").is_some() {
            let _ = std::fs::remove_dir_all(&committed);
            export_all(&committed);
            return;
        }
        let fresh = tempfile::tempdir().expect("tempdir");
        export_all(fresh.path());
        let want = files(fresh.path());
        let have = if committed.is_dir() {
            files(&committed)
        } else {
            BTreeMap::new()
        };
        let stale: Vec<_> = want
            .iter()
            .filter(|(k, v)| have.get(*k) != Some(v))
            .map(|(k, _)| k.display().to_string())
            .chain(
                have.keys()
                    .filter(|k| !want.contains_key(*k))
                    .map(|k| format!("{} (no longer generated)", k.display())),
            )
            .collect();
        assert!(
            stale.is_empty(),
            "ui/src/lib/bindings is out of date ({}); run `KUA_BLESS=1 cargo test -p kua-desktop bindings`",
            stale.join(", ")
        );
    }
}
