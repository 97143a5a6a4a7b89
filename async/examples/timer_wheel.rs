//! A hashed timer wheel driven by a loop's port on the kernel's virtual clock.
//!
//! The wheel has `SLOTS` slots of `TICK` each; a timer lands in the slot of its deadline and
//! carries the number of whole revolutions still to wait. One loop task per tick (posted with
//! `post_delayed_task`, so it arrives as the loop timer's packet on the port) advances the wheel
//! and fires the slot's due timers. The demo moves virtual time one tick at a time — each jump
//! is instant — and checks that every timer fired in the tick of its deadline; it ends when the
//! wheel is empty.
//!
//! ```text
//! cargo run -p zxsim-async --example timer_wheel
//! ```
#![allow(clippy::disallowed_types, clippy::disallowed_methods)]

use std::sync::{Arc, Mutex};

use zxsim_async::{Dispatcher, Loop, LoopConfig};
use zxsim_syscalls::kernel::{Config, Kernel};
use zxsim_syscalls::zx::{self, Status};

const SLOTS: usize = 8;
const TICK: i64 = 10_000_000; // 10 ms of virtual time

struct Entry {
    name: &'static str,
    deadline: i64,
    rounds: usize,
}

#[derive(Default)]
struct Wheel {
    slots: Vec<Vec<Entry>>,
    /// Ticks processed so far.
    ticks: usize,
    fired: Vec<(&'static str, i64, i64)>,
    pending: usize,
}

impl Wheel {
    fn new() -> Wheel {
        Wheel {
            slots: (0..SLOTS).map(|_| Vec::new()).collect(),
            ..Wheel::default()
        }
    }

    fn insert(&mut self, name: &'static str, deadline: i64) {
        let tick = (deadline + TICK - 1) / TICK; // the first tick at or after the deadline
        let ahead = (tick as usize).saturating_sub(self.ticks + 1);
        let slot = tick as usize % SLOTS;
        self.slots[slot].push(Entry {
            name,
            deadline,
            rounds: ahead / SLOTS,
        });
        self.pending += 1;
    }

    /// One tick: fire what is due in the current slot, age the rest.
    fn tick(&mut self, now: i64) {
        self.ticks += 1;
        let slot = self.ticks % SLOTS;
        let entries = std::mem::take(&mut self.slots[slot]);
        for mut entry in entries {
            if entry.rounds == 0 {
                self.fired.push((entry.name, entry.deadline, now));
                self.pending -= 1;
            } else {
                entry.rounds -= 1;
                self.slots[slot].push(entry);
            }
        }
    }
}

/// Posts the task for the next tick; it re-posts itself while timers are pending.
fn schedule_tick(dispatcher: &Dispatcher, wheel: Arc<Mutex<Wheel>>) {
    let next = {
        let wheel = wheel.lock().unwrap();
        (wheel.ticks as i64 + 1) * TICK
    };
    dispatcher
        .post_delayed_task(
            zx::MonotonicInstant::from_nanos(next),
            move |dispatcher, status| {
                if status != Status::OK {
                    return; // shutdown
                }
                let pending = {
                    let mut wheel = wheel.lock().unwrap();
                    wheel.tick(dispatcher.now().into_nanos());
                    wheel.pending
                };
                if pending > 0 {
                    schedule_tick(dispatcher, wheel);
                }
            },
        )
        .expect("posting the next tick");
}

fn main() {
    let kernel = Kernel::new(Config::default().with_virtual_clock());
    let process = kernel.create_process();
    let _bound = process.bind();

    let event_loop = Loop::new(LoopConfig::default()).expect("a loop");
    let wheel = Arc::new(Mutex::new(Wheel::new()));
    {
        let mut wheel = wheel.lock().unwrap();
        for (name, millis) in [
            ("dns retry", 25),
            ("keepalive", 40),
            ("ack timeout", 5),
            ("lease renewal", 230), // almost three revolutions of the wheel
            ("idle close", 95),
            ("backoff", 80),
        ] {
            wheel.insert(name, millis * 1_000_000);
        }
    }
    schedule_tick(event_loop.dispatcher(), wheel.clone());

    let mut steps = 0;
    while wheel.lock().unwrap().pending > 0 {
        kernel.advance_clock(TICK);
        event_loop.run_until_idle().expect("running the loop");
        steps += 1;
        assert!(steps < 1_000, "the wheel never emptied");
    }
    let wheel = wheel.lock().unwrap();
    for (name, deadline, fired) in &wheel.fired {
        println!(
            "{name:>14}: due at {:>4} ms, fired at {:>4} ms (tick {})",
            deadline / 1_000_000,
            fired / 1_000_000,
            fired / TICK
        );
        assert!(
            fired >= deadline && fired - deadline < TICK,
            "{name} fired off its tick"
        );
    }
    println!(
        "{} timers fired in {steps} ticks of {} ms of virtual time (instant jumps)",
        wheel.fired.len(),
        TICK / 1_000_000
    );
}
