//! The profiles' block in the AWS config file.
//!
//! The profiles of one store are written as one block between two marker comments that name the
//! store. A later run for the same store replaces that block and nothing else: every other byte
//! of the file stays as it was, and a run with nothing new leaves the file untouched.

use super::merge::{merge, store_gone, StaleBlock};
use crate::env::Env;
use crate::error::Error;
use crate::user_file;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long a writer waits for another one writing the same AWS config file.
const LOCK_TIMEOUT: Duration = Duration::from_secs(30);

/// First line of a block; the store's path follows.
pub(super) const BEGIN: &str = "# >>> serverless-access-roles profiles from ";
/// Last line of a block; the store's path follows.
pub(super) const END: &str = "# <<< serverless-access-roles profiles from ";

/// One profile section to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    /// The profile name, `NAME` in `[profile NAME]`.
    pub name: String,
    /// The `credential_process` command line.
    pub credential_process: String,
    /// The `region` setting, if any.
    pub region: Option<String>,
}

/// What [`write`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WriteOutcome {
    /// The AWS config file.
    pub path: PathBuf,
    /// Whether the file changed; false when it already held exactly these profiles.
    pub changed: bool,
    /// Profiles not written because the file defines them itself, outside the block.
    pub kept: Vec<String>,
    /// Blocks of stores that are gone which held these profiles (the project moved): replaced
    /// by this store's block, or removed.
    pub stale: Vec<StaleBlock>,
}

/// The AWS config file: `explicit` if given, else `AWS_CONFIG_FILE` (a leading `~/` is the home
/// directory, as the AWS SDKs read it), else `~/.aws/config`; variables as `env` has them.
pub fn config_file(explicit: Option<PathBuf>, env: &Env) -> PathBuf {
    match explicit {
        Some(path) => expand_home(path, env),
        None => shared_file(env, "AWS_CONFIG_FILE", "config"),
    }
}

/// An AWS shared file as the AWS SDKs find it: the path in `variable` (a leading `~/` is the home
/// directory), else `~/.aws/<default>`.
pub(crate) fn shared_file(env: &Env, variable: &str, default: &str) -> PathBuf {
    match env.var_os(variable) {
        Some(path) => expand_home(PathBuf::from(path), env),
        None => env.home_dir().unwrap_or_default().join(".aws").join(default),
    }
}

/// `path` with a leading `~` replaced by the home directory `env` names.
fn expand_home(path: PathBuf, env: &Env) -> PathBuf {
    match path.strip_prefix("~") {
        Ok(rest) => env.home_dir().unwrap_or_default().join(rest),
        Err(_) => path,
    }
}

/// The block for the profiles of `store`, as [`write`] puts it into the file.
pub fn render(store: &Path, sections: &[Section]) -> Result<String, Error> {
    let store = marker_path(store)?;
    let mut text = format!(
        "{BEGIN}{store}\n# Written by `serverless-access-roles profiles --write`, which replaces this block: edit the store instead.\n"
    );
    for (index, section) in sections.iter().enumerate() {
        let values = [section.name.as_str(), &section.credential_process].into_iter().chain(section.region.as_deref());
        if let Some(bad) = values.into_iter().find(|v| v.contains(['\n', '\r'])) {
            return Err(Error::InvalidArgument { name: "AWS config profile", message: format!("{bad:?} spans lines") });
        }
        if index > 0 {
            text.push('\n');
        }
        text.push_str(&format!("[profile {}]\ncredential_process = {}\n", section.name, section.credential_process));
        if let Some(region) = &section.region {
            text.push_str(&format!("region = {region}\n"));
        }
    }
    text.push_str(&format!("{END}{store}\n"));
    Ok(text)
}

