//! The typed layer, shaped like Fuchsia's Rust `zx` crate.
//!
//! Owned handle types ([`Channel`], [`Event`], [`EventPair`], [`Fifo`], [`Port`], [`Socket`],
//! [`Timer`], the untyped [`Handle`]) close on `Drop`; [`Unowned`]/[`HandleRef`] borrow one; the
//! traits [`AsHandleRef`], [`HandleBased`] and [`Peered`] carry the operations common to all of
//! them. Calls answer [`Result<T>`](Result) with a [`Status`] error (waits: [`WaitResult`],
//! reads into caller memory: [`ChannelReadResult`]), and every method is a thin wrapper over
//! [`sys`] calls — argument checks, error order and tracing live there only. Code written against
//! the SDK's `zx` crate moves here with an import change (`use zxsim_syscalls::zx;`); see
//! `docs/zx-layer.md` for what differs.
//!
//! Like the `sys` layer, everything acts on the simulated process bound to the calling thread
//! ([`Process::bind`](zxsim_kernel::Process::bind)); a thread that never bound one uses the
//! default kernel's default process, so a prototype needs no setup at all:
//!
//! ```
//! use zxsim_syscalls::zx::{self, AsHandleRef};
//!
//! let port = zx::Port::create();
//! let event = zx::Event::create();
//! event
//!     .wait_async_handle(&port, 7, zx::Signals::USER_0, zx::WaitAsyncOpts::empty())
//!     .unwrap();
//! event.signal_handle(zx::Signals::NONE, zx::Signals::USER_0).unwrap();
//!
//! let packet = port.wait(zx::MonotonicInstant::INFINITE).unwrap();
//! assert_eq!(packet.key(), 7);
//! match packet.contents() {
//!     zx::PacketContents::SignalOne(signal) => {
//!         assert_eq!(signal.trigger(), zx::Signals::USER_0);
//!         assert!(signal.observed().contains(zx::Signals::USER_0));
//!     }
//!     other => panic!("unexpected packet {other:?}"),
//! }
//!
//! // Nothing is waiting any more: a deadline in the past just polls.
//! assert_eq!(
//!     port.wait(zx::MonotonicInstant::after(zx::MonotonicDuration::from_millis(-1))),
//!     Err(zx::Status::TIMED_OUT)
//! );
//! ```
//!
//! Tests bind a private kernel instead — with a virtual clock, deadlines pass only when the test
//! advances it — and check that nothing leaked:
//!
//! ```
//! use zxsim_kernel::{Config, Kernel};
//! use zxsim_syscalls::zx::{self, AsHandleRef, HandleBased, Peered};
//!
//! let kernel = Kernel::new(Config::default().with_virtual_clock());
//! let process = kernel.create_process();
//! {
//!     let _bound = process.bind(); // declared first, so dropped after the handles
//!     let (left, right) = zx::EventPair::create();
//!     let reader = right.duplicate_handle(zx::Rights::WAIT).unwrap();
//!     assert_eq!(reader.basic_info().unwrap().rights, zx::Rights::WAIT);
//!
//!     left.signal_peer(zx::Signals::NONE, zx::Signals::USER_1).unwrap();
//!     let deadline = zx::MonotonicInstant::after(zx::MonotonicDuration::from_seconds(1));
//!     assert_eq!(
//!         reader.wait_handle(zx::Signals::USER_1, deadline),
//!         zx::WaitResult::Ok(zx::Signals::USER_1)
//!     );
//!
//!     drop(left);
//!     assert!(right.is_closed().unwrap());
//!     assert_eq!(kernel.live_handles(), 2);
//! }
//! assert_eq!((kernel.live_objects(), kernel.live_handles()), (0, 0));
//! ```
//!
//! A handle value belongs to the process it was created in: use and drop it on threads bound to
//! that process ([`Process::spawn`](zxsim_kernel::Process::spawn) starts one). See
//! `docs/zx-layer.md` for the guide and the `sys` ↔ `zx` mapping.
//!
//! ## Layout
//!
//! One file per concept. A new object type (channel, socket, timer, fifo...) is one file: a
//! `pub struct Channel(Handle);` newtype, `impl_handle_based!(Channel);`, `impl Peered for
//! Channel {}` if it has a peer, its constructors and methods over the `sys` calls — then a
//! `mod` line and a `pub use` line here.

mod channel;
mod disposition;
mod event;
mod eventpair;
mod fifo;
mod handle;
mod info;
mod io_slice;
mod message_buf;
mod port;
mod rights_signals;
mod socket;
mod status;
mod time;
mod timer;
mod wait;

pub use channel::{Channel, ChannelReadResult};
pub use disposition::{HandleDisposition, HandleInfo, HandleOp};
pub use event::Event;
pub use eventpair::EventPair;
pub use fifo::{Fifo, UnspecifiedFifoElement};
pub use handle::{AsHandleRef, Handle, HandleBased, HandleRef, Peered, Unowned};
pub use info::{HandleBasicInfo, HandleCountInfo, Koid, ObjectType};
pub use io_slice::ChannelIoSlice;
pub use message_buf::{MessageBuf, MessageBufEtc};
pub use port::{
    Packet, PacketContents, Port, PortOptions, SignalPacket, UserPacket, WaitAsyncOpts,
};
pub use rights_signals::{Rights, Signals};
pub use socket::{
    Socket, SocketInfo, SocketOpts, SocketReadOpts, SocketWriteDisposition, SocketWriteOpts,
};
pub use status::{ok, Result, Status};
pub use time::{
    BootDuration, BootDurationTicks, BootInstant, BootTicks, BootTimeline, Duration, Instant,
    MonotonicDuration, MonotonicDurationTicks, MonotonicInstant, MonotonicTicks, MonotonicTime,
    MonotonicTimeline, NsUnit, SyntheticDuration, SyntheticInstant, SyntheticTimeline, Ticks,
    TicksUnit, Time, TimeUnit, Timeline,
};
pub use timer::{BootTimer, MonotonicTimer, Slack, Timer};
pub use wait::{object_wait_many, WaitItem, WaitResult};

/// The raw layer, reachable as `zx::sys` as in the real crate.
pub use crate::sys;

/// The traits most code needs, for `use zx::prelude::*;`.
pub mod prelude {
    pub use super::{AsHandleRef, HandleBased, Peered};
}

pub(crate) use handle::impl_handle_based;
