//! FIFO syscalls (spec §11).

use zxsim_kernel::objects::fifo::{Fifo, FIFO_MAX_SIZE_BYTES};
use zxsim_kernel::{Rights, Status};

use super::*;

/// A zero count or size, or more than 4096 bytes in all: `OUT_OF_RANGE`. `options` is ignored,
/// as the kernel does (the docs ask for 0). Rights 0xF00F; both ends WRITABLE.
pub fn zx_fifo_create(
    elem_count: usize,
    elem_size: usize,
    options: u32,
    out0: &mut zx_handle_t,
    out1: &mut zx_handle_t,
) -> zx_status_t {
    let status = on_current(|process| {
        if elem_count == 0
            || elem_size == 0
            || elem_count.saturating_mul(elem_size) > FIFO_MAX_SIZE_BYTES
        {
            return Err(Status::OUT_OF_RANGE);
        }
        (*out0, *out1) = process.create_pair(|koids| Fifo::pair(koids, elem_count, elem_size))?;
        Ok(())
    });
    traced!("zx_fifo_create", status, elem_count, elem_size, options)
}

/// Needs WRITE. `PEER_CLOSED` first, then `OUT_OF_RANGE` (element size, zero count), then
/// `SHOULD_WAIT`; writes as many whole elements as fit. `data` must hold `count` elements
/// (`INVALID_ARGS` otherwise: the C call would read past the buffer).
pub fn zx_fifo_write(
    handle: zx_handle_t,
    elem_size: usize,
    data: &[u8],
    count: usize,
    actual_count: Option<&mut usize>,
) -> zx_status_t {
    let status = on_current(|process| {
        let object = process.get_object::<Fifo>(handle, Rights::WRITE)?;
        if data.len() < elem_size.saturating_mul(count) {
            return Err(Status::INVALID_ARGS);
        }
        let written = object.write(elem_size, data, count)?;
        if let Some(actual) = actual_count {
            *actual = written;
        }
        Ok(())
    });
    traced!("zx_fifo_write", status, handle, elem_size, count)
}

/// Needs READ. `OUT_OF_RANGE` (element size, zero count), empty ⇒ `PEER_CLOSED` (peer gone)
/// or `SHOULD_WAIT`; reads as many elements as are queued, up to `count`.
pub fn zx_fifo_read(
    handle: zx_handle_t,
    elem_size: usize,
    data: &mut [u8],
    count: usize,
    actual_count: Option<&mut usize>,
) -> zx_status_t {
    let status = on_current(|process| {
        let object = process.get_object::<Fifo>(handle, Rights::READ)?;
        if data.len() < elem_size.saturating_mul(count) {
            return Err(Status::INVALID_ARGS);
        }
        let read = object.read(elem_size, data, count)?;
        if let Some(actual) = actual_count {
            *actual = read;
        }
        Ok(())
    });
    traced!("zx_fifo_read", status, handle, elem_size, count)
}
