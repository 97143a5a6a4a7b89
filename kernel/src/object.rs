//! Kernel objects: Zircon's `Dispatcher` base, shared by every object type.
//!
//! A [`Dispatcher<T>`] is the base — its type's operations table, koid, handle count, owning
//! kernel — with the type-specific part `T` (a channel, a port...) as its last field. As in
//! Zircon, where every dispatcher starts with its C++ vtable pointer, the base begins with a
//! pointer to one static [`ObjectOps`] per object type, so a reference to an object of any type —
//! [`DispatcherRef`], or `&Dispatcher` — is one thin pointer: reading the base never depends on
//! the type, and a typed lookup compares the table's type id and casts.
//!
//! Typed objects live in a `std` `Arc<Dispatcher<T>>`. A `DispatcherRef` is the same allocation
//! seen through its base, counted through the table's `retain`/`release` (which know `T`).
//!
//! The handle count is kept apart from the reference count. Kernel-internal references (an
//! observer holding its object, a port holding observers) are reference counts and never keep an
//! object "open": only handles do. While an object has handles, its handles together hold one
//! reference (taken when the count goes 0 → 1, given back after `on_zero_handles`), so a
//! [`Handle`](crate::handle::Handle) is a plain pointer and minting or deleting one touches only the
//! handle count. When the handle count reaches 0, `on_zero_handles` runs synchronously on the
//! thread that deleted the last handle — never from `Drop` — so a peer sees PEER_CLOSED before
//! `zx_handle_close` returns.
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

use std::any::TypeId;
use std::collections::VecDeque;
use std::fmt;
use std::ops::Deref;
use std::ptr::NonNull;

use crate::config::Profile;
use crate::handle::HandleId;
use crate::shared::KernelShared;
use crate::signal::SignalState;
use crate::status::Status;
use crate::sync::{thread_local, Arc, AtomicBool, AtomicU64, Ordering};
use crate::types::{Koid, ObjType, Rights, Signals};

/// Bits of [`Dispatcher`]'s handle word that count live handles: room for far more than the
/// kernel's cap (2^18), leaving 44 bits of handle ids (10^13 handles per object before a wrap).
const COUNT_BITS: u32 = 20;
const COUNT_MASK: u64 = (1 << COUNT_BITS) - 1;

/// The type-specific part of a kernel object: what the base asks of every object type.
pub trait KernelObject: Send + Sync + Sized + 'static {
    /// `ZX_OBJ_TYPE_*`.
    const TYPE: ObjType;

    /// Rights of the handles `create` returns (`ZX_DEFAULT_*_RIGHTS`).
    const DEFAULT_RIGHTS: Rights;

    /// Bits besides `ZX_USER_SIGNAL_ALL` that `zx_object_signal(_peer)` may change.
    const USER_SIGNALS: Signals = Signals::NONE;

    /// Whether this type can hold handles to other objects (a channel's queue does): the leak
    /// report follows such objects.
    const HOLDS_HANDLES: bool = false;

    /// Runs `f` on this object's signal state, under the object's lock.
    fn with_signals<R>(&self, f: impl FnOnce(&mut SignalState) -> R) -> R;

    /// Runs `f` on the peer's signal state (peered objects only). `PEER_CLOSED` once the peer
    /// is gone; `NOT_SUPPORTED` for objects that have no peer.
    fn with_peer_signals<R>(&self, _f: impl FnOnce(&mut SignalState) -> R) -> Result<R, Status> {
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

    /// A handle to this object was read out of a channel message (channels end the calls
    /// waiting on them: Zircon's `CancelMessageWaiters`).
    fn on_received(&self) {}

    /// Type-specific teardown when the last handle is gone (peer closed, port drained...).
    /// The shared part — ending the object's remaining waits — runs right after.
    fn on_zero_handles(&self, _base: &Dispatcher) {}
}

/// The object part of a [`Dispatcher`] whose type is not known statically (the base alone).
pub struct AnyObject {
    _private: (),
}

/// What a type's signal operations run: a closure on the signal state, called once.
type SignalsFn<'a> = &'a mut dyn FnMut(&mut SignalState);

