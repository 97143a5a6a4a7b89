//! Tests of the typed `zx` layer, each on a private kernel with a virtual clock. Every test ends
//! by checking that the kernel has no live object or handle left.

use zxsim_kernel::{Config, Kernel, Profile};
use zxsim_syscalls::sys;
use zxsim_syscalls::zx::{
    self, AsHandleRef, Event, EventPair, Handle, HandleBased, Koid, MonotonicDuration,
    MonotonicInstant, ObjectType, Packet, PacketContents, Peered, Port, Rights, Signals, Status,
    Unowned, UserPacket, WaitAsyncOpts, WaitItem,
};

mod common;

/// Runs `body` on a fresh process of a fresh kernel bound to this thread; every handle `body`
/// made is dropped while still bound. Then nothing may be left alive.
fn run_with(config: Config, body: impl FnOnce(&Kernel)) {
    let kernel = Kernel::new(config.with_virtual_clock());
    let process = kernel.create_process();
    {
        let _bound = process.bind();
        body(&kernel);
    }
    assert_eq!(
        (kernel.live_objects(), kernel.live_handles()),
        (0, 0),
        "leaked objects or handles"
    );
}

fn run(body: impl FnOnce(&Kernel)) {
    run_with(Config::default(), body);
}

const POLL: MonotonicInstant = MonotonicInstant::INFINITE_PAST;
const EVENT_RIGHTS: Rights = Rights::BASIC.union(Rights::SIGNAL);
const EVENTPAIR_RIGHTS: Rights = EVENT_RIGHTS.union(Rights::SIGNAL_PEER);

fn signal_packet(packet: &Packet) -> zx::SignalPacket {
    match packet.contents() {
        PacketContents::SignalOne(signal) => signal,
        other => panic!("expected a signal packet, got {other:?}"),
    }
}

// ---- Status ------------------------------------------------------------------------------

#[test]
fn status_prints_zircon_names_and_converts() {
    assert_eq!(format!("{:?}", Status::OK), "Status(OK)");
    assert_eq!(format!("{:?}", Status::PEER_CLOSED), "Status(PEER_CLOSED)");
    assert_eq!(format!("{:?}", Status::TIMED_OUT), "Status(TIMED_OUT)");
    assert_eq!(format!("{:?}", Status::from_raw(-9999)), "Status(-9999)");
    assert_eq!(format!("{}", Status::BAD_HANDLE), "ZX_ERR_BAD_HANDLE");
    assert_eq!(
        Status::from_raw(sys::ZX_ERR_ACCESS_DENIED),
        Status::ACCESS_DENIED
    );
    assert_eq!(Status::SHOULD_WAIT.into_raw(), sys::ZX_ERR_SHOULD_WAIT);

    assert_eq!(zx::ok(sys::ZX_OK), Ok(()));
    assert_eq!(zx::ok(sys::ZX_ERR_PEER_CLOSED), Err(Status::PEER_CLOSED));
    assert_eq!(zx::ok(-9999), Err(Status::from_raw(-9999)));

    let boxed: Box<dyn std::error::Error> = Box::new(Status::NOT_FOUND);
    assert_eq!(boxed.to_string(), "ZX_ERR_NOT_FOUND");
    let io: std::io::Error = Status::TIMED_OUT.into();
    assert_eq!(io.kind(), std::io::ErrorKind::TimedOut);
}

#[test]
fn zx_errors_flow_through_question_mark() {
    fn poll(event: &Event) -> zx::Result<Signals> {
        let observed = event.wait_handle(Signals::USER_0, POLL).to_result()?;
        Ok(observed)
    }
    fn as_io(event: &Event) -> std::io::Result<Signals> {
        Ok(poll(event)?)
    }
    run(|_| {
        let event = Event::create();
        assert_eq!(poll(&event), Err(Status::TIMED_OUT));
        assert_eq!(
            as_io(&event).unwrap_err().kind(),
            std::io::ErrorKind::TimedOut
        );
    });
}

// ---- Handle ownership ----------------------------------------------------------------------

#[test]
fn drop_closes_the_handle_and_the_last_one_the_object() {
    run(|kernel| {
        let event = Event::create();
        assert_eq!((kernel.live_objects(), kernel.live_handles()), (1, 1));
        let dup = event.duplicate_handle(Rights::SAME_RIGHTS).unwrap();
        assert_eq!((kernel.live_objects(), kernel.live_handles()), (1, 2));
        let raw = event.raw_handle();
        drop(event);
        assert_eq!((kernel.live_objects(), kernel.live_handles()), (1, 1));
        // The old value is gone from the table.
        assert_eq!(sys::zx_handle_close(raw), sys::ZX_ERR_BAD_HANDLE);
        drop(dup);
        assert_eq!((kernel.live_objects(), kernel.live_handles()), (0, 0));

        let (a, b) = EventPair::create();
        let port = Port::create();
        assert_eq!((kernel.live_objects(), kernel.live_handles()), (3, 3));
        drop((a, b, port));
        assert_eq!((kernel.live_objects(), kernel.live_handles()), (0, 0));
    });
}

