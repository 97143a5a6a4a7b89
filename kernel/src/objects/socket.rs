//! Socket: a pair of endpoints carrying a byte stream or datagrams (spec §10).
//!
//! State: each endpoint reads from its own buffer (which its peer writes into), and keeps its
//! read/write thresholds and whether its writes are disabled. Both endpoints sit behind the pair's
//! one lock ([`PeerHolder`]). Capacity: 257 024 bytes per direction.
//!
//! Signals are **derived**: after every operation, [`derive_signals`] recomputes an endpoint's
//! readiness bits (READABLE, WRITABLE, thresholds, write-disabled, peer-closed) from the state,
//! and [`apply_derived`] moves the signal word there through the signal engine (so observers fire
//! exactly on newly active bits). One kernel quirk overrides the derivation: `WRITE_ENABLED`
//! asserts WRITABLE even when the peer's buffer is full (`SocketEnd::writable_forced`). A socket
//! backed by a real OS socket (`zxsim_socket_from_fd`) feeds the same `apply_derived` from OS
//! readiness instead of buffers: the signal logic exists once.

use std::collections::VecDeque;

use crate::object::{Dispatcher, KernelObject};
use crate::objects::peer::{PeerEnd, PeerHolder};
use crate::os::endpoint::OsEndpoint;
use crate::signal::SignalState;
use crate::status::Status;
use crate::sync::Arc;
use crate::types::{Koid, ObjType, Rights, Signals};

pub const SOCKET_STREAM: u32 = 0;
pub const SOCKET_DATAGRAM: u32 = 1;
pub const SOCKET_PEEK: u32 = 8;
pub const SOCKET_DISPOSITION_WRITE_DISABLED: u32 = 1;
pub const SOCKET_DISPOSITION_WRITE_ENABLED: u32 = 2;
/// Bytes each direction holds (`MBufChain::kSizeMax` = 128 × 2008).
pub const SOCKET_CAPACITY: usize = 257_024;

/// The bits [`derive_signals`] owns; user signals and others are left alone.
pub const DERIVED_SIGNALS: Signals = Signals::SOCKET_READABLE
    .union(Signals::SOCKET_WRITABLE)
    .union(Signals::SOCKET_PEER_CLOSED)
    .union(Signals::SOCKET_PEER_WRITE_DISABLED)
    .union(Signals::SOCKET_WRITE_DISABLED)
    .union(Signals::SOCKET_READ_THRESHOLD)
    .union(Signals::SOCKET_WRITE_THRESHOLD);

/// Moves the derived bits of `signals` to `target` (new bits fire observers; cleared bits never
/// wake anyone), leaving every other bit as it is.
pub fn apply_derived(signals: &mut SignalState, target: Signals) {
    signals.assign(DERIVED_SIGNALS, target);
}

/// What an endpoint's readiness depends on.
#[derive(Clone, Copy, Debug, Default)]
pub struct Readiness {
    pub readable_bytes: usize,
    pub read_threshold: usize,
    pub peer_closed: bool,
    pub write_disabled: bool,
    pub peer_write_disabled: bool,
    /// Free space in the buffer this endpoint writes into.
    pub writable_bytes: usize,
    pub write_threshold: usize,
}

/// The derived signal word of an endpoint in state `r`.
pub fn derive_signals(r: &Readiness) -> Signals {
    let mut signals = Signals::NONE;
    signals.set(Signals::SOCKET_READABLE, r.readable_bytes > 0);
    signals.set(
        Signals::SOCKET_READ_THRESHOLD,
        r.read_threshold > 0 && r.readable_bytes >= r.read_threshold,
    );
    signals.set(Signals::SOCKET_PEER_CLOSED, r.peer_closed);
    signals.set(Signals::SOCKET_WRITE_DISABLED, r.write_disabled);
    signals.set(Signals::SOCKET_PEER_WRITE_DISABLED, r.peer_write_disabled);
    let can_write = !r.peer_closed && !r.write_disabled;
    signals.set(Signals::SOCKET_WRITABLE, can_write && r.writable_bytes > 0);
    signals.set(
        Signals::SOCKET_WRITE_THRESHOLD,
        !r.peer_closed && r.write_threshold > 0 && r.writable_bytes >= r.write_threshold,
    );
    signals
}

/// One direction's data.
#[derive(Default)]
struct Buffer {
    stream: VecDeque<u8>,
    datagrams: VecDeque<Vec<u8>>,
    size: usize,
}

