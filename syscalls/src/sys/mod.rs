//! The raw syscall surface: Zircon's names, parameter order, types and constants.
//!
//! C pointers are rendered the Rust way: a (pointer, count) pair is a slice, an out-pointer is
//! `&mut T`, an optional out-pointer `Option<&mut T>`. Every function acts on the process bound to
//! the calling thread ([`zxsim_kernel::Process::bind`]) and answers a `zx_status_t`; out-params
//! are written only on success unless Zircon documents otherwise.
//!
//! Each syscall emits one `tracing` event (target `zxsim::syscall`) with its name, its handle
//! arguments and its resulting status, and on entry an event of target `zxsim::enter` (the
//! start of its slice in a trace: see `zxsim_kernel::trace`).
#![allow(non_camel_case_types, clippy::missing_safety_doc)]

mod channel;
mod constants;
mod fifo;
mod handle;
mod iovec;
mod object;
mod port;
mod socket;
mod task;
mod time;
mod timer;
mod types;
mod zxsim;

pub use channel::*;
pub use constants::*;
pub use fifo::*;
pub use handle::*;
pub use iovec::*;
pub use object::*;
pub use port::*;
pub use socket::*;
pub use task::*;
pub use time::*;
pub use timer::*;
pub use types::*;
pub use zxsim::*;

use zxsim_kernel::{Process, Status};

/// Runs `body` on the calling thread's process and converts its result to a raw status.
#[inline]
pub(crate) fn on_current(
    body: impl FnOnce(&std::sync::Arc<Process>) -> Result<(), Status>,
) -> zx_status_t {
    entered();
    Process::with_current(|process| match body(process) {
        Ok(()) => ZX_OK,
        Err(status) => status.into_raw(),
    })
}

/// Marks the start of a syscall for traces. With no subscriber at TRACE this is one relaxed load
/// and a compare; the event itself is out of line so it never weighs on the syscall's own code.
#[inline(always)]
pub(crate) fn entered() {
    use tracing::level_filters::{LevelFilter, STATIC_MAX_LEVEL};
    if tracing::Level::TRACE <= STATIC_MAX_LEVEL && tracing::Level::TRACE <= LevelFilter::current()
    {
        entered_event();
    }
}

#[cold]
#[inline(never)]
fn entered_event() {
    tracing::trace!(target: "zxsim::enter", "enter");
}

/// Emits the syscall's trace event and passes the status through.
macro_rules! traced {
    ($name:literal, $status:expr, $($fields:tt)+) => {{
        let status: zx_status_t = $status;
        tracing::trace!(target: "zxsim::syscall", syscall = $name, $($fields)+, status);
        status
    }};
}
pub(crate) use traced;
