//! A lock across processes, so that processes starting together for one key assume the role once.
//!
//! The lock is an OS file lock (`flock` on Unix) on `KEY.lock` beside the entry. The OS drops it
//! when the holder exits, however it exits, so a crashed holder never leaves a stale lock; a
//! holder that hangs is waited for at most `timeout`, after which the waiter goes ahead alone.
//!
//! The loop guard lives here too, the one place a loop is told from waiting. The holder writes
//! its process id into the file, and `chain` when its base identity's credential chain runs
//! this package's bin (see `crate::aws_profiles::chain_runs_bin`). A waiter whose own ancestor
//! holds the lock with `chain` was started by that chain for the key its ancestor is resolving:
//! waiting would only end at the timeout, so it stops at once ([`Acquired::Loop`]) and writes a
//! `loop` line into the file, which the holder reads when its base identity fails
//! ([`Held::loop_reported`]). Any other waiter, a descendant started some other way included,
//! waits and then reads the keys its ancestor cached. The file is opened without following
//! symlinks.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How often a waiting process tries the lock again.
const POLL: Duration = Duration::from_millis(10);

/// A held lock; dropping it releases the lock.
pub(super) struct Held(File);

impl Held {
    /// Whether a process started by this holder's credential chain found the lock held by its
    /// ancestor, this process, and stopped: the chain loops back into this resolve.
    pub(super) fn loop_reported(&self) -> bool {
        holder::loop_reported(&self.0)
    }
}

/// What [`acquire`] came back with.
pub(super) enum Acquired {
    /// The lock is ours until this is dropped.
    Held(Held),
    /// Another process held it for the whole timeout, or it could not be opened: go ahead alone.
    NotHeld,
    /// An ancestor of this process holds it, and its credential chain runs this bin: this
    /// resolve was started by that chain, for the key the ancestor is resolving.
    Loop,
}

/// The lock file of `key` in `dir`.
pub(super) fn lock_path(dir: &Path, key: &str) -> PathBuf {
    dir.join(format!("{key}.lock"))
}

/// Takes the lock for `key`, waiting at most `timeout` (zero: one try); `chain` says whether
/// this process's credential chain runs this bin, for the processes that may find it held.
pub(super) async fn acquire(dir: &Path, key: &str, timeout: Duration, chain: bool) -> Acquired {
    let mut options = OpenOptions::new();
    options.create(true).truncate(false).read(true).write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    let path = lock_path(dir, key);
    let Ok(mut file) = options.open(&path) else { return Acquired::NotHeld };
    let deadline = Instant::now() + timeout;
    let mut checked = None;
    loop {
        match file.try_lock() {
            Ok(()) if still_at(&file, &path) => {
                holder::write(&file, chain);
                return Acquired::Held(Held(file));
            }
            Ok(()) => {
                // `cache clear` removed the file while this process waited on it: a lock on the
                // removed file would not exclude one taken on the file at the path now. The
                // deadline holds here too: where the open file and the path never agree (a file
                // system whose two answers differ), the wait ends, it does not spin.
                if Instant::now() >= deadline {
                    return Acquired::NotHeld;
                }
                let Ok(reopened) = options.open(&path) else { return Acquired::NotHeld };
                file = reopened;
                tokio::time::sleep(POLL).await;
            }
            Err(TryLockError::WouldBlock) => {
                // Each holder line is looked into once: the ancestry walk reads /proc.
                let found = holder::read(&file);
                if found != checked {
                    if found.is_some_and(|(pid, chain)| chain && holder::is_ancestor(pid)) {
                        holder::report_loop(&file);
                        return Acquired::Loop;
                    }
                    checked = found;
                }
                if Instant::now() >= deadline {
                    return Acquired::NotHeld;
                }
                tokio::time::sleep(POLL).await;
            }
            Err(_) => return Acquired::NotHeld,
        }
    }
}

/// Whether `file` still is the file at `path` (not removed or replaced since it was opened).
fn still_at(file: &File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), std::fs::symlink_metadata(path)) {
            (Ok(open), Ok(at_path)) => open.dev() == at_path.dev() && open.ino() == at_path.ino(),
            _ => false,
        }
    }
    #[cfg(windows)]
    {
        windows_identity::same_file(file, path)
    }
    #[cfg(not(any(unix, windows)))]
    {
        let _ = (file, path);
        true
    }
}

