//! Rewriting a text file the user keeps (the AWS config file, the profile store) without
//! changing anything else about it.
//!
//! The new text goes to a temporary file of a random name, created exclusively beside the file,
//! and is renamed over it: a reader sees the old text or the new, and nothing half-written is
//! left. Beyond the text nothing changes: a symlink is written through to its target, the file
//! keeps its mode, owner and group, and a rewrite the tool cannot make without changing one of
//! them (or without writing through a dangling symlink, into a device or a pipe, or past the
//! file's own permissions, or parting its hard links) is refused before anything is written.

mod rename;

use std::io::Write;
use std::path::{Path, PathBuf};

/// The file a rewrite of `path` goes to: what its symlinks lead to, or `path` itself when
/// nothing is there yet. Refused, with what to do: a symlink to nothing, and anything that is
/// not a regular file (a directory, a device, a pipe: read, a pipe would block).
pub(crate) fn target_of(path: &Path) -> Result<PathBuf, String> {
    match std::fs::canonicalize(path) {
        Ok(real) => {
            let kind = std::fs::metadata(&real).map_err(|err| format!("cannot read it: {err}"))?.file_type();
            if !kind.is_file() {
                return Err(format!("it is {}, not a regular file; nothing was written", kind_of(&kind)));
            }
            Ok(real)
        }
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => match std::fs::read_link(path) {
            Ok(to) => Err(format!(
                "it is a symlink to {}, which does not exist; create that file or remove the link",
                to.display()
            )),
            Err(_) => Ok(path.to_owned()),
        },
        Err(err) => Err(format!("cannot read it: {err}")),
    }
}

/// What a file that is not a regular one is, in words.
fn kind_of(kind: &std::fs::FileType) -> &'static str {
    if kind.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a named pipe";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    "something other than a file"
}

/// Replaces the text of `target` (from [`target_of`]) with `text`, keeping its mode, owner and
/// group; a new file gets `new_mode` on Unix. The directory must exist. Refused before anything
/// is written: a file the user may not write, one whose owner or group the rewrite could not
/// keep, and one with other hard links (renaming over one name would part it from the others).
pub(crate) fn replace(target: &Path, text: &str, new_mode: u32) -> Result<(), String> {
    let old = match std::fs::metadata(target) {
        Ok(old) => Some(old),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => None,
        Err(err) => return Err(format!("cannot read it: {err}")),
    };
    if let Some(old) = &old {
        may_write(target, old).map_err(|err| format!("cannot write it: {err}; nothing was changed"))?;
    }
    let dir = dir_of(target);
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut temp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .tempfile_in(dir)
        .map_err(|err| format!("cannot write beside it: {err}"))?;
    keep_metadata(temp.as_file(), old.as_ref(), new_mode)?;
    temp.write_all(text.as_bytes())
        .and_then(|()| temp.as_file().sync_all())
        .map_err(|err| format!("cannot write beside it: {err}"))?;
    rename::persist(temp, target).map_err(|err| format!("cannot write it: {err}"))
}

/// Whether this user may write `target`: opening it to write changes nothing and answers as the
/// system would (mode, ACLs, an immutable flag, a read-only mount).
#[cfg(unix)]
fn may_write(target: &Path, _old: &std::fs::Metadata) -> std::io::Result<()> {
    std::fs::OpenOptions::new().write(true).open(target).map(drop)
}

/// Off Unix, the read-only flag: opening to write could fail only because a reader holds the file
/// for a moment, which the rename waits out ([`rename`]).
#[cfg(not(unix))]
fn may_write(_target: &Path, old: &std::fs::Metadata) -> std::io::Result<()> {
    if old.permissions().readonly() {
        return Err(std::io::Error::new(std::io::ErrorKind::PermissionDenied, "it is read-only"));
    }
    Ok(())
}

/// The directory `path` is in: the current one for a bare file name.
pub(crate) fn dir_of(path: &Path) -> &Path {
    path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."))
}

/// Gives the temporary file the old file's owner, group and mode (a new file: `new_mode`), or
/// refuses a rewrite that could not keep them or would part hard links.
#[cfg(unix)]
fn keep_metadata(temp: &std::fs::File, old: Option<&std::fs::Metadata>, new_mode: u32) -> Result<(), String> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let Some(old) = old else {
        return temp.set_permissions(std::fs::Permissions::from_mode(new_mode)).map_err(|err| err.to_string());
    };
    if old.nlink() > 1 {
        return Err(format!(
            "it has {} hard links, and a rewrite would leave the others with the old text; \
             make the other names symlinks to it",
            old.nlink()
        ));
    }
    let made = temp.metadata().map_err(|err| err.to_string())?;
    if (made.uid(), made.gid()) != (old.uid(), old.gid()) {
        std::os::unix::fs::fchown(temp, Some(old.uid()), Some(old.gid())).map_err(|err| {
            format!(
                "it belongs to user {} and group {}, which a rewrite by this user cannot keep ({err}); \
                 run as its owner",
                old.uid(),
                old.gid()
            )
        })?;
    }
    temp.set_permissions(old.permissions()).map_err(|err| err.to_string())
}

