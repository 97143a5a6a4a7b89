//! Kernel objects: the part every object type shares (Zircon's `Dispatcher` base).
//!
//! An [`Object`] has a koid, a type-specific [`Dispatcher`] variant, and a **handle count kept
//! apart from the `Arc` reference count**. Kernel-internal references (an observer holding its
//! object, a port holding observers) are `Arc` clones and never keep an object "open": only
//! handles do. When the handle count reaches 0, `on_zero_handles` runs synchronously on the
//! thread that deleted the last handle — never from `Drop` — so a peer sees PEER_CLOSED before
//! `zx_handle_close` returns.
//!
//! `on_zero_handles` can cascade (a dying channel endpoint closes the handles in its unread
//! messages, which may be the last handles of other endpoints...). To keep the stack bounded, a
//! thread that is already running an `on_zero_handles` queues further ones and the outermost call
//! drains the queue before returning.
//!
//! Adding an object type means writing one file in `objects/` that implements [`ObjectType`] and
//! adding one line to the `object_types!` invocation below.
// loom's `thread_local!` takes no `const` initialiser, so this module's thread-locals don't either.
#![allow(clippy::missing_const_for_thread_local)]

use std::collections::VecDeque;
use std::fmt;

use crate::handle::HandleId;
use crate::kernel::{KernelShared, Profile};
use crate::objects::{
    channel::Channel, event::Event, eventpair::EventPair, fifo::Fifo, port::Port,
    process::ProcessObject, socket::Socket, thread::Thread, timer::Timer,
};
use crate::signal::SignalState;
use crate::status::Status;
use crate::sync::{thread_local, Arc, AtomicBool, AtomicU32, Ordering};
use crate::types::{Koid, ObjType, Rights, Signals};

/// The shape every object type has.
pub trait ObjectType: Sized + Send + Sync + 'static {
    /// `ZX_OBJ_TYPE_*`.
    const TYPE: ObjType;
    /// Rights of the handles `create` returns (`ZX_DEFAULT_*_RIGHTS`).
    const DEFAULT_RIGHTS: Rights;
    /// Bits besides `ZX_USER_SIGNAL_ALL` that `zx_object_signal(_peer)` may change.
    const USER_SIGNALS: Signals = Signals::NONE;

    fn into_dispatcher(self) -> Dispatcher;
    fn from_dispatcher(dispatcher: &Dispatcher) -> Option<&Self>;

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

    /// Type-specific teardown when the last handle is gone (peer closed, port drained...).
    /// The shared part — ending the object's remaining waits — runs right after.
    fn on_zero_handles(&self, _object: &Object) {}
}

macro_rules! object_types {
    ($($variant:ident($ty:ty),)*) => {
        /// The type-specific half of an object.
        pub enum Dispatcher {
            $($variant($ty),)*
        }

        impl Dispatcher {
            pub fn obj_type(&self) -> ObjType {
                match self { $(Dispatcher::$variant(_) => <$ty as ObjectType>::TYPE,)* }
            }
            pub fn default_rights(&self) -> Rights {
                match self { $(Dispatcher::$variant(_) => <$ty as ObjectType>::DEFAULT_RIGHTS,)* }
            }
            pub fn user_signals(&self) -> Signals {
                match self { $(Dispatcher::$variant(_) => <$ty as ObjectType>::USER_SIGNALS,)* }
            }
            pub fn with_signals<R>(&self, f: impl FnOnce(&mut SignalState) -> R) -> R {
                match self { $(Dispatcher::$variant(object) => object.with_signals(f),)* }
            }
            pub fn with_peer_signals<R>(
                &self,
                f: impl FnOnce(&mut SignalState) -> R,
            ) -> Result<R, Status> {
                match self { $(Dispatcher::$variant(object) => object.with_peer_signals(f),)* }
            }
            pub fn peer_koid(&self) -> Koid {
                match self { $(Dispatcher::$variant(object) => object.peer_koid(),)* }
            }
            fn on_zero_handles(&self, base: &Object) {
                match self { $(Dispatcher::$variant(object) => object.on_zero_handles(base),)* }
            }
            pub(crate) fn on_installed(&self, owner: Koid) {
                match self { $(Dispatcher::$variant(object) => object.on_installed(owner),)* }
            }
        }
    };
}