/// One object type's facts and entry points, reached from the base of any of its objects (the
/// vtable of Zircon's `Dispatcher` subclasses). Built once per type by [`ObjectOps::of`]; each
/// entry takes the base of an object of that type.
pub struct ObjectOps {
    type_id: TypeId,
    obj_type: ObjType,
    default_rights: Rights,
    user_signals: Signals,
    holds_handles: bool,
    lock_signals: unsafe fn(&Dispatcher, SignalsFn<'_>),
    /// `zx_object_signal`'s update, compiled per type (the hottest use of the signal lock).
    update_signals: unsafe fn(&Dispatcher, Signals, Signals) -> Signals,
    lock_peer_signals: unsafe fn(&Dispatcher, SignalsFn<'_>) -> Result<(), Status>,
    peer_koid: unsafe fn(&Dispatcher) -> Koid,
    on_installed: unsafe fn(&Dispatcher, Koid),
    on_received: unsafe fn(&Dispatcher),
    on_zero_handles: unsafe fn(&Dispatcher),
    retain: unsafe fn(&Dispatcher),
    release: unsafe fn(NonNull<Dispatcher>),
}

impl ObjectOps {
    const fn of<T: KernelObject>() -> ObjectOps {
        ObjectOps {
            type_id: TypeId::of::<T>(),
            obj_type: T::TYPE,
            default_rights: T::DEFAULT_RIGHTS,
            user_signals: T::USER_SIGNALS,
            holds_handles: T::HOLDS_HANDLES,
            lock_signals: Entries::<T>::lock_signals,
            update_signals: Entries::<T>::update_signals,
            lock_peer_signals: Entries::<T>::lock_peer_signals,
            peer_koid: Entries::<T>::peer_koid,
            on_installed: Entries::<T>::on_installed,
            on_received: Entries::<T>::on_received,
            on_zero_handles: Entries::<T>::on_zero_handles,
            retain: Entries::<T>::retain,
            release: Entries::<T>::release,
        }
    }
}

/// The entries of `T`'s [`ObjectOps`]. Each is `unsafe`: `base` must be the base of a
/// `Dispatcher<T>` — which holds wherever they are called from, because an `ObjectOps::of::<T>()`
/// is stored only in `Dispatcher<T>`s.
struct Entries<T>(std::marker::PhantomData<T>);

impl<T: KernelObject> Entries<T> {
    unsafe fn part(base: &Dispatcher) -> &T {
        // SAFETY: the caller vouches that `base` is a `Dispatcher<T>`'s base.
        unsafe { &base.assume::<T>().object }
    }
    unsafe fn lock_signals(base: &Dispatcher, f: SignalsFn<'_>) {
        // SAFETY: as the caller vouches (see `Entries`).
        unsafe { Self::part(base) }.with_signals(f)
    }
    unsafe fn update_signals(base: &Dispatcher, clear: Signals, set: Signals) -> Signals {
        // SAFETY: as the caller vouches (see `Entries`).
        unsafe { Self::part(base) }.with_signals(|state| state.update(clear, set))
    }
    unsafe fn lock_peer_signals(base: &Dispatcher, f: SignalsFn<'_>) -> Result<(), Status> {
        // SAFETY: as the caller vouches (see `Entries`).
        unsafe { Self::part(base) }.with_peer_signals(f)
    }
    unsafe fn peer_koid(base: &Dispatcher) -> Koid {
        // SAFETY: as the caller vouches (see `Entries`).
        unsafe { Self::part(base) }.peer_koid()
    }
    unsafe fn on_installed(base: &Dispatcher, owner: Koid) {
        // SAFETY: as the caller vouches (see `Entries`).
        unsafe { Self::part(base) }.on_installed(owner)
    }
    unsafe fn on_received(base: &Dispatcher) {
        // SAFETY: as the caller vouches (see `Entries`).
        unsafe { Self::part(base) }.on_received()
    }
    unsafe fn on_zero_handles(base: &Dispatcher) {
        // SAFETY: as the caller vouches (see `Entries`).
        unsafe { Self::part(base) }.on_zero_handles(base)
    }
    unsafe fn retain(base: &Dispatcher) {
        // SAFETY: the object is a `Dispatcher<T>` (as the caller vouches) living in the `Arc`
        // `Dispatcher::new` made, of which the caller holds a reference.
        unsafe { Arc::increment_strong_count(base.assume::<T>()) }
    }
    unsafe fn release(base: NonNull<Dispatcher>) {
        // SAFETY: as in `retain`; the caller gives up the reference it held.
        unsafe { Arc::decrement_strong_count(base.cast::<Dispatcher<T>>().as_ptr()) }
    }
}

/// A kernel object: the shared base and the type-specific part `T` (see the module doc).
/// `#[repr(C)]`: the base fields come first at the same offsets whatever `T` is, so any
/// `Dispatcher<T>` can be seen as a `Dispatcher` (= `Dispatcher<AnyObject>`).
#[repr(C)]
pub struct Dispatcher<T = AnyObject> {
    ops: &'static ObjectOps,
    koid: Koid,
    /// The handle count (low [`COUNT_BITS`] bits) and, above it, how many handles the object
    /// has ever had: one atomic gives a new handle both its count and its [`HandleId`], with no
    /// kernel-wide counter.
    handles: AtomicU64,
    /// Set (under the object lock) whenever an observer is added; cleared under the lock when a
    /// handle deletion finds none. While clear, deleting a handle skips the object lock: an
    /// observer bound to a handle is registered under that handle's table lock, before the
    /// deletion's removal from the table, so the deletion always sees its flag.
    maybe_observed: AtomicBool,
    /// The type's default rights include WAIT (a copy of the table's fact in the base's padding:
    /// `zx_object_signal` and the waits check it before they need the table).
    waitable: bool,
    kernel: Arc<KernelShared>,
    object: T,
}

/// What a lookup may expect a handle's object to be: one object type, or any type
/// ([`AnyObject`]).
pub trait Expected: Sized {
    /// An owned reference to such an object: `Arc<Dispatcher<T>>`, or [`DispatcherRef`].
    type Ref;
    fn cast(base: &Dispatcher) -> Option<&Dispatcher<Self>>;
    fn to_owned(object: &Dispatcher<Self>) -> Self::Ref;
}

impl<T: KernelObject> Expected for T {
    type Ref = Arc<Dispatcher<T>>;
    fn cast(base: &Dispatcher) -> Option<&Dispatcher<T>> {
        base.downcast()
    }
    fn to_owned(object: &Dispatcher<T>) -> Arc<Dispatcher<T>> {
        object.to_arc()
    }
}

impl Expected for AnyObject {
    type Ref = DispatcherRef;
    fn cast(base: &Dispatcher) -> Option<&Dispatcher> {
        Some(base)
    }
    fn to_owned(object: &Dispatcher) -> DispatcherRef {
        object.to_ref()
    }
}

impl<T: KernelObject> Dispatcher<T> {
    /// Makes an object with no handle yet.
    pub(crate) fn new(kernel: &Arc<KernelShared>, koid: Koid, object: T) -> Arc<Dispatcher<T>> {
        kernel.live_objects.fetch_add(1, Ordering::AcqRel);
        Arc::new(Dispatcher {
            ops: const { &ObjectOps::of::<T>() },
            koid,
            handles: AtomicU64::new(0),
            maybe_observed: AtomicBool::new(false),
            waitable: T::DEFAULT_RIGHTS.contains(Rights::WAIT),
            kernel: kernel.clone(),
            object,
        })
    }

    /// The same object, seen through its base.
    pub fn base(&self) -> &Dispatcher {
        // SAFETY: `Dispatcher` is `repr(C)` and `AnyObject` is a zero-sized last field, so the
        // base is a prefix of every `Dispatcher<T>`, at the same address.
        unsafe { &*(self as *const Dispatcher<T>).cast::<Dispatcher>() }
    }

    /// Another reference to the same object, seen through its base.
    pub fn as_base(self: &Arc<Self>) -> DispatcherRef {
        DispatcherRef::from(self.clone())
    }

    /// Another reference to this object.
    pub fn to_arc(&self) -> Arc<Dispatcher<T>> {
        let object: *const Dispatcher<T> = self;
        // SAFETY: every `Dispatcher<T>` lives in an `Arc` made by `Dispatcher::new`, and `self`
        // borrows one of its references, so the count is at least 1 while we add ours.
        unsafe {
            Arc::increment_strong_count(object);
            Arc::from_raw(object)
        }
    }
}

impl Dispatcher {
    /// The object as a `T`, if it is one.
    pub fn downcast<T: KernelObject>(&self) -> Option<&Dispatcher<T>> {
        if self.ops.type_id != TypeId::of::<T>() {
            return None;
        }
        // SAFETY: the type id says this base begins a `Dispatcher<T>`.
        Some(unsafe { self.assume::<T>() })
    }

    /// Another reference to the object as a `T`, if it is one.
    pub fn downcast_arc<T: KernelObject>(&self) -> Option<Arc<Dispatcher<T>>> {
        self.downcast::<T>().map(Dispatcher::to_arc)
    }

    /// Another reference to this object.
    pub fn to_ref(&self) -> DispatcherRef {
        // SAFETY: `self` is the base of a live object (see `to_arc`).
        unsafe { (self.ops.retain)(self) };
        DispatcherRef {
            ptr: NonNull::from(self),
        }
    }

    /// # Safety
    /// `self` must be the base of a `Dispatcher<T>`.
    unsafe fn assume<T>(&self) -> &Dispatcher<T> {
        // SAFETY: the caller vouches for the type; the base is a prefix of the whole object.
        unsafe { &*(self as *const Dispatcher).cast::<Dispatcher<T>>() }
    }
}

impl<T: KernelObject> Deref for Dispatcher<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.object
    }
}

