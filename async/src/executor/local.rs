//! `LocalFuture`: a `!Send` future made storable in a `Send` task cell, sound because it is
//! only ever polled or dropped on the thread that spawned it (checked on every access).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::thread::ThreadId;

pub(crate) struct LocalFuture<F> {
    owner: ThreadId,
    future: Option<Pin<Box<F>>>,
}

impl<F> LocalFuture<F> {
    pub(crate) fn new(future: F) -> LocalFuture<F> {
        LocalFuture {
            owner: std::thread::current().id(),
            future: Some(Box::pin(future)),
        }
    }
}

// SAFETY: the future is touched only in `poll` and `drop`, and both check that they run on the
// thread that created it (`poll` panics otherwise, `drop` leaks the future instead of dropping
// it elsewhere). Moving the wrapper between threads moves only the box pointer.
unsafe impl<F> Send for LocalFuture<F> {}

impl<F: Future> Future for LocalFuture<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        assert_eq!(
            std::thread::current().id(),
            self.owner,
            "a Task::local future was polled on another thread (spawn it on a LocalExecutor)"
        );
        self.future
            .as_mut()
            .expect("polled after drop")
            .as_mut()
            .poll(cx)
    }
}

impl<F> Drop for LocalFuture<F> {
    fn drop(&mut self) {
        if std::thread::current().id() != self.owner {
            tracing::warn!(target: "zxsim::async", "a local future dropped on another thread is leaked");
            std::mem::forget(self.future.take());
        }
    }
}
