//! `zx_object_*`, events, eventpairs and timers.

use std::ffi::c_void;

use zxsim_kernel::{AnyObject, Rights};
use zxsim_syscalls::sys::{
    self, zx_clock_t, zx_duration_t, zx_handle_t, zx_object_info_topic_t, zx_signals_t,
    zx_status_t, zx_time_t, zx_wait_item_t, ZX_ERR_INVALID_ARGS, ZX_ERR_OUT_OF_RANGE, ZX_OK,
};

use crate::handle::create_out;
use crate::user;

/// The largest record buffer `zx_object_get_info` fills for any topic zxsim knows; a bigger
/// caller buffer is used only up to this size.
const INFO_BUFFER_MAX: usize = 4096;

#[no_mangle]
pub extern "C" fn zx_object_signal(
    handle: zx_handle_t,
    clear_mask: u32,
    set_mask: u32,
) -> zx_status_t {
    sys::zx_object_signal(handle, clear_mask, set_mask)
}

#[no_mangle]
pub extern "C" fn zx_object_signal_peer(
    handle: zx_handle_t,
    clear_mask: u32,
    set_mask: u32,
) -> zx_status_t {
    sys::zx_object_signal_peer(handle, clear_mask, set_mask)
}

/// The record is built in a local buffer and copied out: a faulting `buffer` with room for the
/// record turns success into `INVALID_ARGS`; `actual` and `avail` are optional.
#[no_mangle]
pub unsafe extern "C" fn zx_object_get_info(
    handle: zx_handle_t,
    topic: zx_object_info_topic_t,
    buffer: *mut c_void,
    buffer_size: usize,
    actual: *mut usize,
    avail: *mut usize,
) -> zx_status_t {
    let mut local = vec![0u8; buffer_size.min(INFO_BUFFER_MAX)];
    let (mut got_actual, mut got_avail) = (usize::MAX, usize::MAX);
    let status = sys::zx_object_get_info(
        handle,
        topic,
        &mut local,
        Some(&mut got_actual),
        Some(&mut got_avail),
    );
    let written = if status == ZX_OK {
        // Only the records actually produced are copied (at most one per topic here).
        local.len().min(record_size(topic)) * usize::from(got_actual > 0)
    } else {
        0
    };
    if written > 0 {
        // SAFETY: `buffer` is faulting or writable for `buffer_size` ≥ `written` bytes.
        match unsafe { user::bytes_mut(buffer, written) } {
            Some(out) => out.copy_from_slice(&local[..written]),
            None => return ZX_ERR_INVALID_ARGS,
        }
    }
    for (out, value) in [(actual, got_actual), (avail, got_avail)] {
        if value != usize::MAX && !out.is_null() {
            // SAFETY: a non-null `actual`/`avail` is writable (caller contract).
            if !unsafe { user::write(out, value) } {
                return ZX_ERR_INVALID_ARGS;
            }
        }
    }
    status
}

fn record_size(topic: zx_object_info_topic_t) -> usize {
    use std::mem::size_of;
    match topic {
        sys::ZX_INFO_HANDLE_BASIC => size_of::<sys::zx_info_handle_basic_t>(),
        sys::ZX_INFO_HANDLE_COUNT => size_of::<sys::zx_info_handle_count_t>(),
        sys::ZX_INFO_SOCKET => size_of::<sys::zx_info_socket_t>(),
        sys::ZX_INFO_TIMER => size_of::<sys::zx_info_timer_t>(),
        sys::ZX_INFO_THREAD => size_of::<sys::zx_info_thread_t>(),
        _ => 0,
    }
}

/// `observed` is optional.
#[no_mangle]
pub unsafe extern "C" fn zx_object_wait_one(
    handle: zx_handle_t,
    signals: zx_signals_t,
    deadline: zx_time_t,
    observed: *mut zx_signals_t,
) -> zx_status_t {
    let mut seen = 0;
    let want = (!observed.is_null()).then_some(&mut seen);
    let reported = want.is_some();
    let status = sys::zx_object_wait_one(handle, signals, deadline, want);
    if reported && matches!(status, ZX_OK | sys::ZX_ERR_TIMED_OUT | sys::ZX_ERR_CANCELED) {
        // SAFETY: a non-null `observed` is writable (caller contract).
        if !unsafe { user::write(observed, seen) } {
            return ZX_ERR_INVALID_ARGS;
        }
    }
    status
}

