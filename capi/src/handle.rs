//! `zx_handle_*`.

use zxsim_syscalls::sys::{self, zx_handle_t, zx_rights_t, zx_status_t};

use crate::user;

#[no_mangle]
pub extern "C" fn zx_handle_close(handle: zx_handle_t) -> zx_status_t {
    sys::zx_handle_close(handle)
}

/// A faulting array answers `INVALID_ARGS` and closes nothing (Zircon cannot read it).
#[no_mangle]
pub unsafe extern "C" fn zx_handle_close_many(
    handles: *const zx_handle_t,
    num_handles: usize,
) -> zx_status_t {
    // SAFETY: `handles` holds `num_handles` values (caller contract).
    match unsafe { user::read_array(handles, num_handles) } {
        Ok(values) => sys::zx_handle_close_many(&values),
        Err(status) => status,
    }
}

/// Shared by duplicate and replace: run `op` into a local, then copy the new handle out (a
/// faulting `out` closes it and answers `INVALID_ARGS`).
unsafe fn with_out_handle(
    out: *mut zx_handle_t,
    op: impl FnOnce(&mut zx_handle_t) -> zx_status_t,
) -> zx_status_t {
    let mut value = sys::ZX_HANDLE_INVALID;
    let status = op(&mut value);
    // SAFETY: `out` is faulting or writable (caller contract).
    if status == sys::ZX_OK && !unsafe { user::write(out, value) } {
        user::discard(&[value]);
        return sys::ZX_ERR_INVALID_ARGS;
    }
    status
}

#[no_mangle]
pub unsafe extern "C" fn zx_handle_duplicate(
    handle: zx_handle_t,
    rights: zx_rights_t,
    out: *mut zx_handle_t,
) -> zx_status_t {
    // SAFETY: forwarded caller contract for `out`.
    unsafe { with_out_handle(out, |value| sys::zx_handle_duplicate(handle, rights, value)) }
}

#[no_mangle]
pub unsafe extern "C" fn zx_handle_replace(
    handle: zx_handle_t,
    rights: zx_rights_t,
    out: *mut zx_handle_t,
) -> zx_status_t {
    // SAFETY: forwarded caller contract for `out`.
    unsafe { with_out_handle(out, |value| sys::zx_handle_replace(handle, rights, value)) }
}

#[no_mangle]
pub extern "C" fn zx_handle_check_valid(handle: zx_handle_t) -> zx_status_t {
    sys::zx_handle_check_valid(handle)
}

/// Runs a create-style call into locals and copies every new handle out; if any copy would
/// fault, all of them are closed and the call answers `INVALID_ARGS` (Zircon's `user_out_handle`
/// installs nothing unless the copy-out succeeds).
pub(crate) unsafe fn create_out<const N: usize>(
    outs: [*mut zx_handle_t; N],
    op: impl FnOnce(&mut [zx_handle_t; N]) -> zx_status_t,
) -> zx_status_t {
    let mut values = [sys::ZX_HANDLE_INVALID; N];
    let status = op(&mut values);
    if status != sys::ZX_OK {
        return status;
    }
    if outs.iter().any(|out| user::faults(*out)) {
        user::discard(&values);
        return sys::ZX_ERR_INVALID_ARGS;
    }
    for (out, value) in outs.into_iter().zip(values) {
        // SAFETY: checked non-faulting above; writable by the caller contract.
        unsafe { user::write(out, value) };
    }
    sys::ZX_OK
}
