//! The machinery peered objects share (eventpair, channel, socket, fifo): Zircon's `PeerHolder`.
//!
//! Both endpoints of a pair live behind **one** lock, as in Zircon's `PeerHolder`: an operation
//! that touches both ends (a write that fills the peer, a close that raises the peer's
//! PEER_CLOSED) takes a single lock, and neither endpoint needs a reference — `Arc` or `Weak` —
//! to the other object. Each endpoint keeps its side index and its peer's koid (which stays valid
//! after the peer dies, as `related_koid` must).

use crate::signal::SignalState;
use crate::status::Status;
use crate::sync::{Arc, LockClass, Mutex};
use crate::types::{Koid, Signals};

/// One endpoint's state inside the shared holder.
pub struct PeerEnd<E> {
    pub signals: SignalState,
    /// Set when this endpoint's last handle is gone; a closed end never reopens.
    pub closed: bool,
    pub state: E,
}

/// One side of a pair: the shared holder, which side this is, and the peer's koid.
pub struct PeerHolder<E> {
    holder: Arc<Mutex<[PeerEnd<E>; 2]>>,
    side: usize,
    peer_koid: Koid,
}

impl<E> PeerHolder<E> {
    /// Makes both sides; `koids` are the endpoints' koids, in side order.
    pub fn pair(koids: [Koid; 2], initial: Signals, mut state: impl FnMut() -> E) -> (Self, Self) {
        let end = |state: E| PeerEnd {
            signals: SignalState::new(initial),
            closed: false,
            state,
        };
        let holder = Arc::new(Mutex::ranked(
            LockClass::Object,
            [end(state()), end(state())],
        ));
        (
            PeerHolder {
                holder: holder.clone(),
                side: 0,
                peer_koid: koids[1],
            },
            PeerHolder {
                holder,
                side: 1,
                peer_koid: koids[0],
            },
        )
    }

    pub fn peer_koid(&self) -> Koid {
        self.peer_koid
    }

    /// Runs `f` on (this end, the peer end) under the pair's lock.
    pub fn with_ends<R>(&self, f: impl FnOnce(&mut PeerEnd<E>, &mut PeerEnd<E>) -> R) -> R {
        let mut ends = self.holder.lock();
        let [a, b] = &mut *ends;
        if self.side == 0 {
            f(a, b)
        } else {
            f(b, a)
        }
    }

    /// Runs `f` on (this end, the peer end) while the two are still connected, else answers
    /// `PEER_CLOSED`. Connected means **both** ends are open: Zircon clears an endpoint's peer
    /// link when the endpoint itself closes, so an operation that looked its handle up just
    /// before another thread closed it cannot reach a peer that already observed PEER_CLOSED.
    /// Every operation that delivers something to the peer goes through here.
    pub fn with_connected<R>(
        &self,
        f: impl FnOnce(&mut PeerEnd<E>, &mut PeerEnd<E>) -> Result<R, Status>,
    ) -> Result<R, Status> {
        self.with_ends(|mine, peer| {
            if mine.closed || peer.closed {
                Err(Status::PEER_CLOSED)
            } else {
                f(mine, peer)
            }
        })
    }

    pub fn with_signals<R>(&self, f: impl FnOnce(&mut SignalState) -> R) -> R {
        self.with_ends(|mine, _| f(&mut mine.signals))
    }

    /// Runs `f` on the peer's signals; `PEER_CLOSED` once either end is gone.
    pub fn with_peer_signals<R>(&self, f: impl FnOnce(&mut SignalState) -> R) -> Result<R, Status> {
        self.with_connected(|_, peer| Ok(f(&mut peer.signals)))
    }

    /// This end's last handle is gone: mark it closed and let `on_peer` update the surviving
    /// peer (raise PEER_CLOSED...) under the same lock, before the close returns. Returns this
    /// end's state so the caller can destroy it outside the lock.
    pub fn close(&self, on_peer: impl FnOnce(&mut PeerEnd<E>)) -> E
    where
        E: Default,
    {
        self.with_ends(|mine, peer| {
            mine.closed = true;
            if !peer.closed {
                on_peer(peer);
            }
            std::mem::take(&mut mine.state)
        })
    }
}