/// File identity on Windows, where `cache clear` can remove an open lock file too: std opens
/// files with `FILE_SHARE_DELETE`. Names and creation times cannot tell a recreated file from the
/// old one (NTFS "tunnelling" keeps the creation time of a name recreated within 15 seconds);
/// the volume serial number and file index can.
#[cfg(windows)]
mod windows_identity {
    use std::fs::File;
    use std::os::windows::io::AsRawHandle;
    use std::path::Path;
    use windows_sys::Win32::Storage::FileSystem::{GetFileInformationByHandle, BY_HANDLE_FILE_INFORMATION};

    /// Whether `file` is the file at `path` now (false when that cannot be opened or told).
    pub(super) fn same_file(file: &File, path: &Path) -> bool {
        let Ok(at_path) = File::open(path) else { return false };
        match (identity(file), identity(&at_path)) {
            (Some(open), Some(now)) => open == now,
            _ => false,
        }
    }

    /// The volume serial number and file index of `file`.
    fn identity(file: &File) -> Option<(u32, u32, u32)> {
        // SAFETY: BY_HANDLE_FILE_INFORMATION is plain integers, for which all zeros is valid.
        let mut info: BY_HANDLE_FILE_INFORMATION = unsafe { std::mem::zeroed() };
        // SAFETY: the handle stays open for the call, and `info` is a writable structure of the
        // type the call fills.
        let ok = unsafe { GetFileInformationByHandle(file.as_raw_handle(), &mut info) };
        (ok != 0).then_some((info.dwVolumeSerialNumber, info.nFileIndexHigh, info.nFileIndexLow))
    }
}

/// The process id in the lock file, and the ancestry of processes.
#[cfg(unix)]
mod holder {
    use std::fs::File;
    use std::os::unix::fs::FileExt;

    /// The line a waiter adds when it finds that it loops back into the holder's resolve.
    const LOOP_LINE: &str = "\nloop";

    /// Records this process as the holder: `PID`, or `PID chain` when its credential chain runs
    /// this bin.
    pub(super) fn write(file: &File, chain: bool) {
        let line = format!("{}{}", std::process::id(), if chain { " chain" } else { "" });
        // Only a hint for waiters: a lock without it is waited for as before.
        let _ = file.set_len(0).and_then(|()| file.write_all_at(line.as_bytes(), 0));
    }

    /// The holder's process id, and whether its chain runs this bin, once it has written them.
    pub(super) fn read(file: &File) -> Option<(u32, bool)> {
        let text = contents(file)?;
        let mut words = text.lines().next()?.split_whitespace();
        let pid = words.next()?.parse().ok().filter(|pid| *pid > 1)?;
        Some((pid, words.next() == Some("chain")))
    }

    /// Tells the holder its chain came back to it (see [`LOOP_LINE`]).
    pub(super) fn report_loop(file: &File) {
        if let Ok(meta) = file.metadata() {
            let _ = file.write_all_at(LOOP_LINE.as_bytes(), meta.len());
        }
    }

    /// Whether a waiter reported a loop into the holder's file.
    pub(super) fn loop_reported(file: &File) -> bool {
        contents(file).is_some_and(|text| text.lines().skip(1).any(|line| line == LOOP_LINE.trim()))
    }

    /// The file's first bytes, as text.
    fn contents(file: &File) -> Option<String> {
        let mut buffer = [0u8; 64];
        let len = file.read_at(&mut buffer, 0).ok()?;
        String::from_utf8(buffer.get(..len)?.to_vec()).ok()
    }

    /// True when `pid` is this process's parent, or its parent's, and so on.
    pub(super) fn is_ancestor(pid: u32) -> bool {
        let mut next = Some(std::os::unix::process::parent_id());
        // Process trees are shallow; the bound only guards against a cycle in what the OS says.
        for _ in 0..64 {
            match next {
                Some(p) if p == pid => return true,
                Some(p) if p > 1 => next = parent_of(p),
                _ => return false,
            }
        }
        false
    }

