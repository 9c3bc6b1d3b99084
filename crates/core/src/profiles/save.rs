//! Saving a profile store's new text (`access-role link`) as [`crate::user_file`] rewrites a
//! file: whole or not at all, through a symlink to the team's shared store, keeping its mode,
//! owner and group.

use crate::error::Error;
use crate::user_file;
use std::path::Path;

/// Replaces the store at `path` with `text`; a new store gets mode 0644, and its directory is
/// made when missing. Refused with [`Error::StoreFile`], before anything is written, where the
/// rewrite would change more than the text (see [`crate::user_file::replace`]).
pub fn save(path: &Path, text: &str) -> Result<(), Error> {
    let failed = |message: String| Error::StoreFile { path: path.to_owned(), message };
    let target = user_file::target_of(path).map_err(failed)?;
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|err| failed(format!("cannot create its directory: {err}")))?;
    }
    user_file::replace(&target, text, 0o644).map_err(failed)
}
