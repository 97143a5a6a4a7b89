//! Waiting on several handles at once (`zx_object_wait_many`).

use super::{HandleRef, MonotonicInstant, Result, Signals, Status};
use crate::sys;

/// One handle of [`object_wait_many`]: what to wait for, and on return what was pending.
#[derive(Debug)]
pub struct WaitItem<'a> {
    pub handle: HandleRef<'a>,
    pub waitfor: Signals,
    pub pending: Signals,
}

/// Waits until any item has one of its `waitfor` signals active. Wraps `zx_object_wait_many`
/// (at most `ZX_WAIT_MANY_MAX_ITEMS` = 64 items, else `OUT_OF_RANGE`).
///
/// `Ok(false)`: a signal is active. `Ok(true)`: one of the handles was closed during the wait
/// (`CANCELED`; its `pending` has `Signals::HANDLE_CLOSED`). `Err(TIMED_OUT)` at `deadline`.
/// Each item's `pending` is filled in all three cases.
pub fn object_wait_many(items: &mut [WaitItem<'_>], deadline: MonotonicInstant) -> Result<bool> {
    let mut raw: Vec<sys::zx_wait_item_t> = items
        .iter()
        .map(|item| sys::zx_wait_item_t {
            handle: item.handle.raw_handle(),
            waitfor: item.waitfor.bits(),
            pending: item.pending.bits(),
        })
        .collect();
    let status = Status::from_raw(sys::zx_object_wait_many(&mut raw, deadline.into_nanos()));
    for (item, raw) in items.iter_mut().zip(&raw) {
        item.pending = Signals::from_bits_retain(raw.pending);
    }
    match status {
        Status::CANCELED => Ok(true),
        status => Status::ok(status.into_raw()).map(|()| false),
    }
}
