//! The sync shim's shuttle mapping itself: the lock-order checker runs in shuttle executions and
//! keeps one record per shuttle thread (its thread-local is shuttle's: every shuttle thread runs
//! on the same OS thread, so a `std` thread-local would mix their records).
#![cfg(zxsim_shuttle)]

use std::sync::Arc;

use zxsim_kernel::sync::{thread, LockClass, Mutex};
use zxsim_shuttle_tests::{explore, Scheduler, Settings};

fn settings(iterations: usize) -> Settings {
    Settings {
        iterations,
        seed: 1,
        scheduler: Scheduler::Random,
    }
}

/// Two threads each take an Object lock and then a Port lock, interleaved every way the random
/// scheduler finds: never an inversion, though both threads hold an Object lock at once.
#[test]
fn lock_order_records_are_per_shuttle_thread() {
    let outcome = explore(&settings(200), || {
        let object = Arc::new([
            Mutex::ranked(LockClass::Object, 0u32),
            Mutex::ranked(LockClass::Object, 0u32),
        ]);
        let port = Arc::new(Mutex::ranked(LockClass::Port, 0u32));
        let threads: Vec<_> = (0..2)
            .map(|index| {
                let (object, port) = (object.clone(), port.clone());
                thread::spawn(move || {
                    let mut held = object[index].lock();
                    thread::yield_now();
                    *held += 1;
                    *port.lock() += 1;
                })
            })
            .collect();
        for thread in threads {
            thread.join().expect("no lock-order panic");
        }
        assert_eq!(*port.lock(), 2);
    });
    assert!(outcome.is_ok(), "a false inversion: {outcome:?}");
}

/// An inversion (an Object lock taken while a Port lock is held) panics inside the execution,
/// naming both classes, and shuttle reports it as the execution's failure.
#[test]
fn an_inversion_fails_the_execution() {
    let failure = explore(&settings(1), || {
        let object = Mutex::ranked(LockClass::Object, ());
        let port = Mutex::ranked(LockClass::Port, ());
        let _port = port.lock();
        let _object = object.lock();
    })
    .expect_err("the inversion went unnoticed");
    assert!(
        failure
            .message
            .contains("lock order: taking a Object lock while holding [Port]"),
        "{}",
        failure.message
    );
}
