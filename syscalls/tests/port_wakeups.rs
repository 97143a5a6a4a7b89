//! One queued packet wakes exactly one of the threads blocked in `zx_port_wait` (ports serve
//! thread pools: waking every waiter for each packet would be a thundering herd). The port's
//! wake-up counter pins it: three blocked waiters, three packets queued one at a time, each only
//! once the previous one was taken and the others are blocked again — three wake-ups in all,
//! where waking everyone would count at least 3 + 2 + 1.

use std::time::Duration;

use zxsim_kernel::objects::port::Port;
use zxsim_kernel::{Config, Kernel, Process};
use zxsim_syscalls::sys::*;

mod common;

fn port_object(process: &Process, port: zx_handle_t) -> zxsim_kernel::DispatcherRef {
    process
        .handles()
        .with(port, |handle| handle.object().to_ref())
        .expect("a live port handle")
}

#[test]
fn one_packet_wakes_one_of_three_blocked_waiters() {
    const WAITERS: usize = 3;
    let kernel = Kernel::new(Config::default());
    let process = kernel.create_process();
    let _bound = process.bind();
    let mut port = 0;
    assert_eq!(zx_port_create(0, &mut port), ZX_OK);
    let object = port_object(&process, port);
    let port_state = object.downcast::<Port>().expect("a port");
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    let waiters: Vec<_> = (0..WAITERS)
        .map(|_| {
            let done = done_tx.clone();
            process.spawn(move || {
                let mut packet = zx_port_packet_t::default();
                assert_eq!(zx_port_wait(port, ZX_TIME_INFINITE, &mut packet), ZX_OK);
                done.send(packet.key).unwrap();
            })
        })
        .collect();
    for round in 0..WAITERS {
        let blocked = WAITERS - round;
        common::eventually("the waiters to block", || {
            port_state.blocked_waiters() == blocked
        });
        assert_eq!(port_state.wakeups(), round as u64, "before packet {round}");
        let packet = zx_port_packet_t {
            key: round as u64,
            ..Default::default()
        };
        assert_eq!(zx_port_queue(port, &packet), ZX_OK);
        let key = done_rx
            .recv_timeout(Duration::from_secs(10))
            .expect("a waiter took it");
        assert_eq!(key, round as u64);
    }
    for waiter in waiters {
        waiter.join().unwrap();
    }
    assert_eq!(
        port_state.wakeups(),
        WAITERS as u64,
        "one wake-up per packet"
    );
    drop(object);
    assert_eq!(zx_handle_close(port), ZX_OK);
    assert_eq!((kernel.live_objects(), kernel.live_handles()), (0, 0));
}
