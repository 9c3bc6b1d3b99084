//! Futures that never wait, run to their end without an async runtime.

use std::future::Future;
use std::task::{Context, Poll, Waker};

/// The output of `future` when it is ready on its first poll (it does no waiting: a lock tried
/// once, a read with `std::fs`); `None` if it would wait.
pub(crate) fn ready<F: Future>(future: F) -> Option<F::Output> {
    match std::pin::pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(output) => Some(output),
        Poll::Pending => None,
    }
}
