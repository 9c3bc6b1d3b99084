//! `watchSentInterrupts()`, `takeSentInterrupts()`: which SIGINTs another process sent, for `exec`.

use napi_derive::napi;

/// Starts counting the SIGINTs other processes send to this one, beside Node's own handler;
/// `false` where the platform cannot tell (Windows). Call it after `process.on('SIGINT', …)`.
#[napi]
pub fn watch_sent_interrupts() -> bool {
    access_roles_core::interrupts::watch()
}

/// How many SIGINTs other processes sent since the last call; a terminal's Ctrl-C is not counted.
#[napi]
pub fn take_sent_interrupts() -> u32 {
    access_roles_core::interrupts::take_sent()
}
