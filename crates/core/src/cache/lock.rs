//! A lock across processes, so that processes starting together for one key assume the role once.
//!
//! The lock is an OS file lock (`flock` on Unix) on `KEY.lock` beside the entry. The OS drops it
//! when the holder exits, however it exits, so a crashed holder never leaves a stale lock; a
//! holder that hangs is waited for at most `timeout`, after which the waiter goes ahead alone.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::Path;
use std::time::{Duration, Instant};

/// How often a waiting process tries the lock again.
const POLL: Duration = Duration::from_millis(10);

/// A held lock; dropping it releases the lock.
pub(super) struct Held(#[allow(dead_code, reason = "held for its Drop, which releases the lock")] File);

/// Takes the lock for `key`, waiting at most `timeout`. `None` when it could not be had: the
/// caller then proceeds without it.
pub(super) async fn acquire(dir: &Path, key: &str, timeout: Duration) -> Option<Held> {
    let mut options = OpenOptions::new();
    options.create(true).truncate(false).write(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(dir.join(format!("{key}.lock"))).ok()?;
    let deadline = Instant::now() + timeout;
    loop {
        match file.try_lock() {
            Ok(()) => return Some(Held(file)),
            Err(TryLockError::WouldBlock) if Instant::now() < deadline => tokio::time::sleep(POLL).await,
            Err(_) => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_second_holder_waits_until_the_first_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let first = acquire(dir.path(), "k", Duration::from_secs(5)).await.unwrap();
        assert!(acquire(dir.path(), "k", Duration::from_millis(50)).await.is_none(), "held elsewhere");
        assert!(acquire(dir.path(), "other", Duration::from_millis(50)).await.is_some(), "other keys are free");
        drop(first);
        assert!(acquire(dir.path(), "k", Duration::from_millis(50)).await.is_some());
    }
}
