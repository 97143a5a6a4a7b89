//! Channel: a pair of endpoints carrying messages of bytes and handles (spec §7).
//!
//! State (both endpoints behind the pair's one lock, see [`PeerHolder`]): each endpoint holds the
//! queue of messages its peer wrote to it, and the `zx_channel_call`s waiting on it for a reply.
//! Outside the lock, each endpoint records the koid of the process that owns its one handle.
//!
//! Signals: WRITABLE from creation until the peer goes; READABLE while the queue is non-empty;
//! PEER_CLOSED (with WRITABLE cleared) once the peer's last handle is gone. User signals only.
//!
//! Invariants:
//! - **Single owner.** Channel handles never carry DUPLICATE, so an endpoint has exactly one
//!   handle. Read, write and call compare the caller's process with the recorded owner under
//!   the pair lock, atomically with the operation as Zircon does (`BAD_HANDLE` on mismatch), and
//!   syscalls run them under the caller's handle-table lock, so a racing transfer (which removes
//!   the handle under that table's write lock) either happens entirely before or entirely after
//!   them.
//! - **Nothing is lost.** A message is in exactly one queue, in a caller's hands, or destroyed;
//!   destroying it closes its handles. A dying endpoint destroys its unread messages outside the
//!   pair lock, and nested `on_zero_handles` calls are queued by [`crate::object`] rather than
//!   recursed, so 200 nested channels cost no stack.
//! - A reply whose txid matches a waiting `zx_channel_call` goes straight to that caller and never
//!   enters the queue (READABLE is not raised for it).

use std::collections::VecDeque;

use crate::blocking::Completion;
use crate::handle::Handle;
use crate::object::{Dispatcher, DispatcherRef, KernelObject};
use crate::objects::peer::PeerHolder;
use crate::signal::SignalState;
use crate::status::Status;
use crate::sync::{Arc, AtomicU64, Ordering};
use crate::types::{Koid, ObjType, Rights, Signals, Time};

pub const CHANNEL_MAX_MSG_BYTES: usize = 65_536;
pub const CHANNEL_MAX_MSG_HANDLES: usize = 64;
/// Pending messages past which a write raises `CHANNEL_FULL_WRITE` (the write still succeeds).
pub const MAX_PENDING_MESSAGES: usize = 3_500;
/// `ZX_CHANNEL_READ_MAY_DISCARD`.
pub const CHANNEL_READ_MAY_DISCARD: u32 = 1;
/// Kernel-chosen txids for `zx_channel_call` have the top bit set.
const KERNEL_TXID_BASE: u32 = 0x8000_0000;

/// A message: bytes and the handles travelling with it.
#[derive(Default)]
pub struct Message {
    pub bytes: Vec<u8>,
    pub handles: Vec<Handle>,
}

impl Message {
    pub fn new(bytes: Vec<u8>, handles: Vec<Handle>) -> Self {
        Message { bytes, handles }
    }

    fn txid(&self) -> Option<u32> {
        self.bytes
            .get(..4)
            .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")))
    }
}

impl std::fmt::Debug for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Message")
            .field("bytes", &self.bytes.len())
            .field("handles", &self.handles.len())
            .finish()
    }
}

/// A `zx_channel_call` waiting for its reply: the txid it waits for and the completion its
/// caller blocks on (a reply, or the status that ended the call).
struct CallWaiter {
    txid: u32,
    reply: Arc<Completion<Result<Message, Status>>>,
}

/// One endpoint's half of the shared state.
#[derive(Default)]
pub struct ChannelEnd {
    messages: VecDeque<Message>,
    calls: Vec<CallWaiter>,
    next_txid: u32,
    /// Byte buffers of messages already read here, reused by the next writes to this end: a
    /// steady write/read flow allocates nothing.
    spare: Vec<Vec<u8>>,
    /// Messages ever queued here and ever taken from the queue: the queue is FIFO, so the n-th
    /// message queued is the n-th taken, and (this end, n) names a message in a trace.
    queued_total: u64,
    taken_total: u64,
}

/// Buffers kept for reuse per endpoint (each at most one message, ≤ 64 KiB).
const SPARE_BUFFERS: usize = 4;

