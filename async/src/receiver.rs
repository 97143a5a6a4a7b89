//! `Receiver`: `async_receiver_t` — user packets queued on the loop's port under the
//! receiver's key and dispatched to its handler.
//!
//! The handler is owned by the loop's receiver table; dropping the `Receiver` (or `cancel`)
//! removes it and drops its queued packets (`zx_port_cancel_key`, which also removes user
//! packets). A packet already taken by a dispatching thread may still be delivered once after
//! that (G3); a packet for a key no longer registered is dropped harmlessly.

use zxsim_syscalls::zx::{self, Status};

use crate::dispatcher::Dispatcher;
use crate::sync::Mutex;

pub(crate) type ReceiverHandler = Box<dyn FnMut(&Dispatcher, Status, &zx::UserPacket) + Send>;

pub(crate) struct ReceiverInner {
    handler: Mutex<ReceiverHandler>,
}

impl ReceiverInner {
    pub(crate) fn new(handler: ReceiverHandler) -> ReceiverInner {
        ReceiverInner {
            handler: Mutex::new(handler),
        }
    }

    pub(crate) fn call(&self, dispatcher: &Dispatcher, status: Status, packet: &zx::UserPacket) {
        let mut handler = self.handler.lock();
        (handler)(dispatcher, status, packet);
    }
}

/// `async_receiver_t`: a key on the loop's port for user packets ([`Receiver::queue_packet`]).
/// Receivers and waits draw keys from the same counter, so they never collide.
pub struct Receiver {
    dispatcher: Dispatcher,
    key: u64,
}

impl Receiver {
    /// Registers `handler`, called with the status and payload of each packet queued.
    /// `BAD_STATE` once shutdown began.
    pub fn new(
        dispatcher: &Dispatcher,
        handler: impl FnMut(&Dispatcher, Status, &zx::UserPacket) + Send + 'static,
    ) -> Result<Receiver, Status> {
        let inner = crate::sync::Arc::new(ReceiverInner::new(Box::new(handler)));
        let key = dispatcher.core.add_receiver(inner)?;
        Ok(Receiver {
            dispatcher: dispatcher.clone(),
            key,
        })
    }

    /// `async_queue_packet`: a user packet with this receiver's key. `BAD_STATE` once shutdown
    /// began, `NOT_FOUND` after `cancel`, `SHOULD_WAIT` if the port is full.
    pub fn queue_packet(&self, status: Status, data: zx::UserPacket) -> Result<(), Status> {
        self.dispatcher.core.queue_packet(self.key, status, &data)
    }

    /// Unregisters the receiver and drops its queued packets; `false` if it was not registered
    /// (cancelled before, or the loop shut down).
    pub fn cancel(&self) -> bool {
        self.dispatcher.core.remove_receiver(self.key, true)
    }

    pub fn key(&self) -> u64 {
        self.key
    }

    pub fn dispatcher(&self) -> &Dispatcher {
        &self.dispatcher
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.cancel();
    }
}