#[test]
fn invalid_handle_is_inert() {
    run(|kernel| {
        let invalid = Handle::invalid();
        assert!(invalid.is_invalid());
        assert!(invalid.is_invalid_handle());
        assert_eq!(invalid.raw_handle(), sys::ZX_HANDLE_INVALID);
        assert_eq!(invalid.basic_info(), Err(Status::BAD_HANDLE));
        assert_eq!(
            invalid.signal_handle(Signals::NONE, Signals::USER_0),
            Err(Status::BAD_HANDLE)
        );
        assert!(Handle::default().is_invalid());
        drop(invalid);
        assert_eq!(kernel.live_handles(), 0);

        let event = Event::create();
        assert!(!event.is_invalid_handle());
        assert!(!event.as_handle_ref().is_invalid());
    });
}

#[test]
fn into_raw_and_from_raw_transfer_ownership() {
    run(|kernel| {
        let raw = Event::create().into_raw();
        assert_ne!(raw, sys::ZX_HANDLE_INVALID);
        // Released, not closed.
        assert_eq!(kernel.live_handles(), 1);
        assert_eq!(
            sys::zx_object_signal(raw, 0, sys::ZX_USER_SIGNAL_2),
            sys::ZX_OK
        );

        // SAFETY: `raw` is an open handle of this process that nothing else will close.
        let handle = unsafe { Handle::from_raw(raw) };
        assert_eq!(handle.raw_handle(), raw);
        let event = Event::from(handle);
        assert_eq!(
            event.wait_handle(Signals::USER_2, POLL),
            Ok(Signals::USER_2)
        );

        // Conversions between handle types keep the value and close nothing.
        let handle: Handle = event.into_handle();
        let event: Event = handle.into_handle_based();
        let handle = Handle::from_handle_based(event);
        let event = Event::from_handle(handle);
        assert_eq!(event.raw_handle(), raw);
        assert_eq!(kernel.live_handles(), 1);
        drop(event);
        assert_eq!(kernel.live_handles(), 0);
    });
}

#[test]
fn duplicate_keeps_or_reduces_rights() {
    run(|_| {
        let event = Event::create();
        let info = event.basic_info().unwrap();
        assert_eq!(info.rights, EVENT_RIGHTS);

        let same = event.duplicate_handle(Rights::SAME_RIGHTS).unwrap();
        let same_info = same.basic_info().unwrap();
        assert_eq!(same_info.rights, EVENT_RIGHTS);
        assert_eq!(same_info.koid, info.koid);
        assert_ne!(same.raw_handle(), event.raw_handle());

        let waiter = event
            .duplicate_handle(Rights::WAIT | Rights::INSPECT)
            .unwrap();
        assert_eq!(
            waiter.basic_info().unwrap().rights,
            Rights::WAIT | Rights::INSPECT
        );
        assert_eq!(event.count_info().unwrap().handle_count, 3);
        assert_eq!(
            waiter.signal_handle(Signals::NONE, Signals::USER_0),
            Err(Status::ACCESS_DENIED)
        );
        // No DUPLICATE right left to duplicate with.
        assert_eq!(
            waiter.duplicate_handle(Rights::WAIT).unwrap_err(),
            Status::ACCESS_DENIED
        );
        // More rights than the source has.
        assert_eq!(
            event.duplicate_handle(Rights::READ).unwrap_err(),
            Status::INVALID_ARGS
        );

        // The untyped and borrowed forms reach the same syscall.
        let untyped = event.as_handle_ref().duplicate(Rights::WAIT).unwrap();
        assert_eq!(untyped.basic_info().unwrap().rights, Rights::WAIT);
        let handle = Handle::from(same);
        let again = handle.duplicate(Rights::INSPECT).unwrap();
        assert_eq!(again.basic_info().unwrap().rights, Rights::INSPECT);
    });
}

#[test]
fn replace_swaps_the_handle() {
    run(|kernel| {
        let event = Event::create();
        let koid = event.get_koid().unwrap();
        let old = event.raw_handle();
        let reduced = event
            .replace_handle(Rights::WAIT | Rights::INSPECT)
            .unwrap();
        assert_eq!(kernel.live_handles(), 1);
        assert_ne!(reduced.raw_handle(), old);
        let info = reduced.basic_info().unwrap();
        assert_eq!(
            (info.koid, info.rights),
            (koid, Rights::WAIT | Rights::INSPECT)
        );
        assert_eq!(sys::zx_handle_close(old), sys::ZX_ERR_BAD_HANDLE);

        // Asking for rights the handle lacks closes it anyway (Zircon's rule).
        assert_eq!(
            reduced.replace_handle(Rights::SIGNAL).unwrap_err(),
            Status::INVALID_ARGS
        );
        assert_eq!((kernel.live_objects(), kernel.live_handles()), (0, 0));

        let handle = Event::create().into_handle();
        let replaced = handle.replace(Rights::SAME_RIGHTS).unwrap();
        assert_eq!(replaced.basic_info().unwrap().rights, EVENT_RIGHTS);
    });
}

