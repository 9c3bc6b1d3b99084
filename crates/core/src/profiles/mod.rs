//! Deployment profiles: the profile store, where it is found, and which profile an app and stage use.

mod discovery;
mod fields;
mod lookup;
mod session;
mod store;

pub use discovery::{Discovery, CONFIG_ENV, FILE_NAMES};
pub use fields::{DurationSeconds, ExternalId, Region, RoleArn, NameTemplate, NAME_PLACEHOLDERS};
pub use lookup::{Reason, Selection};
pub use session::{MfaSerial, SessionPolicy, SessionTags};
pub use store::{AppProfiles, Profile, ProfileStore};

use crate::error::Error;
use std::path::Path;

/// Stores larger than this are refused unread: a profile store is a few kilobytes.
const MAX_STORE_BYTES: u64 = 1024 * 1024;

/// Reads and parses the store at `path`.
pub fn load(path: &Path) -> Result<ProfileStore, Error> {
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
    let text = String::from_utf8(bytes).map_err(|e| unreadable(format!("not UTF-8 at byte {}", e.utf8_error().valid_up_to())))?;
    ProfileStore::parse(path, &text)
}
