//! zxsim's kernel: Zircon's objects, handles, processes, signal engine and clock, in userspace.
//!
//! The layering mirrors Zircon's: this crate is `zircon/kernel/object/` — object state and
//! semantics, reached through typed lookups in a process's handle table — and the
//! `zxsim-syscalls` crate is `zircon/kernel/lib/syscalls/` — argument checks in Zircon's order,
//! copy-in/copy-out, tracing.
//!
//! ## Layers
//! Imports go downwards only (`tests/layers.rs` checks it):
//! - **core** — [`sync`], [`types`], [`status`], [`clock`], [`config`], [`faults`], [`blocking`] (the one
//!   blocking wait), [`signal`] (the engine and its observers), [`handle`] (handles, tables, the
//!   one typed lookup), [`object`] (the dispatcher base), [`registry`], [`shared`]. It names no
//!   object type.
//! - **object types** — [`objects`], one file each, and the OS-backed endpoints in [`os`].
//! - **processes and the kernel value** — [`process`], [`kernel`], [`wait`], [`leak`], [`trace`]
//!   (the trace writer), [`snapshot`].
//!
//! Adding an object type is one file in `objects/` implementing [`KernelObject`] and one
//! `pub mod` line in `objects/mod.rs`.
//!
//! ## Lock order
//! `ProcessSelf < HandleTable < Object < Port < Waiter < Clock < Reactor < Leaf`
//! ([`sync::LockClass`]; `docs/design.md` gives each edge): a syscall may hold its process's
//! handle-table lock while it registers an observer on an object (so a racing `zx_handle_close`
//! is ordered with the registration); firing an observer happens under the object lock and takes
//! the port lock (or the waiter's lock) inside it; a port never takes an object lock while
//! holding its own (cancel is two-phase, see [`objects::port`]). Debug and loom builds check the
//! order on every acquisition.
//!
//! ## Synchronisation
//! Everything goes through [`sync`], which maps to loom under `--cfg zxsim_loom`.

pub mod blocking;
pub mod budget;
pub mod clock;
pub mod config;
pub mod faults;
pub mod handle;
pub mod kernel;
pub mod leak;
pub mod object;
pub mod objects;
pub mod os;
pub mod process;
pub mod registry;
pub mod shared;
pub mod signal;
pub mod snapshot;
pub mod status;
pub mod sync;
#[cfg(not(zxsim_loom))]
pub mod trace;
pub mod types;
pub mod wait;

pub use clock::{Clock, ClockKind};
pub use faults::{FaultPlan, FaultSite, Faults};
pub use handle::{Handle, HandleId, HandleValue};
pub use kernel::{Config, Kernel, PlantedRace, Profile};
pub use leak::{LeakEntry, LeakKind, LeakReport};
pub use object::{AnyObject, Dispatcher, DispatcherRef, Expected, KernelObject};
pub use process::{BindGuard, PolicyException, Process};
pub use status::Status;
pub use types::{Koid, ObjType, Rights, Signals, Time};
