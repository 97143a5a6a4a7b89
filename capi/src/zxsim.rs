//! The `zxsim_*` setup calls of `zxsim/zxsim.h`: isolated kernels (profile, virtual clock),
//! processes in them, binding the calling thread, advancing the virtual clock, leak counters.
//!
//! C programs need none of this: without a binding a thread uses the default kernel and process
//! (profile from `ZXSIM_SEMANTICS`). Kernels and processes are opaque pointers owned by the
//! caller; a kernel lives on while any of its processes or objects do.

use std::cell::RefCell;
use std::sync::Arc;

use zxsim_kernel::{BindGuard, Config, Kernel, Process, Profile};
use zxsim_syscalls::sys::{
    zx_duration_t, zx_status_t, zx_time_t, ZX_ERR_BAD_STATE, ZX_ERR_INVALID_ARGS, ZX_OK,
};

use crate::user;

/// `zxsim_kernel_t`.
pub struct zxsim_kernel_t(Kernel);
/// `zxsim_process_t`.
pub struct zxsim_process_t(Arc<Process>);

pub const ZXSIM_PROFILE_DEFAULT: u32 = 0;
pub const ZXSIM_PROFILE_ZIRCON: u32 = 1;
pub const ZXSIM_PROFILE_RFC0240: u32 = 2;
pub const ZXSIM_KERNEL_VIRTUAL_CLOCK: u32 = 1;

thread_local! {
    /// Bindings made through `zxsim_thread_bind`, innermost last.
    static BINDINGS: RefCell<Vec<BindGuard>> = const { RefCell::new(Vec::new()) };
}

/// A new isolated kernel: `profile` is a `ZXSIM_PROFILE_*`, `flags` may hold
/// `ZXSIM_KERNEL_VIRTUAL_CLOCK` (time starts at 0 and moves only with `zxsim_clock_advance`).
/// Unknown values answer `INVALID_ARGS`.
#[no_mangle]
pub unsafe extern "C" fn zxsim_kernel_create(
    profile: u32,
    flags: u32,
    out: *mut *mut zxsim_kernel_t,
) -> zx_status_t {
    let profile = match profile {
        ZXSIM_PROFILE_DEFAULT => Profile::from_env(),
        ZXSIM_PROFILE_ZIRCON => Profile::Zircon,
        ZXSIM_PROFILE_RFC0240 => Profile::Rfc0240,
        _ => return ZX_ERR_INVALID_ARGS,
    };
    if flags & !ZXSIM_KERNEL_VIRTUAL_CLOCK != 0 || user::faults(out) {
        return ZX_ERR_INVALID_ARGS;
    }
    let mut config = Config::default().with_profile(profile);
    if flags & ZXSIM_KERNEL_VIRTUAL_CLOCK != 0 {
        config = config.with_virtual_clock();
    }
    let kernel = Box::into_raw(Box::new(zxsim_kernel_t(Kernel::new(config))));
    // SAFETY: checked non-faulting; writable by the caller contract.
    unsafe { user::write(out, kernel) };
    ZX_OK
}

/// Drops the caller's reference to a kernel (NULL is a no-op).
#[no_mangle]
pub unsafe extern "C" fn zxsim_kernel_destroy(kernel: *mut zxsim_kernel_t) {
    if !kernel.is_null() {
        // SAFETY: made by `zxsim_kernel_create` and not destroyed yet (caller contract).
        drop(unsafe { Box::from_raw(kernel) });
    }
}

/// Borrows the kernel behind a caller's pointer.
unsafe fn kernel_ref<'a>(kernel: *const zxsim_kernel_t) -> Option<&'a Kernel> {
    // SAFETY: NULL or a live pointer from `zxsim_kernel_create` (caller contract).
    unsafe { kernel.as_ref() }.map(|k| &k.0)
}

/// A new process (empty handle table) in `kernel`.
#[no_mangle]
pub unsafe extern "C" fn zxsim_process_create(
    kernel: *const zxsim_kernel_t,
    out: *mut *mut zxsim_process_t,
) -> zx_status_t {
    // SAFETY: forwarded caller contract.
    let Some(kernel) = (unsafe { kernel_ref(kernel) }) else {
        return ZX_ERR_INVALID_ARGS;
    };
    if user::faults(out) {
        return ZX_ERR_INVALID_ARGS;
    }
    let process = Box::into_raw(Box::new(zxsim_process_t(kernel.create_process())));
    // SAFETY: checked non-faulting; writable by the caller contract.
    unsafe { user::write(out, process) };
    ZX_OK
}

/// Closes every handle of the process (what its death does) and drops the caller's reference.
#[no_mangle]
pub unsafe extern "C" fn zxsim_process_destroy(process: *mut zxsim_process_t) {
    if !process.is_null() {
        // SAFETY: made by `zxsim_process_create` and not destroyed yet (caller contract).
        let process = unsafe { Box::from_raw(process) };
        process.0.close_all_handles();
    }
}

/// Binds the calling thread to `process` until the matching `zxsim_thread_unbind` (bindings
/// nest).
#[no_mangle]
pub unsafe extern "C" fn zxsim_thread_bind(process: *const zxsim_process_t) -> zx_status_t {
    // SAFETY: NULL or a live pointer from `zxsim_process_create` (caller contract).
    let Some(process) = (unsafe { process.as_ref() }) else {
        return ZX_ERR_INVALID_ARGS;
    };
    let guard = process.0.bind();
    BINDINGS.with(|bindings| bindings.borrow_mut().push(guard));
    ZX_OK
}

/// Ends the calling thread's innermost binding; `BAD_STATE` if it has none.
#[no_mangle]
pub extern "C" fn zxsim_thread_unbind() -> zx_status_t {
    match BINDINGS.with(|bindings| bindings.borrow_mut().pop()) {
        Some(guard) => {
            drop(guard);
            ZX_OK
        }
        None => ZX_ERR_BAD_STATE,
    }
}

/// Advances a virtual clock by `nanoseconds` (≥ 0) and reports the new time in `now`
/// (optional); `BAD_STATE` on a real clock.
#[no_mangle]
pub unsafe extern "C" fn zxsim_clock_advance(
    kernel: *const zxsim_kernel_t,
    nanoseconds: zx_duration_t,
    now: *mut zx_time_t,
) -> zx_status_t {
    // SAFETY: forwarded caller contract.
    let Some(kernel) = (unsafe { kernel_ref(kernel) }) else {
        return ZX_ERR_INVALID_ARGS;
    };
    if nanoseconds < 0 {
        return ZX_ERR_INVALID_ARGS;
    }
    match kernel.advance_clock(nanoseconds) {
        Some(time) => {
            // SAFETY: NULL or writable (caller contract).
            if !now.is_null() && !unsafe { user::write(now, time) } {
                return ZX_ERR_INVALID_ARGS;
            }
            ZX_OK
        }
        None => ZX_ERR_BAD_STATE,
    }
}

/// Objects alive in `kernel` (0 for NULL).
#[no_mangle]
pub unsafe extern "C" fn zxsim_kernel_live_objects(kernel: *const zxsim_kernel_t) -> usize {
    // SAFETY: forwarded caller contract.
    unsafe { kernel_ref(kernel) }.map_or(0, Kernel::live_objects)
}

/// Handles alive in `kernel` (0 for NULL).
#[no_mangle]
pub unsafe extern "C" fn zxsim_kernel_live_handles(kernel: *const zxsim_kernel_t) -> usize {
    // SAFETY: forwarded caller contract.
    unsafe { kernel_ref(kernel) }.map_or(0, Kernel::live_handles)
}
