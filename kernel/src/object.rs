//! Kernel objects: Zircon's `Dispatcher` base, shared by every object type.
//!
//! A [`Dispatcher<T>`] is the base — koid, handle count, owning kernel — with the type-specific
//! part `T` (a channel, a port...) as its last field. Handles and observers hold
//! `Arc<Dispatcher>`, whose `T` is `dyn KernelObject`; a typed lookup turns it back into an
//! `Arc<Dispatcher<T>>` after checking the type once ([`Dispatcher::downcast`]), so code past a
//! lookup never checks the type again.
//!
//! The handle count is kept apart from the `Arc` reference count. Kernel-internal references (an
//! observer holding its object, a port holding observers) are `Arc` clones and never keep an
//! object "open": only handles do. When the handle count reaches 0, `on_zero_handles` runs
//! synchronously on the thread that deleted the last handle — never from `Drop` — so a peer sees
//! PEER_CLOSED before `zx_handle_close` returns.
//!
//! `on_zero_handles` can cascade (a dying channel endpoint closes the handles in its unread
//! messages, which may be the last handles of other endpoints...). To keep the stack bounded, a
//! thread that is already running an `on_zero_handles` queues further ones and the outermost call
//! drains the queue before returning.
//!
//! Adding an object type means writing one file in `objects/` whose type implements
//! [`KernelObject`], and one `pub mod` line in `objects/mod.rs`. Nothing in this file names an
//! object type.
// loom's `thread_local!` takes no `const` initialiser, so this module's thread-locals don't either.
#![allow(clippy::missing_const_for_thread_local)]

use std::any::Any;
use std::collections::VecDeque;
use std::fmt;
use std::ops::Deref;

use crate::config::Profile;
use crate::handle::HandleId;
use crate::shared::KernelShared;
use crate::signal::SignalState;
use crate::status::Status;
use crate::sync::{thread_local, Arc, AtomicBool, AtomicU32, Ordering};
use crate::types::{Koid, ObjType, Rights, Signals};

/// The type-specific part of a kernel object: what the base asks of every object type.
pub trait KernelObject: Any + Send + Sync {
    /// `ZX_OBJ_TYPE_*`.
    fn obj_type(&self) -> ObjType;

    /// Rights of the handles `create` returns (`ZX_DEFAULT_*_RIGHTS`).
    fn default_rights(&self) -> Rights;

    /// Bits besides `ZX_USER_SIGNAL_ALL` that `zx_object_signal(_peer)` may change.
    fn user_signals(&self) -> Signals {
        Signals::NONE
    }

    /// Runs `f` on this object's signal state, under the object's lock.
    fn lock_signals(&self, f: &mut dyn FnMut(&mut SignalState));

    /// Runs `f` on the peer's signal state (peered objects only). `PEER_CLOSED` once the peer
    /// is gone; `NOT_SUPPORTED` for objects that have no peer.
    fn lock_peer_signals(&self, _f: &mut dyn FnMut(&mut SignalState)) -> Result<(), Status> {
        Err(Status::NOT_SUPPORTED)
    }

    /// The koid `ZX_INFO_HANDLE_BASIC` reports as related: the peer's (kept after the peer
    /// dies), a thread's process, or 0.
    fn peer_koid(&self) -> Koid {
        0
    }

    /// A handle to this object was installed in the table of process `owner` (channels track
    /// their owner).
    fn on_installed(&self, _owner: Koid) {}

    /// Whether this type can hold handles to other objects (a channel's queue does): the leak
    /// report follows such objects.
    fn holds_handles(&self) -> bool {
        false
    }

    /// A handle to this object was read out of a channel message (channels end the calls
    /// waiting on them: Zircon's `CancelMessageWaiters`).
    fn on_received(&self) {}

    /// Type-specific teardown when the last handle is gone (peer closed, port drained...).
    /// The shared part — ending the object's remaining waits — runs right after.
    fn on_zero_handles(&self, _base: &Dispatcher) {}
}

/// A kernel object: the shared base and the type-specific part `T`.
pub struct Dispatcher<T: ?Sized + KernelObject = dyn KernelObject> {
    koid: Koid,
    handle_count: AtomicU32,
    /// Set (under the object lock) whenever an observer is added; cleared under the lock when a
    /// handle deletion finds none. While clear, deleting a handle skips the object lock: an
    /// observer bound to a handle is registered under that handle's table lock, before the
    /// deletion's removal from the table, so the deletion always sees its flag.
    maybe_observed: AtomicBool,
    kernel: Arc<KernelShared>,
    object: T,
}

