//! Saving a profile store's new text (`access-role link`) as `crate::user_file` rewrites a
//! file: whole or not at all, through a symlink to the team's shared store, keeping its mode,
//! owner and group.

use crate::error::Error;
use crate::user_file;
use std::path::Path;

/// Replaces the store at `path` with `text`; a new store gets mode 0644, and its directory is
/// made when missing. Refused with [`Error::StoreFile`], before anything is written, where the
/// rewrite would change more than the text (see `crate::user_file::replace`).
pub fn save(path: &Path, text: &str) -> Result<(), Error> {
    let failed = |message: String| Error::StoreFile { path: path.to_owned(), message };
    let target = user_file::target_of(path).map_err(failed)?;
    std::fs::create_dir_all(user_file::dir_of(&target))
        .map_err(|err| failed(format!("cannot create its directory: {err}")))?;
    user_file::replace(&target, text, 0o644).map_err(failed)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_new_store_is_made_0644_with_its_directory_and_a_refusal_names_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("team").join("access-roles.yml");
        save(&store, "profiles: {}\n").unwrap();
        assert_eq!(std::fs::read_to_string(&store).unwrap(), "profiles: {}\n");
        assert_eq!(std::fs::metadata(&store).unwrap().permissions().mode() & 0o777, 0o644);

        let link = dir.path().join("shared.yml");
        std::os::unix::fs::symlink("nowhere.yml", &link).unwrap();
        let err = save(&link, "x: 1\n").unwrap_err();
        assert_eq!(err.code(), "E_STORE_FILE");
        assert_eq!(
            err.to_string(),
            format!(
                "profile store {}: it is a symlink to nowhere.yml, which leads to no file; create the file it leads to or remove the link",
                link.display()
            )
        );
        assert!(!dir.path().join("nowhere.yml").exists());
    }
}