object_types! {
    Channel(Channel),
    Event(Event),
    EventPair(EventPair),
    Fifo(Fifo),
    Port(Port),
    Process(ProcessObject),
    Socket(Socket),
    Thread(Thread),
    Timer(Timer),
}

/// A kernel object.
pub struct Object {
    koid: Koid,
    handle_count: AtomicU32,
    /// Set (under the object lock) whenever an observer is added; cleared under the lock when a
    /// handle deletion finds none. While clear, deleting a handle skips the object lock: an
    /// observer bound to a handle is registered under that handle's table lock, before the
    /// deletion's removal from the table, so the deletion always sees its flag.
    maybe_observed: AtomicBool,
    kernel: Arc<KernelShared>,
    dispatcher: Dispatcher,
}

impl Object {
    pub(crate) fn new(
        kernel: &Arc<KernelShared>,
        koid: Koid,
        dispatcher: Dispatcher,
    ) -> Arc<Object> {
        kernel.live_objects.fetch_add(1, Ordering::AcqRel);
        Arc::new(Object {
            koid,
            handle_count: AtomicU32::new(0),
            maybe_observed: AtomicBool::new(false),
            kernel: kernel.clone(),
            dispatcher,
        })
    }

    pub fn koid(&self) -> Koid {
        self.koid
    }

    pub fn obj_type(&self) -> ObjType {
        self.dispatcher.obj_type()
    }

    pub fn dispatcher(&self) -> &Dispatcher {
        &self.dispatcher
    }

    /// The type-specific half, if this object is a `T`.
    pub fn downcast<T: ObjectType>(&self) -> Option<&T> {
        T::from_dispatcher(&self.dispatcher)
    }

    pub fn default_rights(&self) -> Rights {
        self.dispatcher.default_rights()
    }

    /// Zircon's `is_waitable()`: the type's default rights include WAIT.
    pub fn is_waitable(&self) -> bool {
        self.default_rights().contains(Rights::WAIT)
    }

    pub fn peer_koid(&self) -> Koid {
        self.dispatcher.peer_koid()
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

    /// The current signal word.
    pub fn signals(&self) -> Signals {
        self.dispatcher.with_signals(|state| state.signals())
    }

    /// Runs `f` under the object's lock on its signal state.
    pub fn with_signals<R>(&self, f: impl FnOnce(&mut SignalState) -> R) -> R {
        self.dispatcher.with_signals(f)
    }

    /// `zx_object_signal`'s effect once arguments are validated: `clear` then `set`.
    pub fn update_signals(&self, clear: Signals, set: Signals) -> Signals {
        self.dispatcher
            .with_signals(|state| state.update(clear, set))
    }

    /// Which bits user code may change on this object (and on its peer).
    pub fn user_signal_mask(&self) -> Signals {
        Signals::USER_ALL | self.dispatcher.user_signals()
    }

    /// `zx_object_signal_peer`'s effect on the peer.
    pub fn update_peer_signals(&self, clear: Signals, set: Signals) -> Result<Signals, Status> {
        self.dispatcher
            .with_peer_signals(|state| state.update(clear, set))
    }

    /// Receiving a handle read from a channel message: under the `zircon` profile this ends the
    /// async waits registered through it (and, in both, sync waits through it end `CANCELED`).
    pub fn handle_received(&self, handle: HandleId) {
        self.cancel_handle_observers(handle);
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
        self.dispatcher.with_signals(|state| {
            state.cancel_by_handle(handle, end_async_waits);
            if state.observer_count() == 0 {
                self.maybe_observed.store(false, Ordering::Relaxed);
            }
        });
    }

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
        self.dispatcher.on_zero_handles(self);
        self.dispatcher.with_signals(|state| state.cancel_all());
        self.kernel.registry.last_handle_gone(self);
    }
}

impl Drop for Object {
    fn drop(&mut self) {
        self.kernel.live_objects.fetch_sub(1, Ordering::AcqRel);
    }
}

impl fmt::Debug for Object {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Object")
            .field("koid", &self.koid)
            .field("type", &self.obj_type())
            .field("handles", &self.handle_count())
            .finish()
    }
}

thread_local! {
    /// `Some(queue)` while this thread is inside `on_zero_handles`.
    static ZERO_HANDLES_QUEUE: std::cell::RefCell<Option<VecDeque<Arc<Object>>>> =
        std::cell::RefCell::new(None);
}

fn run_on_zero_handles(object: Arc<Object>) {
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
