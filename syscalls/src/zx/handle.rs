//! Owned handles ([`Handle`]), borrowed ones ([`Unowned`], [`HandleRef`]) and the traits every
//! handle type implements ([`AsHandleRef`], [`HandleBased`], [`Peered`]).
//!
//! A handle value means something only in the process that holds it: every method acts on the
//! process bound to the calling thread, like the `sys` call it wraps. A `Handle` is a bare value
//! (`#[repr(transparent)]` over `zx_handle_t`, as in Fuchsia's crate, so slices of handles are
//! slices of values), so it cannot carry its process; dropping it on a thread bound to another
//! process is made **loud** instead: handle values are scrambled per process, so the close there
//! answers `BAD_HANDLE`, and `Drop` panics on that answer (a handle closed twice is caught the
//! same way). While the thread is already panicking the failure is only traced.

use std::marker::PhantomData;
use std::mem::{self, ManuallyDrop};

use super::info::get_info_single;
use super::{
    ok, HandleBasicInfo, HandleCountInfo, Koid, MonotonicInstant, Port, Result, Rights, Signals,
    Status, WaitAsyncOpts, WaitResult,
};
use crate::sys;

/// An owned handle of any type (`zx_handle_t`): closed by `Drop`.
///
/// `Handle::invalid()` (value 0) is the only non-handle; dropping it does nothing.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(transparent)]
pub struct Handle(pub(super) sys::zx_handle_t);

impl Handle {
    /// `ZX_HANDLE_INVALID`.
    #[inline]
    pub const fn invalid() -> Handle {
        Handle(sys::ZX_HANDLE_INVALID)
    }

    /// Takes ownership of a raw handle value.
    ///
    /// # Safety
    ///
    /// `raw` must be `ZX_HANDLE_INVALID` or a handle of the calling thread's process that nothing
    /// else closes: the returned `Handle` closes it when dropped. (In zxsim a violation cannot
    /// corrupt memory — the worst case is closing someone else's handle — but the contract is the
    /// real crate's, so code moves between the two unchanged.)
    #[inline]
    pub const unsafe fn from_raw(raw: sys::zx_handle_t) -> Handle {
        Handle(raw)
    }

    pub fn is_invalid(&self) -> bool {
        self.0 == sys::ZX_HANDLE_INVALID
    }

    /// Whether `raw` is an open handle of the calling thread's process: `INVALID_ARGS` for
    /// `ZX_HANDLE_INVALID`, `OUT_OF_RANGE` for a value without its fixed bits, `NOT_FOUND` for
    /// one not in the table. Wraps `zx_handle_check_valid`; like the real crate's, a positive
    /// answer does not make the value safe to adopt with [`Handle::from_raw`].
    pub fn check_raw_valid(raw: sys::zx_handle_t) -> Result<()> {
        ok(sys::zx_handle_check_valid(raw))
    }

    /// Gives up ownership: the caller must close or transfer the value.
    pub fn into_raw(self) -> sys::zx_handle_t {
        let raw = self.0;
        mem::forget(self);
        raw
    }

    /// A new handle to the same object with `rights` (`Rights::SAME_RIGHTS` keeps them).
    /// Wraps `zx_handle_duplicate`.
    pub fn duplicate(&self, rights: Rights) -> Result<Handle> {
        self.as_handle_ref().duplicate(rights)
    }

    /// Replaces this handle by one with `rights`. Wraps `zx_handle_replace`.
    ///
    /// `self` is consumed whatever the outcome: zxsim's kernel keeps the source on `NO_MEMORY`
    /// (as Zircon does), so in that case this closes it, and the typed API keeps Zircon's
    /// documented contract that the old handle is gone.
    pub fn replace(self, rights: Rights) -> Result<Handle> {
        let raw = self.into_raw();
        let mut out = sys::ZX_HANDLE_INVALID;
        match ok(sys::zx_handle_replace(raw, rights.bits(), &mut out)) {
            Ok(()) => Ok(Handle(out)),
            Err(Status::NO_MEMORY) => {
                drop(Handle(raw));
                Err(Status::NO_MEMORY)
            }
            Err(status) => Err(status),
        }
    }
}

impl Default for Handle {
    fn default() -> Self {
        Handle::invalid()
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        if self.0 == sys::ZX_HANDLE_INVALID {
            return;
        }
        let status = sys::zx_handle_close(self.0);
        if status == sys::ZX_ERR_BAD_HANDLE && !std::thread::panicking() {
            panic!(
                "zx::Handle {:#x} dropped where it is not a handle: on a thread bound to another \
                 process than the one holding it (bind that process first), or closed twice",
                self.0
            );
        }
    }
}

impl AsHandleRef for Handle {
    fn as_handle_ref(&self) -> HandleRef<'_> {
        Unowned::borrowing(self.0)
    }
}

impl HandleBased for Handle {}

/// A borrowed handle of type `T`: usable as a `T` (through `Deref`), never closed by `Drop`.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(transparent)]
pub struct Unowned<'a, T> {
    inner: ManuallyDrop<T>,
    marker: PhantomData<&'a T>,
}