impl<T> Dispatcher<T> {
    pub fn koid(&self) -> Koid {
        self.koid
    }

    pub fn obj_type(&self) -> ObjType {
        self.ops.obj_type
    }

    pub fn default_rights(&self) -> Rights {
        self.ops.default_rights
    }

    /// Whether objects of this type can hold handles (see [`KernelObject::HOLDS_HANDLES`]).
    pub fn holds_handles(&self) -> bool {
        self.ops.holds_handles
    }

    /// Zircon's `is_waitable()`: the type's default rights include WAIT.
    pub fn is_waitable(&self) -> bool {
        self.waitable
    }

    pub fn handle_count(&self) -> u32 {
        (self.handles.load(Ordering::Acquire) & COUNT_MASK) as u32
    }

    pub(crate) fn kernel_shared(&self) -> &Arc<KernelShared> {
        &self.kernel
    }

    pub fn profile(&self) -> Profile {
        self.kernel.config.profile
    }

    fn as_any(&self) -> &Dispatcher {
        // SAFETY: as in `Dispatcher::<T>::base`: the base is a prefix of every `Dispatcher<T>`.
        unsafe { &*(self as *const Dispatcher<T>).cast::<Dispatcher>() }
    }

    pub fn peer_koid(&self) -> Koid {
        // SAFETY: `ops` is the table of this object's type.
        unsafe { (self.ops.peer_koid)(self.as_any()) }
    }