/// What a lookup may expect a handle's object to be: one object type (a sized `KernelObject`),
/// or any type (`dyn KernelObject`).
pub trait Expected: KernelObject {
    fn cast(base: &Dispatcher) -> Option<&Dispatcher<Self>>;
    fn cast_arc(base: &Arc<Dispatcher>) -> Option<Arc<Dispatcher<Self>>>;
}

impl<T: KernelObject> Expected for T {
    fn cast(base: &Dispatcher) -> Option<&Dispatcher<T>> {
        base.downcast()
    }
    fn cast_arc(base: &Arc<Dispatcher>) -> Option<Arc<Dispatcher<T>>> {
        base.downcast_arc()
    }
}

impl Expected for dyn KernelObject {
    fn cast(base: &Dispatcher) -> Option<&Dispatcher> {
        Some(base)
    }
    fn cast_arc(base: &Arc<Dispatcher>) -> Option<Arc<Dispatcher>> {
        Some(base.clone())
    }
}

impl<T: KernelObject> Dispatcher<T> {
    /// Makes an object with no handle yet.
    pub(crate) fn new(kernel: &Arc<KernelShared>, koid: Koid, object: T) -> Arc<Dispatcher<T>> {
        kernel.live_objects.fetch_add(1, Ordering::AcqRel);
        Arc::new(Dispatcher {
            koid,
            handle_count: AtomicU32::new(0),
            maybe_observed: AtomicBool::new(false),
            kernel: kernel.clone(),
            object,
        })
    }

    /// The same object, seen as any object.
    pub fn as_base(self: &Arc<Self>) -> Arc<Dispatcher> {
        self.clone()
    }
}

impl Dispatcher {
    /// The object as a `T`, if it is one.
    pub fn downcast<T: KernelObject>(&self) -> Option<&Dispatcher<T>> {
        if !<dyn Any>::is::<T>(&self.object) {
            return None;
        }
        let typed = self as *const Dispatcher as *const Dispatcher<T>;
        // SAFETY: the object part is a `T` (checked above), so this allocation was made as a
        // `Dispatcher<T>` and unsized to `Dispatcher<dyn KernelObject>`; dropping the vtable
        // from the pointer gives back the original `Dispatcher<T>`, borrowed for `self`'s life.
        Some(unsafe { &*typed })
    }

    /// Another reference to the object as a `T`, if it is one.
    pub fn downcast_arc<T: KernelObject>(self: &Arc<Self>) -> Option<Arc<Dispatcher<T>>> {
        self.downcast::<T>()?;
        let typed = Arc::into_raw(self.clone()) as *const Dispatcher<T>;
        // SAFETY: as in `downcast`; the pointer comes from `Arc::into_raw` of an `Arc` whose
        // allocation is a `Dispatcher<T>`, so `from_raw` takes back that same reference.
        Some(unsafe { Arc::from_raw(typed) })
    }
}

impl<T: KernelObject> Deref for Dispatcher<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.object
    }
}

impl<T: ?Sized + KernelObject> Dispatcher<T> {
    pub fn koid(&self) -> Koid {
        self.koid
    }

    pub fn obj_type(&self) -> ObjType {
        self.object.obj_type()
    }

    /// The type-specific part.
    pub fn object(&self) -> &T {
        &self.object
    }

    pub fn default_rights(&self) -> Rights {
        self.object.default_rights()
    }

    /// Zircon's `is_waitable()`: the type's default rights include WAIT.
    pub fn is_waitable(&self) -> bool {
        self.default_rights().contains(Rights::WAIT)
    }

    pub fn peer_koid(&self) -> Koid {
        self.object.peer_koid()
    }

    pub fn handle_count(&self) -> u32 {
        self.handle_count.load(Ordering::Acquire)
    }

    pub(crate) fn kernel_shared(&self) -> &Arc<KernelShared> {
        &self.kernel
    }

    pub fn profile(&self) -> Profile {
        self.kernel.config.profile
    }

    /// Runs `f` under the object's lock on its signal state.
    pub fn with_signals<R>(&self, f: impl FnOnce(&mut SignalState) -> R) -> R {
        let mut f = Some(f);
        let mut result = None;
        self.object.lock_signals(&mut |state| {
            if let Some(f) = f.take() {
                result = Some(f(state));
            }
        });
        result.unwrap_or_else(|| unreachable!("lock_signals runs its closure exactly once"))
    }

