//! End-to-end smoke tests of the `sys` layer on a private kernel (the conformance suite in
//! `tests/` is the full statement of behaviour; these guard the plumbing).

use zxsim_kernel::{Config, Kernel, Profile};
use zxsim_syscalls::sys::*;

mod common;

fn kernel(profile: Profile) -> Kernel {
    Kernel::new(Config::default().with_profile(profile).with_virtual_clock())
}

#[test]
fn event_signal_wait_and_close_leave_nothing_behind() {
    let kernel = kernel(Profile::Rfc0240);
    let process = kernel.create_process();
    let _bound = process.bind();
    let mut event = 0;
    assert_eq!(zx_event_create(0, &mut event), ZX_OK);
    assert_eq!(event & 3, 3);
    let mut observed = 0;
    assert_eq!(
        zx_object_wait_one(event, ZX_EVENT_SIGNALED, 0, Some(&mut observed)),
        ZX_ERR_TIMED_OUT
    );
    assert_eq!(zx_object_signal(event, 0, ZX_EVENT_SIGNALED), ZX_OK);
    assert_eq!(
        zx_object_wait_one(
            event,
            ZX_EVENT_SIGNALED,
            ZX_TIME_INFINITE,
            Some(&mut observed)
        ),
        ZX_OK
    );
    assert_eq!(observed, ZX_EVENT_SIGNALED);
    assert_eq!(
        zx_object_signal(event, 0, ZX_CHANNEL_READABLE),
        ZX_ERR_INVALID_ARGS
    );
    assert_eq!(kernel.live_objects(), 1);
    assert_eq!(zx_handle_close(event), ZX_OK);
    assert_eq!(zx_handle_close(event), ZX_ERR_BAD_HANDLE);
    assert_eq!((kernel.live_objects(), kernel.live_handles()), (0, 0));
}

#[test]
fn wait_async_delivers_one_signal_packet() {
    let kernel = kernel(Profile::Rfc0240);
    let process = kernel.create_process();
    let _bound = process.bind();
    let (mut port, mut event) = (0, 0);
    assert_eq!(zx_port_create(0, &mut port), ZX_OK);
    assert_eq!(zx_event_create(0, &mut event), ZX_OK);
    assert_eq!(
        zx_object_wait_async(event, port, 42, ZX_USER_SIGNAL_0, ZX_WAIT_ASYNC_TIMESTAMP),
        ZX_OK
    );
    kernel.advance_clock(500);
    assert_eq!(
        zx_object_signal(event, 0, ZX_USER_SIGNAL_0 | ZX_USER_SIGNAL_1),
        ZX_OK
    );
    let mut packet = zx_port_packet_t::default();
    assert_eq!(zx_port_wait(port, 0, &mut packet), ZX_OK);
    assert_eq!(
        (packet.key, packet.packet_type, packet.status),
        (42, ZX_PKT_TYPE_SIGNAL_ONE, ZX_OK)
    );
    let signal = packet.signal();
    assert_eq!(signal.trigger, ZX_USER_SIGNAL_0);
    assert_eq!(signal.observed, ZX_USER_SIGNAL_0 | ZX_USER_SIGNAL_1);
    assert_eq!(
        (signal.count, signal.timestamp, signal.reserved1),
        (1, 500, 0)
    );
    assert_eq!(zx_port_wait(port, 0, &mut packet), ZX_ERR_TIMED_OUT);
    assert_eq!(zx_handle_close_many(&[port, event]), ZX_OK);
    assert_eq!((kernel.live_objects(), kernel.live_handles()), (0, 0));
}

#[test]
fn closing_the_registering_handle_ends_the_wait_only_under_zircon() {
    for (profile, expect_packet) in [(Profile::Zircon, false), (Profile::Rfc0240, true)] {
        let kernel = kernel(profile);
        let process = kernel.create_process();
        let _bound = process.bind();
        let (mut port, mut event, mut dup) = (0, 0, 0);
        zx_port_create(0, &mut port);
        zx_event_create(0, &mut event);
        zx_handle_duplicate(event, ZX_RIGHT_SAME_RIGHTS, &mut dup);
        assert_eq!(
            zx_object_wait_async(event, port, 1, ZX_EVENT_SIGNALED, 0),
            ZX_OK
        );
        zx_handle_close(event);
        zx_object_signal(dup, 0, ZX_EVENT_SIGNALED);
        let mut packet = zx_port_packet_t::default();
        assert_eq!(
            zx_port_wait(port, 0, &mut packet) == ZX_OK,
            expect_packet,
            "{profile}"
        );
        zx_handle_close_many(&[port, dup]);
        assert_eq!(
            (kernel.live_objects(), kernel.live_handles()),
            (0, 0),
            "{profile}"
        );
    }
}

#[test]
fn virtual_clock_times_out_a_blocked_wait() {
    let kernel = kernel(Profile::Rfc0240);
    let process = kernel.create_process();
    let _bound = process.bind();
    let mut event = 0;
    zx_event_create(0, &mut event);
    let waiter = process.spawn(move || zx_object_wait_one(event, ZX_EVENT_SIGNALED, 1_000, None));
    common::eventually("the waiter to block on its deadline", || {
        kernel.clock().next_deadline().is_some()
    });
    kernel.advance_clock(1_000);
    assert_eq!(waiter.join().unwrap(), ZX_ERR_TIMED_OUT);
    zx_handle_close(event);
}

#[test]
fn closing_a_waited_handle_cancels_the_wait() {
    let kernel = kernel(Profile::Rfc0240);
    let process = kernel.create_process();
    let _bound = process.bind();
    let mut event = 0;
    zx_event_create(0, &mut event);
    let waiter = process.spawn(move || {
        let mut observed = 0;
        let status = zx_object_wait_one(
            event,
            ZX_EVENT_SIGNALED,
            ZX_TIME_INFINITE,
            Some(&mut observed),
        );
        (status, observed)
    });
    std::thread::sleep(std::time::Duration::from_millis(20));
    zx_handle_close(event);
    let (status, observed) = waiter.join().unwrap();
    assert!(status == ZX_ERR_CANCELED || status == ZX_ERR_BAD_HANDLE);
    if status == ZX_ERR_CANCELED {
        assert_eq!(observed & ZX_SIGNAL_HANDLE_CLOSED, ZX_SIGNAL_HANDLE_CLOSED);
    }
    assert_eq!(kernel.live_objects(), 0);
}

#[test]
fn semantics_profile_names_the_kernels_profile() {
    for (profile, expected) in [
        (Profile::Zircon, ZXSIM_PROFILE_ZIRCON),
        (Profile::Rfc0240, ZXSIM_PROFILE_RFC0240),
    ] {
        let kernel = kernel(profile);
        let process = kernel.create_process();
        let _bound = process.bind();
        assert_eq!(zxsim_semantics_profile(), expected, "{profile:?}");
    }
}