/// Merges the profiles of `store` into the AWS config file at `path` (see [`config_file`]).
///
/// 1. The block this function wrote for `store` before is replaced where it stands; without one,
///    the block of a store that is gone and held these profiles (the project moved) is replaced,
///    else the block is added at the end. Every other line and comment stays byte for byte (see
///    [`super::merge`]).
/// 2. A profile the file defines outside the blocks is the user's own: it is kept, not written,
///    and named in [`WriteOutcome::kept`].
/// 3. Writers of one file take turns: each holds a lock on the file's directory (`flock`, which
///    changes nothing on disk) from reading the file to renaming the new one over it, so two
///    concurrent writers both keep their blocks.
/// 4. The new text replaces the old as `crate::user_file` rewrites a file: renamed over it, so
///    a reader sees the old file or the new one, keeping its mode, owner and group (a new file
///    gets 0600, in a directory made 0700), written through a symlink to its target; a path that
///    is no regular file, a symlink to nothing, a file the user may not write or one with other
///    hard links is refused before anything is written.
/// 5. When the text would not change, the file is not written at all.
pub fn write(path: &Path, store: &Path, sections: &[Section]) -> Result<WriteOutcome, Error> {
    let failed = |message: String| Error::AwsConfigFile { path: path.to_owned(), message };
    let target = user_file::target_of(path).map_err(failed)?;
    let dir = user_file::dir_of(&target);
    if !dir.exists() {
        create_private_dir(dir).map_err(|err| failed(format!("cannot create its directory: {err}")))?;
    }
    let _turn = lock_dir(dir, LOCK_TIMEOUT).map_err(failed)?;
    let old = match std::fs::read(&target) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|_| failed("it is not UTF-8 text".to_owned()))?,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(err) => return Err(failed(format!("cannot read it: {err}"))),
    };
    let merged = merge(&old, store, sections, &store_gone).map_err(failed)?;
    let changed = merged.text != old;
    if changed {
        user_file::replace(&target, &merged.text, 0o600).map_err(failed)?;
    }
    Ok(WriteOutcome { path: path.to_owned(), changed, kept: merged.kept, stale: merged.stale })
}

/// Holds an exclusive lock on `dir` until dropped, waiting at most `timeout` for it; `None`
/// where the file system has no locks, and off Unix, where a directory does not open as a file
/// (writers are not serialised there).
fn lock_dir(dir: &Path, timeout: Duration) -> Result<Option<std::fs::File>, String> {
    if !cfg!(unix) {
        return Ok(None);
    }
    let handle = std::fs::File::open(dir).map_err(|err| format!("cannot open its directory: {err}"))?;
    let deadline = Instant::now() + timeout;
    loop {
        match handle.try_lock() {
            Ok(()) => return Ok(Some(handle)),
            Err(std::fs::TryLockError::WouldBlock) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(format!("another profiles --write has held it for {timeout:?}; try again when it is done"));
            }
            // A file system without locks (some network mounts): written as before, unserialised.
            Err(std::fs::TryLockError::Error(_)) => return Ok(None),
        }
    }
}

/// The store's path as the markers show it: on one line.
pub(super) fn marker_path(store: &Path) -> Result<String, Error> {
    let text = store.display().to_string();
    if text.contains(['\n', '\r']) {
        return Err(Error::InvalidArgument { name: "profile store path", message: format!("{text:?} spans lines") });
    }
    Ok(text)
}