impl ChannelEnd {
    /// Queues `message` on this end, or hands it to the call waiting for its txid.
    fn deliver(&mut self, signals: &mut SignalState, message: Message) -> usize {
        if let Some(txid) = message.txid().filter(|&txid| txid >= KERNEL_TXID_BASE) {
            if let Some(position) = self.calls.iter().position(|call| call.txid == txid) {
                let call = self.calls.swap_remove(position);
                let reply_key = Arc::as_ptr(&call.reply) as usize as u64;
                match call.reply.settle(Ok(message)) {
                    Ok(()) => {
                        tracing::trace!(
                            target: "zxsim::flow",
                            flow = "reply",
                            phase = "s",
                            a = reply_key,
                            b = 0u64,
                            txid,
                            "reply delivered"
                        );
                        return self.messages.len();
                    }
                    Err(refused) => {
                        if let Ok(message) = refused {
                            self.enqueue(message);
                        }
                    }
                }
                signals.update(Signals::NONE, Signals::CHANNEL_READABLE);
                return self.messages.len();
            }
        }
        self.enqueue(message);
        signals.update(Signals::NONE, Signals::CHANNEL_READABLE);
        self.messages.len()
    }

    /// The trace's name for this end (its address: the end lives in the pair's holder).
    fn trace_key(&self) -> u64 {
        std::ptr::from_ref(self) as usize as u64
    }

    fn enqueue(&mut self, message: Message) {
        tracing::trace!(
            target: "zxsim::flow",
            flow = "message",
            phase = "s",
            a = self.trace_key(),
            b = self.queued_total,
            bytes = message.bytes.len(),
            handles = message.handles.len(),
            "message queued"
        );
        self.queued_total += 1;
        self.messages.push_back(message);
    }

    /// Takes the oldest message (the only way one leaves the queue before the end dies).
    fn take(&mut self) -> Option<Message> {
        let message = self.messages.pop_front()?;
        tracing::trace!(
            target: "zxsim::flow",
            flow = "message",
            phase = "f",
            a = self.trace_key(),
            b = self.taken_total,
            "message taken"
        );
        self.taken_total += 1;
        Some(message)
    }

    fn end_calls(&mut self, status: Status) {
        for call in self.calls.drain(..) {
            let _ = call.reply.settle(Err(status));
        }
    }
}

/// What a successful write observed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriteOutcome {
    Queued,
    /// The peer's queue now holds more than 3 500 messages: raise `CHANNEL_FULL_WRITE`.
    QueueFull,
}

/// A read that did not return a message.
#[derive(Debug)]
pub struct ReadError {
    pub status: Status,
    /// For `BUFFER_TOO_SMALL`: the sizes the message needs.
    pub required: (usize, usize),
    /// A message dropped by `MAY_DISCARD`, for the caller to destroy outside any lock.
    pub discarded: Option<Message>,
}

pub struct Channel {
    peer: PeerHolder<ChannelEnd>,
    /// Koid of the process whose table holds this endpoint's handle (0: none yet).
    owner: AtomicU64,
}

impl Channel {
    /// Both endpoints, for koids `koids`; both start WRITABLE.
    pub fn pair(koids: [Koid; 2]) -> (Channel, Channel) {
        let (a, b) = PeerHolder::pair(koids, Signals::CHANNEL_WRITABLE, ChannelEnd::default);
        (
            Channel {
                peer: a,
                owner: AtomicU64::new(0),
            },
            Channel {
                peer: b,
                owner: AtomicU64::new(0),
            },
        )
    }

    fn check_owner(&self, caller: Koid) -> Result<(), Status> {
        if self.owner.load(Ordering::Acquire) == caller {
            Ok(())
        } else {
            Err(Status::BAD_HANDLE)
        }
    }

    /// Writes `message` to the peer. On failure the message comes back so the caller destroys it
    /// (closing its handles) outside every lock.
    pub fn write(&self, caller: Koid, message: Message) -> Result<WriteOutcome, (Status, Message)> {
        self.write_with(caller, message, |message, _| message)
    }

    /// Writes a message of `bytes` (copied under the pair lock into a recycled buffer) and
    /// `handles`. On failure the handles come back to be closed outside every lock.
    pub fn write_bytes(
        &self,
        caller: Koid,
        bytes: &[u8],
        handles: Vec<Handle>,
    ) -> Result<WriteOutcome, (Status, Vec<Handle>)> {
        self.write_with(caller, handles, |handles, peer| {
            let mut buffer = peer.spare.pop().unwrap_or_default();
            buffer.extend_from_slice(bytes);
            Message::new(buffer, handles)
        })
    }

    fn write_with<T>(
        &self,
        caller: Koid,
        payload: T,
        into_message: impl FnOnce(T, &mut ChannelEnd) -> Message,
    ) -> Result<WriteOutcome, (Status, T)> {
        // The owner check runs under the pair lock, as Zircon's does under the channel lock, so
        // it is atomic with the operation even without the caller's table lock.
        self.peer.with_ends(|_, peer| {
            if let Err(status) = self.check_owner(caller) {
                return Err((status, payload));
            }
            if peer.closed {
                return Err((Status::PEER_CLOSED, payload));
            }
            let message = into_message(payload, &mut peer.state);
            let queued = peer.state.deliver(&mut peer.signals, message);
            Ok(if queued > MAX_PENDING_MESSAGES {
                WriteOutcome::QueueFull
            } else {
                WriteOutcome::Queued
            })
        })
    }

