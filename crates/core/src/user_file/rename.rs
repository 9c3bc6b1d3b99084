//! Renaming a rewritten file over the old one, retried briefly where that can fail for a
//! moment: on Windows, while another program (the aws CLI reading it, an editor, a virus scanner)
//! has the old file open without `FILE_SHARE_DELETE`, the rename fails with "Access is denied" or
//! a sharing violation until it lets go.

use std::io;
use std::path::Path;
use std::time::Duration;

/// The waits between tries: about a third of a second in all, then the error stands.
const BACK_OFF: [Duration; 5] = [
    Duration::from_millis(10),
    Duration::from_millis(20),
    Duration::from_millis(40),
    Duration::from_millis(80),
    Duration::from_millis(160),
];

/// Renames `temp` over `target`, retried with [`BACK_OFF`] while it fails in a way that passes.
pub(super) fn persist(temp: tempfile::NamedTempFile, target: &Path) -> io::Result<()> {
    let mut temp = Some(temp);
    retrying(cfg!(windows), |_| {
        let file = temp.take().ok_or_else(|| io::Error::other("the temporary file is gone"))?;
        file.persist(target).map(drop).map_err(|err| {
            temp = Some(err.file);
            err.error
        })
    })
}

/// Runs `attempt` (given the try's number) until it succeeds, fails in a way that does not pass
/// ([`passes`] on `windows`), or [`BACK_OFF`] runs out.
fn retrying<T>(windows: bool, mut attempt: impl FnMut(usize) -> io::Result<T>) -> io::Result<T> {
    let mut tries = 0;
    loop {
        match attempt(tries) {
            Err(err) if passes(&err, windows) && tries < BACK_OFF.len() => {
                std::thread::sleep(BACK_OFF[tries]);
                tries += 1;
            }
            outcome => return outcome,
        }
    }
}

/// Whether a failed rename may succeed a moment later: on Windows, `ERROR_ACCESS_DENIED` (5),
/// `ERROR_SHARING_VIOLATION` (32) and `ERROR_LOCK_VIOLATION` (33) while another process has the
/// file open. Nowhere else: a POSIX rename does not care who has the file open.
fn passes(err: &io::Error, windows: bool) -> bool {
    windows && matches!(err.raw_os_error(), Some(5 | 32 | 33))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sharing_violation_on_windows_is_retried_until_the_file_is_let_go() {
        let result = retrying(true, |tries| if tries < 3 { Err(io::Error::from_raw_os_error(32)) } else { Ok(tries) });
        assert_eq!(result.unwrap(), 3);
    }

    #[test]
    fn the_back_off_ends_and_the_last_error_stands() {
        let mut calls = 0;
        let result: io::Result<()> = retrying(true, |_| {
            calls += 1;
            Err(io::Error::from_raw_os_error(5))
        });
        assert_eq!(result.unwrap_err().raw_os_error(), Some(5));
        assert_eq!(calls, BACK_OFF.len() + 1);
    }

    #[test]
    fn other_errors_and_other_platforms_are_not_retried() {
        for (windows, code) in [(true, 2), (false, 5), (false, 32)] {
            let mut calls = 0;
            let result: io::Result<()> = retrying(windows, |_| {
                calls += 1;
                Err(io::Error::from_raw_os_error(code))
            });
            assert!(result.is_err());
            assert_eq!(calls, 1, "windows {windows}, error {code}");
        }
    }
}
