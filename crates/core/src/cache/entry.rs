//! One cached set of keys on disk: read with suspicion, written whole.
//!
//! An entry is `KEY.json` in the cache directory, mode 0600, owned by the user. Anything else —
//! a symlink, another owner, group or world access, bad JSON, another key, an expiration later
//! than keys of this request could live, keys of another role — is ignored, and the next write
//! replaces it. Writes go to a temporary file in the same directory that is renamed
//! over the entry, so a reader sees the old entry or the new one, never a torn file.

use crate::credentials::{Credentials, Secret};
use crate::plan::AssumeRoleRequest;
use crate::sts::is_session_of;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Entries larger than this are not read.
const MAX_ENTRY_BYTES: u64 = 64 * 1024;

/// How far an entry's expiration may lie beyond now plus the request's lifetime (clock skew
/// between this machine and STS) before the entry counts as corrupt.
const EXPIRATION_SLACK: Duration = Duration::from_secs(15 * 60);

/// The on-disk form of an entry.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Entry {
    version: u32,
    key: String,
    access_key_id: String,
    secret_access_key: String,
    session_token: String,
    /// Milliseconds since the Unix epoch.
    expiration_ms: u64,
    assumed_role_arn: String,
    region: String,
    // What the keys were resolved for ([`Label`]), for `cache list` and `cache clear`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    profile: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    role_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    app: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    stage: Option<String>,
}

/// What an entry's keys were resolved for: no secret, only names.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Label {
    /// The deployment profile.
    pub profile: Option<String>,
    /// The access role.
    pub role_arn: Option<String>,
    /// The app looked up.
    pub app: Option<String>,
    /// The stage looked up.
    pub stage: Option<String>,
}

/// An entry as `cache list` shows it: names and times, never a key.
#[derive(Clone, Debug)]
pub struct Summary {
    /// The cache key (the entry's file name without `.json`).
    pub key: String,
    /// What the keys were resolved for.
    pub label: Label,
    /// The assumed-role session.
    pub assumed_role_arn: String,
    /// The region STS was called in.
    pub region: String,
    /// When the keys expire.
    pub expiration: SystemTime,
}

/// Path of the entry for `key`.
pub(super) fn entry_path(dir: &Path, key: &str) -> PathBuf {
    dir.join(format!("{key}.json"))
}

/// Reads the entry for `key`, or `None` when it is missing or not to be trusted. An entry
/// expired at `now` is removed when seen.
pub(super) fn read(dir: &Path, key: &str, request: &AssumeRoleRequest, now: SystemTime) -> Option<Credentials> {
    let credentials = decode(&read_private(&entry_path(dir, key))?, key, request, now)?;
    if credentials.expiration <= now {
        let _ = std::fs::remove_file(entry_path(dir, key));
        return None;
    }
    Some(credentials)
}

/// The bytes of an entry file that is a regular file, private to the user and not too large.
fn read_private(path: &Path) -> Option<Vec<u8>> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX_ENTRY_BYTES || !private_to_user(&meta) {
        return None;
    }
    std::fs::read(path).ok()
}

/// What `cache list` shows of the entry at `path`: names and times; `None` when it is not a
/// trustworthy version-1 entry filed under its own name.
pub(super) fn summary(path: &Path) -> Option<Summary> {
    let key = path.file_name()?.to_str()?.strip_suffix(".json")?;
    let entry: Entry = serde_json::from_slice(&read_private(path)?).ok()?;
    if entry.version != 1 || entry.key != key {
        return None;
    }
    Some(Summary {
        key: entry.key,
        label: Label { profile: entry.profile, role_arn: entry.role_arn, app: entry.app, stage: entry.stage },
        assumed_role_arn: entry.assumed_role_arn,
        region: entry.region,
        expiration: UNIX_EPOCH.checked_add(Duration::from_millis(entry.expiration_ms))?,
    })
}

/// Decodes an entry's bytes; `None` unless they are a plausible version-1 entry filed under
/// `key` for `request`.
///
/// Plausible: keys issued `now` or earlier for `request` expire at most its `duration_seconds`
/// (plus a little clock skew) from `now`, and belong to a session of its role. An entry that
/// claims more was not written by [`write`] for this request, so it is corrupt.
pub(crate) fn decode(bytes: &[u8], key: &str, request: &AssumeRoleRequest, now: SystemTime) -> Option<Credentials> {
    let entry: Entry = serde_json::from_slice(bytes).ok()?;
    if entry.version != 1 || entry.key != key || !is_session_of(&entry.assumed_role_arn, &request.role_arn) {
        return None;
    }
    let expiration = UNIX_EPOCH.checked_add(Duration::from_millis(entry.expiration_ms))?;
    let lifetime = Duration::from_secs(u64::from(request.duration_seconds)) + EXPIRATION_SLACK;
    if expiration > now.checked_add(lifetime)? {
        return None;
    }
    Some(Credentials {
        access_key_id: entry.access_key_id,
        secret_access_key: Secret::new(entry.secret_access_key),
        session_token: Secret::new(entry.session_token),
        expiration,
        assumed_role_arn: entry.assumed_role_arn,
        region: entry.region,
    })
}

