//! Socket syscalls and socket properties (spec §10, §4 get/set_property).

use zxsim_kernel::objects::socket::{
    Socket, SOCKET_DATAGRAM, SOCKET_DISPOSITION_WRITE_DISABLED, SOCKET_DISPOSITION_WRITE_ENABLED,
    SOCKET_PEEK,
};
use zxsim_kernel::{AnyObject, Rights, Status};

use super::*;

/// `options` STREAM or DATAGRAM, else `INVALID_ARGS`. Rights 0x10F0CF; both ends WRITABLE.
pub fn zx_socket_create(
    options: u32,
    out0: &mut zx_handle_t,
    out1: &mut zx_handle_t,
) -> zx_status_t {
    let status = on_current(|process| {
        if options & !SOCKET_DATAGRAM != 0 {
            return Err(Status::INVALID_ARGS);
        }
        (*out0, *out1) = process.create_pair(|koids| Socket::pair(koids, options))?;
        Ok(())
    });
    traced!("zx_socket_create", status, options)
}

/// `options` ≠ 0: `INVALID_ARGS`. Needs WRITE. Then `PEER_CLOSED`, `BAD_STATE` (writes
/// disabled), empty ⇒ OK 0, full ⇒ `SHOULD_WAIT`. Streams may write short; datagrams are
/// all-or-nothing (`OUT_OF_RANGE` only above the whole capacity).
pub fn zx_socket_write(
    handle: zx_handle_t,
    options: u32,
    buffer: &[u8],
    actual: Option<&mut usize>,
) -> zx_status_t {
    let status = on_current(|process| {
        if options != 0 {
            return Err(Status::INVALID_ARGS);
        }
        let object = process.get_object::<Socket>(handle, Rights::WRITE)?;
        let written = object.write(buffer)?;
        if let Some(actual) = actual {
            *actual = written;
        }
        Ok(())
    });
    traced!(
        "zx_socket_write",
        status,
        handle,
        options,
        size = buffer.len()
    )
}

/// `options` may only contain `ZX_SOCKET_PEEK`. Needs READ. Empty: `PEER_CLOSED`, `BAD_STATE`
/// (peer disabled its writes) or `SHOULD_WAIT`. A datagram read truncates and discards the rest.
pub fn zx_socket_read(
    handle: zx_handle_t,
    options: u32,
    buffer: &mut [u8],
    actual: Option<&mut usize>,
) -> zx_status_t {
    let status = on_current(|process| {
        if options & !SOCKET_PEEK != 0 {
            return Err(Status::INVALID_ARGS);
        }
        let object = process.get_object::<Socket>(handle, Rights::READ)?;
        let read = object.read(buffer, options & SOCKET_PEEK != 0)?;
        if let Some(actual) = actual {
            *actual = read;
        }
        Ok(())
    });
    traced!(
        "zx_socket_read",
        status,
        handle,
        options,
        size = buffer.len()
    )
}

/// Each of `disposition`, `disposition_peer` must be 0, WRITE_DISABLED or WRITE_ENABLED
/// (`INVALID_ARGS`, before the handle). Needs MANAGE_SOCKET.
pub fn zx_socket_set_disposition(
    handle: zx_handle_t,
    disposition: u32,
    disposition_peer: u32,
) -> zx_status_t {
    let status = on_current(|process| {
        let valid = |d: u32| {
            d == 0
                || d == SOCKET_DISPOSITION_WRITE_DISABLED
                || d == SOCKET_DISPOSITION_WRITE_ENABLED
        };
        if !valid(disposition) || !valid(disposition_peer) {
            return Err(Status::INVALID_ARGS);
        }
        let object = process.get_object::<Socket>(handle, Rights::MANAGE_SOCKET)?;
        if disposition == 0 && disposition_peer == 0 {
            return Ok(());
        }
        object.set_disposition(disposition, disposition_peer)
    });
    traced!(
        "zx_socket_set_disposition",
        status,
        handle,
        disposition,
        disposition_peer
    )
}

fn property_value(value: &[u8]) -> Result<usize, Status> {
    let bytes: [u8; 8] = value
        .get(..8)
        .ok_or(Status::BUFFER_TOO_SMALL)?
        .try_into()
        .expect("8 bytes");
    usize::try_from(u64::from_le_bytes(bytes)).map_err(|_| Status::INVALID_ARGS)
}

/// Needs GET_PROPERTY. Socket thresholds only: a value buffer under 8 bytes ⇒
/// `BUFFER_TOO_SMALL`, a non-socket ⇒ `WRONG_TYPE`, an unknown property ⇒ `NOT_SUPPORTED`.
pub fn zx_object_get_property(handle: zx_handle_t, property: u32, value: &mut [u8]) -> zx_status_t {
    let status = on_current(|process| {
        let object = process.get_object::<AnyObject>(handle, Rights::GET_PROPERTY)?;
        let read = match property {
            ZX_PROP_SOCKET_RX_THRESHOLD => Socket::rx_threshold,
            ZX_PROP_SOCKET_TX_THRESHOLD => Socket::tx_threshold,
            _ => return Err(Status::NOT_SUPPORTED),
        };
        if value.len() < 8 {
            return Err(Status::BUFFER_TOO_SMALL);
        }
        let socket = object.downcast::<Socket>().ok_or(Status::WRONG_TYPE)?;
        value[..8].copy_from_slice(&(read(socket) as u64).to_le_bytes());
        Ok(())
    });
    traced!("zx_object_get_property", status, handle, property)
}

/// Needs SET_PROPERTY. RX threshold above the capacity ⇒ `INVALID_ARGS`; TX threshold with the
/// peer gone ⇒ `PEER_CLOSED`; 0 disables a threshold.
pub fn zx_object_set_property(handle: zx_handle_t, property: u32, value: &[u8]) -> zx_status_t {
    let status = on_current(|process| {
        let object = process.get_object::<AnyObject>(handle, Rights::SET_PROPERTY)?;
        let write = match property {
            ZX_PROP_SOCKET_RX_THRESHOLD => Socket::set_rx_threshold,
            ZX_PROP_SOCKET_TX_THRESHOLD => Socket::set_tx_threshold,
            _ => return Err(Status::NOT_SUPPORTED),
        };
        let value = property_value(value)?;
        let socket = object.downcast::<Socket>().ok_or(Status::WRONG_TYPE)?;
        write(socket, value)
    });
    traced!("zx_object_set_property", status, handle, property)
}
