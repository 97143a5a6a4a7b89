//! What the hot syscalls cost in lock round trips, measured by the lock-order checker's
//! per-thread count of ranked acquisitions (debug builds): one acquisition of the caller's
//! handle table per syscall, and one of each object or port lock the operation needs. A change
//! that adds a round trip to one of these paths fails here and has to say why.
#![cfg(debug_assertions)]

use zxsim_kernel::sync::{lock_acquisitions, take_lock_nesting, LockClass};
use zxsim_kernel::{Config, Kernel};
use zxsim_syscalls::sys::*;

use LockClass::{HandleTable, Object, Port, Waiter};

/// The ranked locks `f` takes on the calling thread, by class.
fn taken_by(f: impl FnOnce()) -> Vec<(LockClass, u64)> {
    let before = lock_acquisitions();
    f();
    let after = lock_acquisitions();
    after
        .into_iter()
        .filter_map(|(class, n)| {
            let earlier = before
                .iter()
                .find(|(c, _)| *c == class)
                .map_or(0, |(_, n)| *n);
            (n > earlier).then_some((class, n - earlier))
        })
        .collect()
}

fn event() -> zx_handle_t {
    let mut event = 0;
    assert_eq!(zx_event_create(0, &mut event), ZX_OK);
    event
}

#[test]
fn hot_syscalls_take_one_table_lock_and_the_object_locks_they_need() {
    let kernel = Kernel::new(Config::default());
    let process = kernel.create_process();
    let _bound = process.bind();
    let (mut a, mut b, mut port) = (0, 0, 0);
    assert_eq!(zx_channel_create(0, &mut a, &mut b), ZX_OK);
    assert_eq!(zx_port_create(0, &mut port), ZX_OK);
    let watched = event();

    // zx_object_signal: the table (reader), the event.
    assert_eq!(
        taken_by(|| assert_eq!(zx_object_signal(watched, 0, ZX_USER_SIGNAL_0), ZX_OK)),
        [(HandleTable, 1), (Object, 1)]
    );

    // zx_channel_write without handles: the table (reader), the pair.
    assert_eq!(
        taken_by(|| assert_eq!(zx_channel_write(a, 0, b"hi", &[]), ZX_OK)),
        [(HandleTable, 1), (Object, 1)]
    );

    // zx_channel_write with handles: the table once (writer: lookup, removals and the write),
    // the pair once.
    let sent = [event(), event()];
    assert_eq!(
        taken_by(|| assert_eq!(zx_channel_write(a, 0, b"with", &sent), ZX_OK)),
        [(HandleTable, 1), (Object, 1)]
    );

    // zx_channel_read of a message with two handles: the table's reader lock for the read, its
    // writer lock once to install both handles, the pair once.
    let mut bytes = [0u8; 8];
    let mut handles = [0; 2];
    assert_eq!(
        zx_channel_read(b, 0, &mut bytes, &mut [], None, None),
        ZX_OK,
        "the first message"
    );
    assert_eq!(
        taken_by(|| assert_eq!(
            zx_channel_read(b, 0, &mut bytes, &mut handles, None, None),
            ZX_OK
        )),
        [(HandleTable, 2), (Object, 1)]
    );

    // zx_port_queue and zx_port_wait with a packet queued: the table and the port, once each.
    let packet = zx_port_packet_t::new_user(7, 0, zx_packet_user_t::default());
    assert_eq!(
        taken_by(|| assert_eq!(zx_port_queue(port, &packet), ZX_OK)),
        [(HandleTable, 1), (Port, 1)]
    );
    let mut out = zx_port_packet_t::default();
    assert_eq!(
        taken_by(|| assert_eq!(zx_port_wait(port, ZX_TIME_INFINITE, &mut out), ZX_OK)),
        [(HandleTable, 1), (Port, 1)]
    );

    // zx_object_wait_async, then the signal that fires it: one table lookup for both handles,
    // the object, the port's index; the fire queues under the port lock.
    assert_eq!(zx_object_signal(watched, ZX_USER_SIGNAL_0, 0), ZX_OK);
    assert_eq!(
        taken_by(|| assert_eq!(
            zx_object_wait_async(watched, port, 1, ZX_USER_SIGNAL_0, 0),
            ZX_OK
        )),
        [(HandleTable, 1), (Object, 1), (Port, 1)]
    );
    assert_eq!(
        taken_by(|| assert_eq!(zx_object_signal(watched, 0, ZX_USER_SIGNAL_0), ZX_OK)),
        [(HandleTable, 1), (Object, 1), (Port, 1)]
    );

    // zx_object_wait_one on an already-active signal: the table and the object, no waiter.
    let mut observed = 0;
    let taken = taken_by(|| {
        assert_eq!(
            zx_object_wait_one(watched, ZX_USER_SIGNAL_0, 0, Some(&mut observed)),
            ZX_OK
        )
    });
    assert_eq!(taken, [(HandleTable, 1), (Object, 1)]);
    assert!(!taken.iter().any(|(class, _)| *class == Waiter));

    let mut all = vec![a, b, port, watched];
    all.extend(handles);
    assert_eq!(zx_handle_close_many(&all), ZX_OK);
    assert_eq!((kernel.live_objects(), kernel.live_handles()), (0, 0));
}

/// `zx_object_wait_async` registers its observer under the caller's handle-table lock, as in
/// Zircon, so a racing `zx_handle_close` (which removes the handle under the writer lock, then
/// cancels) either comes first (`BAD_HANDLE`) or finds the observer. Loom explores that race;
/// this pins the rule itself, deterministically: the object lock it registers under — the only
/// object lock the call takes — is taken while the table lock is held.
#[test]
fn wait_async_registers_its_observer_under_the_handle_table_lock() {
    let kernel = Kernel::new(Config::default());
    let process = kernel.create_process();
    let _bound = process.bind();
    let watched = event();
    let mut port = 0;
    assert_eq!(zx_port_create(0, &mut port), ZX_OK);

    take_lock_nesting();
    assert_eq!(
        zx_object_wait_async(watched, port, 1, ZX_USER_SIGNAL_0, 0),
        ZX_OK
    );
    let nested = take_lock_nesting();
    assert!(
        nested.contains(&(HandleTable, Object)),
        "zx_object_wait_async registered outside the table lock: {nested:?}"
    );
    assert_eq!(
        process
            .handles()
            .with(watched, |h| h
                .object()
                .with_signals(|state| state.observer_count()))
            .expect("a live handle"),
        1,
        "the observer is registered"
    );

    assert_eq!(zx_handle_close_many(&[watched, port]), ZX_OK);
    assert_eq!((kernel.live_objects(), kernel.live_handles()), (0, 0));
}
