//! Real OS readiness: sockets backed by OS file descriptors, and ports an OS event loop can wait on.
//!
//! - [`endpoint::OsEndpoint`] turns OS readiness into a socket object's signals. Its signals mean
//!   "an operation would succeed now" (the readiness model): the reactor raises READABLE /
//!   WRITABLE on readiness events, and an operation that meets `WouldBlock` clears the signal —
//!   unless a readiness event arrived meanwhile (a per-direction tick), so readiness is never lost.
//! - A [`Reactor`] owns the OS poller. The real one ([`mio_reactor::MioReactor`], one thread per
//!   kernel) registers each fd once for its lifetime, edge-triggered; [`mock::MockReactor`] lets
//!   loom models and unit tests inject readiness by hand.
//! - [`notifier`] gives a port an OS-waitable descriptor (eventfd on Linux, a pipe elsewhere).
//!
//! ## OS errors and the statuses they become
//!
//! | OS error | status | signals raised |
//! |---|---|---|
//! | `EAGAIN`/`EWOULDBLOCK` | `ZX_ERR_SHOULD_WAIT` | READABLE / WRITABLE cleared (unless readiness arrived meanwhile) |
//! | `EINTR` | retried | — |
//! | read of 0 bytes, peer hung up | `ZX_ERR_PEER_CLOSED` | PEER_CLOSED |
//! | read of 0 bytes, peer only shut its writes | `ZX_ERR_BAD_STATE` | PEER_WRITE_DISABLED |
//! | `ECONNRESET`, `EPIPE`, `ENOTCONN`, `ECONNABORTED` | `ZX_ERR_PEER_CLOSED` | PEER_CLOSED |
//! | `EMSGSIZE` (datagram too large) | `ZX_ERR_OUT_OF_RANGE` | — |
//! | `EBADF` (fd closed behind zxsim's back) | `ZX_ERR_BAD_STATE`; the descriptor is disowned (never used, deregistered or closed again) | PEER_CLOSED (so no waiter hangs) |
//! | a direction the descriptor cannot do (a pipe's read end written) | `ZX_ERR_BAD_STATE`, no OS call | WRITE_DISABLED / PEER_WRITE_DISABLED from the start |
//! | `ENOBUFS`, `ENOMEM` | `ZX_ERR_NO_MEMORY` | — |
//! | peek or shutdown on a pipe | `ZX_ERR_NOT_SUPPORTED` | — |
//! | anything else | `ZX_ERR_IO` | — |

pub mod endpoint;
pub mod mock;

#[cfg(all(unix, not(zxsim_loom)))]
pub mod fd;
#[cfg(all(unix, not(zxsim_loom)))]
pub mod mio_reactor;
#[cfg(all(unix, not(zxsim_loom)))]
pub mod notifier;

use crate::status::Status;
use crate::sync::Arc;

/// One readiness report for an fd (edge: "this became true").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OsEvent {
    pub readable: bool,
    pub writable: bool,
    /// The peer will send nothing more (it shut down its writes, or hung up).
    pub read_closed: bool,
    /// The connection is gone in both directions (hang-up, reset, error).
    pub hung_up: bool,
}

/// Which directions a descriptor can carry (a pipe end only one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Directions {
    pub read: bool,
    pub write: bool,
}

/// The I/O half of an OS-backed socket: non-blocking operations on one descriptor.
pub trait OsIo: Send + Sync {
    /// Reads (or peeks) into `buf`. `Ok(0)` with a non-empty `buf` means end of stream.
    fn read(&self, buf: &mut [u8], peek: bool) -> std::io::Result<usize>;
    fn write(&self, buf: &[u8]) -> std::io::Result<usize>;
    /// Stops this side's writes (`shutdown(SHUT_WR)`).
    fn shutdown_write(&self) -> std::io::Result<()>;
    /// Datagram semantics (whole messages) rather than a byte stream.
    fn is_datagram(&self) -> bool;
    /// The directions the descriptor can carry.
    fn directions(&self) -> Directions {
        Directions {
            read: true,
            write: true,
        }
    }
    /// The descriptor the reactor registers, while it is still ours (mocks have none).
    fn raw_fd(&self) -> Option<i32>;
    /// Stops using the descriptor and never closes it: its number is no longer ours.
    fn disown(&self) {}
}

/// Who receives readiness reports.
pub trait ReadinessSink: Send + Sync {
    fn on_readiness(&self, event: OsEvent);
}

/// Owns the OS poller: each fd is registered once for its lifetime.
pub trait Reactor: Send + Sync {
    /// Starts reporting readiness of `fd` to `sink`; returns the registration's token.
    /// `ALREADY_EXISTS` if `fd` is registered already (adopted by another socket).
    fn register(&self, fd: Option<i32>, sink: Arc<dyn ReadinessSink>) -> Result<u64, Status>;
    /// Stops reporting for `token`; after this returns no report for it is delivered.
    fn deregister(&self, token: u64, fd: Option<i32>);
}

/// Maps an OS error to the status the table above gives.
pub fn status_from_io(error: &std::io::Error) -> Status {
    use std::io::ErrorKind;
    match error.kind() {
        ErrorKind::WouldBlock => Status::SHOULD_WAIT,
        ErrorKind::ConnectionReset
        | ErrorKind::BrokenPipe
        | ErrorKind::NotConnected
        | ErrorKind::ConnectionAborted => Status::PEER_CLOSED,
        ErrorKind::OutOfMemory => Status::NO_MEMORY,
        ErrorKind::Unsupported => Status::NOT_SUPPORTED,
        _ => match error.raw_os_error() {
            Some(code) if code == EMSGSIZE => Status::OUT_OF_RANGE,
            Some(code) if code == EBADF => Status::BAD_STATE,
            Some(code) if code == ENOBUFS => Status::NO_MEMORY,
            _ => Status::IO,
        },
    }
}

#[cfg(target_os = "linux")]
const EMSGSIZE: i32 = 90;
#[cfg(not(target_os = "linux"))]
const EMSGSIZE: i32 = 40;
const EBADF: i32 = 9;
#[cfg(target_os = "linux")]
const ENOBUFS: i32 = 105;
#[cfg(not(target_os = "linux"))]
const ENOBUFS: i32 = 55;
