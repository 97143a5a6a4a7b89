//! Sockets and FIFOs: the byte- and element-stream objects.

use std::ffi::c_void;

use zxsim_kernel::objects::fifo::Fifo;
use zxsim_kernel::objects::socket::Socket;
use zxsim_kernel::Rights;
use zxsim_syscalls::sys::{
    self, zx_handle_t, zx_status_t, ZX_ERR_INVALID_ARGS, ZX_ERR_OUT_OF_RANGE, ZX_OK,
};

use crate::handle::create_out;
use crate::user;

#[no_mangle]
pub unsafe extern "C" fn zx_socket_create(
    options: u32,
    out0: *mut zx_handle_t,
    out1: *mut zx_handle_t,
) -> zx_status_t {
    // SAFETY: forwarded caller contract for `out0`/`out1`.
    unsafe { create_out([out0, out1], |[a, b]| sys::zx_socket_create(options, a, b)) }
}

/// `actual` is optional. A faulting `buffer` answers after the options and the socket checks.
#[no_mangle]
pub unsafe extern "C" fn zx_socket_write(
    handle: zx_handle_t,
    options: u32,
    buffer: *const c_void,
    buffer_size: usize,
    actual: *mut usize,
) -> zx_status_t {
    // SAFETY: `buffer` is faulting or readable for `buffer_size` bytes.
    let bytes = match unsafe { user::bytes(buffer, buffer_size) } {
        Ok(bytes) => bytes,
        Err(fault) if options == 0 => {
            return user::lookup_then::<Socket>(handle, Rights::WRITE, fault)
        }
        Err(_) => return ZX_ERR_INVALID_ARGS,
    };
    let mut written = 0;
    let status = sys::zx_socket_write(handle, options, bytes, Some(&mut written));
    // SAFETY: `actual` is NULL or writable (caller contract).
    if status == ZX_OK && !actual.is_null() && !unsafe { user::write(actual, written) } {
        return ZX_ERR_INVALID_ARGS;
    }
    status
}

/// `actual` is optional. A faulting `buffer` answers after the options and the socket checks,
/// reading nothing.
#[no_mangle]
pub unsafe extern "C" fn zx_socket_read(
    handle: zx_handle_t,
    options: u32,
    buffer: *mut c_void,
    buffer_size: usize,
    actual: *mut usize,
) -> zx_status_t {
    // SAFETY: `buffer` is faulting or writable for `buffer_size` bytes.
    let Some(bytes) = (unsafe { user::bytes_mut(buffer, buffer_size) }) else {
        if options & !sys::ZX_SOCKET_PEEK != 0 {
            return ZX_ERR_INVALID_ARGS;
        }
        return user::lookup_then::<Socket>(handle, Rights::READ, ZX_ERR_INVALID_ARGS);
    };
    let mut read = 0;
    let status = sys::zx_socket_read(handle, options, bytes, Some(&mut read));
    // SAFETY: `actual` is NULL or writable (caller contract).
    if status == ZX_OK && !actual.is_null() && !unsafe { user::write(actual, read) } {
        return ZX_ERR_INVALID_ARGS;
    }
    status
}

#[no_mangle]
pub extern "C" fn zx_socket_set_disposition(
    handle: zx_handle_t,
    disposition: u32,
    disposition_peer: u32,
) -> zx_status_t {
    sys::zx_socket_set_disposition(handle, disposition, disposition_peer)
}

#[no_mangle]
pub unsafe extern "C" fn zx_fifo_create(
    elem_count: usize,
    elem_size: usize,
    options: u32,
    out0: *mut zx_handle_t,
    out1: *mut zx_handle_t,
) -> zx_status_t {
    // SAFETY: forwarded caller contract for `out0`/`out1`.
    unsafe {
        create_out([out0, out1], |[a, b]| {
            sys::zx_fifo_create(elem_count, elem_size, options, a, b)
        })
    }
}

/// The element array's size in bytes, or `OUT_OF_RANGE` if it overflows (no FIFO holds it).
fn span(elem_size: usize, count: usize) -> Result<usize, zx_status_t> {
    elem_size.checked_mul(count).ok_or(ZX_ERR_OUT_OF_RANGE)
}

/// `count` is a number of elements; `actual_count` is optional.
#[no_mangle]
pub unsafe extern "C" fn zx_fifo_write(
    handle: zx_handle_t,
    elem_size: usize,
    data: *const c_void,
    count: usize,
    actual_count: *mut usize,
) -> zx_status_t {
    let len = match span(elem_size, count) {
        Ok(len) => len,
        Err(status) => return user::lookup_then::<Fifo>(handle, Rights::WRITE, status),
    };
    // SAFETY: `data` is faulting or readable for `count` elements.
    let bytes = match unsafe { user::bytes(data, len) } {
        Ok(bytes) => bytes,
        Err(fault) => return user::lookup_then::<Fifo>(handle, Rights::WRITE, fault),
    };
    let mut written = 0;
    let status = sys::zx_fifo_write(handle, elem_size, bytes, count, Some(&mut written));
    // SAFETY: `actual_count` is NULL or writable (caller contract).
    if status == ZX_OK && !actual_count.is_null() && !unsafe { user::write(actual_count, written) }
    {
        return ZX_ERR_INVALID_ARGS;
    }
    status
}

/// `count` is a number of elements (Zircon names the parameter `data_size`); `actual_count` is
/// optional.
#[no_mangle]
pub unsafe extern "C" fn zx_fifo_read(
    handle: zx_handle_t,
    elem_size: usize,
    data: *mut c_void,
    count: usize,
    actual_count: *mut usize,
) -> zx_status_t {
    let len = match span(elem_size, count) {
        Ok(len) => len,
        Err(status) => return user::lookup_then::<Fifo>(handle, Rights::READ, status),
    };
    // SAFETY: `data` is faulting or writable for `count` elements.
    let Some(bytes) = (unsafe { user::bytes_mut(data, len) }) else {
        return user::lookup_then::<Fifo>(handle, Rights::READ, ZX_ERR_INVALID_ARGS);
    };
    let mut read = 0;
    let status = sys::zx_fifo_read(handle, elem_size, bytes, count, Some(&mut read));
    // SAFETY: `actual_count` is NULL or writable (caller contract).
    if status == ZX_OK && !actual_count.is_null() && !unsafe { user::write(actual_count, read) } {
        return ZX_ERR_INVALID_ARGS;
    }
    status
}