#[test]
fn a_full_handle_arena_fails_duplicate_and_replace_without_leaking() {
    run_with(Config::default().with_max_handles(1), |kernel| {
        let event = Event::create();
        assert_eq!(
            event.duplicate_handle(Rights::SAME_RIGHTS).unwrap_err(),
            Status::NO_MEMORY
        );
        // The kernel keeps the source on NO_MEMORY; the typed layer closes it, so the handle it
        // consumed does not leak.
        assert_eq!(
            event.replace_handle(Rights::WAIT).unwrap_err(),
            Status::NO_MEMORY
        );
        assert_eq!((kernel.live_objects(), kernel.live_handles()), (0, 0));
    });
}

// ---- Borrowed handles ----------------------------------------------------------------------

#[test]
fn unowned_handles_borrow_without_closing() {
    run(|kernel| {
        let event = Event::create();
        {
            let by_ref = Unowned::<Event>::new(&event);
            by_ref.signal(Signals::NONE, Signals::USER_3).unwrap();
            let copy = by_ref.clone();
            assert_eq!(copy.raw_handle(), event.raw_handle());
            // Deref gives the typed handle's methods.
            assert_eq!(copy.get_koid(), event.get_koid());
            // SAFETY: `event` stays open for this whole block.
            let raw_ref = unsafe { Unowned::<Event>::from_raw_handle(event.raw_handle()) };
            assert_eq!(raw_ref.wait(Signals::USER_3, POLL), Ok(Signals::USER_3));
            let cast: Unowned<'_, Event> = event.as_handle_ref().cast();
            assert_eq!(cast.wait_handle(Signals::USER_3, POLL), Ok(Signals::USER_3));
            let owned = cast.duplicate(Rights::WAIT).unwrap();
            assert_eq!(kernel.live_handles(), 2);
            drop(owned);
        }
        // None of the borrows closed anything.
        assert_eq!(kernel.live_handles(), 1);
        assert_eq!(
            event.wait_handle(Signals::USER_3, POLL),
            Ok(Signals::USER_3)
        );

        // `&T` is `AsHandleRef` too.
        fn koid_of(handle: impl AsHandleRef) -> Koid {
            handle.get_koid().unwrap()
        }
        assert_eq!(koid_of(&event), event.get_koid().unwrap());
    });
}

// ---- Info ----------------------------------------------------------------------------------

#[test]
fn basic_info_reports_type_rights_and_koids() {
    run(|_| {
        let event = Event::create();
        let port = Port::create();
        let (left, right) = EventPair::create();

        let info = event.basic_info().unwrap();
        assert_eq!(info.object_type, ObjectType::EVENT);
        assert_eq!(info.related_koid, Koid::from_raw(0));
        assert!(info.koid.raw_koid() >= sys::ZX_KOID_FIRST);

        let info = port.basic_info().unwrap();
        assert_eq!(info.object_type, ObjectType::PORT);
        assert_eq!(
            info.rights,
            Rights::TRANSFER | Rights::DUPLICATE | Rights::INSPECT | Rights::IO
        );

        let (l, r) = (left.basic_info().unwrap(), right.basic_info().unwrap());
        assert_eq!(
            (l.object_type, r.object_type),
            (ObjectType::EVENTPAIR, ObjectType::EVENTPAIR)
        );
        assert_eq!((l.rights, r.rights), (EVENTPAIR_RIGHTS, EVENTPAIR_RIGHTS));
        assert_eq!((l.related_koid, r.related_koid), (r.koid, l.koid));

        let koids = [
            event.get_koid().unwrap(),
            port.get_koid().unwrap(),
            left.get_koid().unwrap(),
            right.get_koid().unwrap(),
        ];
        let mut unique = koids.to_vec();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 4, "{koids:?}");
        assert_eq!(event.count_info().unwrap().handle_count, 1);
    });
}

#[test]
fn object_type_values_and_names_are_zircons() {
    assert_eq!(ObjectType::EVENT.into_raw(), sys::ZX_OBJ_TYPE_EVENT);
    assert_eq!(ObjectType::from_raw(16), ObjectType::EVENTPAIR);
    assert_eq!(format!("{:?}", ObjectType::PORT), "ObjectType(PORT)");
    assert_eq!(
        format!("{:?}", ObjectType::from_raw(200)),
        "ObjectType(200)"
    );
    assert_eq!(ObjectType::CHANNEL.name(), Some("CHANNEL"));
    assert_eq!(ObjectType::from_raw(12).name(), Some("DEBUGLOG"));
    assert_eq!(Koid::from_raw(1024).raw_koid(), 1024);
}

// ---- Signals and synchronous waits ---------------------------------------------------------

