# Kua, English.

app-name = Kua
loading = Loading…
working = Working…
back = Back
cancel = Cancel
add = Add
remove = Remove
name = Name
actions = Actions
required = required
sections = Sections
fingerprint = Fingerprint
content-hash = Content hash
minisign-key-id = Signing key id
language-en = English
language-ru = Russian
language-kk = Kazakh
answer-yes = Yes
answer-no = No
answer-unknown = Not known
status-draft = Draft
status-sealed = Sealed
welcome-tagline = Testimonies of torture and detention, recorded as evidence and kept encrypted on this computer.
welcome-first-run = Start
welcome-explain = Create a new vault for your testimonies, or open a vault file you already have (for example one copied from another laptop).
welcome-create = Create a new vault
welcome-open = Open a vault file…
welcome-default-place = A new vault is kept at { $path }.
create-title = Create a vault
create-explain = Everything in the vault is encrypted with a key that only your passphrase opens. Choose a long passphrase: several words you can remember and nobody can guess.
create-place = Vault file: { $path }
create-choose-place = Choose another place…
create-working = Creating the vault and measuring this computer's speed (a few seconds)…
create-submit = Create the vault
passphrase-new = Passphrase
passphrase-confirm = The same passphrase again
passphrase-hint = At least { $min } characters. Several unrelated words work well.
passphrase-mismatch = The two passphrases differ.
passphrase-strength = Passphrase strength
strength-0 = Very weak
strength-1 = Weak
strength-2 = Fair
strength-3 = Strong
strength-4 = Very strong
recovery-title = Your recovery key
recovery-explain = Write this key on paper now and keep it apart from this laptop. It opens the vault if the passphrase is forgotten. It is shown only once; anyone who has it and the vault file can read everything.
recovery-retype = To confirm you wrote it down, type its last group ({ $n } characters):
recovery-done = I have written it down
unlock-title = Unlock the vault
unlock-passphrase = Passphrase
unlock-submit = Unlock
unlock-deriving = Checking the passphrase (about a second)…
unlock-forgot = Forgot the passphrase? Use the recovery key
unlock-recovery-key = Recovery key
unlock-recover-submit = Open and set the new passphrase
# Emergency erase (on the unlock screen and in Settings).
erase-title = Emergency erase
erase-summary = If this laptop is about to be taken, the vault can be destroyed here at once, even while it is locked.
erase-open = Erase this vault…
erase-explain = Everything in this vault is destroyed at once and for good: its testimonies, recordings, attachments and received bundles. The passphrase is not needed. Then the start screen opens.
erase-no-undo = There is no undo, and no recovery key brings anything back. Bundles already exported (on a USB stick, or sent to others) are not affected.
erase-limit = Kua overwrites its own files. Copies the disk kept of earlier writes (freed blocks, SSD remapping, snapshots) are out of its reach: only full-disk encryption protects against a laboratory reading the raw disk.
erase-file = The file { $path } is overwritten and removed.
erase-word = ERASE
erase-word-label = To confirm, type this word:
erase-word-hint = Capital or small letters do not matter.
erase-submit = Erase for good
erase-working = Erasing…
erase-after-title = Erase after failed unlocks
erase-after-explain = If someone may be made to try passphrases on this laptop, the vault can erase itself after a number of failed unlocks in a row. Failures are counted even if the app is closed between them; only an unlock resets the count. Off by default.
erase-after-on = Erase the vault after too many failed unlocks
erase-after-limit = Failed unlocks in a row before the vault is erased
erase-after-hint = Between 3 and 100, so that a mistyped passphrase or two never erases it.
erase-after-save = Save this setting
erase-after-saved = Saved: the vault is erased after { $n } failed unlocks in a row.
erase-after-saved-off = Saved: failed unlocks never erase the vault.
error-erase-not-confirmed = The erase was not confirmed, so nothing was destroyed.
error-ipc-refused = Kua's window asked for something it is not allowed to, and it was refused. Nothing was changed. Restart Kua; if this happens again, tell whoever supports your Kua.
nav-label = Main menu
nav-testimonies = Testimonies
nav-custody = Custody log
nav-export = Export
nav-import = Import
nav-received = Received
nav-contacts = Keys and contacts
nav-settings = Settings
lock-now = Lock now
lock-shortcut = Ctrl+Shift+L locks at once
list-title = Testimonies
list-new = New testimony
list-search = Search
list-search-placeholder = Words from the account or any field
list-status = Status
list-template = Template
list-language = Language
list-from = Created from
list-to = to
list-sort = Order
list-any = Any
sort-updated = Last changed first
sort-created = Newest first
sort-created-asc = Oldest first
list-count = Showing { $shown } of { $total }
list-more = Show more
list-no-narrative = (no account written yet)
list-attachments =
    { $n ->
        [one] 1 attachment
       *[other] { $n } attachments
    }
list-empty-title = No testimonies yet
list-empty-explain = Start a new testimony when the interview begins. Record consent first; everything is saved as you type.
new-title = New testimony
new-explain = Choose the form and the language of the account. Nothing is shared until you export it.
new-language = Language of the account
new-interviewer = Interviewer
new-submit = Start
tab-consent = Consent
tab-narrative = Account in their words
tab-attachments = Attachments
tab-history = Versions and log
narrative-explain = Write the account as told, in the person's own words. It is saved as you type.
section-empty = Nothing recorded in this section.
date-placeholder = YYYY-MM-DD
date-format = A year (2022) or a month (2022-01) is enough when the exact day is not remembered.
datetime-placeholder = YYYY-MM-DD HH:MM
datetime-format = Date and time, for example 2022-01-06 14:30.
list-item-add = Add another
list-item-remove = Remove this one
saved = Saved
saved-at = Saved { $time }
saving = Saving…
unsaved = Not saved yet
save-failed = Not saved
created-on = Started { $date }
sealed-on = sealed { $date }
version-n = version { $n }
version-old = an earlier version
version-latest = Show the latest version
version-show = Show
version-reason = Reason for the amendment
version-changed = Changed
version-nothing-changed = nothing
versions-title = Versions
history-title = Custody log of this testimony
change-narrative = the account
change-language = the language
change-consent = consent
change-attachments = attachments
change-interviewer = the interviewer
consent-first = Record the person's informed consent first. A testimony cannot be sealed without it.
consent-title = Informed consent
consent-explain = Explain what will be done with the account and who may see it, then record what the person agreed to. Consent can be changed or withdrawn later.
consent-given-at = When consent was given
consent-method = How
consent-method-oral = Orally
consent-method-written = In writing
consent-method-recorded = Recorded (audio or video)
consent-scope = The account may be
consent-scope-store = kept in this vault
consent-scope-coalition = shared with the coalition's coordinators
consent-scope-legal = shared with lawyers and courts
consent-scope-publish_anonymised = published without identifying details
consent-store-required = Keeping the account in this vault is part of every consent.
consent-anonymous = The person asked to stay anonymous
consent-anonymous-explain = Every export then replaces names and other identifying details with pseudonyms.
consent-recorded-by = Recorded by
consent-conditions = Conditions or parts to keep confidential
consent-save = Save consent
consent-withdraw = Record withdrawal of consent
consent-withdrawn-on = Consent was withdrawn on { $date }. This testimony can no longer be sealed, amended or exported.
seal = Seal…
seal-title = Seal this testimony?
seal-explain = Sealing freezes this version: it can never be changed again, and its fingerprint is signed into the custody log. Later corrections become amendments, and every version stays readable.
seal-needs-consent = Consent has not been recorded.
seal-missing = These required fields are still empty:
seal-recommended = These recommended fields are empty; the record is weaker without them:
seal-confirm = Seal
amend = Amend…
amend-explain = An amendment is a new sealed version. The earlier versions stay as they are, and the log records why the change was made.
amend-reason = Reason for the amendment
amend-nothing-changed = Nothing was changed, so there is nothing to amend. Change a field or the narrative first, or press Cancel.
amend-save = Seal the amendment
attachments-title = Attachments
attachments-drop = Drop photos, documents or recordings here, or
attachments-add = Choose files…
attachments-working = Encrypting into the vault
attachments-none = No attachments yet.
attachments-name = File
attachments-size = Size
attachments-hash = Evidence hash (SHA-256)
attachments-added = Added
attachments-save-copy = Save a copy…
attachment-saved = Saved to { $path }; its evidence hash was checked.
custody-title = Custody log
custody-explain = Every change to this vault is an entry, linked to the one before and signed by this device. Verification checks every link, signature and stored record.
custody-verify = Verify everything
custody-verifying = Verifying
custody-ok = Verified: the vault and its log are intact.
custody-problems =
    { $n ->
        [one] 1 problem found
       *[other] { $n } problems found
    }
