//! `zx_channel_*`, with `ZX_CHANNEL_WRITE_USE_IOVEC` gathered here.
//!
//! The rule of the `sys` layer holds here too: every handle a write or call names is consumed on
//! every path once the handle array could be read — including the early errors this layer
//! answers itself (an iovec or byte copy that faults, a message over the size limit).

use std::ffi::c_void;

use zxsim_kernel::objects::channel::Channel;
use zxsim_kernel::Rights;
use zxsim_syscalls::sys::{
    self, zx_handle_disposition_t, zx_handle_info_t, zx_handle_t, zx_status_t, zx_time_t,
    ZX_CHANNEL_WRITE_USE_IOVEC, ZX_ERR_BUFFER_TOO_SMALL, ZX_ERR_INVALID_ARGS, ZX_ERR_OUT_OF_RANGE,
    ZX_HANDLE_OP_DUPLICATE, ZX_OK,
};

use crate::handle::create_out;
use crate::user;

/// `ZX_CHANNEL_MAX_MSG_IOVEC`: iovecs per message.
pub const ZX_CHANNEL_MAX_MSG_IOVEC: u32 = 8192;
const MAX_BYTES: usize = sys::ZX_CHANNEL_MAX_MSG_BYTES as usize;
const MAX_HANDLES: usize = sys::ZX_CHANNEL_MAX_MSG_HANDLES as usize;

/// `zx_channel_iovec_t` (16 bytes).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct zx_channel_iovec_t {
    pub buffer: *const c_void,
    pub capacity: u32,
    pub reserved: u32,
}

/// `zx_channel_call_args_t` (48 bytes on LP64).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct zx_channel_call_args_t {
    pub wr_bytes: *const c_void,
    pub wr_handles: *const zx_handle_t,
    pub rd_bytes: *mut c_void,
    pub rd_handles: *mut zx_handle_t,
    pub wr_num_bytes: u32,
    pub wr_num_handles: u32,
    pub rd_num_bytes: u32,
    pub rd_num_handles: u32,
}

/// `zx_channel_call_etc_args_t` (48 bytes on LP64).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct zx_channel_call_etc_args_t {
    pub wr_bytes: *const c_void,
    pub wr_handles: *mut zx_handle_disposition_t,
    pub rd_bytes: *mut c_void,
    pub rd_handles: *mut zx_handle_info_t,
    pub wr_num_bytes: u32,
    pub wr_num_handles: u32,
    pub rd_num_bytes: u32,
    pub rd_num_handles: u32,
}

#[no_mangle]
pub unsafe extern "C" fn zx_channel_create(
    options: u32,
    out0: *mut zx_handle_t,
    out1: *mut zx_handle_t,
) -> zx_status_t {
    // SAFETY: forwarded caller contract for `out0`/`out1`.
    unsafe { create_out([out0, out1], |[a, b]| sys::zx_channel_create(options, a, b)) }
}

/// A message's bytes: borrowed from the caller, or gathered from its iovecs.
enum Payload<'a> {
    Borrowed(&'a [u8]),
    Gathered(Vec<u8>),
}

impl Payload<'_> {
    fn as_slice(&self) -> &[u8] {
        match self {
            Payload::Borrowed(bytes) => bytes,
            Payload::Gathered(bytes) => bytes,
        }
    }
}

/// Reads the message bytes in Zircon's order: the count limit (`OUT_OF_RANGE`), the copy
/// (`INVALID_ARGS`); for iovecs also a nonzero `reserved` (`INVALID_ARGS`) and the total size.
unsafe fn payload<'a>(
    options: u32,
    bytes: *const c_void,
    num: u32,
) -> Result<Payload<'a>, zx_status_t> {
    if options & ZX_CHANNEL_WRITE_USE_IOVEC == 0 {
        if num as usize > MAX_BYTES {
            return Err(ZX_ERR_OUT_OF_RANGE);
        }
        // SAFETY: `bytes` is faulting or readable for `num` bytes (caller contract).
        return unsafe { user::bytes(bytes, num as usize) }.map(Payload::Borrowed);
    }
    if num > ZX_CHANNEL_MAX_MSG_IOVEC {
        return Err(ZX_ERR_OUT_OF_RANGE);
    }
    // SAFETY: `bytes` is faulting or holds `num` iovecs (caller contract).
    let iovecs = unsafe { user::read_array(bytes.cast::<zx_channel_iovec_t>(), num as usize) }?;
    let mut total = 0usize;
    for iovec in &iovecs {
        if iovec.reserved != 0 {
            return Err(ZX_ERR_INVALID_ARGS);
        }
        total += iovec.capacity as usize;
        if total > MAX_BYTES {
            return Err(ZX_ERR_OUT_OF_RANGE);
        }
    }
    let mut gathered = Vec::with_capacity(total);
    for iovec in &iovecs {
        // SAFETY: each iovec's buffer is faulting or readable for `capacity` bytes.
        gathered.extend_from_slice(unsafe { user::bytes(iovec.buffer, iovec.capacity as usize) }?);
    }
    Ok(Payload::Gathered(gathered))
}