    /// Runs `f` under the object's lock on its signal state.
    pub fn with_signals<R>(&self, f: impl FnOnce(&mut SignalState) -> R) -> R {
        let mut f = Some(f);
        let mut result = None;
        // SAFETY: `ops` is the table of this object's type.
        unsafe {
            (self.ops.lock_signals)(self.as_any(), &mut |state| {
                if let Some(f) = f.take() {
                    result = Some(f(state));
                }
            })
        };
        result.unwrap_or_else(|| unreachable!("lock_signals runs its closure exactly once"))
    }

    /// Runs `f` under the pair lock on the peer's signal state (peered objects only).
    pub fn with_peer_signals<R>(&self, f: impl FnOnce(&mut SignalState) -> R) -> Result<R, Status> {
        let mut f = Some(f);
        let mut result = None;
        // SAFETY: `ops` is the table of this object's type.
        unsafe {
            (self.ops.lock_peer_signals)(self.as_any(), &mut |state| {
                if let Some(f) = f.take() {
                    result = Some(f(state));
                }
            })
        }?;
        Ok(result.unwrap_or_else(|| unreachable!("lock_peer_signals runs its closure once")))
    }

    /// The current signal word.
    pub fn signals(&self) -> Signals {
        self.with_signals(|state| state.signals())
    }

    /// `zx_object_signal`'s effect once arguments are validated: `clear` then `set`.
    pub fn update_signals(&self, clear: Signals, set: Signals) -> Signals {
        // SAFETY: `ops` is the table of this object's type.
        unsafe { (self.ops.update_signals)(self.as_any(), clear, set) }
    }

    /// Which bits user code may change on this object (and on its peer).
    pub fn user_signal_mask(&self) -> Signals {
        Signals::USER_ALL | self.ops.user_signals
    }

    /// `zx_object_signal_peer`'s effect on the peer.
    pub fn update_peer_signals(&self, clear: Signals, set: Signals) -> Result<Signals, Status> {
        self.with_peer_signals(|state| state.update(clear, set))
    }

    /// A handle to this object was installed in the table of process `owner`.
    pub(crate) fn installed(&self, owner: Koid) {
        // SAFETY: `ops` is the table of this object's type.
        unsafe { (self.ops.on_installed)(self.as_any(), owner) }
    }

