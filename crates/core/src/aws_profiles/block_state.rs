//! Whether the AWS config file holds the block `profiles --write` would write now, for `doctor`.

use super::file::Section;
use super::merge::{merge, store_gone};
use crate::error::Error;
use std::path::Path;

/// How the block of one store in the AWS config file compares with what `write` would write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockState {
    /// The file holds exactly these profiles (or there are none to write and no block).
    Current,
    /// The file holds a block for the store that differs: written for another store content,
    /// another install of the bin, or edited by hand.
    Stale,
    /// The file, or the store's block in it, does not exist.
    Missing,
}

impl BlockState {
    /// `current`, `stale` or `missing`.
    pub fn as_str(self) -> &'static str {
        match self {
            BlockState::Current => "current",
            BlockState::Stale => "stale",
            BlockState::Missing => "missing",
        }
    }
}

/// Compares the block of `store` in the AWS config file at `path` with `sections`, as `write`
/// would merge them, without writing. A file that cannot be read or merged is `E_AWS_CONFIG_FILE`.
pub fn block_state(path: &Path, store: &Path, sections: &[Section]) -> Result<BlockState, Error> {
    let failed = |message: String| Error::AwsConfigFile { path: path.to_owned(), message };
    let old = match std::fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|_| failed("it is not UTF-8 text".to_owned()))?,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(err) => return Err(failed(format!("cannot read it: {err}"))),
    };
    // As `write` merges: a block of a store that is gone and holds these profiles is this one's.
    let merged = merge(&old, store, sections, &store_gone).map_err(failed)?;
    if merged.text == old {
        return Ok(BlockState::Current);
    }
    if !merged.stale.is_empty() {
        return Ok(BlockState::Stale);
    }
    // Merging no sections removes the block: the text changes only when there is one.
    let without = merge(&old, store, &[], &store_gone).map_err(failed)?;
    Ok(if without.text == old { BlockState::Missing } else { BlockState::Stale })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(name: &str) -> Section {
        Section { name: name.to_owned(), credential_process: format!("run {name}"), region: None }
    }

    #[test]
    fn current_stale_and_missing_blocks_are_told_apart() {
        let dir = tempfile::tempdir().unwrap();
        let (config, store) = (dir.path().join("config"), dir.path().join("access-roles.yml"));
        assert_eq!(block_state(&config, &store, &[section("a-dev")]).unwrap(), BlockState::Missing);
        std::fs::write(&config, "[profile mine]\nregion = eu-west-1\n").unwrap();
        assert_eq!(block_state(&config, &store, &[section("a-dev")]).unwrap(), BlockState::Missing);
        super::super::write(&config, &store, &[section("a-dev")]).unwrap();
        assert_eq!(block_state(&config, &store, &[section("a-dev")]).unwrap(), BlockState::Current);
        assert_eq!(block_state(&config, &store, &[section("a-dev"), section("a-prod")]).unwrap(), BlockState::Stale);
        assert_eq!(block_state(&config, &store, &[]).unwrap(), BlockState::Stale);
        let other = dir.path().join("other.yml");
        assert_eq!(block_state(&config, &other, &[section("b-dev")]).unwrap(), BlockState::Missing);
    }

    #[cfg(unix)]
    #[test]
    fn a_block_of_a_store_behind_a_dangling_symlink_is_left_alone_as_write_leaves_it() {
        let dir = tempfile::tempdir().unwrap();
        let (config, store) = (dir.path().join("config"), dir.path().join("access-roles.yml"));
        let linked = dir.path().join("linked.yml");
        std::os::unix::fs::symlink(dir.path().join("nowhere.yml"), &linked).unwrap();
        super::super::write(&config, &linked, &[section("a-dev")]).unwrap();
        let outcome = super::super::write(&config, &store, &[section("a-dev")]).unwrap();
        assert!(outcome.stale.is_empty(), "a store behind a symlink is not gone");
        assert_eq!(block_state(&config, &store, &[section("a-dev")]).unwrap(), BlockState::Current);
        std::fs::remove_file(&linked).unwrap();
        assert_eq!(block_state(&config, &store, &[section("a-dev")]).unwrap(), BlockState::Stale);
    }

    #[test]
    fn a_config_that_cannot_be_read_is_an_error_not_a_missing_block() {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("access-roles.yml");
        let err = block_state(dir.path(), &store, &[section("a-dev")]).unwrap_err();
        assert_eq!(err.code(), "E_AWS_CONFIG_FILE");
        assert!(err.to_string().contains("cannot read it"), "{err}");
        let binary = dir.path().join("config");
        std::fs::write(&binary, b"[profile a]\n\xff\n").unwrap();
        let err = block_state(&binary, &store, &[section("a-dev")]).unwrap_err();
        assert!(err.to_string().contains("it is not UTF-8 text"), "{err}");
    }

    #[test]
    fn each_state_has_the_name_doctor_reports() {
        let names = [BlockState::Current, BlockState::Stale, BlockState::Missing].map(BlockState::as_str);
        assert_eq!(names, ["current", "stale", "missing"]);
    }
}
