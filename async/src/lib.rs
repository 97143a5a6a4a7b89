//! Dispatchers on zxsim ports, as Fuchsia programs use them — built only on the public
//! `zxsim-syscalls` API, so it is exactly what a user could have written.
//!
//! Two layers on one port:
//! - [`Loop`] / [`Dispatcher`]: C's `async_loop_t` / `async_dispatcher_t` in Rust — [`Wait`],
//!   posted tasks ([`Dispatcher::post_task`]), [`Receiver`], loop threads, quit, and two-phase
//!   shutdown. Its guarantees G1–G5 are documented on the types that give them: G1–G3 on
//!   [`Wait`] (and [`Dispatcher::cancel_task`]), G4 on [`Loop`], G5 on [`Dispatcher`].
//! - An executor shaped like `fuchsia-async`: [`LocalExecutor`], [`SendExecutor`],
//!   [`TestExecutor`] (virtual clock), [`Task`], [`EHandle`], and the futures [`OnSignals`],
//!   [`Timer`], [`async_::Channel`], [`async_::Socket`], [`async_::Fifo`].
//!
//! Profiles: under `rfc0240` waits are cancelled with `zx_port_cancel_key`, under `zircon` with
//! `zx_port_cancel(port, handle, key)` (see [`Wait`] for what that asks of the user).
//! See `docs/dispatcher.md`.

mod dispatcher;
mod receiver;
mod sync;
mod wait;

pub mod async_;
mod executor;

pub use async_::{Channel, Fifo, OnSignals, Socket, Timer};
pub use dispatcher::{Dispatcher, Loop, LoopConfig, LoopState, PostedTask};
pub use executor::{EHandle, LocalExecutor, SendExecutor, Task, TestExecutor};
pub use receiver::Receiver;
pub use wait::Wait;
