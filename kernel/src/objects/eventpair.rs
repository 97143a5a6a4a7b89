//! Event pair: two peered events (`zx_eventpair_create`).
//!
//! Signals: `ZX_EVENTPAIR_SIGNALED` and the user signals, settable on either end or, through
//! `zx_object_signal_peer`, on the other one. When one end's last handle goes, the other gains
//! `ZX_EVENTPAIR_PEER_CLOSED` (its other bits stay) before the close returns, and
//! `signal_peer` from it then answers `PEER_CLOSED`.

use crate::object::{Dispatcher, KernelObject};
use crate::objects::peer::PeerHolder;
use crate::signal::SignalState;
use crate::status::Status;
use crate::types::{Koid, ObjType, Rights, Signals};

pub struct EventPair {
    peer: PeerHolder<()>,
}

impl EventPair {
    /// Both ends, for endpoints with koids `koids`.
    pub fn pair(koids: [Koid; 2]) -> (EventPair, EventPair) {
        let (a, b) = PeerHolder::pair(koids, Signals::NONE, || ());
        (EventPair { peer: a }, EventPair { peer: b })
    }
}

impl KernelObject for EventPair {
    const TYPE: ObjType = ObjType::EVENTPAIR;
    /// BASIC | SIGNAL | SIGNAL_PEER (0xF003).
    const DEFAULT_RIGHTS: Rights = Rights::BASIC
        .union(Rights::SIGNAL)
        .union(Rights::SIGNAL_PEER);
    const USER_SIGNALS: Signals = Signals::EVENTPAIR_SIGNALED;

    fn with_signals<R>(&self, f: impl FnOnce(&mut SignalState) -> R) -> R {
        self.peer.with_signals(f)
    }

    fn with_peer_signals<R>(&self, f: impl FnOnce(&mut SignalState) -> R) -> Result<R, Status> {
        self.peer.with_peer_signals(f)
    }

    fn peer_koid(&self) -> Koid {
        self.peer.peer_koid()
    }

    fn on_zero_handles(&self, _object: &Dispatcher) {
        self.peer.close(|peer| {
            peer.signals
                .update(Signals::NONE, Signals::EVENTPAIR_PEER_CLOSED);
        });
    }
}
