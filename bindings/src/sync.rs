//! The one door to synchronisation in this crate: the kernel's loom shim
//! ([`zxsim_syscalls::kernel::sync`]), re-exported, so that under `--cfg zxsim_loom` every lock
//! and atomic of the bindings is loom's and the models in `loom-tests/tests/bindings.rs` see all
//! of it. `clippy.toml` forbids the underlying types everywhere else in the crate.
#![allow(clippy::disallowed_types)]

pub(crate) use zxsim_syscalls::kernel::sync::{Arc, Mutex, MutexGuard};