/// A borrowed handle of any type.
pub type HandleRef<'a> = Unowned<'a, Handle>;

impl<T> std::ops::Deref for Unowned<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.inner
    }
}

impl<T: HandleBased> Clone for Unowned<'_, T> {
    fn clone(&self) -> Self {
        Unowned::borrowing(self.raw_handle())
    }
}

impl<'a, T: HandleBased> Unowned<'a, T> {
    /// The only constructor: the borrow checker (through `'a`) or the caller of
    /// [`Unowned::from_raw_handle`] guarantees `raw` outlives the value.
    fn borrowing(raw: sys::zx_handle_t) -> Self {
        Unowned {
            inner: ManuallyDrop::new(T::from(Handle(raw))),
            marker: PhantomData,
        }
    }

    /// Borrows `inner`'s handle as a `T`.
    pub fn new<U: AsHandleRef>(inner: &'a U) -> Self {
        Unowned::borrowing(inner.raw_handle())
    }

    /// Borrows a raw handle value without taking ownership.
    ///
    /// # Safety
    ///
    /// `handle` must be `ZX_HANDLE_INVALID` or a handle of the calling thread's process that stays
    /// open for `'a`.
    pub unsafe fn from_raw_handle(handle: sys::zx_handle_t) -> Self {
        Unowned::borrowing(handle)
    }

    pub fn raw_handle(&self) -> sys::zx_handle_t {
        self.inner.as_handle_ref().inner.0
    }

    /// Wraps `zx_handle_duplicate`.
    pub fn duplicate(&self, rights: Rights) -> Result<T> {
        let mut out = sys::ZX_HANDLE_INVALID;
        ok(sys::zx_handle_duplicate(
            self.raw_handle(),
            rights.bits(),
            &mut out,
        ))?;
        Ok(T::from(Handle(out)))
    }

    /// Wraps `zx_object_signal`.
    pub fn signal(&self, clear_mask: Signals, set_mask: Signals) -> Result<()> {
        ok(sys::zx_object_signal(
            self.raw_handle(),
            clear_mask.bits(),
            set_mask.bits(),
        ))
    }

    /// Wraps `zx_object_wait_one`: [`WaitResult::Ok`] with the observed signals once one of
    /// `signals` is active, [`WaitResult::TimedOut`] at `deadline` (`MonotonicInstant::INFINITE_PAST`
    /// polls) or [`WaitResult::Canceled`] if the handle was closed during the wait — both with
    /// the signals observed then.
    pub fn wait(&self, signals: Signals, deadline: MonotonicInstant) -> WaitResult {
        let mut observed = 0;
        let status = sys::zx_object_wait_one(
            self.raw_handle(),
            signals.bits(),
            deadline.into_nanos(),
            Some(&mut observed),
        );
        WaitResult::from_raw(status, observed)
    }

    /// [`Unowned::wait`] in the older `Result` shape (the real crate keeps it during its
    /// transition).
    #[deprecated = "use wait().to_result()"]
    pub fn deprecated_wait(&self, signals: Signals, deadline: MonotonicInstant) -> Result<Signals> {
        self.wait(signals, deadline).to_result()
    }

    /// Wraps `zx_object_wait_async`.
    pub fn wait_async(
        &self,
        port: &Port,
        key: u64,
        signals: Signals,
        options: WaitAsyncOpts,
    ) -> Result<()> {
        ok(sys::zx_object_wait_async(
            self.raw_handle(),
            port.raw_handle(),
            key,
            signals.bits(),
            options.bits(),
        ))
    }
}

impl<'a> Unowned<'a, Handle> {
    /// Views this borrowed handle as a specific type (nothing is checked: a wrong type shows up
    /// as `WRONG_TYPE` from the kernel).
    pub fn cast<T: HandleBased>(self) -> Unowned<'a, T> {
        Unowned::borrowing(self.raw_handle())
    }
}

impl<T: HandleBased> AsHandleRef for Unowned<'_, T> {
    fn as_handle_ref(&self) -> HandleRef<'_> {
        Unowned::borrowing(self.raw_handle())
    }
}

/// Anything that has a handle: the operations valid on every handle type.
pub trait AsHandleRef {
    /// A borrowed view of the handle (e.g. for [`WaitItem`](super::WaitItem)).
    fn as_handle_ref(&self) -> HandleRef<'_>;

    /// The raw value (distinct for distinct open handles of one process).
    fn raw_handle(&self) -> sys::zx_handle_t {
        self.as_handle_ref().inner.0
    }

    /// Sets and clears user-settable signals. Wraps `zx_object_signal`.
    fn signal_handle(&self, clear_mask: Signals, set_mask: Signals) -> Result<()> {
        self.as_handle_ref().signal(clear_mask, set_mask)
    }

    /// Waits for any of `signals`. Wraps `zx_object_wait_one`; see [`Unowned::wait`].
    fn wait_handle(&self, signals: Signals, deadline: MonotonicInstant) -> WaitResult {
        self.as_handle_ref().wait(signals, deadline)
    }