/// Writes the entry for `key` atomically, mode 0600.
pub(super) fn write(dir: &Path, key: &str, role: &Credentials, label: &Label) -> std::io::Result<()> {
    let entry = Entry {
        version: 1,
        key: key.to_owned(),
        access_key_id: role.access_key_id.clone(),
        secret_access_key: role.secret_access_key.expose().to_owned(),
        session_token: role.session_token.expose().to_owned(),
        expiration_ms: role
            .expiration
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(0)),
        assumed_role_arn: role.assumed_role_arn.clone(),
        region: role.region.clone(),
        profile: label.profile.clone(),
        role_arn: label.role_arn.clone(),
        app: label.app.clone(),
        stage: label.stage.clone(),
    };
    // tempfile creates the file 0600 with a random name; it is removed if anything below fails.
    // One write: serde_json writes a file piece by piece, one system call per token.
    let bytes = serde_json::to_vec(&entry)?;
    let mut file = tempfile::Builder::new().prefix(".tmp-").suffix(".json").tempfile_in(dir)?;
    file.write_all(&bytes)?;
    file.persist(entry_path(dir, key)).map_err(|e| e.error)?;
    Ok(())
}

/// True when the file belongs to the current user and nobody else may read or write it.
#[cfg(unix)]
pub(super) fn private_to_user(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid has no preconditions and cannot fail.
    meta.uid() == unsafe { libc::geteuid() } && meta.mode() & 0o077 == 0
}

/// On platforms without Unix modes the user's cache directory is already private.
#[cfg(not(unix))]
pub(super) fn private_to_user(_meta: &std::fs::Metadata) -> bool {
    true
}

