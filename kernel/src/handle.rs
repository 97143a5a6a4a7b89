//! Handles and per-process handle tables.
//!
//! A [`Handle`] is a (object, rights) pair with a [`HandleId`] unique among its object's handles. It sits in exactly
//! one place: a process's [`HandleTable`] or a channel message in flight. Creating one raises the
//! object's handle count; dropping one is deleting the handle: it cancels the sync waits made
//! through it (and, under the `zircon` profile, its async waits) and, if it was the object's last
//! handle, runs `on_zero_handles` before the drop returns.
//!
//! Handle values (spec §1.2, loom-and-readiness.md): 32 bits, the two low bits always 1, 0 never
//! valid. Above the two fixed bits: 12 generation bits, then 18 index bits (256 × 1024 slots).
//! The whole value is XORed with a per-process random secret whose two low bits are 0, so a value
//! from one process is (almost surely) meaningless in another, and a slot's generation advances
//! each time it is freed so a stale value never aliases the next handle in that slot (until the
//! generation wraps after 4096 reuses, as in Zircon).
//!
//! Slot reuse: a freed slot is reused only once [`REUSE_AFTER_FREED`] other slots are free too
//! (least recently freed first); until then a fresh slot is taken. So each slot rests through at
//! least that many frees before its next use, and a stale value can come back only after about
//! 4096 × 512 ≈ 2 × 10⁶ handles were created in the process — not after 4096, as with eager
//! reuse, when one handle is created and closed in a loop. The free list stays small enough to
//! keep a busy table in cache.
//!
//! Lookups take only the owning process's table lock (a reader lock), never a kernel-wide one.

use std::collections::VecDeque;
use std::ptr::NonNull;

use crate::object::{Dispatcher, DispatcherRef, Expected};
use crate::status::Status;
use crate::sync::{LockClass, RwLock, RwLockReadGuard, RwLockWriteGuard};
use crate::types::{Koid, Rights};

/// A raw handle value as user code sees it (`zx_handle_t`).
pub type HandleValue = u32;
pub const HANDLE_INVALID: HandleValue = 0;
/// The two low bits every valid handle value has.
pub const HANDLE_FIXED_BITS_MASK: u32 = 0x3;

const INDEX_BITS: u32 = 18;
const GENERATION_BITS: u32 = 12;
/// Slots per table: Zircon's 256 × 1024.
pub const MAX_HANDLES_PER_TABLE: usize = 1 << INDEX_BITS;
const GENERATION_MASK: u32 = (1 << GENERATION_BITS) - 1;
/// Free slots a table keeps before it reuses one (see the module docs).
pub const REUSE_AFTER_FREED: usize = 512;

/// Identity of one handle among its object's handles (survives moves through channels, not
/// duplicate/replace). Ids are compared only between handles of one object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HandleId(pub u64);

/// One handle: a reference to an object with a fixed set of rights.
pub struct Handle {
    /// The object, kept alive by the reference its handles share (see [`crate::object`]).
    object: NonNull<Dispatcher>,
    rights: Rights,
    /// The generation of the table slot holding this handle (stale while it is in flight). It
    /// lives here, in bytes `Handle` would otherwise pad, so a table slot costs 24 bytes.
    generation: u32,
    id: HandleId,
}

// SAFETY: a handle is a counted share of a `Dispatcher<T>`, which is `Send + Sync`.
unsafe impl Send for Handle {}
// SAFETY: as above.
unsafe impl Sync for Handle {}

impl Handle {
    /// Mints a new handle to `object`. Fails with `NO_MEMORY` when the kernel's handle arena is
    /// full.
    #[inline]
    pub fn new(object: &Dispatcher, rights: Rights) -> Result<Handle, Status> {
        object.kernel_shared().reserve_handle()?;
        let id = object.add_handle();
        Ok(Handle {
            object: NonNull::from(object),
            rights,
            generation: 0,
            id,
        })
    }

    /// [`Handle::new`] taking over the caller's reference to `object` (a newly made object's:
    /// it becomes the reference the object's handles share, with no count traffic).
    pub fn adopt(object: impl Into<DispatcherRef>, rights: Rights) -> Result<Handle, Status> {
        let object = object.into();
        object.kernel_shared().reserve_handle()?;
        let pointer = NonNull::from(&*object);
        let id = Dispatcher::add_handle_adopting(object);
        Ok(Handle {
            object: pointer,
            rights,
            generation: 0,
            id,
        })
    }

    pub fn object(&self) -> &Dispatcher {
        // SAFETY: while this handle exists its share of the handle count keeps the object alive.
        unsafe { self.object.as_ref() }
    }

    pub fn rights(&self) -> Rights {
        self.rights
    }

    pub fn id(&self) -> HandleId {
        self.id
    }