#[test]
fn signal_and_wait_handle() {
    run(|_| {
        let event = Event::create();
        assert_eq!(
            event.wait_handle(Signals::USER_0, POLL),
            Err(Status::TIMED_OUT)
        );
        event
            .signal_handle(Signals::NONE, Signals::USER_0 | Signals::EVENT_SIGNALED)
            .unwrap();
        assert_eq!(
            event.wait_handle(Signals::USER_0, MonotonicInstant::INFINITE),
            Ok(Signals::USER_0 | Signals::EVENT_SIGNALED)
        );
        event.signal_handle(Signals::USER_0, Signals::NONE).unwrap();
        assert_eq!(
            event.wait_handle(Signals::USER_0, POLL),
            Err(Status::TIMED_OUT)
        );
        assert_eq!(
            event.wait_handle(Signals::EVENT_SIGNALED, POLL),
            Ok(Signals::EVENT_SIGNALED)
        );
        // READABLE is not user-settable on an event.
        assert_eq!(
            event.signal_handle(Signals::NONE, Signals::READABLE),
            Err(Status::INVALID_ARGS)
        );
        // A port is not waitable: its handles lack WAIT.
        let port = Port::create();
        assert_eq!(
            port.wait_handle(Signals::READABLE, POLL),
            Err(Status::ACCESS_DENIED)
        );
    });
}

#[test]
fn wait_handle_times_out_on_the_virtual_clock() {
    let kernel = Kernel::new(Config::default().with_virtual_clock());
    let process = kernel.create_process();
    {
        let _bound = process.bind();
        assert_eq!(MonotonicInstant::get(), MonotonicInstant::ZERO);
        let event = Event::create();
        let deadline = MonotonicInstant::after(MonotonicDuration::from_millis(5));
        assert_eq!(deadline.into_nanos(), 5_000_000);

        // A deadline already passed polls.
        assert_eq!(
            event.wait_handle(Signals::USER_0, MonotonicInstant::get()),
            Err(Status::TIMED_OUT)
        );

        let waiter = event.duplicate_handle(Rights::WAIT).unwrap();
        let thread = process.spawn(move || waiter.wait_handle(Signals::USER_0, deadline));
        common::eventually("the other thread to block on its deadline", || {
            kernel.clock().next_deadline().is_some()
        });
        kernel.advance_clock(MonotonicDuration::from_millis(4).into_nanos());
        assert_eq!(MonotonicInstant::get().into_nanos(), 4_000_000);
        assert!(!thread.is_finished());
        kernel.advance_clock(MonotonicDuration::from_millis(1).into_nanos());
        assert_eq!(thread.join().unwrap(), Err(Status::TIMED_OUT));
        assert_eq!(MonotonicInstant::get(), deadline);
    }
    assert_eq!((kernel.live_objects(), kernel.live_handles()), (0, 0));
}

#[test]
fn wait_handle_wakes_when_signalled_from_another_thread() {
    let kernel = Kernel::new(Config::default().with_virtual_clock());
    let process = kernel.create_process();
    {
        let _bound = process.bind();
        let event = Event::create();
        let signaller = event.duplicate_handle(Rights::SIGNAL).unwrap();
        let thread = process.spawn(move || {
            signaller
                .signal_handle(Signals::NONE, Signals::USER_5)
                .unwrap();
        });
        assert_eq!(
            event.wait_handle(Signals::USER_5, MonotonicInstant::INFINITE),
            Ok(Signals::USER_5)
        );
        thread.join().unwrap();
    }
    assert_eq!((kernel.live_objects(), kernel.live_handles()), (0, 0));
}

#[test]
fn object_wait_many_fills_pending() {
    run(|_| {
        let (e1, e2) = (Event::create(), Event::create());
        let mut items = [
            WaitItem {
                handle: e1.as_handle_ref(),
                waitfor: Signals::USER_0,
                pending: Signals::NONE,
            },
            WaitItem {
                handle: e2.as_handle_ref(),
                waitfor: Signals::USER_1,
                pending: Signals::NONE,
            },
        ];
        assert_eq!(
            zx::object_wait_many(&mut items, POLL),
            Err(Status::TIMED_OUT)
        );
        assert_eq!(
            (items[0].pending, items[1].pending),
            (Signals::NONE, Signals::NONE)
        );

        e2.signal_handle(Signals::NONE, Signals::USER_1).unwrap();
        assert_eq!(
            zx::object_wait_many(&mut items, MonotonicInstant::INFINITE),
            Ok(false)
        );
        assert_eq!(
            (items[0].pending, items[1].pending),
            (Signals::NONE, Signals::USER_1)
        );

        let invalid = Handle::invalid();
        let mut bad = [WaitItem {
            handle: invalid.as_handle_ref(),
            waitfor: Signals::USER_0,
            pending: Signals::NONE,
        }];
        assert_eq!(
            zx::object_wait_many(&mut bad, POLL),
            Err(Status::BAD_HANDLE)
        );
        assert_eq!(zx::object_wait_many(&mut [], POLL), Err(Status::TIMED_OUT));
    });
}

// ---- Ports ---------------------------------------------------------------------------------