    /// Reads the oldest message if it fits `max_bytes`/`max_handles`. Too small: the message
    /// stays queued (`BUFFER_TOO_SMALL` with the required sizes) unless `may_discard`.
    pub fn read(
        &self,
        caller: Koid,
        max_bytes: usize,
        max_handles: usize,
        may_discard: bool,
    ) -> Result<Message, ReadError> {
        self.read_with(caller, max_bytes, max_handles, may_discard, |message, _| {
            message
        })
    }

    /// Reads the oldest message straight into `out` (under the pair lock, so its buffer can be
    /// recycled for the next write); returns the byte count and the handles.
    pub fn read_into(
        &self,
        caller: Koid,
        out: &mut [u8],
        max_handles: usize,
        may_discard: bool,
    ) -> Result<(usize, Vec<Handle>), ReadError> {
        let max_bytes = out.len();
        self.read_with(
            caller,
            max_bytes,
            max_handles,
            may_discard,
            |message, mine| {
                let Message { mut bytes, handles } = message;
                out[..bytes.len()].copy_from_slice(&bytes);
                let count = bytes.len();
                if mine.spare.len() < SPARE_BUFFERS {
                    bytes.clear();
                    mine.spare.push(bytes);
                }
                (count, handles)
            },
        )
    }

    fn read_with<R>(
        &self,
        caller: Koid,
        max_bytes: usize,
        max_handles: usize,
        may_discard: bool,
        consume: impl FnOnce(Message, &mut ChannelEnd) -> R,
    ) -> Result<R, ReadError> {
        let fail = |status| ReadError {
            status,
            required: (0, 0),
            discarded: None,
        };
        self.peer.with_ends(|mine, peer| {
            self.check_owner(caller).map_err(fail)?;
            let Some(head) = mine.state.messages.front() else {
                return Err(fail(if peer.closed {
                    Status::PEER_CLOSED
                } else {
                    Status::SHOULD_WAIT
                }));
            };
            let required = (head.bytes.len(), head.handles.len());
            let fits = required.0 <= max_bytes && required.1 <= max_handles;
            if !fits && !may_discard {
                return Err(ReadError {
                    status: Status::BUFFER_TOO_SMALL,
                    required,
                    discarded: None,
                });
            }
            let message = mine.state.take().expect("head exists");
            if mine.state.messages.is_empty() {
                mine.signals
                    .update(Signals::CHANNEL_READABLE, Signals::NONE);
            }
            if fits {
                Ok(consume(message, &mut mine.state))
            } else {
                Err(ReadError {
                    status: Status::BUFFER_TOO_SMALL,
                    required,
                    discarded: Some(message),
                })
            }
        })
    }

    /// First half of `zx_channel_call`: writes `message` with a fresh kernel txid in its first 4
    /// bytes and registers the caller for the reply. Runs under the caller's handle-table lock;
    /// the wait itself ([`PendingCall::finish`]) must not.
    pub fn call_start(
        &self,
        caller: Koid,
        mut message: Message,
    ) -> Result<PendingCall, (Status, Message)> {
        self.peer.with_ends(|mine, peer| {
            if let Err(status) = self.check_owner(caller) {
                return Err((status, message));
            }
            if message.bytes.len() < 4 {
                return Err((Status::INVALID_ARGS, message));
            }
            if peer.closed {
                return Err((Status::PEER_CLOSED, message));
            }
            let txid = next_txid(&mut mine.state);
            message.bytes[..4].copy_from_slice(&txid.to_le_bytes());
            let reply = Completion::new();
            mine.state.calls.push(CallWaiter {
                txid,
                reply: reply.clone(),
            });
            let queued = peer.state.deliver(&mut peer.signals, message);
            let write = if queued > MAX_PENDING_MESSAGES {
                WriteOutcome::QueueFull
            } else {
                WriteOutcome::Queued
            };
            Ok(PendingCall { reply, write })
        })
    }

    /// Runs `f` on each handle in the messages queued on this endpoint, under the pair lock (the
    /// leak report's view; `f` must take no lock).
    pub fn for_each_queued_handle(&self, mut f: impl FnMut(&Handle)) {
        self.peer.with_ends(|mine, _| {
            for message in &mine.state.messages {
                message.handles.iter().for_each(&mut f);
            }
        });
    }