    /// The parent of `pid`, from `/proc/PID/stat` (its fourth field, after the command name in
    /// parentheses, which may itself hold spaces and parentheses).
    #[cfg(target_os = "linux")]
    pub(super) fn parent_of(pid: u32) -> Option<u32> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        let (_, after_name) = stat.rsplit_once(')')?;
        after_name.split_whitespace().nth(1)?.parse().ok()
    }

    /// The parent of `pid`, from the kernel's short BSD process info: the full one
    /// (`PROC_PIDTBSDINFO`) fails with EPERM for another user's processes, the short one does not.
    #[cfg(target_os = "macos")]
    pub(super) fn parent_of(pid: u32) -> Option<u32> {
        let mut info = std::mem::MaybeUninit::<libc::proc_bsdshortinfo>::zeroed();
        let size = libc::c_int::try_from(std::mem::size_of::<libc::proc_bsdshortinfo>()).ok()?;
        let pid = libc::c_int::try_from(pid).ok()?;
        // SAFETY: the buffer is as large as the size passed, and zeroed, so it is initialised
        // whatever the call writes.
        let written =
            unsafe { libc::proc_pidinfo(pid, libc::PROC_PIDT_SHORTBSDINFO, 0, info.as_mut_ptr().cast(), size) };
        // SAFETY: zeroed above, so initialised either way.
        (written == size).then(|| unsafe { info.assume_init() }.pbsi_ppid)
    }

    /// Elsewhere the ancestry is not looked up: a nested resolve waits out the timeout.
    #[cfg(not(any(target_os = "linux", target_os = "macos")))]
    fn parent_of(_pid: u32) -> Option<u32> {
        None
    }
}

/// Without Unix file APIs, no holder is recorded: a resolve started by its own chain waits out
/// the timeout.
#[cfg(not(unix))]
mod holder {
    use std::fs::File;

    pub(super) fn write(_file: &File, _chain: bool) {}

    pub(super) fn read(_file: &File) -> Option<(u32, bool)> {
        None
    }

    pub(super) fn report_loop(_file: &File) {}

    pub(super) fn loop_reported(_file: &File) -> bool {
        false
    }

    pub(super) fn is_ancestor(_pid: u32) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held(acquired: &Acquired) -> bool {
        matches!(acquired, Acquired::Held(_))
    }

    #[tokio::test]
    async fn a_second_holder_waits_until_the_first_lets_go() {
        use std::sync::atomic::{AtomicBool, Ordering};
        let dir = tempfile::tempdir().unwrap();
        let first = acquire(dir.path(), "k", Duration::from_secs(5), false).await;
        assert!(held(&first));
        // This process holds it: not an ancestor of itself, so the second try waits and gives up.
        assert!(matches!(acquire(dir.path(), "k", Duration::from_millis(50), false).await, Acquired::NotHeld));
        assert!(held(&acquire(dir.path(), "other", Duration::from_millis(50), false).await), "other keys are free");
        // A waiter gets the lock, and only once the first holder has let go.
        let released = std::sync::Arc::new(AtomicBool::new(false));
        let (path, seen) = (dir.path().to_owned(), released.clone());
        let waiter = tokio::spawn(async move {
            let acquired = acquire(&path, "k", Duration::from_secs(30), false).await;
            (held(&acquired), seen.load(Ordering::SeqCst))
        });
        tokio::time::sleep(Duration::from_millis(100)).await;
        released.store(true, Ordering::SeqCst);
        drop(first);
        assert_eq!(waiter.await.unwrap(), (true, true), "held, after the release");
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn a_waiter_whose_lock_file_was_removed_locks_the_one_at_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let first = acquire(dir.path(), "k", Duration::from_secs(5), false).await;
        assert!(held(&first));
        let path = dir.path().to_owned();
        let waiter = tokio::spawn(async move { acquire(&path, "k", Duration::from_secs(5), false).await });
        tokio::time::sleep(Duration::from_millis(50)).await;
        // What `cache clear` does: removes the file while holding it, then lets go.
        std::fs::remove_file(lock_path(dir.path(), "k")).unwrap();
        drop(first);
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(
            !held(&acquire(dir.path(), "k", Duration::ZERO, false).await),
            "the waiter holds the lock on the file at the path, so nobody else can"
        );
        assert!(held(&waiter.await.unwrap()));
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn a_waiter_whose_lock_file_was_replaced_waits_for_the_holder_of_the_new_one() {
        let dir = tempfile::tempdir().unwrap();
        let first = acquire(dir.path(), "k", Duration::from_secs(5), false).await;
        assert!(held(&first));
        let path = dir.path().to_owned();
        let waiter = tokio::spawn(async move { acquire(&path, "k", Duration::from_secs(10), false).await });
        tokio::time::sleep(Duration::from_millis(50)).await;
        // `cache clear` removes the file, and another process locks a new one at the path.
        std::fs::remove_file(lock_path(dir.path(), "k")).unwrap();
        let third = acquire(dir.path(), "k", Duration::ZERO, false).await;
        assert!(held(&third));
        drop(first);
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(!waiter.is_finished(), "the lock on the removed file does not count: it waits for the new one");
        drop(third);
        assert!(held(&waiter.await.unwrap()));
    }

    #[cfg(unix)]
    #[test]
    fn the_holder_records_its_process_id_and_ancestry_is_walked_upward() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.lock");
        let file = OpenOptions::new().create(true).truncate(false).read(true).write(true).open(path).unwrap();
        holder::write(&file, false);
        assert_eq!(holder::read(&file), Some((std::process::id(), false)));
        holder::write(&file, true);
        assert_eq!(holder::read(&file), Some((std::process::id(), true)));
        assert!(!holder::loop_reported(&file));
        holder::report_loop(&file);
        assert_eq!(holder::read(&file), Some((std::process::id(), true)), "the note leaves the holder line");
        assert!(holder::loop_reported(&file));
        assert!(holder::is_ancestor(std::os::unix::process::parent_id()));
        assert!(!holder::is_ancestor(std::process::id()), "a process is not its own ancestor");
        // The parent's parent, as the kernel's status file says (not the stat file parent_of reads).
        #[cfg(target_os = "linux")]
        {
            let parent = std::os::unix::process::parent_id();
            let status = std::fs::read_to_string(format!("/proc/{parent}/status")).unwrap();
            let ppid = status.lines().find_map(|line| line.strip_prefix("PPid:")).unwrap().trim().parse().unwrap();
            assert_eq!(holder::parent_of(parent), Some(ppid));
            assert_eq!(holder::parent_of(u32::MAX), None, "no such process");
        }
        // Upward past the first step: the parent's parent is an ancestor too.
        #[cfg(any(target_os = "linux", target_os = "macos"))]
        if let Some(grandparent) = holder::parent_of(std::os::unix::process::parent_id()).filter(|p| *p > 1) {
            assert!(holder::is_ancestor(grandparent), "grandparent {grandparent}");
        }
    }

