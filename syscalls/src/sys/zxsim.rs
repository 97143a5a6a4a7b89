//! zxsim's extension calls (prefix `zxsim_`): bridges between simulated objects and the host OS.
//! They are not Zircon syscalls; they follow the same conventions (status codes, out-params,
//! the calling thread's bound process, one trace event each).

use zxsim_kernel::objects::port::Port;
use zxsim_kernel::{Process, Rights, Status};

use super::*;

/// Turns an OS descriptor (a connected stream or datagram socket, or a pipe end) into a Zircon
/// socket object whose signals mirror the descriptor's readiness. `options` must be 0.
///
/// The descriptor is consumed: on success it belongs to the socket (made non-blocking,
/// registered once with the kernel's reactor, closed when the socket's last handle closes); on
/// any refusal it is closed — `INVALID_ARGS` for options, `NOT_SUPPORTED` for a listening socket
/// or a descriptor that is neither a socket nor a pipe, `BAD_STATE` for an unconnected datagram
/// socket. One exception: `ALREADY_EXISTS` means another socket of this kernel adopted the same
/// descriptor already (possible only through unsafe code or the C ABI); it is left open, as the
/// first socket owns it. See `docs/readiness.md`.
#[cfg(unix)]
pub fn zxsim_socket_from_fd(
    fd: std::os::fd::OwnedFd,
    options: u32,
    out: &mut zx_handle_t,
) -> zx_status_t {
    use std::os::fd::AsRawFd;
    let raw = fd.as_raw_fd();
    let status = on_current(|process| {
        if options != 0 {
            return Err(Status::INVALID_ARGS);
        }
        *out = socket_from_fd(process, fd)?;
        Ok(())
    });
    traced!("zxsim_socket_from_fd", status, raw, options)
}

#[cfg(all(unix, not(zxsim_loom)))]
fn socket_from_fd(
    process: &zxsim_kernel::Process,
    fd: std::os::fd::OwnedFd,
) -> Result<zx_handle_t, Status> {
    use zxsim_kernel::objects::socket::Socket;
    use zxsim_kernel::os::endpoint::OsEndpoint;
    use zxsim_kernel::os::fd::FdIo;
    let io = FdIo::adopt(fd)?;
    let endpoint = OsEndpoint::new(Box::new(io));
    if let Err(status) = endpoint.register(process.kernel().reactor()?) {
        if status == Status::ALREADY_EXISTS {
            endpoint.disown();
        }
        return Err(status);
    }
    match process.create_object(Socket::from_os(endpoint.clone())) {
        Ok(handle) => Ok(handle),
        Err(status) => {
            endpoint.deregister();
            Err(status)
        }
    }
}

#[cfg(all(unix, zxsim_loom))]
fn socket_from_fd(
    _process: &zxsim_kernel::Process,
    _fd: std::os::fd::OwnedFd,
) -> Result<zx_handle_t, Status> {
    Err(Status::NOT_SUPPORTED)
}

/// The port's OS-waitable descriptor (eventfd on Linux, a pipe's read end elsewhere), made on
/// first request. Needs READ. It is readable once packets arrive; it stays valid until the
/// port's last handle closes (the port owns it: do not close it). Consume with: wait for
/// readable → drain the port (`zx_port_wait` with a past deadline) → [`zxsim_port_rearm`].
#[cfg(unix)]
pub fn zxsim_port_get_fd(handle: zx_handle_t, out: &mut std::os::fd::RawFd) -> zx_status_t {
    let status = on_current(|process| {
        let object = process.get_object::<Port>(handle, Rights::READ)?;
        let port = object;
        let fd = port.attach_notifier(make_notifier)?;
        *out = fd.ok_or(Status::NOT_SUPPORTED)?;
        Ok(())
    });
    traced!("zxsim_port_get_fd", status, handle)
}

#[cfg(all(unix, not(zxsim_loom)))]
fn make_notifier() -> Result<Box<dyn zxsim_kernel::objects::port::PortNotifier>, Status> {
    Ok(Box::new(zxsim_kernel::os::notifier::OsNotifier::new()?))
}

#[cfg(all(unix, zxsim_loom))]
fn make_notifier() -> Result<Box<dyn zxsim_kernel::objects::port::PortNotifier>, Status> {
    Err(Status::NOT_SUPPORTED)
}

/// Re-arms the port's descriptor after the consumer drained the port: quiets it, and makes it
/// readable again at once if packets are still queued. Needs READ; `BAD_STATE` if the port has
/// no descriptor yet.
pub fn zxsim_port_rearm(handle: zx_handle_t) -> zx_status_t {
    let status = on_current(|process| {
        let object = process.get_object::<Port>(handle, Rights::READ)?;
        object.rearm()
    });
    traced!("zxsim_port_rearm", status, handle)
}

/// [`zxsim_semantics_profile`]: the kernel implements today's Zircon (waits bound to handles).
pub const ZXSIM_PROFILE_ZIRCON: u32 = 0;
/// [`zxsim_semantics_profile`]: the kernel implements RFC-0240 (waits on objects).
pub const ZXSIM_PROFILE_RFC0240: u32 = 1;

/// The semantics profile of the calling thread's kernel (`ZXSIM_PROFILE_*`), so code above the
/// syscall layer (a dispatcher choosing between `zx_port_cancel` and `zx_port_cancel_key`) can
/// adapt without reaching into the kernel. Cannot fail.
pub fn zxsim_semantics_profile() -> u32 {
    Process::with_current(|process| match process.kernel().profile() {
        zxsim_kernel::Profile::Zircon => ZXSIM_PROFILE_ZIRCON,
        zxsim_kernel::Profile::Rfc0240 => ZXSIM_PROFILE_RFC0240,
    })
}