    pub fn has_rights(&self, rights: Rights) -> bool {
        self.rights.contains(rights)
    }

    /// The lookup order every syscall follows once the handle is found: `WRONG_TYPE` (the object
    /// is not a `T`), then `ACCESS_DENIED` (the handle lacks `rights`). Returns the typed object.
    #[inline]
    pub fn object_as<T: Expected>(&self, rights: Rights) -> Result<&Dispatcher<T>, Status> {
        let object = T::cast(self.object()).ok_or(Status::WRONG_TYPE)?;
        if !self.has_rights(rights) {
            return Err(Status::ACCESS_DENIED);
        }
        Ok(object)
    }

    /// [`Handle::object_as`], returning another reference to the typed object.
    pub fn object_arc<T: Expected>(&self, rights: Rights) -> Result<T::Ref, Status> {
        self.object_as::<T>(rights).map(T::to_owned)
    }

    /// A new handle to the same object with `rights` (which the caller has validated).
    #[inline]
    pub fn duplicate(&self, rights: Rights) -> Result<Handle, Status> {
        Handle::new(self.object(), rights)
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        self.object().kernel_shared().release_handle();
        // SAFETY: the object is alive and this handle's count is still in it.
        unsafe { Dispatcher::handle_deleted(self.object, self.id) };
    }
}

impl std::fmt::Debug for Handle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handle")
            .field("koid", &self.object().koid())
            .field("type", &self.object().obj_type())
            .field("rights", &self.rights)
            .finish()
    }
}

/// Resolves `rights` as duplicate/replace do: `SAME_RIGHTS` (exactly) keeps `current`; anything
/// else must be a subset of `current` (`INVALID_ARGS` otherwise).
pub fn derive_rights(current: Rights, requested: u32) -> Result<Rights, Status> {
    if requested == Rights::SAME_RIGHTS.bits() {
        return Ok(current);
    }
    let requested = Rights::from_bits_retain(requested);
    if current.contains(requested) {
        Ok(requested)
    } else {
        Err(Status::INVALID_ARGS)
    }
}

/// A table slot: a handle (which carries the slot's generation), or the generation the next
/// handle put in the slot will have.
enum Slot {
    Live(Handle),
    Free(u32),
}

const _: () = assert!(std::mem::size_of::<Slot>() <= 24);

impl Slot {
    #[inline]
    fn live(&self, generation: u32) -> Option<&Handle> {
        match self {
            Slot::Live(handle) if handle.generation == generation => Some(handle),
            _ => None,
        }
    }

    /// Frees the slot, advancing its generation so the freed value stays stale.
    fn take(&mut self) -> Option<Handle> {
        let Slot::Live(handle) = self else {
            return None;
        };
        let next = (handle.generation + 1) & GENERATION_MASK;
        match std::mem::replace(self, Slot::Free(next)) {
            Slot::Live(handle) => Some(handle),
            Slot::Free(_) => None,
        }
    }
}

struct Slots {
    entries: Vec<Slot>,
    /// Freed slots, oldest first: reusing the least recently freed slot keeps stale values stale
    /// for as long as possible.
    free: VecDeque<u32>,
    live: usize,
}

/// A process's handle table.
pub struct HandleTable {
    secret: u32,
    slots: RwLock<Slots>,
}

impl HandleTable {
    pub fn new(secret: u32) -> Self {
        HandleTable {
            secret: secret & !HANDLE_FIXED_BITS_MASK,
            slots: RwLock::ranked(
                LockClass::HandleTable,
                Slots {
                    entries: Vec::new(),
                    free: VecDeque::new(),
                    live: 0,
                },
            ),
        }
    }

    fn encode(&self, index: u32, generation: u32) -> HandleValue {
        (((index << GENERATION_BITS) | generation) << 2 | HANDLE_FIXED_BITS_MASK) ^ self.secret
    }

    #[inline]
    fn decode(&self, value: HandleValue) -> Option<(usize, u32)> {
        if value == HANDLE_INVALID {
            return None;
        }
        let raw = value ^ self.secret;
        if raw & HANDLE_FIXED_BITS_MASK != HANDLE_FIXED_BITS_MASK {
            return None;
        }
        let bits = raw >> 2;
        Some(((bits >> GENERATION_BITS) as usize, bits & GENERATION_MASK))
    }

    /// Installs `handle` and returns its value. The kernel's arena cap (≤ slots per table)
    /// guarantees a free slot exists for every live handle, so this cannot fail.
    pub fn add(&self, handle: Handle) -> HandleValue {
        let mut slots = self.slots.write();
        self.insert(&mut slots, handle)
    }