    /// Runs `f` under the pair lock on the peer's signal state (peered objects only).
    pub fn with_peer_signals<R>(&self, f: impl FnOnce(&mut SignalState) -> R) -> Result<R, Status> {
        let mut f = Some(f);
        let mut result = None;
        self.object.lock_peer_signals(&mut |state| {
            if let Some(f) = f.take() {
                result = Some(f(state));
            }
        })?;
        Ok(result.unwrap_or_else(|| unreachable!("lock_peer_signals runs its closure once")))
    }

    /// The current signal word.
    pub fn signals(&self) -> Signals {
        self.with_signals(|state| state.signals())
    }

    /// `zx_object_signal`'s effect once arguments are validated: `clear` then `set`.
    pub fn update_signals(&self, clear: Signals, set: Signals) -> Signals {
        self.with_signals(|state| state.update(clear, set))
    }

    /// Which bits user code may change on this object (and on its peer).
    pub fn user_signal_mask(&self) -> Signals {
        Signals::USER_ALL | self.object.user_signals()
    }

    /// `zx_object_signal_peer`'s effect on the peer.
    pub fn update_peer_signals(&self, clear: Signals, set: Signals) -> Result<Signals, Status> {
        self.with_peer_signals(|state| state.update(clear, set))
    }

    /// Receiving a handle read from a channel message: under the `zircon` profile this ends the
    /// async waits registered through it (and, in both, sync waits through it end `CANCELED`);
    /// then the type's own rule runs ([`KernelObject::on_received`]).
    pub fn handle_received(&self, handle: HandleId) {
        self.cancel_handle_observers(handle);
        self.object.on_received();
    }

    /// Records, under the object lock, that an observer was added (see `maybe_observed`).
    pub(crate) fn note_observer_added(&self) {
        self.maybe_observed.store(true, Ordering::Relaxed);
    }

    fn cancel_handle_observers(&self, handle: HandleId) {
        if !self.maybe_observed.load(Ordering::Acquire) {
            return;
        }
        let end_async_waits = self.profile() == Profile::Zircon;
        self.with_signals(|state| {
            state.cancel_by_handle(handle, end_async_waits);
            if state.observer_count() == 0 {
                self.maybe_observed.store(false, Ordering::Relaxed);
            }
        });
    }
}

impl Dispatcher {
    pub(crate) fn add_handle(self: &Arc<Self>) {
        if self.handle_count.fetch_add(1, Ordering::AcqRel) == 0 {
            self.kernel.registry.first_handle(self);
        }
    }

    /// A handle to this object was deleted (it was closed, replaced, or destroyed in flight).
    pub(crate) fn handle_deleted(self: &Arc<Self>, handle: HandleId) {
        self.cancel_handle_observers(handle);
        if self.handle_count.fetch_sub(1, Ordering::AcqRel) == 1 {
            run_on_zero_handles(self.clone());
        }
    }

    fn on_zero_handles(&self) {
        tracing::trace!(koid = self.koid, kind = ?self.obj_type(), "on_zero_handles");
        self.object.on_zero_handles(self);
        self.with_signals(|state| state.cancel_all());
        self.kernel.registry.last_handle_gone(self);
    }
}

impl<T: ?Sized + KernelObject> Drop for Dispatcher<T> {
    fn drop(&mut self) {
        self.kernel.live_objects.fetch_sub(1, Ordering::AcqRel);
    }
}

impl<T: ?Sized + KernelObject> fmt::Debug for Dispatcher<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dispatcher")
            .field("koid", &self.koid)
            .field("type", &self.obj_type())
            .field("handles", &self.handle_count())
            .finish()
    }
}

thread_local! {
    /// `Some(queue)` while this thread is inside `on_zero_handles`.
    static ZERO_HANDLES_QUEUE: std::cell::RefCell<Option<VecDeque<Arc<Dispatcher>>>> =
        std::cell::RefCell::new(None);
}

fn run_on_zero_handles(object: Arc<Dispatcher>) {
    let nested = ZERO_HANDLES_QUEUE.with(|queue| match queue.borrow_mut().as_mut() {
        Some(queue) => {
            queue.push_back(object.clone());
            true
        }
        None => false,
    });
    if nested {
        return;
    }
    ZERO_HANDLES_QUEUE.with(|queue| *queue.borrow_mut() = Some(VecDeque::new()));
    let mut next = Some(object);
    while let Some(object) = next {
        object.on_zero_handles();
        drop(object);
        next = ZERO_HANDLES_QUEUE
            .with(|queue| queue.borrow_mut().as_mut().and_then(VecDeque::pop_front));
    }
    ZERO_HANDLES_QUEUE.with(|queue| *queue.borrow_mut() = None);
}
