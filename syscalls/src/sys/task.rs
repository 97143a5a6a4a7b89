//! The calling task's own handles: `zx_process_self`, `zx_thread_self`.
//!
//! Both answer the same value on every call from the same (thread, process); closing it is the
//! caller's mistake, as on Zircon where the vDSO hands out a cached handle. An arena that is full
//! when the object is first made answers `ZX_HANDLE_INVALID`.

use zxsim_kernel::Process;

use super::{zx_handle_t, ZX_HANDLE_INVALID};

/// The bound process's handle to its own process object (koid = the process's koid).
pub fn zx_process_self() -> zx_handle_t {
    let handle =
        Process::with_current(|process| process.self_handle().unwrap_or(ZX_HANDLE_INVALID));
    tracing::trace!(target: "zxsim::syscall", syscall = "zx_process_self", handle);
    handle
}

/// The calling OS thread's handle to its thread object in the bound process.
pub fn zx_thread_self() -> zx_handle_t {
    let handle =
        Process::with_current(|process| process.thread_self().unwrap_or(ZX_HANDLE_INVALID));
    tracing::trace!(target: "zxsim::syscall", syscall = "zx_thread_self", handle);
    handle
}