/// More than 64 items answers `OUT_OF_RANGE` before the array is read.
#[no_mangle]
pub unsafe extern "C" fn zx_object_wait_many(
    items: *mut zx_wait_item_t,
    num_items: usize,
    deadline: zx_time_t,
) -> zx_status_t {
    if num_items > sys::ZX_WAIT_MANY_MAX_ITEMS {
        return ZX_ERR_OUT_OF_RANGE;
    }
    // SAFETY: `items` holds `num_items` items (caller contract).
    let mut local = match unsafe { user::read_array(items, num_items) } {
        Ok(local) => local,
        Err(status) => return status,
    };
    let status = sys::zx_object_wait_many(&mut local, deadline);
    if matches!(status, ZX_OK | sys::ZX_ERR_TIMED_OUT | sys::ZX_ERR_CANCELED) {
        // SAFETY: the same array, writable (caller contract).
        unsafe { user::write_array(items, &local) };
    }
    status
}

#[no_mangle]
pub extern "C" fn zx_object_wait_async(
    handle: zx_handle_t,
    port: zx_handle_t,
    key: u64,
    signals: zx_signals_t,
    options: u32,
) -> zx_status_t {
    sys::zx_object_wait_async(handle, port, key, signals, options)
}

#[no_mangle]
pub unsafe extern "C" fn zx_object_get_property(
    handle: zx_handle_t,
    property: u32,
    value: *mut c_void,
    value_size: usize,
) -> zx_status_t {
    let mut local = vec![0u8; value_size.min(INFO_BUFFER_MAX)];
    let status = sys::zx_object_get_property(handle, property, &mut local);
    if status == ZX_OK {
        let written = local.len().min(8);
        // SAFETY: `value` is faulting or writable for `value_size` bytes.
        match unsafe { user::bytes_mut(value, written) } {
            Some(out) => out.copy_from_slice(&local[..written]),
            None => return ZX_ERR_INVALID_ARGS,
        }
    }
    status
}

#[no_mangle]
pub unsafe extern "C" fn zx_object_set_property(
    handle: zx_handle_t,
    property: u32,
    value: *const c_void,
    value_size: usize,
) -> zx_status_t {
    // SAFETY: `value` is faulting or readable for `value_size` bytes.
    match unsafe { user::bytes(value, value_size) } {
        Ok(bytes) => sys::zx_object_set_property(handle, property, bytes),
        Err(fault) => user::lookup_then::<AnyObject>(handle, Rights::SET_PROPERTY, fault),
    }
}

#[no_mangle]
pub unsafe extern "C" fn zx_event_create(options: u32, out: *mut zx_handle_t) -> zx_status_t {
    // SAFETY: forwarded caller contract for `out`.
    unsafe { create_out([out], |[value]| sys::zx_event_create(options, value)) }
}

#[no_mangle]
pub unsafe extern "C" fn zx_eventpair_create(
    options: u32,
    out0: *mut zx_handle_t,
    out1: *mut zx_handle_t,
) -> zx_status_t {
    // SAFETY: forwarded caller contract for `out0`/`out1`.
    unsafe {
        create_out([out0, out1], |[a, b]| {
            sys::zx_eventpair_create(options, a, b)
        })
    }
}

#[no_mangle]
pub unsafe extern "C" fn zx_timer_create(
    options: u32,
    clock_id: zx_clock_t,
    out: *mut zx_handle_t,
) -> zx_status_t {
    // SAFETY: forwarded caller contract for `out`.
    unsafe {
        create_out([out], |[value]| {
            sys::zx_timer_create(options, clock_id, value)
        })
    }
}

#[no_mangle]
pub extern "C" fn zx_timer_set(
    handle: zx_handle_t,
    deadline: zx_time_t,
    slack: zx_duration_t,
) -> zx_status_t {
    sys::zx_timer_set(handle, deadline, slack)
}

#[no_mangle]
pub extern "C" fn zx_timer_cancel(handle: zx_handle_t) -> zx_status_t {
    sys::zx_timer_cancel(handle)
}