    /// The messages waiting to be read on this endpoint, oldest first: each one's byte count and
    /// the handles travelling in it (rights and object), plus the number of `zx_channel_call`s
    /// waiting here for a reply — a snapshot's view. The objects are dropped by the caller,
    /// outside the pair lock.
    pub fn queue_info(&self) -> (Vec<QueuedMessageInfo>, usize) {
        self.peer.with_ends(|mine, _| {
            let messages = mine
                .state
                .messages
                .iter()
                .map(|message| {
                    let handles = message
                        .handles
                        .iter()
                        .map(|handle| (handle.rights(), handle.object().to_ref()))
                        .collect();
                    QueuedMessageInfo {
                        bytes: message.bytes.len(),
                        handles,
                    }
                })
                .collect();
            (messages, mine.state.calls.len())
        })
    }

    /// Messages waiting to be read on this endpoint.
    pub fn queued_messages(&self) -> usize {
        self.peer.with_ends(|mine, _| mine.state.messages.len())
    }
}

/// What a snapshot shows of a queued message: its size and the handles in flight in it.
pub struct QueuedMessageInfo {
    pub bytes: usize,
    pub handles: Vec<(Rights, DispatcherRef)>,
}

/// A `zx_channel_call` whose request is written and whose reply is awaited.
pub struct PendingCall {
    reply: Arc<Completion<Result<Message, Status>>>,
    /// What the request's write observed (for the `CHANNEL_FULL_WRITE` policy).
    pub write: WriteOutcome,
}

impl PendingCall {
    /// Second half of `zx_channel_call`: waits, with no lock held, for the reply (which bypasses
    /// the queue), the deadline (`TIMED_OUT`), the peer's death (`PEER_CLOSED`) or the loss of
    /// the caller's endpoint (`CANCELED`). `endpoint` is the caller's channel object.
    pub fn finish(self, endpoint: &Dispatcher<Channel>, deadline: Time) -> Result<Message, Status> {
        let reply = self.reply;
        {
            let _blocked = crate::objects::thread::Blocked::enter(
                crate::objects::thread::THREAD_STATE_BLOCKED_CHANNEL,
            );
            reply.wait_until(endpoint.kernel_shared().clock(), deadline);
        }
        // Leave the call list first: after that no reply can reach the waiter, so its outcome is
        // final — a reply that raced the deadline is returned, never lost.
        endpoint.peer.with_ends(|mine, _| {
            mine.state
                .calls
                .retain(|call| !Arc::ptr_eq(&call.reply, &reply))
        });
        let outcome = reply.take().unwrap_or(Err(Status::TIMED_OUT));
        if outcome.is_ok() {
            tracing::trace!(
                target: "zxsim::flow",
                flow = "reply",
                phase = "f",
                a = Arc::as_ptr(&reply) as usize as u64,
                b = 0u64,
                "reply received"
            );
        }
        outcome
    }
}

fn next_txid(end: &mut ChannelEnd) -> u32 {
    loop {
        let txid = KERNEL_TXID_BASE | (end.next_txid & !KERNEL_TXID_BASE);
        end.next_txid = end.next_txid.wrapping_add(1);
        if !end.calls.iter().any(|call| call.txid == txid) {
            return txid;
        }
    }
}

impl KernelObject for Channel {
    const TYPE: ObjType = ObjType::CHANNEL;
    /// (BASIC minus DUPLICATE) | IO | SIGNAL | SIGNAL_PEER = 0xF00E: never duplicable.
    const DEFAULT_RIGHTS: Rights = Rights::TRANSFER
        .union(Rights::WAIT)
        .union(Rights::INSPECT)
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

    const HOLDS_HANDLES: bool = true;

    /// The handle moved into `owner`'s table: from now on only `owner` may read, write or call.
    fn on_installed(&self, owner: Koid) {
        self.owner.store(owner, Ordering::Release);
    }

    /// This endpoint's handle was read out of a message: the `zx_channel_call`s waiting on it
    /// end with `CANCELED`, whichever process reads it (Zircon's `CancelMessageWaiters`).
    fn on_received(&self) {
        self.peer
            .with_ends(|mine, _| mine.state.end_calls(Status::CANCELED));
    }

    fn on_zero_handles(&self, _object: &Dispatcher) {
        let unread = self.peer.close(|peer| {
            peer.signals
                .update(Signals::CHANNEL_WRITABLE, Signals::CHANNEL_PEER_CLOSED);
            peer.state.end_calls(Status::PEER_CLOSED);
        });
        let mut unread = unread;
        unread.end_calls(Status::CANCELED);
        // Destroyed here, outside the pair lock; nested endpoints are queued, not recursed.
        drop(unread);
    }
}