    /// Receiving a handle read from a channel message: under the `zircon` profile this ends the
    /// async waits registered through it (and, in both, sync waits through it end `CANCELED`);
    /// then the type's own rule runs ([`KernelObject::on_received`]).
    pub fn handle_received(&self, handle: HandleId) {
        self.cancel_handle_observers(handle);
        // SAFETY: `ops` is the table of this object's type.
        unsafe { (self.ops.on_received)(self.as_any()) }
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
    /// A handle to this object was made: counts it and returns its id, unique among this
    /// object's handles (the only handles an id is ever compared with). The first handle takes
    /// the reference all handles share.
    pub(crate) fn add_handle(&self) -> HandleId {
        let (id, first) = self.count_handle();
        if first {
            Dispatcher::first_handle_made(self.to_ref());
        }
        id
    }

    /// [`Dispatcher::add_handle`] for a caller that gives up its reference `object`: for the
    /// object's first handle that reference becomes the one the handles share, so minting the
    /// first handle of a new object costs no reference-count traffic.
    pub(crate) fn add_handle_adopting(object: DispatcherRef) -> HandleId {
        let (id, first) = object.count_handle();
        if first {
            Dispatcher::first_handle_made(object);
        }
        id
    }

    fn count_handle(&self) -> (HandleId, bool) {
        let previous = self
            .handles
            .fetch_add(1 | (1 << COUNT_BITS), Ordering::AcqRel);
        (HandleId(previous >> COUNT_BITS), previous & COUNT_MASK == 0)
    }

    /// The handle count went 0 → 1: `shared` is kept, as the handles' reference, until it goes
    /// back to 0 (`handle_deleted`).
    fn first_handle_made(shared: DispatcherRef) {
        shared.kernel.registry.first_handle(&shared);
        std::mem::forget(shared);
    }

    /// A handle to the object `base` points to was deleted (it was closed, replaced, or destroyed
    /// in flight). The last one gives back the handles' shared reference once `on_zero_handles`
    /// has run.
    ///
    /// # Safety
    /// `base` must point to a live object and the deleted handle's count must still be in it.
    /// (A pointer, not `&self`: the object may be freed before this returns.)
    pub(crate) unsafe fn handle_deleted(base: NonNull<Dispatcher>, handle: HandleId) {
        // SAFETY: the deleted handle's share of the count keeps the object alive until the
        // `fetch_sub` below; `this` is not used after it.
        let this = unsafe { base.as_ref() };
        this.cancel_handle_observers(handle);
        if this.handles.fetch_sub(1, Ordering::AcqRel) & COUNT_MASK == 1 {
            // The count went 1 → 0: the reference the first handle took is now this call's.
            run_on_zero_handles(DispatcherRef { ptr: base });
        }
    }

    fn on_zero_handles(&self) {
        tracing::trace!(koid = self.koid, kind = ?self.obj_type(), "on_zero_handles");
        // SAFETY: `ops` is the table of this object's type.
        unsafe { (self.ops.on_zero_handles)(self) };
        self.with_signals(|state| state.cancel_all());
        self.kernel.registry.last_handle_gone(self);
    }
}

impl<T> Drop for Dispatcher<T> {
    fn drop(&mut self) {
        self.kernel.live_objects.fetch_sub(1, Ordering::AcqRel);
    }
}

impl<T> fmt::Debug for Dispatcher<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dispatcher")
            .field("koid", &self.koid)
            .field("type", &self.obj_type())
            .field("handles", &self.handle_count())
            .finish()
    }
}

/// A counted reference to an object of any type (Zircon's `RefPtr<Dispatcher>`): one pointer to
/// the base. Cloning and dropping go through the type's table, which knows the allocation.
pub struct DispatcherRef {
    ptr: NonNull<Dispatcher>,
}

// SAFETY: a `DispatcherRef` is an `Arc<Dispatcher<T>>` for some `T: KernelObject`, which is
// `Send + Sync` because `T` is.
unsafe impl Send for DispatcherRef {}
// SAFETY: as above.
unsafe impl Sync for DispatcherRef {}

impl DispatcherRef {
    /// Whether both refer to the same object.
    pub fn ptr_eq(a: &DispatcherRef, b: &DispatcherRef) -> bool {
        a.ptr == b.ptr
    }
}

impl<T: KernelObject> From<Arc<Dispatcher<T>>> for DispatcherRef {
    fn from(object: Arc<Dispatcher<T>>) -> DispatcherRef {
        let ptr = Arc::into_raw(object).cast_mut().cast::<Dispatcher>();
        DispatcherRef {
            // SAFETY: `Arc::into_raw` never returns null.
            ptr: unsafe { NonNull::new_unchecked(ptr) },
        }
    }
}

