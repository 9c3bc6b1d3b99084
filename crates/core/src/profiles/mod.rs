//! Deployment profiles: the profile store, where it is found, and which profile an app and stage use.

mod assume_fields;
mod checked;
mod discovery;
mod fields;
mod locate;
mod lookup;
mod names;
mod save;
mod shape;
mod store;
mod summary;

pub use assume_fields::{MfaSerial, SessionPolicy, SessionTags};
pub(crate) use discovery::CONFIG_PATH_SETTING;
pub use discovery::{Discovery, StoreLocation};
pub use fields::{DurationSeconds, ExternalId, NameTemplate, Region, RoleArn};
pub use lookup::{Rule, Selection};
pub(crate) use names::problem as name_problem;
pub use save::save;
pub use store::{AppProfiles, Profile, ProfileStore};
pub use summary::{mapping_path, summarize, Format, Mapping, ProfileEntry, StoreSummary};

use crate::context::Context;
use crate::error::Error;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

/// Stores larger than this are refused unread: a profile store is a few kilobytes.
const MAX_STORE_BYTES: u64 = 1024 * 1024;

/// What a store file looked like when it was parsed: size and modification time.
type Stamp = (u64, Option<SystemTime>);

/// Stores a context parsed, by path, with the stamp of the file each was parsed from: reused
/// while their file is unchanged, so that repeated resolves do not parse the same file again.
pub(crate) type StoreMemo = Mutex<HashMap<PathBuf, (Stamp, Arc<ProfileStore>)>>;

/// Reads and parses the store at `path`, or returns the one `context` parsed before if the file
/// has the same size and modification time.
pub fn load(context: &Context, path: &Path) -> Result<Arc<ProfileStore>, Error> {
    let stamp = std::fs::metadata(path).ok().filter(|m| m.is_file()).map(|m| (m.len(), m.modified().ok()));
    let parsed = || context.memory().stores.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(stamp) = stamp {
        if let Some((seen, store)) = parsed().get(path) {
            if *seen == stamp {
                return Ok(store.clone());
            }
        }
    }
    let store = Arc::new(read(path)?);
    if let Some(stamp) = stamp {
        parsed().insert(path.to_owned(), (stamp, store.clone()));
    }
    Ok(store)
}

/// Reads and parses the store at `path`.
fn read(path: &Path) -> Result<ProfileStore, Error> {
    ProfileStore::parse(path, &read_text(path)?)
}

/// The text of the store at `path`: a regular UTF-8 file of at most 1 MiB.
pub fn read_text(path: &Path) -> Result<String, Error> {
    let unreadable = |reason: String| Error::UnreadableConfig { path: path.to_owned(), reason };
    let meta = std::fs::metadata(path).map_err(|e| unreadable(e.to_string()))?;
    if meta.is_dir() {
        return Err(unreadable("it is a directory".to_owned()));
    }
    if !meta.is_file() {
        return Err(unreadable("it is not a regular file".to_owned()));
    }
    if meta.len() > MAX_STORE_BYTES {
        return Err(unreadable(format!("it is {} bytes; a profile store may be at most 1 MiB", meta.len())));
    }
    let bytes = std::fs::read(path).map_err(|e| unreadable(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| unreadable(format!("not UTF-8 at byte {}", e.utf8_error().valid_up_to())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_is_parsed_again_once_its_file_changes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("access-roles.yml");
        std::fs::write(&path, "profiles:\n  a:\n    roleArn: arn:aws:iam::111111111111:role/a\n").unwrap();
        let context = Context::default();
        let first = load(&context, &path).unwrap();
        assert!(Arc::ptr_eq(&first, &load(&context, &path).unwrap()), "unchanged: the parsed store is reused");
        assert!(!Arc::ptr_eq(&first, &load(&Context::default(), &path).unwrap()), "another context parses its own");
        std::fs::write(&path, "profiles:\n  bb:\n    roleArn: arn:aws:iam::111111111111:role/b\n").unwrap();
        let second = load(&context, &path).unwrap();
        assert!(second.profiles.contains_key("bb"));
        std::fs::write(&path, "profiles: [").unwrap();
        assert_eq!(load(&context, &path).unwrap_err().code(), "E_INVALID_CONFIG");
    }

    #[test]
    fn a_store_of_one_mebibyte_is_read_and_one_byte_more_is_refused_unread() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("access-roles.yml");
        let head = "profiles:\n  a:\n    roleArn: arn:aws:iam::111111111111:role/a\n#";
        let text = |size: usize| format!("{head}{}\n", "x".repeat(size - head.len() - 1));
        std::fs::write(&path, text(1024 * 1024)).unwrap();
        assert_eq!(read_text(&path).unwrap().len(), 1024 * 1024);
        std::fs::write(&path, text(1024 * 1024 + 1)).unwrap();
        let err = read_text(&path).unwrap_err();
        assert_eq!(err.code(), "E_UNREADABLE_CONFIG");
        assert!(err.to_string().contains("1048577 bytes; a profile store may be at most 1 MiB"), "{err}");
    }
}