/// True while more than `margin` is left from `now` to `expiration`.
pub(super) fn is_fresh(expiration: SystemTime, margin: Duration, now: SystemTime) -> bool {
    expiration.duration_since(now).is_ok_and(|left| left > margin)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role() -> Credentials {
        // Whole milliseconds, as the entry stores them.
        let in_an_hour = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() + 3000;
        Credentials {
            access_key_id: "ASIAEXAMPLE".to_owned(),
            secret_access_key: Secret::new("secret"),
            session_token: Secret::new("token"),
            expiration: UNIX_EPOCH + Duration::from_secs(in_an_hour),
            assumed_role_arn: "arn:aws:sts::111111111111:assumed-role/r/s".to_owned(),
            region: "us-east-1".to_owned(),
        }
    }

    fn request() -> AssumeRoleRequest {
        AssumeRoleRequest::plain("arn:aws:iam::111111111111:role/r")
    }

    fn entry_with(expiration_ms: &str, assumed_role_arn: &str) -> String {
        format!(
            r#"{{"version":1,"key":"k","accessKeyId":"ASIA","secretAccessKey":"s","sessionToken":"t","expirationMs":{expiration_ms},"assumedRoleArn":"{assumed_role_arn}","region":"us-east-1"}}"#
        )
    }

    #[test]
    fn an_expiration_beyond_the_requests_lifetime_is_corrupt_and_never_panics() {
        let arn = "arn:aws:sts::111111111111:assumed-role/r/s";
        let now_ms = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis();
        let in_an_hour = (now_ms + 3_000_000).to_string();
        assert!(decode(entry_with(&in_an_hour, arn).as_bytes(), "k", &request(), SystemTime::now()).is_some());
        for huge in ["9000000000000000", "18446744073709551615", &(now_ms + 5 * 3_600_000).to_string()] {
            assert!(decode(entry_with(huge, arn).as_bytes(), "k", &request(), SystemTime::now()).is_none(), "{huge}");
        }
        let twelve_hours = AssumeRoleRequest { duration_seconds: 43200, ..request() };
        assert!(decode(
            entry_with(&(now_ms + 5 * 3_600_000).to_string(), arn).as_bytes(),
            "k",
            &twelve_hours,
            SystemTime::now()
        )
        .is_some());
        assert!(decode(entry_with("-1", arn).as_bytes(), "k", &request(), SystemTime::now()).is_none());
        assert!(decode(entry_with("1e300", arn).as_bytes(), "k", &request(), SystemTime::now()).is_none());
    }

    #[test]
    fn fifteen_minutes_of_clock_skew_past_the_requests_lifetime_are_allowed_and_no_more() {
        let arn = "arn:aws:sts::111111111111:assumed-role/r/s";
        // Whole milliseconds, as entries store them.
        let now = UNIX_EPOCH
            + Duration::from_millis(SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as u64);
        let at = |after: Duration| (now + after).duration_since(UNIX_EPOCH).unwrap().as_millis().to_string();
        let limit = Duration::from_secs(3600 + 15 * 60);
        let decoded = |after: Duration| decode(entry_with(&at(after), arn).as_bytes(), "k", &request(), now);
        assert!(decoded(Duration::from_secs(3600 + 14 * 60)).is_some());
        assert!(decoded(limit).is_some(), "exactly the request's hour and 15 minutes");
        assert!(decoded(limit + Duration::from_millis(1)).is_none());
    }

    #[test]
    fn only_version_1_entries_filed_under_their_own_key_are_read_or_listed() {
        let dir = tempfile::tempdir().unwrap();
        let label = Label { app: Some("pay".to_owned()), stage: Some("dev".to_owned()), ..Label::default() };
        write(dir.path(), "k", &role(), &label).unwrap();
        let listed = summary(&entry_path(dir.path(), "k")).unwrap();
        assert_eq!((listed.key.as_str(), listed.label, listed.region.as_str()), ("k", label, "us-east-1"));
        assert_eq!(
            (listed.assumed_role_arn.as_str(), listed.expiration),
            (role().assumed_role_arn.as_str(), role().expiration)
        );
        std::fs::copy(entry_path(dir.path(), "k"), entry_path(dir.path(), "other")).unwrap();
        assert!(summary(&entry_path(dir.path(), "other")).is_none(), "filed under another key");
        let text = std::fs::read_to_string(entry_path(dir.path(), "k")).unwrap();
        let version_2 = text.replace(r#""version":1"#, r#""version":2"#);
        std::fs::write(entry_path(dir.path(), "k"), &version_2).unwrap();
        assert!(summary(&entry_path(dir.path(), "k")).is_none(), "another version");
        assert!(decode(version_2.as_bytes(), "k", &request(), SystemTime::now()).is_none());
        assert!(decode(text.as_bytes(), "k", &request(), SystemTime::now()).is_some());
    }

    #[test]
    fn keys_of_another_role_are_corrupt() {
        let in_an_hour = (SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() + 3_000_000).to_string();
        for other in [
            "arn:aws:sts::111111111111:assumed-role/other/s",
            "arn:aws:sts::222222222222:assumed-role/r/s",
            "arn:aws-cn:sts::111111111111:assumed-role/r/s",
            "arn:aws:sts::111111111111:assumed-role/r",
            "arn:aws:iam::111111111111:user/r",
        ] {
            assert!(
                decode(entry_with(&in_an_hour, other).as_bytes(), "k", &request(), SystemTime::now()).is_none(),
                "{other}"
            );
        }
    }

    #[test]
    fn an_entry_round_trips_and_is_private() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "k", &role(), &Label::default()).unwrap();
        let back = read(dir.path(), "k", &request(), SystemTime::now()).unwrap();
        assert_eq!((back.access_key_id.as_str(), back.session_token.expose()), ("ASIAEXAMPLE", "token"));
        assert_eq!(back.expiration, role().expiration);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(entry_path(dir.path(), "k")).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("k.json")], "no temporary file is left behind");
    }

    #[test]
    fn corrupt_misfiled_or_oversized_entries_are_ignored() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "k", &role(), &Label::default()).unwrap();
        std::fs::copy(entry_path(dir.path(), "k"), entry_path(dir.path(), "other")).unwrap();
        assert!(read(dir.path(), "other", &request(), SystemTime::now()).is_none(), "an entry filed under another key");
        std::fs::write(entry_path(dir.path(), "k"), "{\"version\":1,").unwrap();
        assert!(read(dir.path(), "k", &request(), SystemTime::now()).is_none(), "a torn entry");
        // A valid entry padded with white space to one byte past 64 KiB, and to 64 KiB exactly.
        write(dir.path(), "k", &role(), &Label::default()).unwrap();
        let valid = std::fs::read(entry_path(dir.path(), "k")).unwrap();
        let padded = |len: usize| [valid.clone(), vec![b' '; len - valid.len()]].concat();
        std::fs::write(entry_path(dir.path(), "k"), padded(64 * 1024)).unwrap();
        assert!(read(dir.path(), "k", &request(), SystemTime::now()).is_some(), "an entry of 64 KiB");
        std::fs::write(entry_path(dir.path(), "k"), padded(64 * 1024 + 1)).unwrap();
        assert!(read(dir.path(), "k", &request(), SystemTime::now()).is_none(), "an oversized entry");
    }

    #[cfg(unix)]
    #[test]
    fn group_readable_entries_and_symlinks_are_ignored() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "k", &role(), &Label::default()).unwrap();
        let path = entry_path(dir.path(), "k");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        assert!(read(dir.path(), "k", &request(), SystemTime::now()).is_none());
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        std::os::unix::fs::symlink(&path, entry_path(dir.path(), "link")).unwrap();
        assert!(read(dir.path(), "link", &request(), SystemTime::now()).is_none());
    }

    #[test]
    fn freshness_keeps_a_margin_before_expiry() {
        let now = SystemTime::now();
        assert!(is_fresh(now + Duration::from_secs(3600), Duration::from_secs(900), now));
        assert!(!is_fresh(now + Duration::from_secs(600), Duration::from_secs(900), now));
        assert!(!is_fresh(now - Duration::from_secs(1), Duration::ZERO, now));
        let margin = Duration::from_secs(900);
        assert!(!is_fresh(now + margin, margin, now), "exactly the margin left is not fresh");
        assert!(is_fresh(now + margin + Duration::from_millis(1), margin, now));
    }
}
