//! Which SIGINTs another process sent, apart from those a terminal raised.
//!
//! A Ctrl-C at a terminal signals its whole foreground process group, so `exec`'s command gets
//! it as well as `exec`; a `kill -INT` of `exec`'s pid reaches `exec` alone, and `exec` must pass
//! it on. Node's `process.on('SIGINT')` does not tell the two apart; the signal's `siginfo_t`
//! does. [`watch`] adds a handler beside Node's that counts the SIGINTs a process sent, and
//! [`take_sent`] hands the count over.

#[cfg(unix)]
mod unix {
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::OnceLock;

    /// SIGINTs sent by a process since the last [`take_sent`].
    static SENT: AtomicU32 = AtomicU32::new(0);
    /// Whether the handler is in place (set once).
    static WATCHING: OnceLock<bool> = OnceLock::new();

    pub(crate) fn watch() -> bool {
        *WATCHING.get_or_init(|| {
            // Safety: the action only adds to an atomic, which is async-signal-safe;
            // signal-hook-registry calls the handler that was in place (Node's) before it.
            let registered = unsafe {
                signal_hook_registry::register_sigaction(libc::SIGINT, |info: &libc::siginfo_t| {
                    if sent_by_a_process(info) {
                        SENT.fetch_add(1, Ordering::SeqCst);
                    }
                })
            };
            registered.is_ok()
        })
    }

    pub(crate) fn take_sent() -> u32 {
        SENT.swap(0, Ordering::SeqCst)
    }

    /// Linux marks what processes send (`kill`, `sigqueue`, `tgkill`) with an `si_code` of 0 or
    /// less, and what the kernel raises (a terminal's Ctrl-C) with `SI_KERNEL`.
    #[cfg(any(target_os = "linux", target_os = "android"))]
    pub(super) fn sent_by_a_process(info: &libc::siginfo_t) -> bool {
        info.si_code <= 0
    }

    /// Elsewhere (macOS, the BSDs) a sent signal carries its sender's pid; a terminal's has none.
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    pub(super) fn sent_by_a_process(info: &libc::siginfo_t) -> bool {
        // Safety: every SIGINT's siginfo_t has its sender's pid, 0 when the kernel raised it.
        unsafe { info.si_pid() > 0 }
    }
}

/// Starts counting the SIGINTs other processes send to this one, once per process; `false` where
/// the platform cannot tell who sent a signal (Windows, whose console delivers Ctrl-C to every
/// process attached to it). Call it after Node's own handler is in place (`process.on('SIGINT')`):
/// installing a handler replaces the one before it, and this one calls Node's.
pub fn watch() -> bool {
    #[cfg(unix)]
    return unix::watch();
    #[cfg(not(unix))]
    return false;
}

/// How many SIGINTs other processes sent since the last call (0 after a terminal's Ctrl-C).
pub fn take_sent() -> u32 {
    #[cfg(unix)]
    return unix::take_sent();
    #[cfg(not(unix))]
    return 0;
}

#[cfg(all(test, any(target_os = "linux", target_os = "android")))]
mod tests {
    use super::unix::sent_by_a_process;

    fn info_with_code(code: libc::c_int) -> libc::siginfo_t {
        // Safety: siginfo_t is plain data; all zeros is a valid value.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        info.si_signo = libc::SIGINT;
        info.si_code = code;
        info
    }

    #[test]
    fn kill_sigqueue_and_tgkill_are_sent_by_a_process_and_a_terminal_s_ctrl_c_is_not() {
        for code in [libc::SI_USER, libc::SI_QUEUE, libc::SI_TKILL] {
            assert!(sent_by_a_process(&info_with_code(code)), "{code}");
        }
        assert!(!sent_by_a_process(&info_with_code(libc::SI_KERNEL)));
    }
}