#[test]
fn user_packets_round_trip_through_a_port() {
    run(|_| {
        let port = Port::create();
        assert_eq!(port.wait(POLL), Err(Status::TIMED_OUT));
        let mut payload = [0u8; 32];
        payload
            .iter_mut()
            .enumerate()
            .for_each(|(i, b)| *b = i as u8 * 3);
        let sent = Packet::from_user_packet(42, 123, UserPacket::from_u8_array(payload));
        port.queue(&sent).unwrap();
        let received = port.wait(MonotonicInstant::INFINITE).unwrap();
        assert_eq!(received, sent);
        assert_eq!((received.key(), received.status()), (42, 123));
        match received.contents() {
            PacketContents::User(user) => assert_eq!(user.as_u8_array(), &payload),
            other => panic!("expected a user packet, got {other:?}"),
        }
        assert_eq!(port.wait(POLL), Err(Status::TIMED_OUT));

        // Rights are checked by the sys layer: READ to wait, WRITE to queue.
        let reader = port.duplicate_handle(Rights::READ).unwrap();
        assert_eq!(reader.queue(&sent), Err(Status::ACCESS_DENIED));
        let writer = port.duplicate_handle(Rights::WRITE).unwrap();
        assert_eq!(writer.wait(POLL).unwrap_err(), Status::ACCESS_DENIED);
        writer.queue(&sent).unwrap();
        assert_eq!(reader.wait(POLL), Ok(sent));
    });
}

#[test]
fn a_blocked_port_wait_gets_a_packet_queued_by_another_thread() {
    let kernel = Kernel::new(Config::default().with_virtual_clock());
    let process = kernel.create_process();
    {
        let _bound = process.bind();
        let port = Port::create();
        let writer = port.duplicate_handle(Rights::WRITE).unwrap();
        let thread = process.spawn(move || {
            writer
                .queue(&Packet::from_user_packet(9, 0, UserPacket::default()))
                .unwrap();
        });
        let packet = port.wait(MonotonicInstant::INFINITE).unwrap();
        assert_eq!(packet.key(), 9);
        thread.join().unwrap();
    }
    assert_eq!((kernel.live_objects(), kernel.live_handles()), (0, 0));
}

#[test]
fn wait_async_delivers_a_signal_packet_to_port_wait() {
    run(|kernel| {
        let port = Port::create();
        let event = Event::create();
        event
            .wait_async_handle(
                &port,
                42,
                Signals::USER_0 | Signals::USER_1,
                WaitAsyncOpts::TIMESTAMP,
            )
            .unwrap();
        assert_eq!(port.wait(POLL), Err(Status::TIMED_OUT));

        kernel.advance_clock(500);
        event
            .signal_handle(Signals::NONE, Signals::USER_0 | Signals::USER_4)
            .unwrap();
        let packet = port.wait(POLL).unwrap();
        assert_eq!((packet.key(), packet.status()), (42, sys::ZX_OK));
        let signal = signal_packet(&packet);
        assert_eq!(signal.trigger(), Signals::USER_0 | Signals::USER_1);
        assert_eq!(signal.observed(), Signals::USER_0 | Signals::USER_4);
        assert_eq!(signal.count(), 1);
        assert_eq!(signal.timestamp(), MonotonicInstant::from_nanos(500));
        assert_eq!(
            signal.raw_packet().trigger,
            sys::ZX_USER_SIGNAL_0 | sys::ZX_USER_SIGNAL_1
        );

        // One shot: nothing more until asked again.
        assert_eq!(port.wait(POLL), Err(Status::TIMED_OUT));

        // Level-triggered (the default) fires at once for an active signal; no timestamp asked.
        event
            .wait_async_handle(&port, 43, Signals::USER_0, WaitAsyncOpts::empty())
            .unwrap();
        let packet = port.wait(POLL).unwrap();
        assert_eq!(packet.key(), 43);
        assert_eq!(signal_packet(&packet).timestamp(), MonotonicInstant::ZERO);

        // Through a borrowed handle, too.
        event
            .as_handle_ref()
            .wait_async(&port, 44, Signals::USER_4, WaitAsyncOpts::empty())
            .unwrap();
        assert_eq!(port.wait(POLL).unwrap().key(), 44);
    });
}

#[test]
fn edge_triggered_waits_ignore_already_active_signals() {
    run(|_| {
        let port = Port::create();
        let event = Event::create();
        event.signal_handle(Signals::NONE, Signals::USER_0).unwrap();
        event
            .wait_async_handle(&port, 1, Signals::USER_0, WaitAsyncOpts::EDGE_TRIGGERED)
            .unwrap();
        assert_eq!(port.wait(POLL), Err(Status::TIMED_OUT));
        event.signal_handle(Signals::USER_0, Signals::NONE).unwrap();
        event.signal_handle(Signals::NONE, Signals::USER_0).unwrap();
        assert_eq!(port.wait(POLL).unwrap().key(), 1);
    });
}

