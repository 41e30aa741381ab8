//! Disclosure packages, checked with sha256sum and minisign.

use crate::fixture::*;
use kua_core::custody::Event;
use kua_core::model::ConsentScope;
use kua_report::DiscloseOptions;

fn options(full: bool, confirmed: bool) -> DiscloseOptions {
    DiscloseOptions {
        lang: "kk".into(),
        full,
        made_at: made_at(),
        confirmed,
    }
}

#[test]
fn a_package_checks_with_stock_tools_and_is_logged() {
    let mut d = desk();
    let a = d.testimony("kk", KK_ACCOUNT, consent(false, ALL));
    let b = d.testimony("ru", RU_ACCOUNT, consent(false, ALL));
    let dir = d.dir.path().join("для суда");
    let pkg = kua_report::disclose(
        &mut d.v,
        &[a.clone(), b.clone()],
        &options(false, true),
        &dir,
    )
    .unwrap();
    assert_eq!(pkg.testimonies.len(), 2);
    // 2 × (report, signature, record, custody, one photo) + kua.pub + README.
    assert_eq!(pkg.files, 12);
    let sums = run("sha256sum", &["-c", "SHA256SUMS"], &dir);
    assert_eq!(
        sums.lines().filter(|l| l.ends_with(": OK")).count(),
        12,
        "{sums}"
    );
    run("minisign", &["-Vm", "SHA256SUMS", "-p", "kua.pub"], &dir);
    let t = d.v.show(&a, None).unwrap();
    let base = format!("{a}-v1");
    run(
        "minisign",
        &["-Vm", &format!("{base}/report.pdf"), "-p", "kua.pub"],
        &dir,
    );
    let record = std::fs::read(dir.join(&base).join("record.json")).unwrap();
    assert_eq!(sha256_hex(&record), t.content_hash);
    let photo = std::fs::read(dir.join(&base).join("attachments/01-фото-предплечье.png")).unwrap();
    assert_eq!(photo, PNG);
    let readme = std::fs::read_to_string(dir.join("README.txt")).unwrap();
    assert!(readme.contains("sha256sum -c SHA256SUMS"));
    assert!(readme.contains("Kua бағдарламасында жасалған ашу пакеті"));
    // A changed file fails the check.
    std::fs::write(dir.join(&base).join("record.json"), b"{}").unwrap();
    assert!(!passes("sha256sum", &["-c", "--quiet", "SHA256SUMS"], &dir));

    for id in [&a, &b] {
        let last = d.v.history(id).unwrap().pop().unwrap();
        assert_eq!(last.event, Event::Disclosed);
        assert_eq!(last.content_hash.as_deref(), Some(pkg.sums_sha256.as_str()));
        assert_eq!(
            last.detail.as_deref(),
            Some(dir.display().to_string().as_str())
        );
    }
    assert!(d.v.verify_quietly().unwrap().ok);
}

#[test]
fn a_package_is_refused_without_legal_consent_or_confirmation_and_writes_nothing() {
    let mut d = desk();
    let ok = d.testimony("ru", RU_ACCOUNT, consent(false, ALL));
    let no_legal = d.testimony("ru", RU_ACCOUNT, consent(false, &[ConsentScope::Store]));
    let anonymous = d.testimony("ru", RU_ACCOUNT, consent(true, ALL));
    let dir = d.dir.path().join("pkg");
    let refuse = |d: &mut Desk, ids: &[String], o: DiscloseOptions| {
        kua_report::disclose(&mut d.v, ids, &o, &dir)
            .unwrap_err()
            .code()
    };
    assert_eq!(
        refuse(
            &mut d,
            &[ok.clone(), no_legal.clone()],
            options(false, true)
        ),
        "disclosure_no_legal_consent"
    );
    assert_eq!(
        refuse(&mut d, std::slice::from_ref(&ok), options(false, false)),
        "disclosure_not_confirmed"
    );
    assert_eq!(
        refuse(
            &mut d,
            std::slice::from_ref(&anonymous),
            options(false, true)
        ),
        "disclosure_anonymous"
    );
    assert_eq!(
        refuse(&mut d, &[], options(false, true)),
        "disclosure_nothing"
    );
    assert!(!dir.exists(), "nothing was written");
    for id in [&ok, &no_legal, &anonymous] {
        assert!(d
            .v
            .history(id)
            .unwrap()
            .iter()
            .all(|l| l.event != Event::Disclosed));
    }
    // An anonymous testimony goes as a full disclosure, which its consent allows.
    kua_report::disclose(&mut d.v, &[anonymous], &options(true, true), &dir).unwrap();
    // A directory that is not empty is refused.
    assert_eq!(
        refuse(&mut d, &[ok], options(false, true)),
        "disclosure_target_not_empty"
    );
}