/// One endpoint's state inside the pair.
#[derive(Default)]
pub struct SocketEnd {
    /// What the peer wrote and this end reads.
    buffer: Buffer,
    rx_threshold: usize,
    tx_threshold: usize,
    write_disabled: bool,
    /// WRITABLE was set by `WRITE_ENABLED` regardless of the free space, as Zircon's
    /// `SetDisposition` does: it stays set (even on a full buffer) until this end disables its
    /// writes, writes successfully, or loses its peer; then the derived rule applies again.
    writable_forced: bool,
}

/// `ZX_INFO_SOCKET`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SocketInfo {
    pub options: u32,
    pub rx_buf_max: usize,
    pub rx_buf_size: usize,
    pub rx_buf_available: usize,
    pub tx_buf_max: usize,
    pub tx_buf_size: usize,
}

pub struct Socket {
    options: u32,
    backing: Backing,
}

/// Where a socket's bytes live: in the kernel (a pair made by `zx_socket_create`) or in an OS
/// descriptor (`zxsim_socket_from_fd`). Both derive their signals with [`derive_signals`].
enum Backing {
    Pair(PeerHolder<SocketEnd>),
    Os(Arc<OsEndpoint>),
}

fn refresh(mine: &mut PeerEnd<SocketEnd>, peer: &PeerEnd<SocketEnd>) {
    let readiness = Readiness {
        readable_bytes: mine.state.buffer.size,
        read_threshold: mine.state.rx_threshold,
        peer_closed: peer.closed,
        write_disabled: mine.state.write_disabled,
        peer_write_disabled: peer.state.write_disabled,
        writable_bytes: if peer.closed {
            0
        } else {
            SOCKET_CAPACITY - peer.state.buffer.size
        },
        write_threshold: mine.state.tx_threshold,
    };
    let mut signals = derive_signals(&readiness);
    if mine.state.writable_forced && !mine.state.write_disabled {
        signals |= Signals::SOCKET_WRITABLE;
    }
    apply_derived(&mut mine.signals, signals);
}

fn refresh_both(mine: &mut PeerEnd<SocketEnd>, peer: &mut PeerEnd<SocketEnd>) {
    refresh(mine, peer);
    if !peer.closed {
        refresh(peer, mine);
    }
}

impl Socket {
    /// Both endpoints; `options` is STREAM or DATAGRAM (validated by the syscall).
    pub fn pair(koids: [Koid; 2], options: u32) -> (Socket, Socket) {
        let (a, b) = PeerHolder::pair(koids, Signals::SOCKET_WRITABLE, SocketEnd::default);
        (
            Socket {
                options,
                backing: Backing::Pair(a),
            },
            Socket {
                options,
                backing: Backing::Pair(b),
            },
        )
    }

    /// A socket over an OS descriptor (already registered with the kernel's reactor).
    pub fn from_os(endpoint: Arc<OsEndpoint>) -> Socket {
        let options = if endpoint.is_datagram() {
            SOCKET_DATAGRAM
        } else {
            SOCKET_STREAM
        };
        Socket {
            options,
            backing: Backing::Os(endpoint),
        }
    }

    /// The OS endpoint, for a socket backed by a descriptor.
    pub fn os_endpoint(&self) -> Option<&Arc<OsEndpoint>> {
        match &self.backing {
            Backing::Os(endpoint) => Some(endpoint),
            Backing::Pair(_) => None,
        }
    }

    fn pair_or<R>(
        &self,
        os: impl FnOnce(&Arc<OsEndpoint>) -> R,
        pair: impl FnOnce(&PeerHolder<SocketEnd>) -> R,
    ) -> R {
        match &self.backing {
            Backing::Pair(peer) => pair(peer),
            Backing::Os(endpoint) => os(endpoint),
        }
    }

    pub fn is_datagram(&self) -> bool {
        self.options & SOCKET_DATAGRAM != 0
    }

    /// `zx_socket_write` once arguments and rights are checked: returns the bytes written.
    pub fn write(&self, data: &[u8]) -> Result<usize, Status> {
        let datagram = self.is_datagram();
        let peered = match &self.backing {
            Backing::Pair(peer) => peer,
            Backing::Os(endpoint) => return endpoint.write(data),
        };
        peered.with_connected(|mine, peer| {
            if mine.state.write_disabled {
                return Err(Status::BAD_STATE);
            }
            if data.is_empty() {
                return Ok(0);
            }
            // A full buffer answers SHOULD_WAIT before any datagram size check.
            let free = SOCKET_CAPACITY - peer.state.buffer.size;
            if free == 0 {
                return Err(Status::SHOULD_WAIT);
            }
            let written = if datagram {
                if data.len() > SOCKET_CAPACITY {
                    return Err(Status::OUT_OF_RANGE);
                }
                if data.len() > free {
                    return Err(Status::SHOULD_WAIT);
                }
                peer.state.buffer.datagrams.push_back(data.to_vec());
                data.len()
            } else {
                let n = data.len().min(free);
                peer.state.buffer.stream.extend(&data[..n]);
                n
            };
            peer.state.buffer.size += written;
            mine.state.writable_forced = false;
            refresh_both(mine, peer);
            Ok(written)
        })
    }