impl Deref for DispatcherRef {
    type Target = Dispatcher;
    fn deref(&self) -> &Dispatcher {
        // SAFETY: the reference this value counts keeps the object alive.
        unsafe { self.ptr.as_ref() }
    }
}

impl Clone for DispatcherRef {
    fn clone(&self) -> DispatcherRef {
        self.to_ref()
    }
}

impl Drop for DispatcherRef {
    fn drop(&mut self) {
        let release = self.ops.release;
        // SAFETY: gives back the reference this value counts, through its type's table.
        unsafe { release(self.ptr) }
    }
}

impl fmt::Debug for DispatcherRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

thread_local! {
    /// `Some(queue)` while this thread is inside `on_zero_handles`.
    static ZERO_HANDLES_QUEUE: std::cell::RefCell<Option<VecDeque<DispatcherRef>>> =
        std::cell::RefCell::new(None);
}

fn run_on_zero_handles(object: DispatcherRef) {
    let object = ZERO_HANDLES_QUEUE.with(|queue| match queue.borrow_mut().as_mut() {
        Some(queue) => {
            queue.push_back(object);
            None
        }
        None => Some(object),
    });
    let Some(object) = object else {
        return;
    };
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

#[cfg(all(test, not(zxsim_loom), not(zxsim_shuttle)))]
mod tests {
    use super::*;
    use crate::handle::Handle;
    use crate::kernel::{Config, Kernel};
    use crate::sync::{LockClass, Mutex};

    /// An object type written for these tests alone: a type is one `KernelObject` impl.
    struct Probe {
        signals: Mutex<SignalState>,
        on_zero: AtomicBool,
    }

    impl KernelObject for Probe {
        const TYPE: ObjType = ObjType::EVENT;
        const DEFAULT_RIGHTS: Rights = Rights::BASIC;
        fn with_signals<R>(&self, f: impl FnOnce(&mut SignalState) -> R) -> R {
            f(&mut self.signals.lock())
        }
        fn on_zero_handles(&self, _base: &Dispatcher) {
            self.on_zero.store(true, Ordering::Release);
        }
    }

    fn probe(kernel: &Kernel) -> Arc<Dispatcher<Probe>> {
        kernel.new_object(Probe {
            signals: Mutex::ranked(LockClass::Object, SignalState::new(Signals::NONE)),
            on_zero: AtomicBool::new(false),
        })
    }

    #[test]
    fn the_base_reads_the_same_through_any_reference() {
        let kernel = Kernel::new(Config::default());
        let object = probe(&kernel);
        let base = object.as_base();
        assert_eq!(base.koid(), object.koid());
        assert_eq!(base.obj_type(), ObjType::EVENT);
        assert_eq!(base.default_rights(), Rights::BASIC);
        assert!(std::ptr::eq(base.downcast::<Probe>().unwrap(), &*object));
        assert!(base.downcast::<crate::objects::event::Event>().is_none());
        assert_eq!(
            base.update_signals(Signals::NONE, Signals::USER_0),
            Signals::USER_0
        );
        assert_eq!(object.signals(), Signals::USER_0);
    }

    #[test]
    fn handles_share_one_reference_and_give_it_back_after_on_zero_handles() {
        let kernel = Kernel::new(Config::default());
        let object = probe(&kernel);
        let handles: Vec<Handle> = (0..3)
            .map(|_| Handle::new(object.base(), Rights::BASIC).unwrap())
            .collect();
        // This `Arc` plus the one reference all three handles share.
        assert_eq!(Arc::strong_count(&object), 2);
        assert_eq!(object.handle_count(), 3);
        drop(handles);
        assert!(object.on_zero.load(Ordering::Acquire));
        assert_eq!(Arc::strong_count(&object), 1);
        assert_eq!(kernel.live_objects(), 1);
        drop(object);
        assert_eq!(kernel.live_objects(), 0);
    }

    #[test]
    fn a_dispatcher_ref_keeps_the_object_and_frees_it_as_its_type() {
        let kernel = Kernel::new(Config::default());
        let base = probe(&kernel).as_base();
        let copy = base.clone();
        assert!(DispatcherRef::ptr_eq(&base, &copy));
        let typed = copy.downcast_arc::<Probe>().unwrap();
        assert_eq!(Arc::strong_count(&typed), 3);
        drop((base, copy));
        assert_eq!(Arc::strong_count(&typed), 1);
        drop(typed);
        assert_eq!(kernel.live_objects(), 0);
    }
}
