//! The one door to synchronisation in this crate: the kernel's shim
//! ([`zxsim_syscalls::kernel::sync`]), re-exported, so that under `--cfg zxsim_loom` every lock,
//! condvar, atomic, thread and thread-local of the dispatcher is loom's and the models in
//! `loom-tests/tests/dispatcher.rs` see all of it. `clippy.toml` forbids the underlying types
//! everywhere else in the crate.
#![allow(clippy::disallowed_types, clippy::disallowed_methods)]

pub(crate) use zxsim_syscalls::kernel::sync::{
    thread, thread_local, Arc, AtomicBool, AtomicU64, AtomicUsize, Condvar, Mutex, Ordering,
};

use zxsim_syscalls::kernel::Process;

/// Starts a thread bound to `process` (named `name` outside loom, where threads have no names).
pub(crate) fn spawn_bound<F>(process: &Arc<Process>, name: &str, f: F) -> thread::JoinHandle<()>
where
    F: FnOnce() + Send + 'static,
{
    #[cfg(not(any(zxsim_loom, zxsim_shuttle)))]
    {
        let process = process.clone();
        std::thread::Builder::new()
            .name(name.to_string())
            .spawn(move || {
                let _bound = process.bind();
                f()
            })
            .expect("spawning a dispatcher thread")
    }
    #[cfg(any(zxsim_loom, zxsim_shuttle))]
    {
        let _ = name;
        process.spawn(f)
    }
}