    /// [`AsHandleRef::wait_handle`] in the older `Result` shape.
    #[deprecated = "use wait_handle().to_result()"]
    fn deprecated_wait_handle(
        &self,
        signals: Signals,
        deadline: MonotonicInstant,
    ) -> Result<Signals> {
        self.wait_handle(signals, deadline).to_result()
    }

    /// Asks for a packet on `port` when any of `signals` is active. Wraps
    /// `zx_object_wait_async`.
    fn wait_async_handle(
        &self,
        port: &Port,
        key: u64,
        signals: Signals,
        options: WaitAsyncOpts,
    ) -> Result<()> {
        self.as_handle_ref().wait_async(port, key, signals, options)
    }

    /// `ZX_INFO_HANDLE_BASIC`. Wraps `zx_object_get_info`.
    fn basic_info(&self) -> Result<HandleBasicInfo> {
        get_info_single::<sys::zx_info_handle_basic_t>(self.raw_handle(), sys::ZX_INFO_HANDLE_BASIC)
            .map(HandleBasicInfo::from)
    }

    /// `ZX_INFO_HANDLE_COUNT` (needs `Rights::INSPECT`). Wraps `zx_object_get_info`.
    fn count_info(&self) -> Result<HandleCountInfo> {
        get_info_single::<sys::zx_info_handle_count_t>(self.raw_handle(), sys::ZX_INFO_HANDLE_COUNT)
            .map(HandleCountInfo::from)
    }

    /// The object's koid.
    fn get_koid(&self) -> Result<Koid> {
        self.basic_info().map(|info| info.koid)
    }
}

impl<T: AsHandleRef> AsHandleRef for &T {
    fn as_handle_ref(&self) -> HandleRef<'_> {
        (*self).as_handle_ref()
    }
}

/// An owned handle of a specific type, convertible to and from [`Handle`].
///
/// Every typed handle implements it with `impl_handle_based!`; a user newtype around a handle can
/// implement it too (`AsHandleRef` plus the two `From` conversions).
pub trait HandleBased: AsHandleRef + From<Handle> + Into<Handle> {
    /// Wraps `zx_handle_duplicate`.
    fn duplicate_handle(&self, rights: Rights) -> Result<Self> {
        self.as_handle_ref().duplicate(rights).map(Self::from)
    }

    /// Wraps `zx_handle_replace`; `self` is gone whatever the outcome (see [`Handle::replace`]).
    fn replace_handle(self, rights: Rights) -> Result<Self> {
        self.into().replace(rights).map(Self::from)
    }

    fn into_handle(self) -> Handle {
        self.into()
    }

    /// Gives up ownership: the caller must close or transfer the value.
    fn into_raw(self) -> sys::zx_handle_t {
        self.into_handle().into_raw()
    }

    fn from_handle(handle: Handle) -> Self {
        Self::from(handle)
    }

    fn into_handle_based<H: HandleBased>(self) -> H {
        H::from_handle(self.into_handle())
    }

    fn from_handle_based<H: HandleBased>(h: H) -> Self {
        Self::from_handle(h.into_handle())
    }

    fn is_invalid_handle(&self) -> bool {
        self.raw_handle() == sys::ZX_HANDLE_INVALID
    }
}

/// A handle to one end of a peered object (event pair; later channel, socket, fifo).
pub trait Peered: HandleBased {
    /// Sets and clears user-settable signals on the peer. Wraps `zx_object_signal_peer`;
    /// `PEER_CLOSED` once the other end is gone.
    fn signal_peer(&self, clear_mask: Signals, set_mask: Signals) -> Result<()> {
        ok(sys::zx_object_signal_peer(
            self.raw_handle(),
            clear_mask.bits(),
            set_mask.bits(),
        ))
    }

    /// Whether the other end is closed (polls `PEER_CLOSED`; needs `Rights::WAIT`).
    fn is_closed(&self) -> Result<bool> {
        match self.wait_handle(Signals::PEER_CLOSED, MonotonicInstant::INFINITE_PAST) {
            WaitResult::Ok(_) => Ok(true),
            WaitResult::TimedOut(_) => Ok(false),
            other => Err(other.status()),
        }
    }
}

/// Implements `AsHandleRef`, `HandleBased` and the `Handle` conversions for a
/// `pub struct $type(Handle)` newtype — the one line each typed handle file needs.
macro_rules! impl_handle_based {
    ($type:ident) => {
        impl $crate::zx::AsHandleRef for $type {
            fn as_handle_ref(&self) -> $crate::zx::HandleRef<'_> {
                self.0.as_handle_ref()
            }
        }

        impl ::std::convert::From<$crate::zx::Handle> for $type {
            fn from(handle: $crate::zx::Handle) -> Self {
                $type(handle)
            }
        }

        impl ::std::convert::From<$type> for $crate::zx::Handle {
            fn from(value: $type) -> $crate::zx::Handle {
                value.0
            }
        }

        impl $crate::zx::HandleBased for $type {}
    };
}
pub(crate) use impl_handle_based;
