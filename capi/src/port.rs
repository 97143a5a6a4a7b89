//! `zx_port_*`.

use zxsim_kernel::objects::port::Port;
use zxsim_kernel::Rights;
use zxsim_syscalls::sys::{
    self, zx_handle_t, zx_port_packet_t, zx_status_t, zx_time_t, ZX_ERR_INVALID_ARGS, ZX_OK,
};

use crate::handle::create_out;
use crate::user;

#[no_mangle]
pub unsafe extern "C" fn zx_port_create(options: u32, out: *mut zx_handle_t) -> zx_status_t {
    // SAFETY: forwarded caller contract for `out`.
    unsafe { create_out([out], |[value]| sys::zx_port_create(options, value)) }
}

/// The port is looked up before the packet is copied in, as in Zircon.
#[no_mangle]
pub unsafe extern "C" fn zx_port_queue(
    handle: zx_handle_t,
    packet: *const zx_port_packet_t,
) -> zx_status_t {
    // SAFETY: `packet` is faulting or readable (caller contract).
    match unsafe { user::read(packet) } {
        Ok(packet) => sys::zx_port_queue(handle, &packet),
        Err(fault) => user::lookup_then::<Port>(handle, Rights::WRITE, fault),
    }
}

/// A faulting `packet` still dequeues (the packet is lost) and answers `INVALID_ARGS`, as
/// Zircon's copy-out after the dequeue does.
#[no_mangle]
pub unsafe extern "C" fn zx_port_wait(
    handle: zx_handle_t,
    deadline: zx_time_t,
    packet: *mut zx_port_packet_t,
) -> zx_status_t {
    let mut local = zx_port_packet_t::default();
    let status = sys::zx_port_wait(handle, deadline, &mut local);
    // SAFETY: `packet` is faulting or writable (caller contract).
    if status == ZX_OK && !unsafe { user::write(packet, local) } {
        return ZX_ERR_INVALID_ARGS;
    }
    status
}

#[no_mangle]
pub extern "C" fn zx_port_cancel(
    handle: zx_handle_t,
    source: zx_handle_t,
    key: u64,
) -> zx_status_t {
    sys::zx_port_cancel(handle, source, key)
}

#[no_mangle]
pub extern "C" fn zx_port_cancel_key(handle: zx_handle_t, options: u32, key: u64) -> zx_status_t {
    sys::zx_port_cancel_key(handle, options, key)
}
