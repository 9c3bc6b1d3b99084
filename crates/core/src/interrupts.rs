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

    fn sent_by_a_process(info: &libc::siginfo_t) -> bool {
        // Safety: a SIGINT's siginfo_t holds a sender pid (0 from the kernel); Linux's rule reads
        // only the code.
        let pid = unsafe { info.si_pid() };
        super::sent_by_a_process(info.si_code, pid, cfg!(any(target_os = "linux", target_os = "android")))
    }
}

/// Whether a SIGINT whose `siginfo_t` holds `code` and `pid` was sent by a process. Linux marks
/// what processes send (`kill`, `sigqueue`, `tgkill`) with a code of 0 or less and what the kernel
/// raises (a terminal's Ctrl-C) with `SI_KERNEL`; macOS and the BSDs give a sent signal its
/// sender's pid and a terminal's none.
#[cfg_attr(not(unix), allow(dead_code, reason = "only unix has siginfo_t"))]
fn sent_by_a_process(code: i32, pid: i32, linux: bool) -> bool {
    if linux {
        code <= 0
    } else {
        pid > 0
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

#[cfg(test)]
mod tests {
    use super::sent_by_a_process;

    /// Linux's codes: SI_USER, SI_QUEUE, SI_TKILL (sent) and SI_KERNEL (a terminal's).
    const SI_USER: i32 = 0;
    const SI_QUEUE: i32 = -1;
    const SI_TKILL: i32 = -6;
    const SI_KERNEL: i32 = 0x80;

    #[test]
    fn on_linux_kill_sigqueue_and_tgkill_are_sent_by_a_process_and_a_terminal_s_ctrl_c_is_not() {
        for code in [SI_USER, SI_QUEUE, SI_TKILL] {
            assert!(sent_by_a_process(code, 4242, true), "{code}");
        }
        assert!(!sent_by_a_process(SI_KERNEL, 0, true));
    }

    #[test]
    fn on_macos_a_sent_signal_carries_its_sender_and_a_terminal_s_does_not() {
        // macOS's SI_USER is 0x10001; a signal the kernel raises for a terminal has no sender (pid 0).
        assert!(sent_by_a_process(0x10001, 4242, false));
        assert!(!sent_by_a_process(0, 0, false));
    }

    #[cfg(unix)]
    #[test]
    fn a_sigint_a_process_sends_is_counted_and_handed_over_once() {
        assert!(super::watch());
        assert!(super::watch(), "a second call keeps the one handler");
        super::take_sent();
        // SAFETY: kill has no memory preconditions; the handler now in place counts the signal
        // instead of the default action ending the process.
        assert_eq!(unsafe { libc::kill(libc::getpid(), libc::SIGINT) }, 0);
        // Another thread of this process may take the signal: wait for its handler to run.
        let mut sent = 0;
        for _ in 0..500 {
            sent = super::take_sent();
            if sent > 0 {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert_eq!(sent, 1);
        assert_eq!(super::take_sent(), 0, "the count is handed over once");
    }

    /// Set in the environment of the child process of
    /// [`a_ctrl_c_typed_at_the_terminal_is_not_counted_and_a_kill_is`].
    #[cfg(target_os = "linux")]
    const CHILD: &str = "SERVERLESS_ACCESS_ROLES_TEST_SIGINT_CHILD";

    /// The child's side: watches, then reports what [`super::take_sent`] says after each SIGINT
    /// it gets, whoever raised it.
    #[cfg(target_os = "linux")]
    fn report_sigints() {
        use std::sync::atomic::{AtomicU32, Ordering};
        static ALL: AtomicU32 = AtomicU32::new(0);
        assert!(super::watch());
        let count = |_: &libc::siginfo_t| {
            ALL.fetch_add(1, Ordering::SeqCst);
        };
        // SAFETY: the action only adds to an atomic; it runs after the one `watch` added.
        unsafe { signal_hook_registry::register_sigaction(libc::SIGINT, count) }.unwrap();
        println!("sigint-child: ready");
        for seen in 1..=2 {
            let mut waited = 0;
            while ALL.load(Ordering::SeqCst) < seen {
                assert!(waited < 1000, "no SIGINT came");
                std::thread::sleep(std::time::Duration::from_millis(10));
                waited += 1;
            }
            println!("sigint-child: sent {}", super::take_sent());
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_ctrl_c_typed_at_the_terminal_is_not_counted_and_a_kill_is() {
        use std::io::BufRead;
        use std::os::unix::process::CommandExt;
        if std::env::var_os(CHILD).is_some() {
            return report_sigints();
        }
        // A terminal of the test's own, which becomes the child's controlling terminal.
        // SAFETY: plain calls on a descriptor this test owns; ptsname's buffer is read at once.
        let (master, slave) = unsafe {
            let master = libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY);
            assert!(master >= 0 && libc::grantpt(master) == 0 && libc::unlockpt(master) == 0);
            let name = std::ffi::CStr::from_ptr(libc::ptsname(master)).to_owned();
            (master, libc::open(name.as_ptr(), libc::O_RDWR | libc::O_NOCTTY))
        };
        assert!(slave >= 0);
        let mut child = std::process::Command::new(std::env::current_exe().unwrap());
        child.args(["--exact", "interrupts::tests::a_ctrl_c_typed_at_the_terminal_is_not_counted_and_a_kill_is"]);
        child.args(["--nocapture", "--test-threads=1"]).env(CHILD, "1");
        child.stdin(std::process::Stdio::null()).stdout(std::process::Stdio::piped());
        // SAFETY: setsid and ioctl are async-signal-safe, as pre_exec requires.
        unsafe {
            child.pre_exec(move || {
                if libc::setsid() == -1 || libc::ioctl(slave, libc::TIOCSCTTY, 0) == -1 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let mut child = child.spawn().unwrap();
        // Its reports, wherever on a line the test harness's own words leave them.
        let out = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut reports = out
            .lines()
            .map_while(Result::ok)
            .filter_map(|line| line.split_once("sigint-child: ").map(|(_, report)| report.to_owned()));
        assert_eq!(reports.next().as_deref(), Some("ready"));
        // Ctrl-C typed at the terminal: the kernel signals the terminal's foreground process group.
        // SAFETY: writes one byte from a live buffer to a descriptor this test owns.
        assert_eq!(unsafe { libc::write(master, b"\x03".as_ptr().cast(), 1) }, 1);
        assert_eq!(reports.next().as_deref(), Some("sent 0"), "a terminal's Ctrl-C is not counted");
        let pid = i32::try_from(child.id()).unwrap();
        // SAFETY: kill has no memory preconditions.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
        assert_eq!(reports.next().as_deref(), Some("sent 1"), "a process's kill is");
        assert!(child.wait().unwrap().success());
        // SAFETY: both are this test's own descriptors, closed once.
        unsafe {
            libc::close(slave);
            libc::close(master);
        }
    }

    #[cfg(any(target_os = "linux", target_os = "android"))]
    #[test]
    fn the_constants_are_linux_s_own() {
        assert_eq!(
            [SI_USER, SI_QUEUE, SI_TKILL, SI_KERNEL],
            [libc::SI_USER, libc::SI_QUEUE, libc::SI_TKILL, libc::SI_KERNEL]
        );
    }
}