#[test]
fn wait_async_checks_its_arguments() {
    run(|_| {
        let port = Port::create();
        let event = Event::create();
        assert_eq!(
            event.wait_async_handle(
                &port,
                1,
                Signals::USER_0,
                WaitAsyncOpts::TIMESTAMP | WaitAsyncOpts::BOOT_TIMESTAMP
            ),
            Err(Status::INVALID_ARGS)
        );
        let read_only = port.duplicate_handle(Rights::READ).unwrap();
        assert_eq!(
            event.wait_async_handle(&read_only, 1, Signals::USER_0, WaitAsyncOpts::empty()),
            Err(Status::ACCESS_DENIED)
        );
        let no_wait = event
            .duplicate_handle(Rights::SIGNAL | Rights::DUPLICATE)
            .unwrap();
        assert_eq!(
            no_wait.wait_async_handle(&port, 1, Signals::USER_0, WaitAsyncOpts::empty()),
            Err(Status::ACCESS_DENIED)
        );
        // BOOT_TIMESTAMP alone is fine and stamps the (single) kernel clock.
        event
            .wait_async_handle(&port, 2, Signals::USER_0, WaitAsyncOpts::BOOT_TIMESTAMP)
            .unwrap();
        event.signal_handle(Signals::NONE, Signals::USER_0).unwrap();
        assert_eq!(port.wait(POLL).unwrap().key(), 2);
    });
}

#[test]
fn cancel_and_cancel_key_remove_waits_and_packets() {
    run(|_| {
        let port = Port::create();
        let event = Event::create();

        event
            .wait_async_handle(&port, 5, Signals::USER_0, WaitAsyncOpts::empty())
            .unwrap();
        port.cancel(&event, 5).unwrap();
        event.signal_handle(Signals::NONE, Signals::USER_0).unwrap();
        assert_eq!(port.wait(POLL), Err(Status::TIMED_OUT));
        assert_eq!(port.cancel(&event, 5), Err(Status::NOT_FOUND));

        // A packet already queued is removed too.
        event
            .wait_async_handle(&port, 6, Signals::USER_0, WaitAsyncOpts::empty())
            .unwrap();
        port.cancel(&event, 6).unwrap();
        assert_eq!(port.wait(POLL), Err(Status::TIMED_OUT));

        // cancel_key: pending waits and queued packets with the key, user packets included.
        event.signal_handle(Signals::USER_0, Signals::NONE).unwrap();
        event
            .wait_async_handle(&port, 7, Signals::USER_0, WaitAsyncOpts::empty())
            .unwrap();
        port.queue(&Packet::from_user_packet(7, 0, UserPacket::default()))
            .unwrap();
        port.queue(&Packet::from_user_packet(8, 0, UserPacket::default()))
            .unwrap();
        port.cancel_key(7).unwrap();
        event.signal_handle(Signals::NONE, Signals::USER_0).unwrap();
        assert_eq!(port.wait(POLL).unwrap().key(), 8);
        assert_eq!(port.wait(POLL), Err(Status::TIMED_OUT));
        assert_eq!(port.cancel_key(7), Err(Status::NOT_FOUND));
    });
}

#[test]
fn closing_the_registering_handle_ends_the_wait_only_under_zircon() {
    for (profile, delivered) in [(Profile::Zircon, false), (Profile::Rfc0240, true)] {
        run_with(Config::default().with_profile(profile), |_| {
            let port = Port::create();
            let event = Event::create();
            let other = event.duplicate_handle(Rights::SAME_RIGHTS).unwrap();
            event
                .wait_async_handle(&port, 1, Signals::USER_0, WaitAsyncOpts::empty())
                .unwrap();
            drop(event);
            other.signal_handle(Signals::NONE, Signals::USER_0).unwrap();
            assert_eq!(port.wait(POLL).is_ok(), delivered, "{profile}");
        });
    }
}

// ---- Event pairs ---------------------------------------------------------------------------

#[test]
fn eventpair_signals_its_peer_and_sees_it_close() {
    run(|kernel| {
        let (left, right) = EventPair::create();
        assert_eq!(left.is_closed(), Ok(false));
        left.signal_peer(Signals::NONE, Signals::USER_0 | Signals::EVENTPAIR_SIGNALED)
            .unwrap();
        assert_eq!(
            right.wait_handle(Signals::USER_0, POLL),
            Ok(Signals::USER_0 | Signals::EVENTPAIR_SIGNALED)
        );
        assert_eq!(
            left.wait_handle(Signals::USER_0, POLL),
            Err(Status::TIMED_OUT)
        );
        right.signal_peer(Signals::NONE, Signals::USER_7).unwrap();
        assert_eq!(left.wait_handle(Signals::USER_7, POLL), Ok(Signals::USER_7));
        assert_eq!(
            left.signal_peer(Signals::NONE, Signals::READABLE),
            Err(Status::INVALID_ARGS)
        );

        // A peer-closed wait registered beforehand fires when the other end goes.
        let port = Port::create();
        left.wait_async_handle(
            &port,
            3,
            Signals::EVENTPAIR_PEER_CLOSED,
            WaitAsyncOpts::empty(),
        )
        .unwrap();
        drop(right);
        assert_eq!(kernel.live_objects(), 2);
        let signal = signal_packet(&port.wait(POLL).unwrap());
        assert!(signal.observed().contains(Signals::EVENTPAIR_PEER_CLOSED));
        assert!(
            signal.observed().contains(Signals::USER_7),
            "other bits stay"
        );

        assert_eq!(
            left.wait_handle(Signals::EVENTPAIR_PEER_CLOSED, POLL),
            Ok(Signals::EVENTPAIR_PEER_CLOSED | Signals::USER_7)
        );
        assert_eq!(left.is_closed(), Ok(true));
        assert_eq!(
            left.signal_peer(Signals::NONE, Signals::USER_0),
            Err(Status::PEER_CLOSED)
        );
        // The surviving end can still signal itself.
        left.signal_handle(Signals::USER_7, Signals::USER_1)
            .unwrap();
    });
}

