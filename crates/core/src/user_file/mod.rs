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
    if path.as_os_str().to_string_lossy().ends_with(std::path::is_separator) {
        return Err("it ends with a path separator, which names a directory; nothing was written".to_owned());
    }
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
                "it is a symlink to {}, which leads to no file; create the file it leads to or remove the link",
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
/// group; a new file gets `new_mode` on Unix. The directory must exist. Refused, with `target`
/// untouched and no temporary file left: a file the user may not write, one [`keepable`]
/// refuses (other hard links, extended attributes), and one whose owner, group or mode the new
/// file could not be given.
pub(crate) fn replace(target: &Path, text: &str, new_mode: u32) -> Result<(), String> {
    let old = match std::fs::metadata(target) {
        Ok(old) => Some(old),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => None,
        Err(err) => return Err(format!("cannot read it: {err}")),
    };
    if let Some(old) = &old {
        may_write(target, old).map_err(|err| format!("cannot write it: {err}; nothing was changed"))?;
        keepable(target, old)?;
    }
    // A short fixed prefix: the file's own name could make the temporary one too long.
    let mut temp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .tempfile_in(dir_of(target))
        .map_err(|err| format!("cannot write beside it: {err}"))?;
    // The text first: writing clears the set-user-ID and set-group-ID bits of a file, which
    // the mode then sets.
    temp.write_all(text.as_bytes()).map_err(|err| format!("cannot write beside it: {err}"))?;
    keep_metadata(temp.as_file(), old.as_ref(), new_mode)?;
    temp.as_file().sync_all().map_err(|err| format!("cannot write beside it: {err}"))?;
    rename::persist(temp, target).map_err(|err| format!("cannot write it: {err}"))
}

/// How the temporary file's name starts, beside the file it replaces.
const TEMP_PREFIX: &str = ".sar-";

/// Whether this user may write `target`: opening it to write changes nothing and answers as the
/// system would (mode, ACLs, an immutable flag, a read-only mount).
#[cfg(unix)]
fn may_write(target: &Path, _old: &std::fs::Metadata) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    // Without blocking: a pipe put in the file's place since it was looked at fails at once.
    std::fs::OpenOptions::new().write(true).custom_flags(libc::O_NONBLOCK).open(target).map(drop)
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
/// refuses a rewrite that could not keep them.
#[cfg(unix)]
fn keep_metadata(temp: &std::fs::File, old: Option<&std::fs::Metadata>, new_mode: u32) -> Result<(), String> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let Some(old) = old else {
        return temp.set_permissions(std::fs::Permissions::from_mode(new_mode)).map_err(|err| err.to_string());
    };
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
    temp.set_permissions(old.permissions()).map_err(|err| err.to_string())?;
    // The system may drop a bit it will not let this user set (set-group-ID outside the group).
    let mode = temp.metadata().map_err(|err| err.to_string())?.mode() & 0o7777;
    if mode != old.mode() & 0o7777 {
        return Err(format!(
            "its mode {:04o} cannot be kept by this user (the new file would be {mode:04o}); run as its owner",
            old.mode() & 0o7777
        ));
    }
    Ok(())
}

/// Refuses, before anything is written, a file whose rewrite would drop what a new file cannot
/// be given here: other hard links (renaming over one name parts it from the others), and, on
/// Linux, extended attributes and access control lists other than the system's security labels.
#[cfg(unix)]
fn keepable(target: &Path, old: &std::fs::Metadata) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    if old.nlink() > 1 {
        return Err(format!(
            "it has {} hard links, and a rewrite would leave the others with the old text; \
             make the other names symlinks to it",
            old.nlink()
        ));
    }
    let attributes = extended_attributes(target).map_err(|err| format!("cannot read its attributes: {err}"))?;
    if !attributes.is_empty() {
        return Err(format!(
            "it has extended attributes or an access control list ({}), which a rewrite would drop; \
             remove them, or edit the file by hand",
            attributes.join(", ")
        ));
    }
    Ok(())
}

/// Off Unix a file is kept whole by its permissions alone.
#[cfg(not(unix))]
fn keepable(_target: &Path, _old: &std::fs::Metadata) -> Result<(), String> {
    Ok(())
}