    #[cfg(any(target_os = "linux", target_os = "macos"))]
    #[tokio::test]
    async fn a_waiter_whose_ancestor_holds_the_lock_for_its_chain_stops_and_tells_it() {
        let dir = tempfile::tempdir().unwrap();
        let first = acquire(dir.path(), "k", Duration::ZERO, true).await;
        let Acquired::Held(holder) = first else { panic!("the first try takes the lock") };
        // The lock as this test's parent would hold it, its chain running the bin: the line that
        // holder writes, in the file it holds.
        let ancestor = std::os::unix::process::parent_id();
        std::fs::write(lock_path(dir.path(), "k"), format!("{ancestor} chain")).unwrap();
        assert!(!holder.loop_reported());
        let waiter = acquire(dir.path(), "k", Duration::from_secs(5), false).await;
        assert!(matches!(waiter, Acquired::Loop), "stops at once instead of waiting out the 5 s");
        assert!(holder.loop_reported(), "the holder learns that its chain came back to it");
        // An ancestor whose chain does not run the bin is waited for, as any holder is.
        std::fs::write(lock_path(dir.path(), "k"), format!("{ancestor}")).unwrap();
        assert!(matches!(acquire(dir.path(), "k", Duration::from_millis(50), false).await, Acquired::NotHeld));
        assert!(!holder.loop_reported());
    }

    #[cfg(unix)]
    #[test]
    fn a_holder_line_that_names_no_process_is_no_holder() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.lock");
        let file = OpenOptions::new().create(true).truncate(false).read(true).write(true).open(&path).unwrap();
        for text in ["", "\n", "chain", "1 chain", "0", "-5 chain", "12x chain", "4294967296 chain"] {
            std::fs::write(&path, text).unwrap();
            assert_eq!(holder::read(&file), None, "{text:?}");
        }
        std::fs::write(&path, "4242 chain\nloop").unwrap();
        assert_eq!(holder::read(&file), Some((4242, true)));
        std::fs::write(&path, "4242 other").unwrap();
        assert_eq!(holder::read(&file), Some((4242, false)));
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn a_symlinked_lock_file_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("elsewhere");
        std::fs::write(&target, "keep").unwrap();
        std::os::unix::fs::symlink(&target, dir.path().join("k.lock")).unwrap();
        assert!(matches!(acquire(dir.path(), "k", Duration::ZERO, false).await, Acquired::NotHeld));
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep", "the link's target is untouched");
    }
}
