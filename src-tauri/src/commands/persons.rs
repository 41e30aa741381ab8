//! Counting each survivor once: the review queue, two records compared, a reviewer's
//! decisions, persons. Linkage lives in the session (in memory, dropped on lock); a
//! decision is applied to it there without comparing the records again.

use super::{blocking, on_vault};
use crate::error::IpcError;
use kua_analysis::persons::{PairView, Person, PersonView};
use kua_core::{Decision, LinkageSecret, Verdict};
use secrecy::{ExposeSecret, SecretString};
use tauri::AppHandle;

/// The pairs waiting for a reviewer, best first.
#[tauri::command]
pub async fn persons_queue(app: AppHandle) -> Result<Vec<PairView>, IpcError> {
    blocking(app, |s| s.with_linkage(|l| Ok(l.queue()))).await
}

/// Any two records compared, with the decision in force on them.
#[tauri::command]
pub async fn persons_pair(app: AppHandle, a: String, b: String) -> Result<PairView, IpcError> {
    blocking(app, move |s| s.with_linkage(|l| Ok(l.compare(&a, &b)?))).await
}

/// Records a reviewer's decision on two records.
#[tauri::command]
pub async fn persons_decide(
    app: AppHandle,
    a: String,
    b: String,
    verdict: Verdict,
    note: Option<String>,
) -> Result<Decision, IpcError> {
    blocking(app, move |s| {
        s.decide(|v, l| {
            l.check_pair(&a, &b)?;
            Ok(v.decide_link(&a, &b, verdict, note.as_deref())?)
        })
    })
    .await
}

/// Takes a decision back (a new decision; nothing is erased).
#[tauri::command]
pub async fn persons_undo(
    app: AppHandle,
    decision: String,
    note: Option<String>,
) -> Result<Decision, IpcError> {
    blocking(app, move |s| {
        s.decide(|v, _| Ok(v.undo_link_decision(&decision, note.as_deref())?))
    })
    .await
}

/// Every person, and the decisions left out because they could not be read.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
pub struct PersonsList {
    /// In the order of their earliest record.
    pub persons: Vec<Person>,
    /// Setting names of logged decisions whose rows are damaged (`kua verify` says
    /// more): persons may be joined or split otherwise than reviewers decided.
    pub unreadable_decisions: Vec<String>,
    /// Ids that records from two senders share (a bundle reused another record's id):
    /// such records are kept apart, and no decision can name them.
    pub ambiguous_records: Vec<String>,
}

#[tauri::command]
pub async fn persons_list(app: AppHandle) -> Result<PersonsList, IpcError> {
    blocking(app, |s| {
        s.with_linkage(|l| {
            Ok(PersonsList {
                persons: l.persons.clone(),
                unreadable_decisions: l.unreadable_decisions.clone(),
                ambiguous_records: l.ambiguous_records.clone(),
            })
        })
    })
    .await
}

/// One person, by person id or the id of any of its records.
#[tauri::command]
pub async fn person_show(app: AppHandle, id: String) -> Result<PersonView, IpcError> {
    blocking(app, move |s| s.with_linkage(|l| Ok(l.view_person(&id)?))).await
}

/// The coalition's linkage secret as the page sees it: its key id, never the secret,
/// except once when it is created or on request with the passphrase.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
pub struct LinkageSecretShown {
    pub key_id: String,
    pub secret: Option<String>,
}

/// The key id of the vault's linkage secret, or None when it has none.
#[tauri::command]
pub async fn linkage_secret(app: AppHandle) -> Result<Option<String>, IpcError> {
    on_vault(app, |v| Ok(v.linkage_secret()?.map(|s| s.key_id()))).await
}

/// Creates the coalition's linkage secret, shown once, to pass to the other interviewers.
/// Like every change of the secret it needs the current passphrase: whoever finds the
/// laptop unlocked must not key the coalition's match keys with a secret they know.
#[tauri::command]
pub async fn linkage_secret_create(
    app: AppHandle,
    current: SecretString,
) -> Result<LinkageSecretShown, IpcError> {
    on_vault(app, move |v| {
        v.check_passphrase(&current)?;
        Ok(shown(&v.create_linkage_secret()?, true))
    })
    .await
}

/// Enters the secret another interviewer created (the current passphrase needed).
#[tauri::command]
pub async fn linkage_secret_set(
    app: AppHandle,
    current: SecretString,
    secret: SecretString,
) -> Result<LinkageSecretShown, IpcError> {
    on_vault(app, move |v| {
        v.check_passphrase(&current)?;
        let s = LinkageSecret::parse(secret.expose_secret())?;
        v.set_linkage_secret(&s)?;
        Ok(shown(&s, false))
    })
    .await
}

/// Shows the secret again (to give it to an interviewer who joins), or forgets it;
/// both need the current passphrase, like a new recovery key.
#[tauri::command]
pub async fn linkage_secret_manage(
    app: AppHandle,
    current: SecretString,
    forget: bool,
) -> Result<Option<LinkageSecretShown>, IpcError> {
    on_vault(app, move |v| {
        v.check_passphrase(&current)?;
        if forget {
            v.forget_linkage_secret()?;
            return Ok(None);
        }
        Ok(v.linkage_secret()?.map(|s| shown(&s, true)))
    })
    .await
}

fn shown(s: &LinkageSecret, reveal: bool) -> LinkageSecretShown {
    LinkageSecretShown {
        key_id: s.key_id(),
        secret: reveal.then(|| s.display().expose_secret().to_string()),
    }
}
