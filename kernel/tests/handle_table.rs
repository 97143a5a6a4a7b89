//! The handle table's value encoding and slot reuse as `kernel/src/handle.rs` documents them,
//! checked on a table with a known secret (a process's table has a random one, so the syscall
//! tests can only check properties of values, not the values themselves).

use zxsim_kernel::handle::{HandleTable, HandleValue, REUSE_AFTER_FREED};
use zxsim_kernel::objects::event::Event;
use zxsim_kernel::{Config, DispatcherRef, Handle, Kernel, Rights};

/// The value of the handle in slot `index` with `generation`, under `secret` (module docs:
/// 18 index bits, 12 generation bits, two fixed bits, XOR the secret).
fn value(secret: u32, index: u32, generation: u32) -> HandleValue {
    (((index << 12) | generation) << 2 | 3) ^ secret
}

fn new_event(kernel: &Kernel) -> DispatcherRef {
    kernel.new_object(Event::new()).as_base()
}

fn handle(object: &DispatcherRef) -> Handle {
    Handle::new(object, Rights::BASIC).expect("room in the arena")
}

#[test]
fn values_are_slot_and_generation_xor_the_secret() {
    let kernel = Kernel::new(Config::default().with_virtual_clock());
    let event = new_event(&kernel);
    // The secret's two low bits are ignored: values keep both fixed bits.
    let secret = 0x5A5A_0F0F;
    let table = HandleTable::new(secret);
    let masked = secret & !3;
    let values: Vec<HandleValue> = (0..3).map(|_| table.add(handle(&event))).collect();
    assert_eq!(
        values,
        [
            value(masked, 0, 0),
            value(masked, 1, 0),
            value(masked, 2, 0)
        ]
    );
    assert_eq!(table.len(), 3);
    assert!(!table.is_empty());
    // Another secret, other values for the same slots.
    let other = HandleTable::new(0);
    assert_eq!(other.add(handle(&event)), value(0, 0, 0));
    assert!(table.with(value(0, 0, 0), |_| ()).is_err());
    // Each value names its own handle; a value with a fixed bit cleared names none.
    for v in &values {
        table
            .with(*v, |h| assert_eq!(h.rights(), Rights::BASIC))
            .unwrap();
        assert!(table.with(*v & !1, |_| ()).is_err());
        assert!(table.with(*v & !2, |_| ()).is_err());
    }
    drop(table.remove(values[1]).unwrap());
    assert_eq!(table.len(), 2);
    assert!(table.with(values[1], |_| ()).is_err());
}

#[test]
fn a_freed_slot_is_reused_once_enough_others_are_free() {
    let kernel = Kernel::new(Config::default().with_virtual_clock());
    let event = new_event(&kernel);
    let table = HandleTable::new(0);
    let values: Vec<HandleValue> = (0..REUSE_AFTER_FREED)
        .map(|_| table.add(handle(&event)))
        .collect();
    // One slot free: the next handle takes a fresh slot.
    drop(table.remove(values[0]).unwrap());
    let fresh = table.add(handle(&event));
    assert_eq!(fresh, value(0, REUSE_AFTER_FREED as u32, 0));
    drop(table.remove(fresh).unwrap());
    // REUSE_AFTER_FREED - 1 free slots (slot 0, the fresh one, 1..=509): still a fresh slot.
    for v in &values[1..REUSE_AFTER_FREED - 2] {
        drop(table.remove(*v).unwrap());
    }
    let fresh = table.add(handle(&event));
    assert_eq!(fresh, value(0, REUSE_AFTER_FREED as u32 + 1, 0));
    // Exactly REUSE_AFTER_FREED free: the least recently freed slot (0) comes back, one
    // generation on.
    drop(table.remove(values[REUSE_AFTER_FREED - 2]).unwrap());
    let reused = table.add(handle(&event));
    assert_eq!(reused, value(0, 0, 1));
    // Its old value stays stale.
    assert!(table.with(values[0], |_| ()).is_err());
    assert_eq!(table.len(), 3);
}

#[test]
fn entries_and_clear() {
    let kernel = Kernel::new(Config::default().with_virtual_clock());
    let event = new_event(&kernel);
    let table = HandleTable::new(0x1000);
    let a = table.add(handle(&event));
    let b = table.add(Handle::new(&event, Rights::TRANSFER).unwrap());
    let c = table.add(handle(&event));
    drop(table.remove(b).unwrap());
    let entries: Vec<(HandleValue, Rights)> = table
        .entries()
        .into_iter()
        .map(|(v, rights, object)| {
            assert!(DispatcherRef::ptr_eq(&object, &event));
            (v, rights)
        })
        .collect();
    assert_eq!(entries, [(a, Rights::BASIC), (c, Rights::BASIC)]);
    assert_eq!(event.handle_count(), 2);
    table.clear();
    assert!(table.is_empty());
    assert_eq!(event.handle_count(), 0);
    assert!(table.with(a, |_| ()).is_err());
    // Three free slots are too few to reuse one: a fresh slot.
    assert_eq!(table.add(handle(&event)), value(0x1000, 3, 0));
}

#[test]
fn a_handle_debugs_as_its_object_and_rights() {
    let kernel = Kernel::new(Config::default().with_virtual_clock());
    let event = new_event(&kernel);
    let text = format!("{:?}", handle(&event));
    assert!(text.starts_with("Handle"), "{text}");
    assert!(text.contains(&format!("koid: {}", event.koid())), "{text}");
    assert!(text.contains(&format!("{:?}", event.obj_type())), "{text}");
    assert!(text.contains(&format!("{:?}", Rights::BASIC)), "{text}");
}