#[test]
fn signal_peer_needs_the_right() {
    run(|_| {
        let (left, _right) = EventPair::create();
        let limited = left
            .duplicate_handle(Rights::SIGNAL | Rights::WAIT)
            .unwrap();
        assert_eq!(
            limited.signal_peer(Signals::NONE, Signals::USER_0),
            Err(Status::ACCESS_DENIED)
        );
    });
}

#[test]
fn user_newtypes_can_implement_the_handle_traits() {
    /// What a protocol wrapper around a handle looks like in user code.
    #[derive(Debug)]
    struct Token(Handle);
    impl AsHandleRef for Token {
        fn as_handle_ref(&self) -> zx::HandleRef<'_> {
            self.0.as_handle_ref()
        }
    }
    impl From<Handle> for Token {
        fn from(handle: Handle) -> Self {
            Token(handle)
        }
    }
    impl From<Token> for Handle {
        fn from(token: Token) -> Handle {
            token.0
        }
    }
    impl HandleBased for Token {}
    impl Peered for Token {}

    run(|kernel| {
        let (left, right) = EventPair::create();
        let token = Token::from_handle_based(left);
        token.signal_peer(Signals::NONE, Signals::USER_2).unwrap();
        assert_eq!(
            right.wait_handle(Signals::USER_2, POLL),
            Ok(Signals::USER_2)
        );
        let weaker = token.duplicate_handle(Rights::WAIT).unwrap();
        assert_eq!(
            weaker.signal_peer(Signals::NONE, Signals::USER_0),
            Err(Status::ACCESS_DENIED)
        );
        assert_eq!(kernel.live_handles(), 3);

        // Marking a non-peered object `Peered` compiles, but the kernel has the last word: an
        // event handle never has SIGNAL_PEER.
        let fake = Token::from_handle_based(Event::create());
        assert_eq!(
            fake.signal_peer(Signals::NONE, Signals::USER_0),
            Err(Status::ACCESS_DENIED)
        );
    });
}

// ---- Time ----------------------------------------------------------------------------------

#[test]
fn durations_and_instants_do_saturating_arithmetic() {
    let d = MonotonicDuration::from_millis(1500);
    assert_eq!(d.into_nanos(), 1_500_000_000);
    assert_eq!(
        (d.into_micros(), d.into_millis(), d.into_seconds()),
        (1_500_000, 1500, 1)
    );
    assert_eq!(MonotonicDuration::from_hours(2).into_minutes(), 120);
    assert_eq!(MonotonicDuration::from_minutes(90).into_hours(), 1);
    assert_eq!(MonotonicDuration::from_micros(3).into_nanos(), 3_000);
    assert_eq!(MonotonicDuration::from_seconds(2).into_seconds_f64(), 2.0);
    assert_eq!(
        MonotonicDuration::from(std::time::Duration::from_micros(7)),
        MonotonicDuration::from_micros(7)
    );
    assert_eq!(
        MonotonicDuration::from(std::time::Duration::MAX),
        MonotonicDuration::INFINITE
    );
    assert_eq!(
        MonotonicDuration::from_seconds(i64::MAX),
        MonotonicDuration::INFINITE
    );

    let t = MonotonicInstant::from_nanos(1_000);
    let step = MonotonicDuration::from_nanos(250);
    assert_eq!((t + step).into_nanos(), 1_250);
    assert_eq!((step + t).into_nanos(), 1_250);
    assert_eq!((t - step).into_nanos(), 750);
    assert_eq!(
        t - MonotonicInstant::from_nanos(400),
        MonotonicDuration::from_nanos(600)
    );
    assert_eq!(step * 4, MonotonicDuration::from_nanos(1_000));
    assert_eq!(step / 5, MonotonicDuration::from_nanos(50));
    assert_eq!(-step, MonotonicDuration::from_nanos(-250));
    assert_eq!(step + step - step, step);
    let mut u = t;
    u += step;
    u -= step * 2;
    assert_eq!(u.into_nanos(), 750);
    let mut s = step;
    s += step;
    s -= MonotonicDuration::from_nanos(100);
    assert_eq!(s.into_nanos(), 400);

    assert_eq!(
        MonotonicInstant::INFINITE + step,
        MonotonicInstant::INFINITE
    );
    assert_eq!(
        MonotonicInstant::INFINITE_PAST - step,
        MonotonicInstant::INFINITE_PAST
    );
    assert_eq!(
        MonotonicInstant::INFINITE.into_nanos(),
        sys::ZX_TIME_INFINITE
    );
    assert_eq!(
        MonotonicInstant::INFINITE_PAST.into_nanos(),
        sys::ZX_TIME_INFINITE_PAST
    );
    assert!(MonotonicInstant::INFINITE_PAST < MonotonicInstant::ZERO);
    assert_eq!(MonotonicInstant::default(), MonotonicInstant::ZERO);
    // As the real crate prints them: the instant with its markers' short names, the duration
    // derived.
    assert_eq!(
        format!("{:?}", t),
        "Instant<MonotonicTimeline, NsUnit>(1000)"
    );
    assert!(format!("{:?}", step).starts_with("Duration(250, PhantomData<"));
    // Old names still work.
    let _: zx::Time = zx::MonotonicTime::ZERO;
}

