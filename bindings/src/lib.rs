//! FIDL-style bindings over zxsim channels, on the `zxsim-async` dispatcher — the runtime the
//! FIDL C++ bindings threading guide describes, with its teardown rules made checkable.
//!
//! - [`wire`]: the 16-byte message header (txid, flags, magic, ordinal; little-endian, as FIDL's)
//!   and a hand-rolled little-endian codec ([`Encode`], [`Decode`]).
//! - [`protocol!`]: a protocol declared in Rust — method and event types, a server trait, an
//!   event-handler trait, and a calls trait for the clients.
//! - [`Client`]: on its synchronized dispatcher only (checked: misuse panics); dropping it tears
//!   down at once. [`SharedClient`]: any thread; drop / [`SharedClient::async_teardown`] start a
//!   two-phase teardown that ends by dropping the owned event handler and running the
//!   [`TeardownObserver`].
//! - [`bind_server`]: server bindings with completers, `unbind`, `close(epitaph)` and a final
//!   unbound handler that gets the implementation back.
//! - [`UnbindInfo`]: why a binding was torn down.
//!
//! Which hazards the types exclude and which the runtime checks: `docs/bindings.md`.

mod binding;
mod client;
pub mod echo;
mod protocol;
mod server;
mod sync;
mod unbind_info;
pub mod wire;

pub use client::{
    observe_teardown, share_until_teardown, Client, PendingCall, SharedClient, TeardownObserver,
};
pub use protocol::{
    create_endpoints, ClientEnd, Event, EventProtocol, IncomingEvent, IncomingRequest, Method,
    NoEventHandler, Protocol, ServerEnd, ServerProtocol,
};
pub use server::{bind_server, AsyncCompleter, Completer, ServerBindingRef};
pub use unbind_info::{Reason, UnbindInfo};
pub use wire::{Decode, DecodeError, Encode, Payload};