    /// `zx_socket_read`: stream reads take up to `out.len()` bytes; datagram reads take the first
    /// datagram, truncated to `out.len()` with the rest discarded. `peek` leaves the data.
    pub fn read(&self, out: &mut [u8], peek: bool) -> Result<usize, Status> {
        let datagram = self.is_datagram();
        let peered = match &self.backing {
            Backing::Pair(peer) => peer,
            Backing::Os(endpoint) => return endpoint.read(out, peek),
        };
        peered.with_ends(|mine, peer| {
            let buffer = &mut mine.state.buffer;
            if buffer.size == 0 {
                return Err(if peer.closed {
                    Status::PEER_CLOSED
                } else if peer.state.write_disabled {
                    Status::BAD_STATE
                } else {
                    Status::SHOULD_WAIT
                });
            }
            // A 0-byte read of a datagram socket reports success and leaves the datagram queued
            // (upstream `SocketTest.ZeroSize`): it only asks whether one is there.
            if datagram && out.is_empty() {
                return Ok(0);
            }
            let copied = if datagram {
                let first = buffer.datagrams.front().expect("size > 0");
                let n = first.len().min(out.len());
                out[..n].copy_from_slice(&first[..n]);
                if !peek {
                    let first = buffer.datagrams.pop_front().expect("size > 0");
                    buffer.size -= first.len();
                }
                n
            } else {
                let n = buffer.size.min(out.len());
                for (slot, byte) in out.iter_mut().zip(buffer.stream.iter()) {
                    *slot = *byte;
                }
                if !peek {
                    buffer.stream.drain(..n);
                    buffer.size -= n;
                }
                n
            };
            refresh_both(mine, peer);
            Ok(copied)
        })
    }

    /// `zx_socket_set_disposition` once arguments and rights are checked (each 0, DISABLED or
    /// ENABLED). Re-enabling an endpoint whose earlier writes are still unread answers
    /// `BAD_STATE` and changes nothing. With the peer gone only this endpoint is updated.
    pub fn set_disposition(&self, disposition: u32, disposition_peer: u32) -> Result<(), Status> {
        let peered = match &self.backing {
            Backing::Pair(peer) => peer,
            Backing::Os(endpoint) => {
                // The peer is on the other side of the OS: only this side can be shut down, and a
                // shut-down OS socket cannot be re-opened.
                if disposition_peer != 0 {
                    return Err(Status::NOT_SUPPORTED);
                }
                return match disposition {
                    SOCKET_DISPOSITION_WRITE_DISABLED => endpoint.disable_writes(),
                    SOCKET_DISPOSITION_WRITE_ENABLED if endpoint.writes_disabled() => {
                        Err(Status::BAD_STATE)
                    }
                    _ => Ok(()),
                };
            }
        };
        peered.with_ends(|mine, peer| {
            // Re-enabling the peer's writes while what it wrote is unread here is refused even
            // after the peer closed (upstream `SocketTest.SetDispositionOfClosedPeerWithBuffered
            // Data`): a closed end keeps its `write_disabled` for exactly this check.
            let enabling_peer =
                disposition_peer == SOCKET_DISPOSITION_WRITE_ENABLED && peer.state.write_disabled;
            if enabling_peer && mine.state.buffer.size > 0 {
                return Err(Status::BAD_STATE);
            }
            let enabling_mine =
                disposition == SOCKET_DISPOSITION_WRITE_ENABLED && mine.state.write_disabled;
            if enabling_mine && !peer.closed && peer.state.buffer.size > 0 {
                return Err(Status::BAD_STATE);
            }
            let peer_applies = !peer.closed && disposition_peer != 0;
            // WRITE_ENABLED sets WRITABLE unconditionally (even on a full buffer, even with the
            // peer gone), as the kernel does.
            let apply = |end: &mut SocketEnd, d: u32| match d {
                SOCKET_DISPOSITION_WRITE_DISABLED => {
                    end.write_disabled = true;
                    end.writable_forced = false;
                }
                SOCKET_DISPOSITION_WRITE_ENABLED => {
                    end.write_disabled = false;
                    end.writable_forced = true;
                }
                _ => {}
            };
            apply(&mut mine.state, disposition);
            if peer_applies {
                apply(&mut peer.state, disposition_peer);
            }
            refresh_both(mine, peer);
            Ok(())
        })
    }

