//! Futures over zxsim objects, shaped like `fuchsia-async`'s: [`OnSignals`], [`Timer`], and
//! the async wrappers [`Channel`], [`Socket`] (futures' `AsyncRead`/`AsyncWrite`) and [`Fifo`].
//!
//! They run on the executor of the polling thread ([`crate::EHandle::local`]). Every drop path
//! cancels explicitly by key: under RFC-0240 closing a handle no longer ends a wait while the
//! object has other handles, so "close and forget" is not enough. A wrapper's pending waits are
//! declared before its handle, so they are cancelled before the handle closes — which is what
//! the `zircon` profile requires.

mod channel;
mod fifo;
mod on_signals;
mod socket;
mod timer;

pub use channel::Channel;
pub use fifo::Fifo;
pub use on_signals::OnSignals;
pub use socket::Socket;
pub use timer::Timer;