    /// Mints a handle from the one `value` names and installs it in this table — the table of
    /// process `owner` — under a single acquisition of the writer lock (`zx_handle_duplicate`'s
    /// path: one lock instead of a reader lock for the lookup and a writer lock for the
    /// insertion). Like [`crate::Process::add_handle`] it tells the object where the handle was
    /// installed. `mint` must not touch this table; if it fails, nothing changes.
    pub fn add_derived(
        &self,
        owner: Koid,
        value: HandleValue,
        mint: impl FnOnce(&Handle) -> Result<Handle, Status>,
    ) -> Result<HandleValue, Status> {
        let (index, generation) = self.decode(value).ok_or(Status::BAD_HANDLE)?;
        let mut slots = self.slots.write();
        let source = Self::lookup(&slots, index, generation).ok_or(Status::BAD_HANDLE)?;
        let minted = mint(source)?;
        minted.object().installed(owner);
        Ok(self.insert(&mut slots, minted))
    }

    fn insert(&self, slots: &mut Slots, mut handle: Handle) -> HandleValue {
        slots.live += 1;
        let reuse =
            slots.free.len() >= REUSE_AFTER_FREED || slots.entries.len() >= MAX_HANDLES_PER_TABLE;
        if let Some(index) = reuse.then(|| slots.free.pop_front()).flatten() {
            let slot = &mut slots.entries[index as usize];
            handle.generation = match slot {
                Slot::Free(generation) => *generation,
                Slot::Live(_) => unreachable!("a slot on the free list holds no handle"),
            };
            let value = self.encode(index, handle.generation);
            *slot = Slot::Live(handle);
            return value;
        }
        let index = slots.entries.len() as u32;
        debug_assert!(
            (index as usize) < MAX_HANDLES_PER_TABLE,
            "handle arena cap exceeds a table"
        );
        handle.generation = 0;
        slots.entries.push(Slot::Live(handle));
        self.encode(index, 0)
    }

    #[inline]
    fn lookup(slots: &Slots, index: usize, generation: u32) -> Option<&Handle> {
        slots.entries.get(index)?.live(generation)
    }

    /// The handle `value` names in `slots` (this table's, under either lock), or `BAD_HANDLE`.
    #[inline]
    fn find<'s>(&self, slots: &'s Slots, value: HandleValue) -> Result<&'s Handle, Status> {
        let (index, generation) = self.decode(value).ok_or(Status::BAD_HANDLE)?;
        Self::lookup(slots, index, generation).ok_or(Status::BAD_HANDLE)
    }

    /// [`HandleTable::find`], then the typed checks of [`Handle::object_as`].
    #[inline]
    fn find_object<'s, T: Expected>(
        &self,
        slots: &'s Slots,
        value: HandleValue,
        rights: Rights,
    ) -> Result<(&'s Handle, &'s Dispatcher<T>), Status> {
        let handle = self.find(slots, value)?;
        Ok((handle, handle.object_as::<T>(rights)?))
    }

    /// Runs `f` on the handle `value` names, under the table's reader lock.
    #[inline]
    pub fn with<R>(&self, value: HandleValue, f: impl FnOnce(&Handle) -> R) -> Result<R, Status> {
        let slots = self.slots.read();
        self.find(&slots, value).map(f)
    }

    /// The typed lookup, in Zircon's order — `BAD_HANDLE`, `WRONG_TYPE`, `ACCESS_DENIED` — then
    /// `f` on the handle and its typed object, under the table's reader lock. `T` is an object
    /// type, or `AnyObject` for calls that take any type.
    #[inline]
    pub fn with_object<T: Expected, R>(
        &self,
        value: HandleValue,
        rights: Rights,
        f: impl FnOnce(&Handle, &Dispatcher<T>) -> R,
    ) -> Result<R, Status> {
        self.with(value, |handle| {
            handle
                .object_as::<T>(rights)
                .map(|object| f(handle, object))
        })?
    }

    /// [`HandleTable::with_object`] returning another reference to the typed object.
    pub fn get<T: Expected>(&self, value: HandleValue, rights: Rights) -> Result<T::Ref, Status> {
        self.with(value, |handle| handle.object_arc::<T>(rights))?
    }

    /// Takes the table's reader lock for several lookups (a syscall with two handle arguments
    /// resolves both under one acquisition). Hold it only as long as [`HandleTable::with`] would
    /// be held: the lock order is `handle table -> object -> port`.
    #[inline]
    pub fn read(&self) -> HandleTableReader<'_> {
        HandleTableReader {
            table: self,
            slots: self.slots.read(),
        }
    }

    /// Removes the handle `value` names and hands it to the caller, who decides whether it is
    /// closed (dropped — outside this table's lock) or moved elsewhere.
    pub fn remove(&self, value: HandleValue) -> Result<Handle, Status> {
        self.remove_if(value, |_| Ok(()))
    }

    /// Removes the handle only if `check` accepts it; a refusal leaves it in place.
    pub fn remove_if(
        &self,
        value: HandleValue,
        check: impl FnOnce(&Handle) -> Result<(), Status>,
    ) -> Result<Handle, Status> {
        self.write().remove_if(value, check)
    }

    /// Takes the table's writer lock for several lookups and removals (`zx_channel_write` looks
    /// up its channel and takes its handles under one acquisition). Handles removed through it
    /// must be dropped after it is released.
    pub fn write(&self) -> HandleTableWriter<'_> {
        HandleTableWriter {
            table: self,
            slots: self.slots.write(),
        }
    }

    /// Number of handles in the table.
    pub fn len(&self) -> usize {
        self.slots.read().live
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every handle of the table with its value, in slot order, taken under the reader lock
    /// (a kernel snapshot's view; the objects are dropped by the caller, outside the lock).
    pub fn entries(&self) -> Vec<(HandleValue, Rights, DispatcherRef)> {
        let slots = self.slots.read();
        slots
            .entries
            .iter()
            .enumerate()
            .filter_map(|(index, slot)| match slot {
                Slot::Live(handle) => Some((
                    self.encode(index as u32, handle.generation),
                    handle.rights,
                    handle.object().to_ref(),
                )),
                Slot::Free(_) => None,
            })
            .collect()
    }

    /// Empties the table (process teardown). The handles are dropped after the lock is released.
    pub fn clear(&self) {
        let taken: Vec<Handle> = {
            let mut slots = self.slots.write();
            let mut taken = Vec::with_capacity(slots.live);
            let mut index = 0u32;
            while (index as usize) < slots.entries.len() {
                if let Some(handle) = slots.entries[index as usize].take() {
                    taken.push(handle);
                    slots.free.push_back(index);
                }
                index += 1;
            }
            slots.live = 0;
            taken
        };
        drop(taken);
    }
}