/// What a write or call answers when this layer fails it before the `sys` call: options first,
/// then the channel lookup, then `error`.
fn early_error(
    handle: zx_handle_t,
    options: u32,
    rights: Rights,
    error: zx_status_t,
) -> zx_status_t {
    if options & !ZX_CHANNEL_WRITE_USE_IOVEC != 0 {
        return ZX_ERR_INVALID_ARGS;
    }
    user::lookup_then::<Channel>(handle, rights, error)
}

/// Consumes what a failed write's dispositions would have moved.
fn consume_dispositions(entries: &[zx_handle_disposition_t]) {
    for entry in entries
        .iter()
        .filter(|e| e.operation != ZX_HANDLE_OP_DUPLICATE)
    {
        let _ = sys::zx_handle_close(entry.handle);
    }
}

#[no_mangle]
pub unsafe extern "C" fn zx_channel_write(
    handle: zx_handle_t,
    options: u32,
    bytes: *const c_void,
    num_bytes: u32,
    handles: *const zx_handle_t,
    num_handles: u32,
) -> zx_status_t {
    // SAFETY: `handles` is faulting or holds `num_handles` values (caller contract).
    let values = match unsafe { user::read_array(handles, num_handles as usize) } {
        Ok(values) => values,
        Err(_) if num_handles as usize > MAX_HANDLES => return ZX_ERR_OUT_OF_RANGE,
        Err(fault) => return fault,
    };
    // SAFETY: forwarded caller contract for `bytes`.
    match unsafe { payload(options, bytes, num_bytes) } {
        Ok(payload) => sys::zx_channel_write(
            handle,
            options & !ZX_CHANNEL_WRITE_USE_IOVEC,
            payload.as_slice(),
            &values,
        ),
        Err(error) => {
            let status = early_error(handle, options, Rights::WRITE, error);
            let _ = sys::zx_handle_close_many(&values);
            status
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn zx_channel_write_etc(
    handle: zx_handle_t,
    options: u32,
    bytes: *const c_void,
    num_bytes: u32,
    handles: *mut zx_handle_disposition_t,
    num_handles: u32,
) -> zx_status_t {
    // SAFETY: `handles` is faulting or holds `num_handles` entries (caller contract).
    let mut entries = match unsafe { user::read_array(handles, num_handles as usize) } {
        Ok(entries) => entries,
        Err(_) if num_handles as usize > MAX_HANDLES => return ZX_ERR_OUT_OF_RANGE,
        Err(fault) => return fault,
    };
    // SAFETY: forwarded caller contract for `bytes`.
    let status = match unsafe { payload(options, bytes, num_bytes) } {
        Ok(payload) => sys::zx_channel_write_etc(
            handle,
            options & !ZX_CHANNEL_WRITE_USE_IOVEC,
            payload.as_slice(),
            &mut entries,
        ),
        Err(error) => {
            consume_dispositions(&entries);
            return early_error(handle, options, Rights::WRITE, error);
        }
    };
    if status != ZX_OK {
        // Each entry's `result` is reported back on failure.
        // SAFETY: the same array, writable (caller contract).
        unsafe { user::write_array(handles, &entries) };
    }
    status
}

/// Receives into local buffers, then copies out; returns the status and the received handles
/// (to discard if a copy-out faults).
struct Received {
    status: zx_status_t,
    bytes: Vec<u8>,
    actual_bytes: u32,
    actual_handles: u32,
}

/// Runs a read (`zx_channel_read` or `_read_etc`: their handle records differ) into local
/// buffers of the caller's sizes, capped at the channel limits; returns what the copy-out needs
/// and the handle records received.
fn read_locally<H: Clone + Default>(
    num_bytes: u32,
    num_handles: u32,
    read: impl FnOnce(&mut [u8], &mut [H], &mut u32, &mut u32) -> zx_status_t,
) -> (Received, Vec<H>) {
    let mut bytes = vec![0u8; (num_bytes as usize).min(MAX_BYTES)];
    let mut handles = vec![H::default(); (num_handles as usize).min(MAX_HANDLES)];
    let (mut actual_bytes, mut actual_handles) = (0, 0);
    let status = read(
        &mut bytes,
        &mut handles,
        &mut actual_bytes,
        &mut actual_handles,
    );
    handles.truncate(actual_handles as usize);
    let received = Received {
        status,
        bytes,
        actual_bytes,
        actual_handles,
    };
    (received, handles)
}

unsafe fn copy_out_read(
    received: &Received,
    bytes: *mut c_void,
    actual_bytes: *mut u32,
    actual_handles: *mut u32,
    handles_out: impl FnOnce() -> bool,
    discard: impl FnOnce(),
) -> zx_status_t {
    let status = received.status;
    if status == ZX_OK || status == ZX_ERR_BUFFER_TOO_SMALL {
        for (out, value) in [
            (actual_bytes, received.actual_bytes),
            (actual_handles, received.actual_handles),
        ] {
            // SAFETY: a non-null actual pointer is writable (caller contract).
            if !out.is_null() && !unsafe { user::write(out, value) } {
                if status == ZX_OK {
                    discard();
                }
                return ZX_ERR_INVALID_ARGS;
            }
        }
    }
    if status != ZX_OK {
        return status;
    }
    let n = received.actual_bytes as usize;
    // SAFETY: `bytes` is faulting or writable for `num_bytes` ≥ `n` bytes.
    match unsafe { user::bytes_mut(bytes, n) } {
        Some(out) => out.copy_from_slice(&received.bytes[..n]),
        None => {
            discard();
            return ZX_ERR_INVALID_ARGS;
        }
    }
    if !handles_out() {
        discard();
        return ZX_ERR_INVALID_ARGS;
    }
    ZX_OK
}

#[no_mangle]
pub unsafe extern "C" fn zx_channel_read(
    handle: zx_handle_t,
    options: u32,
    bytes: *mut c_void,
    handles: *mut zx_handle_t,
    num_bytes: u32,
    num_handles: u32,
    actual_bytes: *mut u32,
    actual_handles: *mut u32,
) -> zx_status_t {
    let (received, got) = read_locally(num_bytes, num_handles, |bytes, handles, nb, nh| {
        sys::zx_channel_read(handle, options, bytes, handles, Some(nb), Some(nh))
    });
    let got = &got[..];
    // SAFETY: forwarded caller contracts for every out-pointer.
    unsafe {
        copy_out_read(
            &received,
            bytes,
            actual_bytes,
            actual_handles,
            || user::write_array(handles, got),
            || user::discard(got),
        )
    }
}

#[no_mangle]
pub unsafe extern "C" fn zx_channel_read_etc(
    handle: zx_handle_t,
    options: u32,
    bytes: *mut c_void,
    handles: *mut zx_handle_info_t,
    num_bytes: u32,
    num_handles: u32,
    actual_bytes: *mut u32,
    actual_handles: *mut u32,
) -> zx_status_t {
    let (received, got) = read_locally(num_bytes, num_handles, |bytes, handles, nb, nh| {
        sys::zx_channel_read_etc(handle, options, bytes, handles, Some(nb), Some(nh))
    });
    let got = &got[..];
    let values: Vec<zx_handle_t> = got.iter().map(|info| info.handle).collect();
    // SAFETY: forwarded caller contracts for every out-pointer.
    unsafe {
        copy_out_read(
            &received,
            bytes,
            actual_bytes,
            actual_handles,
            || user::write_array(handles, got),
            || user::discard(&values),
        )
    }
}

#[no_mangle]
pub unsafe extern "C" fn zx_channel_call(
    handle: zx_handle_t,
    options: u32,
    deadline: zx_time_t,
    args: *const zx_channel_call_args_t,
    actual_bytes: *mut u32,
    actual_handles: *mut u32,
) -> zx_status_t {
    // SAFETY: `args` is faulting or readable (caller contract).
    let args = match unsafe { user::read(args) } {
        Ok(args) => args,
        Err(fault) => return fault,
    };
    // SAFETY: `wr_handles` is faulting or holds `wr_num_handles` values (caller contract).
    let values = match unsafe { user::read_array(args.wr_handles, args.wr_num_handles as usize) } {
        Ok(values) => values,
        Err(_) if args.wr_num_handles as usize > MAX_HANDLES => return ZX_ERR_OUT_OF_RANGE,
        Err(fault) => return fault,
    };
    let rights = Rights::READ | Rights::WRITE;
    // SAFETY: forwarded caller contract for `wr_bytes`.
    let payload = match unsafe { payload(options, args.wr_bytes, args.wr_num_bytes) } {
        Ok(payload) => payload,
        Err(error) => {
            let status = early_error(handle, options, rights, error);
            let _ = sys::zx_handle_close_many(&values);
            return status;
        }
    };
    let (received, got) = read_locally(
        args.rd_num_bytes,
        args.rd_num_handles,
        |rd_bytes, rd_handles, nb, nh| {
            let mut call = sys::zx_channel_call_args_t {
                wr_bytes: payload.as_slice(),
                wr_handles: &values,
                rd_bytes,
                rd_handles,
            };
            let options = options & !ZX_CHANNEL_WRITE_USE_IOVEC;
            sys::zx_channel_call(handle, options, deadline, &mut call, nb, nh)
        },
    );
    let got = &got[..];
    if received.status == ZX_OK && (user::faults(actual_bytes) || user::faults(actual_handles)) {
        user::discard(got);
        return ZX_ERR_INVALID_ARGS;
    }
    // SAFETY: forwarded caller contracts for every out-pointer.
    unsafe {
        copy_out_read(
            &received,
            args.rd_bytes,
            actual_bytes,
            actual_handles,
            || user::write_array(args.rd_handles, got),
            || user::discard(got),
        )
    }
}

#[no_mangle]
pub unsafe extern "C" fn zx_channel_call_etc(
    handle: zx_handle_t,
    options: u32,
    deadline: zx_time_t,
    args: *mut zx_channel_call_etc_args_t,
    actual_bytes: *mut u32,
    actual_handles: *mut u32,
) -> zx_status_t {
    // SAFETY: `args` is faulting or readable (caller contract).
    let c_args = match unsafe { user::read(args) } {
        Ok(args) => args,
        Err(fault) => return fault,
    };
    // SAFETY: `wr_handles` is faulting or holds `wr_num_handles` entries (caller contract).
    let mut entries =
        match unsafe { user::read_array(c_args.wr_handles, c_args.wr_num_handles as usize) } {
            Ok(entries) => entries,
            Err(_) if c_args.wr_num_handles as usize > MAX_HANDLES => return ZX_ERR_OUT_OF_RANGE,
            Err(fault) => return fault,
        };
    let rights = Rights::READ | Rights::WRITE;
    // SAFETY: forwarded caller contract for `wr_bytes`.
    let payload = match unsafe { payload(options, c_args.wr_bytes, c_args.wr_num_bytes) } {
        Ok(payload) => payload,
        Err(error) => {
            consume_dispositions(&entries);
            return early_error(handle, options, rights, error);
        }
    };
    let (received, got) = read_locally(
        c_args.rd_num_bytes,
        c_args.rd_num_handles,
        |rd_bytes, rd_handles: &mut [zx_handle_info_t], nb, nh| {
            let mut call = sys::zx_channel_call_etc_args_t {
                wr_bytes: payload.as_slice(),
                wr_handles: &mut entries,
                rd_bytes,
                rd_handles,
            };
            let options = options & !ZX_CHANNEL_WRITE_USE_IOVEC;
            sys::zx_channel_call_etc(handle, options, deadline, &mut call, nb, nh)
        },
    );
    // Each disposition's `result` goes back to the caller.
    // SAFETY: the caller's disposition array, writable (caller contract).
    unsafe { user::write_array(c_args.wr_handles, &entries) };
    let got = &got[..];
    let values: Vec<zx_handle_t> = got.iter().map(|info| info.handle).collect();
    if received.status == ZX_OK && (user::faults(actual_bytes) || user::faults(actual_handles)) {
        user::discard(&values);
        return ZX_ERR_INVALID_ARGS;
    }
    // SAFETY: forwarded caller contracts for every out-pointer.
    unsafe {
        copy_out_read(
            &received,
            c_args.rd_bytes,
            actual_bytes,
            actual_handles,
            || user::write_array(c_args.rd_handles, got),
            || user::discard(&values),
        )
    }
}
