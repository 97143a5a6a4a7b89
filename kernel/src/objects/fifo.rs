//! FIFO: a pair of endpoints exchanging fixed-size elements (spec §11).
//!
//! State: each endpoint owns a ring of `elem_count` slots of `elem_size` bytes that its peer
//! writes into and it reads from; both rings sit behind the pair's one lock. Signals: READABLE
//! while an endpoint's ring is non-empty; WRITABLE while the peer's ring has a free slot and the
//! peer lives; PEER_CLOSED (with WRITABLE cleared) once the peer's last handle is gone. Data
//! queued before the peer closed stays readable.

use std::collections::VecDeque;

use crate::object::{Dispatcher, KernelObject};
use crate::objects::peer::{PeerEnd, PeerHolder};
use crate::signal::SignalState;
use crate::status::Status;
use crate::types::{Koid, ObjType, Rights, Signals};

/// `ZX_FIFO_MAX_SIZE_BYTES`: elem_count × elem_size may not exceed it.
pub const FIFO_MAX_SIZE_BYTES: usize = 4096;

#[derive(Default)]
pub struct FifoEnd {
    /// Elements the peer wrote, oldest first, each `elem_size` bytes.
    ring: VecDeque<Box<[u8]>>,
}

pub struct Fifo {
    elem_size: usize,
    elem_count: usize,
    peer: PeerHolder<FifoEnd>,
}

const FIFO_DERIVED: Signals = Signals::FIFO_READABLE
    .union(Signals::FIFO_WRITABLE)
    .union(Signals::FIFO_PEER_CLOSED);

impl Fifo {
    /// Both endpoints (sizes validated by the syscall).
    pub fn pair(koids: [Koid; 2], elem_count: usize, elem_size: usize) -> (Fifo, Fifo) {
        let (a, b) = PeerHolder::pair(koids, Signals::FIFO_WRITABLE, FifoEnd::default);
        (
            Fifo {
                elem_size,
                elem_count,
                peer: a,
            },
            Fifo {
                elem_size,
                elem_count,
                peer: b,
            },
        )
    }

    pub fn elem_size(&self) -> usize {
        self.elem_size
    }

    fn refresh(&self, mine: &mut PeerEnd<FifoEnd>, peer: &PeerEnd<FifoEnd>) {
        let mut target = Signals::NONE;
        target.set(Signals::FIFO_READABLE, !mine.state.ring.is_empty());
        target.set(
            Signals::FIFO_WRITABLE,
            !peer.closed && peer.state.ring.len() < self.elem_count,
        );
        target.set(Signals::FIFO_PEER_CLOSED, peer.closed);
        mine.signals.assign(FIFO_DERIVED, target);
    }

    /// `zx_fifo_write`: writes `min(count, free)` whole elements from `data`.
    /// Order: `PEER_CLOSED`, then `OUT_OF_RANGE` (element size or a zero count), `SHOULD_WAIT`.
    pub fn write(&self, elem_size: usize, data: &[u8], count: usize) -> Result<usize, Status> {
        self.peer.with_connected(|mine, peer| {
            if elem_size != self.elem_size || count == 0 {
                return Err(Status::OUT_OF_RANGE);
            }
            let free = self.elem_count - peer.state.ring.len();
            if free == 0 {
                return Err(Status::SHOULD_WAIT);
            }
            let n = count.min(free);
            peer.state
                .ring
                .extend(data.chunks_exact(elem_size).take(n).map(Box::from));
            self.refresh(peer, mine);
            self.refresh(mine, peer);
            Ok(n)
        })
    }

    /// `zx_fifo_read`: reads `min(count, queued)` elements into `out`.
    pub fn read(&self, elem_size: usize, out: &mut [u8], count: usize) -> Result<usize, Status> {
        self.peer.with_ends(|mine, peer| {
            if elem_size != self.elem_size || count == 0 {
                return Err(Status::OUT_OF_RANGE);
            }
            if mine.state.ring.is_empty() {
                return Err(if peer.closed {
                    Status::PEER_CLOSED
                } else {
                    Status::SHOULD_WAIT
                });
            }
            let n = count.min(mine.state.ring.len());
            for slot in out.chunks_exact_mut(elem_size).take(n) {
                slot.copy_from_slice(&mine.state.ring.pop_front().expect("n ≤ len"));
            }
            self.refresh(mine, peer);
            if !peer.closed {
                self.refresh(peer, mine);
            }
            Ok(n)
        })
    }
}

impl KernelObject for Fifo {
    const TYPE: ObjType = ObjType::FIFO;
    /// BASIC | IO | SIGNAL | SIGNAL_PEER (0xF00F).
    const DEFAULT_RIGHTS: Rights = Rights::BASIC
        .union(Rights::IO)
        .union(Rights::SIGNAL)
        .union(Rights::SIGNAL_PEER);

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
        self.peer.with_ends(|mine, peer| {
            mine.closed = true;
            if !peer.closed {
                self.refresh(peer, mine);
            }
        });
    }
}
