//! The registry of one kernel's objects that can hold handles, for the leak report.
//!
//! Only channel queues hold handles outside process tables (a type says so with
//! [`KernelObject::HOLDS_HANDLES`](crate::object::KernelObject::HOLDS_HANDLES)), so only channel
//! endpoints can keep objects alive behind the processes' backs. The kernel keeps, per kernel, a
//! map koid → endpoint of every channel endpoint that holds at least one handle, and a
//! count of all objects that hold at least one handle. An object enters both when its handle count
//! goes 0 → 1 and leaves them in `on_zero_handles`, so the registry's reference never extends an
//! endpoint's life: while it is registered, its handle keeps it alive anyway (loom has no `Weak`,
//! and a raw-pointer registry would race with `Drop`; this shape needs neither). Other object
//! types only touch the counter, so creating and closing an event costs one atomic add and one
//! atomic sub more. The map is split into shards by koid; a shard lock is a leaf lock — nothing is
//! taken under it and nothing is dropped under it.

use rustc_hash::FxBuildHasher;
use std::collections::HashMap;

use crate::object::{Dispatcher, DispatcherRef};
use crate::sync::{AtomicUsize, LockClass, Mutex, Ordering};
use crate::types::Koid;

/// Shards of the registry (a power of two; koids are sequential, so `koid % SHARDS` spreads).
const SHARDS: usize = 16;

/// Koids are sequential and a shard holds those of one residue mod [`SHARDS`]: Fx hashing takes
/// the table's index from the high bits of a product, so a shard's koids still spread.
type Shard = HashMap<Koid, DispatcherRef, FxBuildHasher>;

/// The channel endpoints of one kernel that hold handles, and the count of all objects that do
/// (see the module doc).
pub struct Registry {
    shards: Vec<Mutex<Shard>>,
    with_handles: AtomicUsize,
}

impl Registry {
    pub(crate) fn new() -> Self {
        Registry {
            shards: (0..SHARDS)
                .map(|_| Mutex::ranked(LockClass::Leaf, Shard::default()))
                .collect(),
            with_handles: AtomicUsize::new(0),
        }
    }

    fn shard(&self, koid: Koid) -> &Mutex<Shard> {
        &self.shards[(koid as usize) % SHARDS]
    }

    /// The object's handle count went 0 → 1.
    pub(crate) fn first_handle(&self, object: &Dispatcher) {
        self.with_handles.fetch_add(1, Ordering::AcqRel);
        if object.holds_handles() {
            let previous = self
                .shard(object.koid())
                .lock()
                .insert(object.koid(), object.to_ref());
            debug_assert!(previous.is_none(), "endpoint registered twice");
        }
    }

    /// The object's last handle is gone. The registry's reference is dropped after the shard lock
    /// is released (the caller holds another, so this never destroys the object).
    pub(crate) fn last_handle_gone(&self, object: &Dispatcher) {
        self.with_handles.fetch_sub(1, Ordering::AcqRel);
        if object.holds_handles() {
            let removed = self.shard(object.koid()).lock().remove(&object.koid());
            drop(removed);
        }
    }

    /// A snapshot of the registered endpoints (clones taken under each shard lock in turn).
    pub(crate) fn snapshot(&self) -> Vec<DispatcherRef> {
        let mut objects = Vec::new();
        for shard in &self.shards {
            objects.extend(shard.lock().values().cloned());
        }
        objects
    }

    pub(crate) fn with_handles(&self) -> usize {
        self.with_handles.load(Ordering::Acquire)
    }
}

#[cfg(all(test, not(zxsim_loom)))]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn koid_hash_spreads_one_shard_over_low_bits() {
        use std::hash::BuildHasher;
        let build = FxBuildHasher;
        let low: HashSet<u64> = (0..64u64)
            .map(|i| build.hash_one(3 + i * SHARDS as u64) & 0x3F)
            .collect();
        // A hash that kept the residue in its low bits would give at most 4 patterns here.
        assert!(low.len() >= 16, "{} distinct low-bit patterns", low.len());
    }
}