/// The handle table under its reader lock: see [`HandleTable::read`].
pub struct HandleTableReader<'a> {
    table: &'a HandleTable,
    slots: RwLockReadGuard<'a, Slots>,
}

impl HandleTableReader<'_> {
    /// The handle `value` names, or `BAD_HANDLE`.
    #[inline]
    pub fn handle(&self, value: HandleValue) -> Result<&Handle, Status> {
        self.table.find(&self.slots, value)
    }

    /// The typed lookup of [`HandleTable::with_object`], for a caller holding the reader lock.
    #[inline]
    pub fn object<T: Expected>(
        &self,
        value: HandleValue,
        rights: Rights,
    ) -> Result<(&Handle, &Dispatcher<T>), Status> {
        self.table.find_object(&self.slots, value, rights)
    }
}

/// The handle table under its writer lock: see [`HandleTable::write`].
pub struct HandleTableWriter<'a> {
    table: &'a HandleTable,
    slots: RwLockWriteGuard<'a, Slots>,
}

impl HandleTableWriter<'_> {
    /// The handle `value` names, or `BAD_HANDLE`.
    #[inline]
    pub fn handle(&self, value: HandleValue) -> Result<&Handle, Status> {
        self.table.find(&self.slots, value)
    }

    /// The typed lookup of [`HandleTable::with_object`].
    #[inline]
    pub fn object<T: Expected>(
        &self,
        value: HandleValue,
        rights: Rights,
    ) -> Result<(&Handle, &Dispatcher<T>), Status> {
        self.table.find_object(&self.slots, value, rights)
    }

    /// Removes the handle only if `check` accepts it; a refusal leaves it in place.
    pub fn remove_if(
        &mut self,
        value: HandleValue,
        check: impl FnOnce(&Handle) -> Result<(), Status>,
    ) -> Result<Handle, Status> {
        let (index, generation) = self.table.decode(value).ok_or(Status::BAD_HANDLE)?;
        let slot = self
            .slots
            .entries
            .get_mut(index)
            .filter(|slot| slot.live(generation).is_some())
            .ok_or(Status::BAD_HANDLE)?;
        if let Slot::Live(handle) = slot {
            check(handle)?;
        }
        let handle = slot.take().ok_or(Status::BAD_HANDLE)?;
        self.slots.free.push_back(index as u32);
        self.slots.live -= 1;
        Ok(handle)
    }

    /// Removes the handle `value` names.
    pub fn remove(&mut self, value: HandleValue) -> Result<Handle, Status> {
        self.remove_if(value, |_| Ok(()))
    }

    /// Installs `handle` (see [`HandleTable::add`]).
    pub fn add(&mut self, handle: Handle) -> HandleValue {
        self.table.insert(&mut self.slots, handle)
    }
}