custody-counts = { $entries } log entries, { $testimonies } testimonies in { $versions } versions, { $attachments } attachments ({ $bytes }).
custody-head = Signed head
custody-log = Entries ({ $n })
log-time = Time
log-event = Event
log-record = Record
log-detail = Detail
event-vault-created = Vault created
event-created = Testimony started
event-edited = Draft edited
event-sealed = Sealed
event-amended = Amended
event-attachment-added = Attachment added
event-consent-changed = Consent recorded
event-deleted = Erased
event-passphrase-changed = Passphrase changed
event-recovered = Opened with the recovery key
event-exported = Exported
event-imported = Imported
event-log-repaired = Log repaired
event-identity-changed = Identity changed
event-recipients-changed = Recipients changed
event-trust-changed = Trusted senders changed
event-recording-started = Recording started
event-recording-recovered = Recording recovered after an interruption
event-recording-saved = Recording saved (checkpoint)
event-recording-rolled-back = Recording found older than its saved state
event-setting-changed = Setting changed
event-format-upgraded = Vault upgraded to a new format
event-recovery-key-changed = New recovery key made
event-key-rotated = Vault key replaced
event-redacted = Redacted for export
event-link-decided = Decision on one person
problem-attachment-unreadable = Attachment unreadable
problem-content-hash-mismatch = Content differs from what was sealed
problem-custody-bad-signature = Bad signature in the log
problem-custody-chain-broken = Log chain broken
problem-custody-gap = Entries missing from the log
problem-custody-misplaced = Log entry out of place
problem-custody-unreadable = Log entry unreadable
problem-evidence-hash-mismatch = Attachment differs from its evidence hash
problem-orphan-chunks = Stray attachment data
problem-orphan-record = Record not in the log
problem-record-missing = Record missing
problem-record-resurrected = Erased record is back
problem-record-unreadable = Record unreadable
problem-records-inconsistent = A testimony's records do not fit together
problem-unlogged-record = Change not in the log
problem-setting-rolled-back = A setting was put back from an older copy
problem-setting-unreadable = Setting unreadable
problem-unlogged-setting = Setting changed outside Kua
problem-setting-missing = Setting missing
problem-header-damaged = Vault header damaged
export-title = Export a bundle
export-explain = A bundle is one encrypted, signed file for a USB stick. Only the recipients you choose can open it, and only sealed versions whose consent allows it are included.
export-no-recipients = Add a recipient first: the coordinator reads you their key (it starts with age1).
export-to = For
export-which = Which testimonies
export-since-last = Sealed versions not yet sent to them
export-all = Every sealed version
export-chosen = Only these:
export-redact = Replace names and identifying details with pseudonyms
export-redact-explain = Testimonies whose consent asks for anonymity are always pseudonymised.
export-check = Check what will be exported
export-plan =
    { $n ->
        [one] 1 version will be exported
       *[other] { $n } versions will be exported
    }
export-withheld =
    { $n ->
        [one] 1 testimony withheld by consent:
       *[other] { $n } testimonies withheld by consent:
    }
withheld-consent-missing = no consent recorded
withheld-consent-withdrawn = consent withdrawn
withheld-consent-scope = consent does not cover these recipients
withheld-case-details = a case recorded by an earlier build, whose steps hold their details: it cannot be sent as its course
export-run = Choose where to save and export…
export-working = Writing the bundle
export-done = Bundle written
export-done-detail = { $records } versions, { $media } attachments ({ $bytes }).
export-file = File
export-none = No testimony: only the cases chosen below
export-cases = Cases
export-cases-explain = A coalition recipient receives only the course of each case (its steps and their outcomes). Recipients who are all marked legal receive the whole case: petitions, evidence and documents.
export-case-notes = Include privileged notes (only to recipients who are all legal)
export-case-notes-legal = Every recipient chosen is marked legal: the notes go only if you tick this.
export-case-notes-not-legal = Privileged notes can be sent only when every recipient chosen is marked legal (a lawyer or a court).
export-plan-cases-whole =
    { $n ->
        [one] And 1 case, whole.
       *[other] And { $n } cases, whole.
    }
export-plan-cases-course =
    { $n ->
        [one] And 1 case, its course only.
       *[other] And { $n } cases, their course only.
    }
export-plan-cases-notes = With the privileged notes.
export-done-cases =
    { $n ->
        [one] 1 case sent:
       *[other] { $n } cases sent:
    }