    /// `ZX_PROP_SOCKET_RX_THRESHOLD`: above the capacity ⇒ `INVALID_ARGS`; 0 disables.
    pub fn set_rx_threshold(&self, value: usize) -> Result<(), Status> {
        if value > SOCKET_CAPACITY {
            return Err(Status::INVALID_ARGS);
        }
        let Backing::Pair(peered) = &self.backing else {
            return Err(Status::NOT_SUPPORTED);
        };
        peered.with_ends(|mine, peer| {
            mine.state.rx_threshold = value;
            refresh(mine, peer);
            Ok(())
        })
    }

    /// `ZX_PROP_SOCKET_TX_THRESHOLD`: peer gone ⇒ `PEER_CLOSED`; above the peer's capacity ⇒
    /// `INVALID_ARGS`; 0 disables.
    pub fn set_tx_threshold(&self, value: usize) -> Result<(), Status> {
        let Backing::Pair(peered) = &self.backing else {
            return Err(Status::NOT_SUPPORTED);
        };
        peered.with_ends(|mine, peer| {
            if peer.closed {
                return Err(Status::PEER_CLOSED);
            }
            if value > SOCKET_CAPACITY {
                return Err(Status::INVALID_ARGS);
            }
            mine.state.tx_threshold = value;
            refresh(mine, peer);
            Ok(())
        })
    }

    pub fn rx_threshold(&self) -> usize {
        self.pair_or(
            |_| 0,
            |peer| peer.with_ends(|mine, _| mine.state.rx_threshold),
        )
    }

    pub fn tx_threshold(&self) -> usize {
        self.pair_or(
            |_| 0,
            |peer| peer.with_ends(|mine, _| mine.state.tx_threshold),
        )
    }

    pub fn info(&self) -> SocketInfo {
        let datagram = self.is_datagram();
        let peered = match &self.backing {
            Backing::Pair(peer) => peer,
            // The OS does not say how much is buffered without a syscall per field; report the
            // options only.
            Backing::Os(_) => {
                return SocketInfo {
                    options: self.options,
                    ..SocketInfo::default()
                }
            }
        };
        peered.with_ends(|mine, peer| {
            let buffer = &mine.state.buffer;
            let available = if datagram {
                buffer.datagrams.front().map_or(0, Vec::len)
            } else {
                buffer.size
            };
            SocketInfo {
                options: self.options,
                rx_buf_max: SOCKET_CAPACITY,
                rx_buf_size: buffer.size,
                rx_buf_available: available,
                tx_buf_max: if peer.closed { 0 } else { SOCKET_CAPACITY },
                tx_buf_size: if peer.closed {
                    0
                } else {
                    peer.state.buffer.size
                },
            }
        })
    }
}

impl KernelObject for Socket {
    const TYPE: ObjType = ObjType::SOCKET;
    /// BASIC | IO | GET/SET_PROPERTY | SIGNAL | SIGNAL_PEER | MANAGE_SOCKET (0x10F0CF).
    const DEFAULT_RIGHTS: Rights = Rights::BASIC
        .union(Rights::IO)
        .union(Rights::PROPERTY)
        .union(Rights::SIGNAL)
        .union(Rights::SIGNAL_PEER)
        .union(Rights::MANAGE_SOCKET);

    fn with_signals<R>(&self, f: impl FnOnce(&mut SignalState) -> R) -> R {
        match &self.backing {
            Backing::Pair(peer) => peer.with_signals(f),
            Backing::Os(endpoint) => endpoint.with_signals(f),
        }
    }

    fn with_peer_signals<R>(&self, f: impl FnOnce(&mut SignalState) -> R) -> Result<R, Status> {
        match &self.backing {
            Backing::Pair(peer) => peer.with_peer_signals(f),
            Backing::Os(_) => Err(Status::NOT_SUPPORTED),
        }
    }

    fn peer_koid(&self) -> Koid {
        self.pair_or(|_| 0, PeerHolder::peer_koid)
    }

    /// The peer keeps its unread data (still readable) and gains PEER_CLOSED, losing WRITABLE
    /// and WRITE_THRESHOLD, before the close returns.
    fn on_zero_handles(&self, _object: &Dispatcher) {
        let peered = match &self.backing {
            Backing::Pair(peer) => peer,
            // Deregistering drops the reactor's reference; the fd closes with the object.
            Backing::Os(endpoint) => return endpoint.deregister(),
        };
        // Only the unread data goes: the rest of a closed end's state (whether its writes were
        // disabled) still shapes the survivor's PEER_WRITE_DISABLED and disposition checks.
        let unread = peered.with_ends(|mine, peer| {
            mine.closed = true;
            if !peer.closed {
                peer.state.writable_forced = false;
                refresh(peer, mine);
            }
            std::mem::take(&mut mine.state.buffer)
        });
        drop(unread);
    }
}