#[test]
fn clock_reads_and_deadlines_follow_the_bound_kernel() {
    run(|kernel| {
        assert_eq!(MonotonicInstant::get().into_nanos(), 0);
        kernel.advance_clock(1_000);
        assert_eq!(MonotonicInstant::get().into_nanos(), 1_000);
        assert_eq!(
            MonotonicInstant::after(MonotonicDuration::from_nanos(5)).into_nanos(),
            1_005
        );
        assert_eq!(
            MonotonicInstant::after(MonotonicDuration::INFINITE),
            MonotonicInstant::INFINITE
        );
        // Sleeping to a past instant returns at once.
        MonotonicInstant::from_nanos(10).sleep();
        MonotonicDuration::ZERO.sleep();
    });
}

#[test]
fn sleep_waits_for_the_virtual_clock() {
    let kernel = Kernel::new(Config::default().with_virtual_clock());
    let process = kernel.create_process();
    let sleeper = process.spawn(|| {
        MonotonicDuration::from_millis(2).sleep();
        MonotonicInstant::get()
    });
    common::eventually("the other thread to block on its deadline", || {
        kernel.clock().next_deadline().is_some()
    });
    kernel.advance_clock(MonotonicDuration::from_millis(2).into_nanos());
    assert_eq!(sleeper.join().unwrap().into_nanos(), 2_000_000);
}

// ---- Processes -----------------------------------------------------------------------------

#[test]
fn a_handle_means_nothing_in_another_process() {
    let kernel = Kernel::new(Config::default().with_virtual_clock());
    let (a, b) = (kernel.create_process(), kernel.create_process());
    {
        let _in_a = a.bind();
        let event = Event::create();
        {
            let _in_b = b.bind();
            assert_eq!(
                event.signal_handle(Signals::NONE, Signals::USER_0),
                Err(Status::BAD_HANDLE)
            );
        }
        event.signal_handle(Signals::NONE, Signals::USER_0).unwrap();
    }
    assert_eq!((kernel.live_objects(), kernel.live_handles()), (0, 0));
}

#[test]
fn an_unbound_thread_uses_the_default_process() {
    // No binding: the lazily created default kernel serves this thread.
    std::thread::spawn(|| {
        let event = Event::create();
        event.signal_handle(Signals::NONE, Signals::USER_0).unwrap();
        assert_eq!(
            event.wait_handle(Signals::USER_0, POLL),
            Ok(Signals::USER_0)
        );
        let port = Port::create();
        port.queue(&Packet::from_user_packet(1, 0, UserPacket::default()))
            .unwrap();
        assert_eq!(port.wait(MonotonicInstant::INFINITE).unwrap().key(), 1);
    })
    .join()
    .unwrap();
}

#[test]
fn a_handle_dropped_in_another_process_is_loud_and_its_own_process_still_closes_it() {
    let kernel = Kernel::new(Config::default().with_virtual_clock());
    let owner = kernel.create_process();
    let other = kernel.create_process();
    let event = {
        let _bound = owner.bind();
        Event::create()
    };
    let raw = event.raw_handle();
    let dropped_elsewhere = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _bound = other.bind();
        drop(event);
    }));
    let message = dropped_elsewhere.expect_err("dropping it in another process must panic");
    let message = message
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert!(message.contains("another"), "{message}");
    assert_eq!(
        (kernel.live_objects(), kernel.live_handles()),
        (1, 1),
        "nothing of the other process was closed, and the event is still held"
    );
    {
        let _bound = owner.bind();
        // SAFETY: `raw` is still the owner's handle: the misplaced drop closed nothing.
        drop(unsafe { Handle::from_raw(raw) });
    }
    assert_eq!((kernel.live_objects(), kernel.live_handles()), (0, 0));
}

#[test]
fn closing_a_typed_handle_twice_is_loud() {
    run(|_| {
        let event = Event::create();
        let raw = event.raw_handle();
        assert_eq!(sys::zx_handle_close(raw), sys::ZX_OK);
        let twice = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(event)));
        assert!(twice.is_err(), "the second close must not pass silently");
    });
}
