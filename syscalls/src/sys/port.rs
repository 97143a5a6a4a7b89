//! Port syscalls (spec §6).

use std::sync::Arc;

use zxsim_kernel::objects::port::{Port, PortPacket, PORT_BIND_TO_INTERRUPT};
use zxsim_kernel::{AnyObject, Dispatcher, PolicyException, Profile, Rights, Status};

use super::*;

/// `options` must be 0 or `ZX_PORT_BIND_TO_INTERRUPT`. Rights 0x800F.
pub fn zx_port_create(options: u32, out: &mut zx_handle_t) -> zx_status_t {
    let status = on_current(|process| {
        if options != 0 && options != PORT_BIND_TO_INTERRUPT {
            return Err(Status::INVALID_ARGS);
        }
        *out = process.create_object(Port::new(options))?;
        Ok(())
    });
    traced!("zx_port_create", status, options)
}

/// Needs WRITE. The type is forced to `ZX_PKT_TYPE_USER`. With more than 4096 user packets
/// queued: `SHOULD_WAIT` plus a `PORT_TOO_MANY_PACKETS` policy exception.
pub fn zx_port_queue(handle: zx_handle_t, packet: &zx_port_packet_t) -> zx_status_t {
    let status = on_current(|process| {
        // Under the handle-table reader lock, without cloning the port's `Arc` (lock order:
        // handle table, then port).
        let result =
            process
                .handles()
                .with_object::<Port, _>(handle, Rights::WRITE, |_, port| {
                    port.queue_user(packet.into(), process.kernel().faults())
                })?;
        if result == Err(Status::SHOULD_WAIT) {
            process.raise_policy_exception(PolicyException::PortTooManyPackets);
        }
        result
    });
    traced!("zx_port_queue", status, handle, key = packet.key)
}

/// What `zx_port_wait` found under the handle-table lock.
enum Found {
    Packet(PortPacket),
    Wait(Arc<Dispatcher<Port>>),
}

/// Needs READ. The oldest packet, or `TIMED_OUT` at `deadline` (a past deadline polls).
pub fn zx_port_wait(
    handle: zx_handle_t,
    deadline: zx_time_t,
    packet: &mut zx_port_packet_t,
) -> zx_status_t {
    let status = on_current(|process| {
        // One lookup: take a queued packet at once (no `Arc` clone), or keep the port object
        // to wait on once the table lock is released.
        let found = process.handles().with_object::<Port, _>(
            handle,
            Rights::READ,
            |h, port| match port.try_take() {
                Some(queued) => Ok(Found::Packet(queued)),
                None => h.object_arc::<Port>(Rights::READ).map(Found::Wait),
            },
        )??;
        let taken = match found {
            Found::Packet(queued) => queued,
            Found::Wait(port) => port.wait(deadline)?,
        };
        *packet = taken.into();
        Ok(())
    });
    traced!("zx_port_wait", status, handle, deadline)
}

/// Deprecated by RFC-0240. Port: WRITE. Source: `BAD_HANDLE`, `ACCESS_DENIED` without WAIT,
/// `NOT_SUPPORTED` if not waitable. Matches waits and queued packets with `key` on the source's
/// object — through that exact handle under `zircon`, through any handle under `rfc0240`.
/// `NOT_FOUND` if nothing matched.
pub fn zx_port_cancel(handle: zx_handle_t, source: zx_handle_t, key: u64) -> zx_status_t {
    let status = on_current(|process| {
        let port = process.get_object::<Port>(handle, Rights::WRITE)?;
        let (koid, handle_id) = process.handles().with_object::<AnyObject, _>(
            source,
            Rights::WAIT,
            |h, object| {
                if !object.is_waitable() {
                    return Err(Status::NOT_SUPPORTED);
                }
                Ok((object.koid(), h.id()))
            },
        )??;
        let exact_handle = (process.kernel().profile() == Profile::Zircon).then_some(handle_id);
        if port.cancel_source(koid, exact_handle, key) {
            Ok(())
        } else {
            Err(Status::NOT_FOUND)
        }
    });
    traced!("zx_port_cancel", status, handle, source, key)
}

/// `options` must be 0 (`INVALID_ARGS`, before the handle). Port: WRITE. Cancels every pending
/// wait with `key` and removes every queued packet with `key` (user packets too); `NOT_FOUND` if
/// there was none.
pub fn zx_port_cancel_key(handle: zx_handle_t, options: u32, key: u64) -> zx_status_t {
    let status = on_current(|process| {
        if options != 0 {
            return Err(Status::INVALID_ARGS);
        }
        let port = process.get_object::<Port>(handle, Rights::WRITE)?;
        if port.cancel_key(key) {
            Ok(())
        } else {
            Err(Status::NOT_FOUND)
        }
    });
    traced!("zx_port_cancel_key", status, handle, options, key)
}