/// The names of `path`'s extended attributes (a POSIX ACL is `system.posix_acl_access`), but
/// `security.*`: labels the system gives a new file by its own rules.
#[cfg(target_os = "linux")]
fn extended_attributes(path: &Path) -> std::io::Result<Vec<String>> {
    use std::os::unix::ffi::OsStrExt;
    let c_path = std::ffi::CString::new(path.as_os_str().as_bytes()).map_err(std::io::Error::other)?;
    let mut names = vec![0u8; 64 * 1024];
    // SAFETY: `c_path` is NUL-terminated, and `names` is valid for writes of its length.
    let size = unsafe { libc::listxattr(c_path.as_ptr(), names.as_mut_ptr().cast(), names.len()) };
    let Ok(size) = usize::try_from(size) else {
        let err = std::io::Error::last_os_error();
        // A file system without extended attributes has none to drop.
        return if err.raw_os_error() == Some(libc::ENOTSUP) { Ok(Vec::new()) } else { Err(err) };
    };
    Ok(names[..size]
        .split(|byte| *byte == 0)
        .filter(|name| !name.is_empty() && !name.starts_with(b"security."))
        .map(|name| String::from_utf8_lossy(name).into_owned())
        .collect())
}

/// Elsewhere on Unix (macOS), extended attributes are not looked at: a rewrite there may drop
/// them.
#[cfg(all(unix, not(target_os = "linux")))]
fn extended_attributes(_path: &Path) -> std::io::Result<Vec<String>> {
    Ok(Vec::new())
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
            "it is a symlink to dotfiles/aws-config, which leads to no file; create the file it leads to or remove the link"
        );
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        let missing = dir.path().join("new");
        assert_eq!(target_of(&missing).unwrap(), missing, "nothing there yet: the path itself");
        let real = dir.path().join("real");
        std::fs::write(&real, "x").unwrap();
        std::os::unix::fs::symlink(&real, dir.path().join("to-real")).unwrap();
        assert_eq!(target_of(&dir.path().join("to-real")).unwrap(), real.canonicalize().unwrap());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_file_with_extended_attributes_or_an_acl_is_refused_and_keeps_them() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config");
        std::fs::write(&file, "old\n").unwrap();
        let c_path = std::ffi::CString::new(file.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: NUL-terminated name and path; the value is valid for its length.
        let set = unsafe { libc::setxattr(c_path.as_ptr(), c"user.note".as_ptr(), b"keep".as_ptr().cast(), 4, 0) };
        assert_eq!(set, 0, "the test's file system takes user attributes: {}", std::io::Error::last_os_error());
        let err = replace(&file, "new\n", 0o600).unwrap_err();
        assert_eq!(
            err,
            "it has extended attributes or an access control list (user.note), which a rewrite would drop; \
             remove them, or edit the file by hand"
        );
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "old\n");
        assert_eq!(entries(dir.path()), ["config"], "nothing was made beside it");
        assert_eq!(extended_attributes(&file).unwrap(), ["user.note"]);
        assert!(extended_attributes(&dir.path().join("missing")).is_err(), "an error is not \"none\"");
    }

    #[test]
    fn a_path_ending_in_a_separator_or_a_symlink_chain_to_nothing_is_refused_and_nothing_is_made() {
        let dir = tempfile::tempdir().unwrap();
        let slash = format!("{}/new/config/", dir.path().display());
        assert!(target_of(Path::new(&slash)).unwrap_err().starts_with("it ends with a path separator"));
        let chain = dir.path().join("config");
        std::os::unix::fs::symlink("l1", &chain).unwrap();
        std::os::unix::fs::symlink("missing", dir.path().join("l1")).unwrap();
        assert!(target_of(&chain).unwrap_err().starts_with("it is a symlink to l1, which leads to no file;"));
        assert_eq!(entries(dir.path()), ["config", "l1"]);
    }

    #[test]
    fn a_name_as_long_as_the_system_allows_is_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c".repeat(255));
        std::fs::write(&file, "old\n").unwrap();
        replace(&file, "new\n", 0o600).unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "new\n");
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