import-title = Import bundles
import-explain = Choose bundle files. Each is decrypted and checked completely (signature, every file, the sender's custody log) before anything is imported; nothing changes unless you confirm.
import-choose = Choose bundles…
import-working = Checking the bundle
import-sender = Sender
import-unknown-sender = Not yet trusted
import-created = Created
import-records = Versions
import-redacted = { $n } pseudonymised
import-media = Attachments
import-continuity = Sequence
import-verified = Signature and contents verified.
import-compare-fingerprint = This sender is new. Read the fingerprint aloud with the sender (by phone or in person) before trusting it.
import-compared = I compared the fingerprint with the sender; trust them
import-sender-name = Name to trust them under
import-sender-name-placeholder = for example field-7
import-confirm = Import
import-outcome-imported = Imported: { $records } new versions, { $media } new attachments.
import-outcome-pending = Imported but held: an earlier bundle from this sender has not arrived yet.
import-outcome-already-imported = Already imported; nothing changed.
import-shared-ids = { $n ->
        [one] { $n } record in this bundle has the same id as a record from another sender. They are kept apart; check who sent which.
       *[other] { $n } records in this bundle have the same ids as records from another sender. They are kept apart; check who sent which.
    }
continuity-first = First bundle from this sender
continuity-extends = Continues the previous bundles
continuity-late = An earlier bundle, arriving late
continuity-gap = { $n } earlier bundles have not arrived
continuity-fork = Conflicts with what this sender sent before (at entry { $at })
continuity-replay = Imported before
continuity-unknown = Not compared
received-title = Received testimonies
received-explain = Records imported from bundles, each with where it came from.
received-empty = Nothing received yet.
received-pending = Held
received-from = from { $sender }
provenance-title = Provenance
provenance-bundle = Bundle
provenance-imported = Imported
provenance-redacted = Pseudonymised
contacts-title = Keys and contacts
identity-title = This vault
identity-explain = Read the fingerprint aloud when someone adds you, so both sides know the key is right.
identity-age = Bundles for this vault go to
identity-minisign = Signing key
recipients-title = Recipients
recipients-explain = Coordinators and lawyers your bundles are encrypted to.
recipient-legal = lawyer or court
trusted-title = Trusted senders
trusted-explain = Devices whose bundles this vault accepts. Compare the fingerprint with the sender before adding.
trusted-key = Signing key (minisign)
trusted-from-file = From a .pub file…
settings-title = Settings
settings-language = Language
settings-autolock = Lock after this many minutes without input
settings-autolock-explain = Locking clears the screen and drops the keys; the passphrase is needed again.
settings-zoom = Size of text and screen
settings-zoom-explain = Makes everything larger or smaller, as on a web page. Ctrl + and Ctrl − change it anywhere in Kua; Ctrl 0 goes back to 100 %.
settings-vault = Vault
settings-vault-file = File
settings-vault-id = Vault id
settings-passphrase = Change the passphrase
settings-passphrase-current = Current passphrase
settings-passphrase-submit = Change
settings-passphrase-changed = The passphrase was changed. The recovery key still works.
settings-key-rotated = The passphrase and the vault key were changed: an old copy of the vault file and the old passphrase or recovery key no longer open it. Write down the new recovery key below; the old one no longer works.
settings-rotate = Also replace the vault key and the recovery key
settings-rotate-explain = Choose this if the old passphrase may be known to someone who also has, or had, a copy of the vault file (a seized laptop, a backup). Testimonies written from now on, and later edits of drafts, are then out of their reach; what that copy already held stays readable to them.
settings-recovery = Recovery key
settings-recovery-explain = Make a new recovery key if the old one is lost, may have been seen, or the check says its slot is damaged. The old key stops opening this file (it still opens copies made before now).
settings-recovery-submit = Make a new recovery key
settings-recovery-changed = A new recovery key was made; the old one no longer opens this file.
settings-recovery-written = I have written it down
linkage-title = Coalition linkage secret
linkage-explain = Interviewers of one coalition share this secret. With it, redacted testimonies carry match keys: the coordinator can tell that two of them are probably one person, without being able to read the names.
linkage-hand = Create it in one interviewer's vault and give it to the other interviewers by hand: read it out, or on paper that is then destroyed; never by e-mail or messenger. Never give it to the coordinator: whoever holds it can read the names back from redacted testimonies.
linkage-anonymous = Testimonies whose consent asks for anonymity never carry match keys.
linkage-none = This vault has no linkage secret: it sends redacted testimonies with no match keys.
linkage-create = Create a secret
linkage-enter-open = Enter a secret…
linkage-enter-label = The secret another interviewer gave you
linkage-enter-hint = 56 letters and digits in 14 groups of four. Capitals, spaces and dashes do not matter.
linkage-enter-submit = Enter the secret
linkage-enter-bad = That is not a linkage secret, or it has a typing mistake. Compare it letter by letter with the one you were given.
linkage-entered = Entered; key id { $id }.
linkage-key-id = Key id
linkage-key-id-explain = Every interviewer who holds the same secret sees the same key id.
linkage-reveal-open = Show the secret…
linkage-reveal-explain = To give it to an interviewer who joins the coalition. The passphrase is needed.
linkage-reveal-submit = Show the secret
linkage-forget-open = Forget the secret…
linkage-forget-explain = This vault's redacted testimonies then go out with no match keys, so the coordinator can no longer match them with other testimonies of the same person. Bundles already sent do not change.
linkage-forget-confirm = I understand later bundles carry no match keys
linkage-forget-submit = Forget the secret
linkage-forgotten = The secret was forgotten: later bundles carry no match keys.
linkage-shown-title = The linkage secret
linkage-shown-explain = Write it down now, or read it out to the interviewers who need it. It is shown again only with the passphrase.
header-damaged = Part of the vault's header is damaged ({ $parts }). Run the check on the log screen; restore the file from a backup if more is damaged.
header-damaged-recovery = The recovery key's slot in the vault header is damaged: the recovery key no longer opens the vault. Make a new recovery key in Settings now, while the passphrase works.
error-unknown = Something went wrong (code { $code }). Nothing was lost; try again.
error-wrong-passphrase = That passphrase does not open this vault. Check the keyboard layout and Caps Lock, and try again.
error-no-vault = The vault file is not there. Was the drive removed?
error-vault-exists = A vault already exists there. Choose another place.
error-not-a-vault = That file is not a Kua vault, or its header is damaged.
error-unsupported-format = This vault was written by a newer Kua. Update Kua to open it.
error-integrity = Stored data was altered or damaged. Run a verification from the custody log screen.
error-testimony-not-found = That testimony is not in this vault.
error-version-not-found = That version does not exist.
error-attachment-not-found = That attachment is not in this vault.
error-template-not-found = That form template is not installed.
error-invalid-content = Some fields are not valid; they are marked in red.
error-bad-input = That input was not accepted; check it and try again.
error-sealed = This version is sealed and cannot change. Use Amend.
error-not-sealed = Seal this testimony first; then it can be amended.
error-consent-missing = Record consent (including keeping it in this vault) before sealing.
error-consent-withdrawn = Consent was withdrawn; this testimony can no longer be sealed or amended.
error-evidence-hash-mismatch = The attachment does not match its evidence hash: the vault is damaged. Nothing was written.
error-disk-full = The disk is full. Free some space and try again; nothing was lost.
error-file-too-large = The file is too large for that drive (a FAT32 stick holds files up to 4 GB). Nothing was lost: write to a drive formatted exFAT, NTFS or ext4, or export fewer testimonies at once.
error-read-only = The vault's drive or folder is read-only, so nothing can be saved. Nothing was lost: make it writable, or copy the vault somewhere writable, and try again.
error-io = The disk could not be read or written. Check the drive and try again.
error-file = The file could not be read or written. Is the USB stick still there and writable?
error-storage = The vault could not be written. Nothing was lost; try again.
error-locked = The vault is locked. Unlock it again.
error-vault-busy = Another Kua window or command has this vault open. Close it and try again.
error-untrusted-sender = This sender is not trusted yet. Compare the fingerprint with them, then confirm.
error-no-vault-open = No vault is open. Create or open one.
error-not-granted = That file was not chosen in this window. Choose it again.
error-vault-not-writable = That is the vault itself; it cannot be written over. Choose another file.
error-internal = The operation stopped unexpectedly. Nothing was lost; try again.
error-bundle-not-for-you = This bundle is not encrypted to this vault.
error-bundle-corrupt = The bundle is damaged or was altered. Ask for a new copy.
error-bundle-case-id-taken = The bundle carries a case under the id of a record of this vault. Nothing was imported; ask the sender.
error-bundle-truncated = The bundle is incomplete (was the USB stick pulled out while copying?). Ask for a new copy.
error-bundle-unsupported-version = This bundle was written by a newer Kua. Update Kua.
error-bundle-bad-manifest = The bundle's table of contents is damaged.
error-bundle-bad-signature = The bundle's signature does not verify: it was altered or is not from this sender.
error-bundle-unlisted-file = The bundle contains a file it does not declare.
error-bundle-missing-file = A file the bundle declares is missing.
error-bundle-hash-mismatch = A file in the bundle differs from its recorded hash.
error-bundle-trailing-data = The bundle has extra data after its end.
error-bundle-rejected = The bundle failed a check and was not imported.
error-bundle-conflict = The bundle changes a record this vault already has from this sender. Nothing was imported.
error-bundle-fork = The sender's log contradicts what they sent before. Nothing was imported; contact the sender.
error-bundle-readdressed = The bundle was re-addressed to this vault after it was signed. Nothing was imported.
error-bundle-header-too-large = The bundle's encryption header is far larger than any bundle's: the file was crafted. Nothing was read.
error-bundle-not-plain-file = The bundle holds a link, a folder or a special archive header instead of a plain file. It was refused.
error-bundle-bad-path = The bundle names a file it may not hold (a path out of its folder, or media not named by its fingerprint). It was refused.
error-bundle-id-reused = This sender signed another bundle with the same id before. Two bundles under one id mean the sender's key may be in other hands. Nothing was imported; contact the sender.
error-bundle-not-as-logged = The bundle does not hold what the sender's log says was sent under its id: it may be a forgery. Nothing was imported; contact the sender.
error-bundle-redaction-unlogged = A redacted record in the bundle is not one its sender logged: its text may have been replaced. Nothing was imported; ask the sender to export it again with a current Kua.
error-received-ambiguous = Records with this id came from several senders. Choose the sender.

## Recording
tab-recording = Recording
recording-title = Record the interview
recording-explain = The recording is encrypted as it is made and saved every second: if the laptop crashes or loses power, at most the last two seconds are lost, and the rest is recovered when the vault is next unlocked.
recording-elsewhere = A recording is running in another testimony.
recording-go = Go to that recording
recording-no-device = No microphone was found. Connect one, or check the sound settings.
recording-device = Microphone
recording-default = default
recording-start = Start recording
recording-live = Recording
recording-paused = Paused
recording-level = Input level
recording-space = Free space: { $size } (about { $hours } hours of speech)
recording-pause = Pause
recording-resume = Resume
recording-stop = Stop and save
recording-saved = Saved as { $name }. Evidence hash:
recording-now = Recording
recording-recovered =
    { $count ->
        [one] { $count } interrupted recording was recovered and saved as an attachment; the custody log says so.
       *[other] { $count } interrupted recordings were recovered and saved as attachments; the custody log says so.
    }
recording-recovery-failed = Interrupted recordings could not be recovered now ({ $reason }). Nothing was discarded: the next unlock tries again.
dismiss = Dismiss
marker-title = Markers
marker-section = Section
marker-note = Note
marker-add = Add marker
media-play = Play
media-play-named = Play { $name }
media-error = This file cannot be played here. Save a copy to open it in another program.
error-audio-no-such-device = That microphone is no longer connected. Choose another one.
error-audio-no-device = No microphone was found. Connect one, or check the sound settings.
error-audio-device = The microphone could not be opened. Check that no other program uses it.
error-audio-device-gone = The microphone stopped sending sound (unplugged?). What was recorded until then is saved.
error-audio-codec = The audio could not be encoded. What was recorded until then is saved.
error-audio-format = This is not an audio file Kua can read.
error-recording-running = A recording is already running. Stop it first.
error-recording-ended = No recording is running.
error-recording-stuck = The microphone did not respond to Stop. What was recorded is kept and finished the next time the vault is unlocked.
error-disk-low = The disk is almost full, so the recording was stopped and saved. Free some space before recording again.
error-not-playable = Only audio and video play in the app. Save a copy to open other files.
error-too-large-to-play = This file is too large to play in the app (over 512 MB). Save a copy to play it in another program.
error-header-damaged = Part of the vault header is damaged. If the vault still opens, run the check on the log screen and make a new recovery key; otherwise restore the file from a backup.
# The coordinator's dashboard.
nav-dashboard = Dashboard
dash-title = Dashboard
dash-explain = Counts of testimonies: the latest sealed version of every testimony of this vault and of every record received from senders. Every filter applies to every chart. Choose a bar or a category to list its testimonies.
dash-filters = Filters
dash-filter-any = any
dash-filter-n = { $n } chosen
dash-filter-clear = Clear this filter
dash-from = Events from
dash-to = Events until
dash-date-format = YYYY, YYYY-MM or YYYY-MM-DD
dash-drafts = Include drafts
dash-public = For publication (withhold counts under 5)
dash-public-explain = A count from 1 to 4 could point to a person: it is shown as “<5”, and enough other counts are withheld that it cannot be worked out from them.
dash-empty-categories = Show categories with no testimonies
dash-loading = Counting…
dash-nothing = No testimony matches these filters.
dash-notes = What the counts leave out
dash-note-withdrawn =
    { $n ->
        [one] 1 testimony whose consent was withdrawn is not counted.
       *[other] { $n } testimonies whose consent was withdrawn are not counted.
    }
dash-note-unreadable =
    { $n ->
        [one] 1 record could not be read and is not counted (the check on the custody log screen names it).
       *[other] { $n } records could not be read and are not counted (the check on the custody log screen names them).
    }
dash-note-inconsistent =
    { $n ->
        [one] 1 testimony whose records do not fit together (an earlier version missing or unreadable, or two consent records) is not counted (the check on the custody log screen names it).
       *[other] { $n } testimonies whose records do not fit together (an earlier version missing or unreadable, or two consent records) are not counted (the check on the custody log screen names them).
    }
dash-note-drafts =
    { $n ->
        [one] 1 draft is counted.
       *[other] { $n } drafts are counted.
    }
dash-note-no-date =
    { $n ->
        [one] 1 testimony has no date of the events and is left out by the date range.
       *[other] { $n } testimonies have no date of the events and are left out by the date range.
    }
dash-note-imprecise =
    { $n ->
        [one] 1 testimony has a date too approximate to place in the range (a year, or a month across its edge) and is left out.
       *[other] { $n } testimonies have a date too approximate to place in the range (a year, or a month across its edge) and are left out.
    }
dash-note-unreadable-decisions =
    { $n ->
        [one] 1 reviewer's decision could not be read and is left out, so persons may be joined or split otherwise than decided (the check on the custody log screen names it).
       *[other] { $n } reviewers' decisions could not be read and are left out, so persons may be joined or split otherwise than decided (the check on the custody log screen names them).
    }
dash-not-recorded = Not recorded
dim-region = Region of the events
dim-place_region = Region of a place of detention
dim-place_type = Type of place of detention
dim-agency = Agency of a perpetrator
dim-detaining_authority = Detaining authority
dim-method = Method of ill-treatment
dim-month = Month of the events
dim-year = Year of the events
dim-sex = Sex
dim-age_band = Age at the events
dim-language = Language of the interview
dim-source = Source
dim-role = Role of the person interviewed
dim-injury_region = Body region of an injury
dim-lesion_type = Type of injury
dash-records =
    { $n ->
        [one] 1 testimony
       *[other] { $n } testimonies
    }
dash-records-withheld = fewer than 5 testimonies
dash-multi-note = A testimony may count under several categories: shares are of all { $n } testimonies and may add up to more than 100%.
dash-chart-label = Chart: { $dimension }, { $records }. The table beside it gives the same numbers.
dash-category = Category
dash-count = Testimonies
dash-share = Share
dash-share-of = % of { $n }
dash-total = All testimonies in the selection
dash-withheld = <5
dash-show-records = list its testimonies
dash-save-svg = Save as SVG…
dash-save-png = Save as PNG…
dash-saved = Chart saved to { $path }
dash-drill-title = Testimonies in “{ $category }”
dash-drill-count =
    { $n ->
        [one] 1 testimony
       *[other] { $n } testimonies
    }
dash-drill-loading = Finding the testimonies…
dash-drill-empty = No testimony is in this category.
dash-drill-id = Record
dash-drill-source = Source
dash-drill-version = Version
dash-drill-status = Status
dash-drill-open = Open
dash-drill-open-label = Open { $id }
dash-drill-close = Close the list
dash-drill-title-persons = Persons in “{ $category }”
dash-drill-count-persons =
    { $persons ->
        [one] 1 person
       *[other] { $persons } persons
    }, { $n ->
        [one] 1 testimony
       *[other] { $n } testimonies
    }
dash-drill-persons-hint = Each person is listed with all their testimonies in the selection, also those that do not name this category.
dash-drill-empty-persons = No person is in this category.
dash-drill-person = Person
dash-drill-person-open-label = Open person { $id }
dash-source-own = This vault
dash-cross-title = Cross-tabulation
dash-cross-explain = Choose two dimensions: each cell counts the testimonies in both categories; the margins count those in each category.
dash-cross-rows = Rows
dash-cross-cols = Columns
dash-cross-choose = Choose…
dash-cross-caption = { $rows } by { $cols }
dash-cross-multi = A testimony may count under several categories of { $dimension }, so its rows or columns may add up to more than the total.
dash-cross-cell = { $row }, { $col }: { $count }
dash-intake-title = Intake from senders
dash-intake-explain = What has come in from each sender whose bundles this vault accepts.
dash-intake-sender = Sender
dash-intake-records = Records received
dash-intake-last = Last import
dash-intake-pending = Held
dash-intake-never = not yet
dash-intake-empty = No sender is trusted yet and nothing was received.
dash-intake-pending-note = Held records wait for an earlier bundle from the same sender: until it is imported there is a gap in that sender's custody chain. Ask the sender for the missing bundle.
dash-complaints-title = Complaints
dash-complaints-explain = Lawyers' cases, own and received: each complaint is counted once, in its fullest copy. The filters above do not apply here.
dash-complaints-published = Counts of complaints are not part of the published figures.
dash-complaints-total =
    { $n ->
        [one] 1 complaint, counted once: { $own } own, { $received } received.
       *[other] { $n } complaints, each counted once: { $own } own, { $received } received.
    }
dash-complaints-count = Complaints
dash-complaints-by-state = Complaints by their stage now
dash-complaints-ever = Complaints that ever reached each stage
dash-complaints-ever-note = A complaint counts once in every stage it reached, so these rows do not add up to the total.
dash-complaints-by-ground = Terminated complaints by ground of termination
dash-complaints-all = All complaints
dash-complaints-terminated = All terminated complaints
dash-dataset-title = Dataset for analysts
dash-dataset-explain = A new folder of tables with a codebook, labels in the language of this screen. Only coded fields go out (no account, no names, no field marked identifying), only sealed testimonies, and only those whose consent covers the coalition.
dash-dataset-format = Format
dash-dataset-csv = CSV (spreadsheets)
dash-dataset-json = JSON
dash-dataset-run = Export dataset for analysts…
dash-dataset-working = Writing the dataset…
dash-dataset-done = Dataset written to { $path }
dash-dataset-file = File
dash-dataset-rows = Rows
dash-dataset-records =
    { $n ->
        [one] 1 testimony exported.
       *[other] { $n } testimonies exported.
    }
dash-dataset-withheld-consent =
    { $n ->
        [one] 1 testimony left out: its consent does not cover the coalition, or was withdrawn.
       *[other] { $n } testimonies left out: their consent does not cover the coalition, or was withdrawn.
    }
dash-dataset-drafts =
    { $n ->
        [one] 1 draft left out.
       *[other] { $n } drafts left out.
    }
error-unknown-dimension = The counts have no such dimension.
error-unknown-code = A filter names a category the form does not have. Clear the filters and choose again.
error-bad-date = Not a date: write YYYY-MM-DD, YYYY-MM or YYYY (for example 2022-01).
error-bad-filter = A filter could not be read. Clear the filters and choose again.
error-too-many-dimensions = Counts go by at most two dimensions at once.
error-repeated-dimension = Choose two different dimensions.
error-write-failed = The files could not be written. Check that the folder exists, is writable and has free space, then try again.
error-folder-not-empty = That folder already exists and is not empty. Choose a new or empty folder, so that no earlier export is mixed in.

dash-withheld-complement = x
dash-public-whole = Published figures are of the whole vault, sealed testimonies whose consent covers the coalition or anonymised publication, one dimension at a time: filters, dates, drafts and the cross-tab are off, since two narrower tables could be subtracted to work out a withheld count. “x” marks a count of any size withheld so that a small one cannot be worked out.
dash-crosstab-public = The cross-tab is not available for publication: its cells could be worked out from the published tables.
dash-note-consent =
    { $n ->
        [one] 1 testimony whose consent covers neither the coalition nor anonymised publication is left out of published figures.
       *[other] { $n } testimonies whose consent covers neither the coalition nor anonymised publication are left out of published figures.
    }
dash-note-consent-withheld = Fewer than 5 testimonies whose consent covers neither the coalition nor anonymised publication are left out of published figures.
dash-note-withdrawn-withheld = Fewer than 5 testimonies whose consent was withdrawn are not counted.
dash-note-unreadable-withheld = Fewer than 5 records could not be read and are not counted.
dash-note-inconsistent-withheld = Fewer than 5 testimonies whose records do not fit together are not counted.
error-same-list = Regions and types of places of detention, like body regions and types of injury, are counted per testimony, so together they would pair one place's region with another's type (or one injury's region with another's type). Count by one of them; for places, the dataset's table of places has both.
error-bad-range = The date range ends before it starts.
error-public-selection = Published figures are of the whole vault by one dimension (not by sender), without filters, dates, drafts or a second dimension.
dash-dataset-unreadable =
    { $n ->
        [one] 1 record could not be read and is not in the dataset (the check on the custody log screen names it).
       *[other] { $n } records could not be read and are not in the dataset (the check on the custody log screen names them).
    }
dash-dataset-inconsistent =
    { $n ->
        [one] 1 testimony whose records do not fit together is not in the dataset (the check on the custody log screen names it).
       *[other] { $n } testimonies whose records do not fit together are not in the dataset (the check on the custody log screen names them).
    }

# Persons: counting each survivor once.
nav-persons = Persons
persons-title = Persons
persons-explain = One person may have given several testimonies, here or to a sender. Records that are almost certainly one person are linked automatically; doubtful pairs wait in the review queue. A reviewer's decision always wins over an automatic link, and can be undone. The dashboard can count each person once.
persons-about = About counting each person once
persons-parts = Parts of this screen
persons-tab-queue = Review queue
persons-tab-list = All persons
persons-queue-loading = Finding pairs to review…
persons-queue-empty-title = Nothing to review
persons-queue-empty = No pair of records is waiting for a reviewer. New testimonies and imported bundles may bring new ones.
persons-queue-position = Pair { $n } of { $total }
persons-skip = Skip to the next pair
persons-compare-title = Are these two records the same person?
persons-compare-caption = The two records side by side, field by field, with how each field compares.
persons-score = Likelihood of one person: { $score }
persons-score-label = Likelihood of one person
persons-band-auto = Linked automatically
persons-band-review = Left to a reviewer
persons-band-not_linked = Not linked automatically
persons-same-now = Counted as one person now
persons-separate-now = Counted as two persons now
persons-hard-conflict = These records contradict each other (different sex, or dates of birth years apart), so they are never linked automatically. Choose “Same person” only if you know one of them is wrong.
persons-conflict = Contradiction
persons-decided-before = Decided before: { $verdict } (no. { $n }, { $time })
persons-field = Field
persons-record-a = First record
persons-record-b = Second record
persons-verdict = How it compares
persons-not-scored = Not scored; for the reviewer
persons-redacted = hidden by the sender (pseudonymised)
persons-record-unreadable = could not be read
persons-tone-agree = Agrees
persons-tone-disagree = Disagrees
persons-tone-neutral = Neither for nor against
persons-tone-silent = Not weighed (says little)
persons-tone-none = Not compared (missing)
persons-weight = { $weight } bits
persons-feature-name = Name
persons-feature-birth_date = Date of birth
persons-feature-age = Age
persons-feature-sex = Sex
persons-feature-region = Region of the events
persons-feature-events_date = Date of the events
persons-feature-person_code = Person code
persons-level-exact = the same
persons-level-close = nearly the same
persons-level-similar = similar
persons-level-loosely_similar = somewhat similar
persons-level-differ = different
persons-level-compatible = compatible (one is less precise)
persons-level-within_a_year = within a year
persons-level-years_apart = years apart
persons-level-within_three_years = within three years
persons-level-same = the same
persons-level-within_a_month = within a month
persons-level-months_apart = months apart
persons-note = Note (optional)
persons-note-hint = Why you decided, for whoever reviews this later. It is kept encrypted with the decision.
persons-decide-label = Your decision
persons-verdict-same = Same person
persons-verdict-different = Different persons
persons-verdict-unsure = Not sure
persons-shortcuts = Keys: S same person, D different persons, U not sure (not while typing in a field).
persons-decided = Decision no. { $n } recorded: { $verdict }.
persons-undone = Decision no. { $n } was undone; the pair is back as it was.
persons-undo = Undo
persons-undo-label = Undo decision no. { $n }
persons-summary =
    { $persons ->
        [one] 1 person
       *[other] { $persons } persons
    } in { $records ->
        [one] 1 record
       *[other] { $records } records
    }
persons-records =
    { $n ->
        [one] 1 record
       *[other] { $n } records
    }
persons-linked-only = Only persons with more than one record
persons-flagged-only = Only persons flagged for a look
persons-none = No person matches.
persons-list-empty = No sealed testimony or received record yet: persons are found among sealed records.
persons-unreadable-decisions =
    { $n ->
        [one] 1 reviewer's decision could not be read and is left out, so persons may be joined or split otherwise than decided. Run “Verify everything” on the custody log screen.
       *[other] { $n } reviewers' decisions could not be read and are left out, so persons may be joined or split otherwise than decided. Run “Verify everything” on the custody log screen.
    }
persons-flag-large = Many records
persons-flag-weak_pair = Weak link
persons-flag-conflicting_decisions = Conflicting decisions
persons-flag-explain-large = Many records: a chain of links may have joined namesakes. Check its pairs.
persons-flag-explain-weak_pair = Weak link: two of its records score low or contradict each other.
persons-flag-explain-conflicting_decisions = Conflicting decisions: reviewers said “same person” along a chain whose two ends they said are different persons.
persons-person = Person { $id }
persons-records-title = Its records
persons-pairs-title = How its records compare
persons-pairs-none = One record: nothing to compare.
persons-pairs-too-many = This person has more than 40 records, so its pairs are not compared one by one. Check its flagged pairs in the review queue.
persons-pairs-explain = Each pair of its records, with the likelihood that they are one person and why. Compare a pair to decide on it.
persons-pair-records = Records
persons-pair-state = Linked by
persons-reasons = Why
persons-compare = Compare
persons-compare-label = Compare { $a } and { $b }
persons-compare-close = Close the comparison
persons-decisions-title = Decisions
persons-decisions-none = No reviewer has decided on these records.
persons-decision-number = No.
persons-decision-verdict = Decision
persons-decision-records = Records
persons-decision-note = Note
persons-decision-time = When
persons-decision-state = Stands
persons-undoes = Undoes no. { $n }
persons-state-in_force = In force
persons-state-undone = Undone
persons-state-replaced = Replaced by a later decision
persons-state-undo = Takes a decision back
persons-open = Person
dash-count-unit = Count
dash-count-testimonies = Testimonies
dash-count-persons = Persons (each once)
dash-count-testimonies-explain = Each testimony counts once: a person who gave several testimonies counts several times.
dash-count-persons-explain = Each person counts once in every category any of their testimonies names, however many testimonies they gave. Records are joined by automatic links and reviewers' decisions (the Persons screen). What the counts leave out is still told in testimonies.
dash-nothing-persons = No person matches these filters.
dash-persons =
    { $n ->
        [one] 1 person
       *[other] { $n } persons
    }
dash-persons-withheld = fewer than 5 persons
dash-multi-note-persons = A person may count under several categories: shares are of all { $n } persons and may add up to more than 100%.
dash-count-persons-column = Persons
dash-total-persons = All persons in the selection
dash-cross-explain-persons = Choose two dimensions: each cell counts the persons in both categories (each once, however many testimonies they gave); the margins count those in each category.
dash-cross-multi-persons = A person may count under several categories of { $dimension }, so its rows or columns may add up to more than the total.
error-unknown-record = This record is not counted, so it belongs to no person: drafts, records whose consent was withdrawn and records held until an earlier bundle arrives are not linked.
error-unknown-person = That person is no longer there: a decision may have joined it to another or split it. Open the list of persons again.
error-persons-not-linked = Persons could not be counted: the records are not linked yet. Try again.
error-ambiguous-record = Two records from different senders have this id: a bundle reused another record's id. They are kept apart, and no decision can name them. Compare both under Received.
error-persons-incomplete = Persons cannot be published now: some reviewers' decisions could not be read, or records from two senders share an id, so persons may be joined or split otherwise than decided. Run Verify, repair the vault from a backup or ask the sender, then publish.
error-linkage-secret-invalid = That is not the linkage secret: it has 56 letters and digits in 14 groups of four, and its last letters check the rest. Compare it letter by letter with the one you were given.
error-linkage-secret-exists = This vault already has a linkage secret. Forget it first, and only if the coalition really changed it.
error-vault-changed = The vault kept changing while persons were being linked. Try again.
persons-ambiguous-records = Records from different senders share an id ({ $ids }): a bundle reused another record's id. They are kept apart as separate persons, and no decision can name them. Ask the senders which copy is theirs.

# Cases: a lawyer's case files (the course of a complaint, petitions, evidence, notes).
# Every state, step, ground, outcome and kind is labelled by the course table
# (assets/cases/course.json), never here.
event-case-recorded = Recorded in a case
event-case-imported = Case imported
event-report-saved = Report saved
event-disclosed = Disclosed to a court
nav-cases = Cases
nav-deadlines = Deadlines
cases-title = Cases
cases-explain = One case per client: where the complaint's course stands, what falls due next, the petitions, the evidence to preserve and privileged notes. The most urgent cases come first.
cases-caption = Cases, most urgent first
cases-count =
    { $n ->
        [one] 1 case
       *[other] { $n } cases
    }
cases-empty-title = No case yet
cases-empty-explain = Open a case for a client whose testimony is in this vault (own or received) to follow the complaint's course and its deadlines.
case-new = New case
case-new-title = Open a case
case-new-submit = Open the case
case-new-no-client = A case is opened for a client's testimony, and this vault holds none yet. Record the testimony first, or import it.
case-client = Client
case-client-hint = The client's testimony: one recorded here or a received record. The first characters of its id are shown.
case-title-label = Title (optional)
case-title-hint = A short name for the case, for example the place and month of the events.
case-title-column = Case
case-untitled = Untitled case
case-heading = Case
case-state = Stage
case-next-deadline = Next deadline
case-no-deadline = None
case-overdue = Overdue
case-open-petitions = Petitions awaiting a decision
case-opened = opened { $date }
case-unreadable =
    { $n ->
        [one] 1 entry of this case could not be read and is left out ({ $entries }). Run “Verify everything” on the custody log screen.
       *[other] { $n } entries of this case could not be read and are left out ({ $entries }). Run “Verify everything” on the custody log screen.
    }
case-parts = Parts of the case
case-tab-course = Course
case-tab-petitions = Petitions
case-tab-evidence = Evidence
case-tab-circumstances = Not examined
case-tab-documents = Documents
case-tab-testimonies = Testimonies
case-tab-notes = Privileged notes
case-deadlines-title = Open deadlines
case-deadlines-none = No open deadline in this case.
case-due-overdue =
    { $n ->
        [one] overdue by 1 day
       *[other] overdue by { $n } days
    }
case-due-today = due today
case-due-in =
    { $n ->
        [one] in 1 day
       *[other] in { $n } days
    }
case-choose = Choose…
case-none = None
case-date = Date
case-date-format = Write the day as YYYY-MM-DD, for example 2024-03-15.
case-date-invalid = Not a day: write it as YYYY-MM-DD, for example 2024-03-15.
case-remark = Remark (optional)
case-timeline-title = Course of the complaint
case-timeline-empty = Nothing recorded yet: the case stands at “{ $state }”.
case-state-after = Stage after it
case-mark-beside = Beside the course
case-mark-awaiting = Awaiting a decision
case-mark-void = Void (recorded by mistake)
case-mark-corrected =
    { $n ->
        [one] Corrected
       *[other] Corrected { $n } times
    }
case-body = Issuing body
case-number = ERDR number
case-article = Criminal Code article
case-ground = Ground
case-outcome = Outcome
case-document-ref = Document
case-document-missing = a document no longer in this case
case-step-title = Record the next step
case-step-explain = The case stands at “{ $state }”. Only the steps the course allows from here are offered.
case-step-kind = Step
case-step-choose = Choose the step…
case-track-main = Course of the complaint
case-track-beside = Complaints beside the course
case-step-none = The course allows no further step from this stage.
case-step-date = Date of the decision or step
case-step-deadline = Next deadline
case-step-deadline-hint = The last day for what this step opens, for example an appeal (YYYY-MM-DD, optional).
case-step-note = Remark
case-step-note-hint = A short remark anyone reading the case may see. Privileged thoughts go in the privileged notes.
case-step-answers = The complaint this decides
case-step-submit = Record the step
case-step-recorded = Recorded: { $step }.
case-petitions-title = Petitions
case-petitions-none = No petition filed yet.
case-petition-kind = Kind of petition
case-petition-asked = What was asked
case-petition-to = Filed with
case-petition-filed-on = Filed on
case-petition-due = Decision due
case-petition-due-hint = Leave empty for 3 days after filing (Criminal Procedure Code, art. 99).
case-petition-decision = Decision
case-petition-awaiting = Awaiting a decision
case-petition-decide = Record the decision
case-petition-decide-submit = Record the decision
case-decision-date = Date of the decision
case-petition-refile = File again
case-petition-refiles = Files again
case-petition-refiles-of = the refused petition filed on { $date }
case-petition-refiled = Filed again
case-petition-refiled-on = on { $date }
case-petition-new-title = File a petition
case-petition-refile-title = File a refused petition again
case-petition-refiling = This petition files again the one refused, filed on { $date }. Change what was asked if needed.
case-petition-submit = Record the petition
case-petition-filed = The petition was recorded.
case-evidence-title = Evidence to preserve
case-evidence-explain = Recordings and registers are overwritten or destroyed after a time: note each one with the day it must be requested by, and what became of it.
case-evidence-none = No evidence noted yet.
case-evidence-kind = Kind of evidence
case-evidence-what = What it is (the camera, the register, the record)
case-evidence-place = Where
case-evidence-window = Time it must cover
case-evidence-from = From
case-evidence-to = To
case-evidence-window-hint = A day (YYYY-MM-DD) or a day and time (YYYY-MM-DD HH:MM).
case-evidence-deadline = Request by
case-evidence-deadline-hint = The last day to request it before it is lost (YYYY-MM-DD, optional).
case-evidence-status = What became of it
case-evidence-status-change = Record what became of it
case-evidence-status-submit = Record
case-evidence-petition = Requested by the petition
case-evidence-by-petition = petition: { $kind }
case-evidence-history = History
case-evidence-new-title = Note evidence to preserve
case-evidence-submit = Add the evidence
case-evidence-added = The evidence was added.
case-circumstances-title = Circumstances not examined
case-circumstances-explain = What the client raised that the investigation must examine. Each stays on the list until the investigation's own record shows it examined.
case-circumstances-none = No circumstance noted yet.
case-circumstances-open = { $n } of { $total } not examined yet.
case-circumstance-examined = Examined
case-circumstance-not-examined = Not examined
case-circumstance-mark = Mark as examined
case-circumstance-examined-on = Examined on
case-circumstance-mark-submit = Mark as examined
case-circumstance-new = A circumstance to be examined
case-circumstance-submit = Add the circumstance
case-circumstance-added = The circumstance was added.
case-documents-title = Documents
case-documents-none = No document in this case yet.
case-document-kind = Kind of document
case-document-title = Title
case-document-date = Date of the document
case-document-new-title = Add a document
case-document-add = Choose the file and add it…
case-document-save-label = Save a copy of { $name }…
case-documents-added =
    { $n ->
        [one] The document was added, with its evidence hash.
       *[other] { $n } documents were added, with their evidence hashes.
    }
case-testimonies-title = Testimonies of the case
case-testimony-client = The client's testimony
case-testimony-linked-one = Linked testimony
case-testimony-received = Received
case-testimony-open = Open
case-testimony-open-label = Open testimony { $id }
case-testimony-link = Link another testimony of the client
case-testimony-link-submit = Link it to the case
case-testimony-linked = The testimony was linked to the case.
case-notes-title = Privileged notes
case-notes-explain = Lawyer–client privileged notes. They are hidden unless you show them, and never leave the vault except to a recipient you mark as a lawyer.
case-notes-count =
    { $n ->
        [0] No privileged note.
        [one] 1 privileged note.
       *[other] { $n } privileged notes.
    }
case-notes-show = Show privileged notes
case-notes-none = No privileged note yet.
case-note-n = Note { $n }
case-note-draft = Draft
case-note-sealed = Sealed
case-note-written = Written { $date }
case-note-changed = changed { $date }
case-note-history =
    { $n ->
        [one] 1 earlier text
       *[other] { $n } earlier texts
    }
case-note-edit = Change the text
case-note-new-text = New text of this note
case-note-save-text = Save the new text
case-note-seal = Seal…
case-note-seal-explain = A sealed note never changes again; its earlier texts stay with it. Seal this note?
case-note-seal-confirm = Seal this note
case-note-new = New privileged note
case-note-new-hint = Kept encrypted. While the notes are hidden, only their number is shown.
case-note-seal-now = Seal it at once (it can never be changed)
case-note-submit = Save the note
case-note-saved = The note was saved.
case-erase-title = Erase this case
case-erase-summary = Erases the case for good: its course, petitions, evidence, notes and documents. The client's testimonies stay.
case-erase-open = Erase this case…
case-erase-explain = Everything recorded in this case and its documents is destroyed for good; only a mark that a case was erased stays in the custody log. There is no undo.
case-erase-submit = Erase the case for good
deadlines-title = Deadlines
deadlines-explain = Every open deadline of every case, counted from today ({ $today }): overdue first, then today's, then the upcoming ones.
deadlines-none = No open deadline in any case.
deadlines-group-overdue = Overdue
deadlines-group-today = Due today
deadlines-group-upcoming = Upcoming
deadlines-due = Due
deadlines-what = What
deadlines-about = About
deadlines-case = Case
deadlines-kind-step = Step
deadlines-kind-petition = Petition
deadlines-kind-evidence = Evidence
case-error-impossible-step = The course does not allow this step now: the case stands at “{ $state }”. From there it allows: { $allowed }.
error-report-unknown-language = There is no report in that language; choose English, Russian or Kazakh.
error-report-not-sealed = This version is a draft. Seal it first: a report shows what was sealed.
error-report-consent-withdrawn = The person withdrew their consent; no report or package is made of this testimony.
error-report-full-not-allowed = The person asked for anonymity and their consent does not cover lawyers and courts, so a full report cannot be made. Make the anonymous report instead.
error-report-full-redacted = This record came redacted: the fields that name the person never reached this vault, so a full report cannot be made of it. Make the report without them, or ask the sender for one.
error-disclosure-no-legal-consent = The consent of this testimony does not cover lawyers and courts, so it cannot be disclosed.
error-disclosure-anonymous = This testimony is anonymous and its sealed record names the person. Disclose it only as a full disclosure, which its consent allows.
error-disclosure-not-confirmed = A disclosure package writes testimonies in plaintext outside the vault. Confirm that this is intended.
error-disclosure-target-not-empty = That folder is not empty. Choose a new, empty folder for the package.
error-disclosure-nothing = Choose at least one testimony to disclose.
error-report-layout = The report could not be laid out. This is a bug in Kua; please report it.
case-error-impossible-step-none = The course does not allow this step now: the case stands at “{ $state }”, from where it allows no further step.
case-error-bad-date = Not a day: write it as YYYY-MM-DD (for example 2024-03-15).
case-error-unknown-code = That choice is not in the course's list. Choose again from the list.
error-case-not-found = This case is not in the vault (it may have been erased). Open the list of cases again.
error-unknown-step = The course has no such step. Choose one from the list.
error-impossible-step = The course does not allow this step from the stage the case is at.
error-no-open-complaint = This decision answers a complaint, and no complaint of this case is awaiting a decision.
error-ambiguous-complaint = Several complaints of this case are awaiting a decision: this decision must name the one it decides.
error-missing-field = This step needs its ground or outcome: choose it from the list.
error-dates-out-of-order = A date comes before the one it must follow (a step before the previous step, a deadline before its step, a decision before its filing, an end before its start). Check the dates.
error-unknown-entry = That entry is not in this case any more. Open the case again.
error-note-sealed = This note is sealed and never changes again. Write a new note instead.
error-already-decided = This petition already has a decision. If it was refused, file it again.
error-not-refused = Only a refused petition can be filed again, and only once.
error-unknown-client = There is no testimony or received record with that id in this vault.
error-unknown-document = That document is not one of this case's documents.
error-bad-correction = That change cannot be recorded: it would rewrite what the case already says (a circumstance already examined, a testimony already linked, or a step that cannot be corrected this way).
error-empty-field = A required field is empty.
error-too-long = A field is too long. Shorten it.
cases-received-from = Received from { $name }
case-received-note = A copy received from { $name } in a bundle. It is read-only here: only { $name } records in this case, and a later bundle from them brings what changed.
case-correct = Correct…
case-correct-title = Correct “{ $step }”
case-correct-explain = Change what was recorded wrongly. The step stays the same and keeps its place in the course; what it said before stays in the custody log, and the step is marked as corrected.
case-correct-submit = Record the correction
case-correct-done = Corrected: { $step }.
case-void = Void (recorded by mistake)…
case-void-explain-main = Void “{ $step }” of { $date } as recorded by mistake? It stays in the case, struck through, and the case goes back to the stage “{ $state }”. Then record the step that really happened.
case-void-explain-beside = Void “{ $step }” of { $date } as recorded by mistake? It stays in the case, struck through; the stage of the course does not change.
case-void-confirm = Void the step
case-void-done = Voided: { $step }.

# Court reports and disclosure packages (kua-report).
close = Close
report-open = Court report…
report-case-open = Case report…
report-title = Court report of version { $version }
report-received-title = Court report of a received record, version { $version }
report-case-title = Case report
report-made-at = Dated { $time }. The report prints this time, and the file saved is the report shown here.
report-language = Language of the report
report-full = Full report: names the person (needs their consent to lawyers and courts)
report-full-hint = The person asked to remain anonymous. Without a full report, what names or locates them is left out: identifying fields, photographs and the embedded sealed record.
report-full-no-legal = The person asked to remain anonymous and their consent does not cover lawyers and courts, so only the anonymous report can be made.
report-preview = Preview of the report
report-making = Making the report…
report-opening = Opening the report…
report-rendering = Showing page { $n } of { $total }…
report-pages =
    { $total ->
        [one] The report has 1 page.
       *[other] The report has { $total } pages.
    }
report-page = Page { $n } of { $total }
report-viewer-failed = The preview could not be shown. The report was made: it can still be saved and opened in a PDF reader.
report-save = Save as…
report-saving = Saving…
report-saved-title = Report saved
report-saved-file = File
report-saved-signature = Signature
report-saved-same = This is the report shown above, byte for byte (the same SHA-256).
report-saved-differs = This file's SHA-256 differs from the report shown above. Close this window and make the report again before giving it to anyone.
report-saved-check = The signature is checked with minisign -Vm FILE -p kua.pub, where kua.pub is this vault's signing key (shown under Keys and contacts).
disclosure-open = Disclosure package for a court…
disclosure-title = Disclosure package for a court
disclosure-explain = Kua writes a new folder that a court can check without Kua: the court report of version { $version } of this testimony with its signature, the sealed record, its entries in the custody log, every sealed attachment as the original file, a README, the SHA-256 of every file (SHA256SUMS) signed with this vault's key, and the public key to check it.
disclosure-warning = Everything in the folder is UNENCRYPTED. Anyone who gets the folder, or the disk or stick it is on, can read the testimony and open its attachments. Write it only where you control who can read it, and give it only to the court or lawyer who needs it.
disclosure-language = Language of the report and the README
disclosure-full = Full disclosure: names the person
disclosure-full-hint = The person asked to remain anonymous, and the sealed record names them. It can be disclosed only in full, which their consent to lawyers and courts allows.
disclosure-confirm = I understand that this testimony and its attachments will be written unencrypted to the folder I choose.
disclosure-made-at = The reports in the package are dated { $time }. The disclosure is recorded in the custody log.
disclosure-run = Choose a new folder and write the package…
disclosure-working = Writing the package…
disclosure-done = Package written
disclosure-dir = Folder
disclosure-files-title = Files
disclosure-files =
    { $n ->
        [one] 1 file, listed in SHA256SUMS
       *[other] { $n } files, listed in SHA256SUMS
    }
disclosure-sums = SHA-256 of SHA256SUMS (recorded in the custody log)
disclosure-check = To check the package, open a terminal in the folder and run:
disclosure-check-explain = The first command checks every file against SHA256SUMS; the second checks that SHA256SUMS was signed with this vault's key, kept in kua.pub. Compare that key with the signing key under Keys and contacts: a key found only in the folder proves nothing on its own. The README in the folder says the same.

## Body maps (Istanbul Protocol, Annex III)
body-figure = Figure
body-views = Views
body-drawing = { $view }: body diagram with { $count ->
    [one] one mark
   *[other] { $count } marks
}
body-place-hint = Click or tap the drawing to place a mark, drag a mark to move it, or add one from the list below. Arrow keys move the selected mark.
body-sides = R and L are the person's right and left.
body-side-right = R
body-side-left = L
body-add-region = Region for a new mark
body-add-mark = Add a mark
body-marks = Marks
body-no-marks = No mark yet.
body-mark-n = Mark { $n }
body-mark-title = Mark { $n }: { $region }
body-region = Region
body-view = View
body-lesion = Type of injury
body-length = Length, cm
body-width = Width, cm
body-shape = Shape
body-colour = Colour
body-method = Method the person alleges
body-consistency = Consistency with that method
body-photos = Photographs
body-no-photos = Attach photographs on the Attachments tab to link them here.
body-note = Note
body-remove-mark = Remove mark { $n }
body-regions = Examination of regions
body-regions-hint = For each region of this view: examined, not examined, or the person declined or stopped the examination.
body-regions-all = All regions of this view examined
body-status-none = not recorded
body-not-recorded = not recorded
body-summary = { $marks ->
    [one] one mark
   *[other] { $marks } marks
}, { $regions ->
    [one] one region recorded
   *[other] { $regions } regions recorded
}
body-change-added = mark { $n } added on the { $region }
body-change-removed = mark { $n } removed from the { $region }
body-change-moved = mark { $n } moved to the { $region }
body-change-described = mark { $n } on the { $region } described anew
body-change-examination = { $region }: { $from } → { $to }
body-photo-missing = not attached
body-problem-unknown-region = no such body region
body-problem-region-not-on-view = the region is not drawn on this view
body-problem-outside-diagram = the mark lies outside the drawing
body-problem-out-of-range = a number out of range (sizes from 0.1 to 250 cm)
body-problem-duplicate-mark = another mark has this number
body-problem-not-attached = a linked photograph is not attached to this testimony
body-not-described = not described yet
body-size-not-number = A size is a number of centimetres, such as 4.5.
body-problem-missing = a required part is missing (before sealing: the type of injury)
body-marks-full = A map holds at most { $max } marks.
body-marks-unreadable = { $count ->
    [one] One mark of this record could not be read and is not shown.
   *[other] { $count } marks of this record could not be read and are not shown.
}
body-problem-other = this part is not valid

## In-app guide (F1), one part per screen and the words every user needs.
guide-open = Help
guide-title = Guide: { $screen }
guide-this-screen = On this screen
guide-basics = What the words mean
guide-first = Where to start
guide-keys = Keys: F1 opens this guide; Ctrl+Shift+L locks at once; Ctrl + and Ctrl − make everything larger or smaller; Esc closes a dialog or cancels a form; Enter saves a form.
guide-first-interviewer = Interviewer: under Testimonies, press “New testimony”, record consent first, then the person's account in their own words and the form's fields; seal it when it is complete, and export it to your coalition.
guide-first-lawyer = Lawyer: under Cases, open a case for your client's testimony, record each step of the complaint as it happens, and watch Deadlines: a petition must be decided within three days.
guide-first-coordinator = Coordinator: under Import, open the bundles interviewers send and compare each new sender's fingerprint with them by phone or in person; then Analysis counts the cases and Persons counts each survivor once.
guide-seal = Sealing freezes a testimony as it stands: it can never change again, and its fingerprint is signed into the custody log, so a court can check that nothing was altered. Later corrections become amendments; every version stays readable.
guide-consent = Consent is recorded before anything else: what the person agreed to (keeping the record here, sharing it with the coalition, use by lawyers and courts) and whether their name may be shown. Kua refuses to share what the consent does not allow; a withdrawn consent stops all further use.
guide-export = Exporting writes sealed testimonies into one bundle, encrypted to the people you choose and signed by this vault: only they can open it, and they can tell that it came from you unchanged. Carry it on a USB stick or send it; nothing leaves the computer otherwise.
guide-screen-welcome = Create a vault for your testimonies, or open one you already have. The vault is one encrypted file on this computer. Choose a long passphrase you can remember, and write the recovery key down on paper, away from the computer: without one of the two, nobody can open the vault, not even us.
guide-screen-unlock = Type the vault's passphrase to open it. If you forgot it, use the recovery key you wrote down. The emergency erase below destroys the vault for good in a second, for when the computer is about to be taken.
guide-screen-list = Every testimony in this vault, the latest changed first. Search finds words in narratives and fields, also when Kazakh letters are typed on a Russian keyboard. Filters narrow the list by status, language, form and date. Open a testimony to continue it.
guide-screen-new = Choose the form (template) and the language of the account, then start. The testimony is saved as you type; nothing leaves the computer until you export it.
guide-screen-testimony = Record consent first (the Consent tab). Then fill the form's sections and the narrative in the person's own words; a recording, attachments and injuries on a body diagram can be added. Everything is saved as you type. Seal the testimony when it is complete; after that, changes are amendments.
guide-screen-cases = A lawyer's cases, the most urgent first. Open a case for a client's testimony; each case follows the course of a complaint from the first report to the final decision.
guide-screen-case = The case's course: record each step (a complaint, a registration, a refusal, an appeal) with its date; Kua says which steps may follow and when an answer is due. Petitions, evidence to preserve, circumstances to examine, documents and privileged notes each have their tab.
guide-screen-deadlines = Every deadline of every case: overdue first, then today's, then those to come. Open one to record what happened.
guide-screen-custody = The custody log: every change to the vault, in order, each entry signed and chained to the one before. A court can verify it to see that no record was altered or removed without trace.
guide-screen-export = Choose the sealed testimonies (or cases) to send and the people to send them to, then save the bundle. Anonymous testimonies leave out what names the person. Send only what the consent allows; Kua checks it.
guide-screen-import = Open a bundle someone sent you. Kua checks its signature and every file before importing anything. The first time a sender appears, compare the fingerprint shown with the one they read to you by phone or in person, then trust them under a name.
guide-screen-received = Testimonies received in bundles, with who sent them and when. They are read-only; the sender's vault keeps the original.
guide-screen-dashboard = Counts and charts of the sealed testimonies in this vault and those received. Each filter applies to every chart; “not recorded” is always counted. For publication, counts under five are hidden so that no one can be recognised. Choose a bar to see its testimonies.
guide-screen-persons = One person may give several testimonies. Kua proposes pairs that may be the same person; you decide. The counts of persons follow your decisions, so each survivor is counted once.
guide-screen-contacts = This vault's fingerprint, to read out to people who send or receive bundles, the people you export to, and the senders you trust.
guide-screen-settings = Language, size of text and screen, the idle lock, the passphrase and recovery key, the coalition's linkage secret, and the emergency erase.