/// Creates `dir` and its missing parents, private to the user on Unix (0700).
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws_profiles::test_sections::{section, STORE};

    #[test]
    fn a_block_is_its_markers_around_the_sections_one_blank_line_apart() {
        let block = render(Path::new(STORE), &[section("a", Some("eu-west-1")), section("b", None)]).unwrap();
        assert_eq!(
            block,
            "# >>> serverless-access-roles profiles from /srv/access-roles.yml\n\
             # Written by `serverless-access-roles profiles --write`, which replaces this block: edit the store instead.\n\
             [profile a]\ncredential_process = /bin/sar credential-process --app a\nregion = eu-west-1\n\
             \n\
             [profile b]\ncredential_process = /bin/sar credential-process --app b\n\
             # <<< serverless-access-roles profiles from /srv/access-roles.yml\n"
        );
    }

    #[test]
    fn a_config_path_that_is_a_directory_is_an_error_and_stays_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let err = write(dir.path(), Path::new(STORE), &[section("a", None)]).unwrap_err();
        assert_eq!(err.code(), "E_AWS_CONFIG_FILE");
        assert!(err.to_string().contains("it is a directory, not a regular file"), "{err}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[cfg(unix)]
    #[test]
    fn a_config_path_the_system_refuses_is_unreadable_and_nothing_is_made_for_it() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("d".repeat(300)).join("config");
        let err = write(&config, Path::new(STORE), &[section("a", None)]).unwrap_err();
        assert_eq!(err.code(), "E_AWS_CONFIG_FILE");
        assert!(err.to_string().contains("cannot read it"), "{err}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[cfg(unix)]
    #[test]
    fn a_writer_gives_up_when_another_holds_the_directory_past_the_timeout() {
        let dir = tempfile::tempdir().unwrap();
        let held = lock_dir(dir.path(), LOCK_TIMEOUT).unwrap().expect("the temporary directory has locks");
        let err = lock_dir(dir.path(), Duration::from_millis(100)).unwrap_err();
        assert_eq!(err, "another profiles --write has held it for 100ms; try again when it is done");
        drop(held);
        assert!(lock_dir(dir.path(), Duration::from_millis(100)).unwrap().is_some());
    }

    #[test]
    fn values_on_several_lines_are_refused() {
        let mut bad = section("a", None);
        bad.credential_process.push_str("\n[profile evil]");
        assert_eq!(render(Path::new(STORE), &[bad]).unwrap_err().code(), "E_INVALID_ARGUMENT");
    }

    #[cfg(unix)]
    #[test]
    fn the_write_is_atomic_keeps_the_mode_and_follows_a_symlink() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let fresh = dir.path().join("new").join("config");
        let outcome = write(&fresh, Path::new(STORE), &[section("a", None)]).unwrap();
        assert!(outcome.changed);
        assert_eq!(std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::metadata(fresh.parent().unwrap()).unwrap().permissions().mode() & 0o777, 0o700);
        assert!(!write(&fresh, Path::new(STORE), &[section("a", None)]).unwrap().changed);

        let real = dir.path().join("real-config");
        std::fs::write(&real, "[default]\n").unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
        let link = dir.path().join("config");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write(&link, Path::new(STORE), &[section("a", None)]).unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert!(std::fs::read_to_string(&real).unwrap().contains("[profile a]"));
        assert_eq!(std::fs::metadata(&real).unwrap().permissions().mode() & 0o777, 0o640);
        let leftovers = std::fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with('.'));
        assert_eq!(leftovers.count(), 0, "no temporary file is left behind");
    }

    #[cfg(unix)]
    #[test]
    fn concurrent_writers_of_one_file_each_keep_their_block() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config");
        for round in 0..5 {
            let writers: Vec<_> = (0..8)
                .map(|i| {
                    let config = config.clone();
                    std::thread::spawn(move || {
                        let store = PathBuf::from(format!("/srv/p{round}-{i}/access-roles.yml"));
                        write(&config, &store, &[section(&format!("p{round}-{i}"), None)]).unwrap()
                    })
                })
                .collect();
            for writer in writers {
                assert!(writer.join().unwrap().changed);
            }
        }
        let text = std::fs::read_to_string(&config).unwrap();
        assert_eq!(text.matches("[profile ").count(), 40, "{text}");
    }

    #[test]
    fn the_config_file_is_the_explicit_one_then_aws_config_file() {
        let env = Env::from_slice(&[("HOME", "/home/ana"), ("AWS_CONFIG_FILE", "~/aws/config")]);
        assert_eq!(config_file(Some(PathBuf::from("/x/config")), &env), Path::new("/x/config"));
        assert_eq!(config_file(Some(PathBuf::from("~/y")), &env), Path::new("/home/ana/y"));
        assert_eq!(config_file(None, &env), Path::new("/home/ana/aws/config"));
        let plain = Env::from_slice(&[("HOME", "/home/ana")]);
        assert_eq!(config_file(None, &plain), Path::new("/home/ana/.aws/config"));
    }

    #[test]
    fn the_credentials_file_follows_the_same_rule_home_included() {
        let env = Env::from_slice(&[("HOME", "/home/ana"), ("AWS_SHARED_CREDENTIALS_FILE", "~/aws/keys")]);
        let credentials = shared_file(&env, "AWS_SHARED_CREDENTIALS_FILE", "credentials");
        assert_eq!(credentials, Path::new("/home/ana/aws/keys"));
        let plain = Env::from_slice(&[("HOME", "/home/ana")]);
        let credentials = shared_file(&plain, "AWS_SHARED_CREDENTIALS_FILE", "credentials");
        assert_eq!(credentials, Path::new("/home/ana/.aws/credentials"));
    }
}
