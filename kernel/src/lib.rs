//! zxsim's kernel: Zircon's objects, handles, processes, signal engine and clock, in userspace.
//!
//! The layering mirrors Zircon's: this crate is `zircon/kernel/object/` — object state and
//! semantics, reached through typed lookups in a process's handle table — and the
//! `zxsim-syscalls` crate is `zircon/kernel/lib/syscalls/` — argument checks in Zircon's order,
//! copy-in/copy-out, tracing.
//!
//! ## Lock order
//! `handle table (reader or writer) -> object or channel pair lock -> port -> sync or call
//! waiter`, and `timer -> clock`; never the reverse (`docs/design.md` lists why each edge
//! exists). A syscall may hold its process's handle-table lock while it registers an observer on
//! an object (so a racing `zx_handle_close` is ordered with the registration); firing an observer happens under the
//! object lock and takes the port lock (or the waiter's lock) inside it; a port never takes an
//! object lock while holding its own (cancel is two-phase, see [`objects::port`]).
//!
//! ## Synchronisation
//! Everything goes through [`sync`], which maps to loom under `--cfg zxsim_loom`.

pub mod blocking;
pub mod clock;
pub mod handle;
pub mod kernel;
pub mod leak;
pub mod object;
pub mod objects;
pub mod os;
pub mod process;
pub mod signal;
pub mod status;
pub mod sync;
pub mod types;
pub mod wait;

pub use clock::{Clock, ClockKind};
pub use handle::{Handle, HandleId, HandleValue};
pub use kernel::{Config, Kernel, Profile};
pub use leak::{LeakEntry, LeakKind, LeakReport};
pub use object::{Dispatcher, Expected, KernelObject};
pub use process::{BindGuard, PolicyException, Process};
pub use status::Status;
pub use types::{Koid, ObjType, Rights, Signals, Time};