/// Off Unix a file has no owner to keep here; it keeps its permissions (the read-only flag).
#[cfg(not(unix))]
fn keep_metadata(temp: &std::fs::File, old: Option<&std::fs::Metadata>, _new_mode: u32) -> Result<(), String> {
    match old {
        Some(old) => temp.set_permissions(old.permissions()).map_err(|err| err.to_string()),
        None => Ok(()),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    #[test]
    fn a_file_named_without_a_directory_is_in_the_current_one() {
        assert_eq!(dir_of(Path::new("config")), Path::new("."));
        assert_eq!(dir_of(Path::new("aws/config")), Path::new("aws"));
        assert_eq!(dir_of(Path::new("/home/ana/.aws/config")), Path::new("/home/ana/.aws"));
    }

    #[test]
    fn a_pipe_a_device_or_a_directory_is_refused_before_it_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let pipe = dir.path().join("config");
        let c_path = std::ffi::CString::new(pipe.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a NUL-terminated path; mkfifo only creates the pipe.
        assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o644) }, 0);
        let err = target_of(&pipe).unwrap_err();
        assert_eq!(err, "it is a named pipe, not a regular file; nothing was written");
        assert!(target_of(Path::new("/dev/null")).unwrap_err().starts_with("it is a device,"));
        assert!(target_of(dir.path()).unwrap_err().starts_with("it is a directory,"));
        let link = dir.path().join("link");
        std::os::unix::fs::symlink("/dev/null", &link).unwrap();
        assert!(target_of(&link).unwrap_err().starts_with("it is a device,"), "followed through a symlink too");
    }

    #[test]
    fn a_symlink_to_nothing_is_refused_and_stays_a_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("config");
        std::os::unix::fs::symlink("dotfiles/aws-config", &link).unwrap();
        let err = target_of(&link).unwrap_err();
        assert_eq!(
            err,
            "it is a symlink to dotfiles/aws-config, which does not exist; create that file or remove the link"
        );
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        let missing = dir.path().join("new");
        assert_eq!(target_of(&missing).unwrap(), missing, "nothing there yet: the path itself");
        let real = dir.path().join("real");
        std::fs::write(&real, "x").unwrap();
        std::os::unix::fs::symlink(&real, dir.path().join("to-real")).unwrap();
        assert_eq!(target_of(&dir.path().join("to-real")).unwrap(), real.canonicalize().unwrap());
    }

    #[test]
    fn a_file_with_other_hard_links_is_refused_and_every_name_keeps_its_text() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config");
        std::fs::write(&file, "old\n").unwrap();
        std::fs::hard_link(&file, dir.path().join("dotfiles-config")).unwrap();
        let err = replace(&file, "new\n", 0o600).unwrap_err();
        assert!(err.starts_with("it has 2 hard links,"), "{err}");
        assert_eq!(std::fs::read_to_string(dir.path().join("dotfiles-config")).unwrap(), "old\n");
        assert_eq!(std::fs::metadata(&file).unwrap().nlink(), 2);
        assert_eq!(entries(dir.path()), ["config", "dotfiles-config"], "no temporary file is left");
    }

    #[test]
    fn a_rewrite_keeps_mode_owner_and_group_and_a_new_file_gets_the_mode_asked() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("access-roles.yml");
        std::fs::write(&file, "old\n").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o664)).unwrap();
        let me = std::fs::metadata(&file).unwrap();
        // Another owner and group where this user may give them (root, as in CI); else the
        // rewrite must keep this user's own, which it does without a chown.
        // SAFETY: geteuid has no preconditions.
        let (uid, gid) = if unsafe { libc::geteuid() } == 0 { (65534, 65534) } else { (me.uid(), me.gid()) };
        std::os::unix::fs::chown(&file, Some(uid), Some(gid)).unwrap();
        replace(&file, "new\n", 0o600).unwrap();
        let after = std::fs::metadata(&file).unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "new\n");
        assert_eq!((after.mode() & 0o7777, after.uid(), after.gid()), (0o664, uid, gid));
        assert_ne!(after.ino(), me.ino(), "renamed over, not written in place");

        let fresh = dir.path().join("fresh.yml");
        replace(&fresh, "x\n", 0o644).unwrap();
        assert_eq!(std::fs::metadata(&fresh).unwrap().mode() & 0o7777, 0o644);
        assert_eq!(entries(dir.path()), ["access-roles.yml", "fresh.yml"]);

        // A path the system cannot look at is no new file.
        let under_a_file = file.join("config");
        assert!(replace(&under_a_file, "x\n", 0o644).unwrap_err().starts_with("cannot read it: "));
    }
}
