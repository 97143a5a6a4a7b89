//! Waiting: the outcome of one wait ([`WaitResult`]) and waits on several handles at once
//! (`zx_object_wait_many`).

use super::{HandleRef, MonotonicInstant, Result, Signals, Status};
use crate::sys;

/// The outcome of `zx_object_wait_one` ([`AsHandleRef::wait_handle`](super::AsHandleRef)),
/// keeping the signals the kernel observed even when the wait did not succeed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WaitResult {
    /// One of the awaited signals is active; all observed signals.
    Ok(Signals),
    /// The deadline passed; the signals observed then.
    TimedOut(Signals),
    /// The handle was closed during the wait; the signals observed then.
    Canceled(Signals),
    /// The wait could not start (`BAD_HANDLE`, `ACCESS_DENIED`...).
    Err(Status),
}

impl WaitResult {
    /// From a raw status and the observed signals (meaningful for `OK`, `TIMED_OUT` and
    /// `CANCELED` only).
    pub fn from_raw(status: sys::zx_status_t, observed: sys::zx_signals_t) -> WaitResult {
        let observed = Signals::from_bits_retain(observed);
        match Status::from_raw(status) {
            Status::OK => WaitResult::Ok(observed),
            Status::TIMED_OUT => WaitResult::TimedOut(observed),
            Status::CANCELED => WaitResult::Canceled(observed),
            status => WaitResult::Err(status),
        }
    }

    /// The older shape: `Ok(signals)` or the status (`TIMED_OUT`, `CANCELED`, ...).
    pub const fn to_result(self) -> Result<Signals> {
        match self {
            WaitResult::Ok(signals) => Ok(signals),
            WaitResult::TimedOut(_) => Err(Status::TIMED_OUT),
            WaitResult::Canceled(_) => Err(Status::CANCELED),
            WaitResult::Err(status) => Err(status),
        }
    }

    /// The status the kernel answered (`OK` for [`WaitResult::Ok`]).
    pub const fn status(self) -> Status {
        match self.to_result() {
            Ok(_) => Status::OK,
            Err(status) => status,
        }
    }

    /// The observed signals, for every outcome but [`WaitResult::Err`].
    pub const fn signals(self) -> Option<Signals> {
        match self {
            WaitResult::Ok(signals)
            | WaitResult::TimedOut(signals)
            | WaitResult::Canceled(signals) => Some(signals),
            WaitResult::Err(_) => None,
        }
    }

    pub const fn is_ok(&self) -> bool {
        matches!(self, WaitResult::Ok(_))
    }

    pub const fn is_err(&self) -> bool {
        !self.is_ok()
    }

    /// The signals of [`WaitResult::Ok`], else `None`.
    pub const fn ok(self) -> Option<Signals> {
        match self {
            WaitResult::Ok(signals) => Some(signals),
            _ => None,
        }
    }

    /// The status of every outcome but [`WaitResult::Ok`].
    pub const fn err(self) -> Option<Status> {
        match self.to_result() {
            Ok(_) => None,
            Err(status) => Some(status),
        }
    }

    pub fn map<F: FnOnce(Signals) -> Signals>(self, f: F) -> WaitResult {
        match self {
            WaitResult::Ok(signals) => WaitResult::Ok(f(signals)),
            other => other,
        }
    }

    /// # Panics
    ///
    /// Unless the wait succeeded.
    #[track_caller]
    pub fn unwrap(self) -> Signals {
        match self {
            WaitResult::Ok(signals) => signals,
            other => panic!("called `WaitResult::unwrap()` on {other:?}"),
        }
    }

    /// # Panics
    ///
    /// With `msg`, unless the wait succeeded.
    #[track_caller]
    pub fn expect(self, msg: &str) -> Signals {
        match self {
            WaitResult::Ok(signals) => signals,
            other => panic!("{msg}: {other:?}"),
        }
    }

    /// # Panics
    ///
    /// If the wait succeeded.
    #[track_caller]
    pub fn unwrap_err(self) -> Status {
        match self.to_result() {
            Ok(signals) => panic!("called `WaitResult::unwrap_err()` on Ok({signals:?})"),
            Err(status) => status,
        }
    }
}

impl From<WaitResult> for Result<Signals> {
    fn from(result: WaitResult) -> Self {
        result.to_result()
    }
}

/// Compares through [`WaitResult::to_result`], so code written against the older
/// `Result<Signals, Status>` shape (`assert_eq!(h.wait_handle(..), Err(Status::TIMED_OUT))`)
/// keeps compiling and meaning the same.
impl PartialEq<Result<Signals>> for WaitResult {
    fn eq(&self, other: &Result<Signals>) -> bool {
        self.to_result() == *other
    }
}

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
