//! Scenarios too large for loom: 5–9 threads, several processes, dozens of racing syscalls per
//! execution, explored under shuttle's random or PCT scheduler (`cargo xtask shuttle`).
//!
//! Each scenario runs real syscalls on a fresh kernel (virtual clock), checks that every answer
//! is one the spec allows for the order it raced in, that outcomes are consistent (a packet is
//! delivered or its wait cancelled, never both; a reply carries back exactly the handle sent),
//! and ends by closing everything and asserting that nothing is alive.
//!
//! `planted_timer_race_is_caught_and_replays` puts a fixed race back into one kernel
//! (`Config::with_planted_race`) and checks that the run's budget finds it and that the printed
//! seed replays it.
#![cfg(zxsim_shuttle)]

use std::sync::atomic::{AtomicU32, Ordering::SeqCst};
use std::sync::{Arc, Mutex};

use zxsim_async::{Loop, LoopConfig, Wait};
use zxsim_kernel::{Config, FaultPlan, FaultSite, PlantedRace, Profile};
use zxsim_shuttle_tests::{
    assert_nothing_leaked, channel, check, event, explore, kernel, kernel_with, koid, move_handle,
    poll, port, port_state, write_report, Settings,
};
use zxsim_syscalls::sys::*;
use zxsim_syscalls::zx::{self, Status};

// ---------------------------------------------------------------------------------------------
// A call storm: 6 clients in 2 processes, 2 servers in a third, each call carrying a handle
// there and back.

const CLIENT_PROCESSES: usize = 2;
const CLIENTS_PER_PROCESS: usize = 3;
const SERVERS: usize = 2;
const CALLS: u8 = 2;

/// A client: `CALLS` calls, each sending a fresh event and expecting it back in the reply.
fn client(channel: zx_handle_t) {
    for call in 0..CALLS {
        let sent = event();
        let sent_koid = koid(sent);
        let mut reply = [0u8; 8];
        let mut received = [ZX_HANDLE_INVALID; 1];
        let mut args = zx_channel_call_args_t {
            wr_bytes: &[0, 0, 0, 0, call],
            wr_handles: &[sent],
            rd_bytes: &mut reply,
            rd_handles: &mut received,
        };
        let (mut bytes, mut handles) = (0, 0);
        let status = zx_channel_call(
            channel,
            0,
            ZX_TIME_INFINITE,
            &mut args,
            &mut bytes,
            &mut handles,
        );
        assert_eq!(status, ZX_OK, "call {call}");
        assert_eq!((bytes, handles), (5, 1), "reply sizes of call {call}");
        assert_eq!(reply[4], call + 100, "reply payload of call {call}");
        assert_eq!(
            koid(received[0]),
            sent_koid,
            "the reply carries the handle sent"
        );
        assert_eq!(zx_handle_close(received[0]), ZX_OK);
    }
    assert_eq!(zx_handle_close(channel), ZX_OK);
}

/// A server on one port: answers every request on `ends` with its payload + 100 and the handle
/// it carried, until every client closed its end.
fn server(ends: Vec<zx_handle_t>) {
    let port = port();
    let trigger = ZX_CHANNEL_READABLE | ZX_CHANNEL_PEER_CLOSED;
    for (key, &end) in ends.iter().enumerate() {
        assert_eq!(
            zx_object_wait_async(end, port, key as u64, trigger, 0),
            ZX_OK
        );
    }
    let mut open = ends.len();
    while open > 0 {
        let mut packet = zx_port_packet_t::default();
        assert_eq!(zx_port_wait(port, ZX_TIME_INFINITE, &mut packet), ZX_OK);
        let end = ends[packet.key as usize];
        let observed = packet.signal().observed;
        loop {
            let mut bytes = [0u8; 16];
            let mut handles = [ZX_HANDLE_INVALID; 1];
            let (mut nb, mut nh) = (0, 0);
            match zx_channel_read(
                end,
                0,
                &mut bytes,
                &mut handles,
                Some(&mut nb),
                Some(&mut nh),
            ) {
                ZX_OK => {
                    let (nb, nh) = (nb as usize, nh as usize);
                    assert_eq!((nb, nh), (5, 1), "request sizes");
                    bytes[4] += 100;
                    // The client waits for this reply, so its end is still open.
                    assert_eq!(
                        zx_channel_write(end, 0, &bytes[..nb], &handles[..nh]),
                        ZX_OK
                    );
                }
                ZX_ERR_SHOULD_WAIT | ZX_ERR_PEER_CLOSED => break,
                status => panic!("server read answered {status}"),
            }
        }
        if observed & ZX_CHANNEL_PEER_CLOSED != 0 {
            assert_eq!(zx_handle_close(end), ZX_OK);
            open -= 1;
        } else {
            let key = packet.key;
            assert_eq!(zx_object_wait_async(end, port, key, trigger, 0), ZX_OK);
        }
    }
    assert_eq!(port_state(port), (0, 0), "the server's port is empty");
    assert_eq!(zx_handle_close(port), ZX_OK);
}

fn call_storm(profile: Profile) {
    let kernel = kernel(profile);
    let home = kernel.create_process();
    let servers = kernel.create_process();
    let clients: Vec<_> = (0..CLIENT_PROCESSES)
        .map(|_| kernel.create_process())
        .collect();
    let _bound = home.bind();
    let mut server_ends = vec![Vec::new(); SERVERS];
    let mut threads = Vec::new();
    for (index, process) in clients
        .iter()
        .flat_map(|process| std::iter::repeat_n(process, CLIENTS_PER_PROCESS))
        .enumerate()
    {
        let (client_end, server_end) = channel();
        let client_end = move_handle(&home, process, client_end);
        server_ends[index % SERVERS].push(move_handle(&home, &servers, server_end));
        threads.push(process.spawn(move || client(client_end)));
    }
    for ends in server_ends {
        threads.push(servers.spawn(move || server(ends)));
    }
    for thread in threads {
        thread.join().expect("a scenario thread panicked");
    }
    assert_nothing_leaked(&kernel);
}

#[test]
fn call_storm_with_handle_transfer_rfc0240() {
    check("call_storm_with_handle_transfer_rfc0240", || {
        call_storm(Profile::Rfc0240)
    });
}

#[test]
fn call_storm_with_handle_transfer_zircon() {
    check("call_storm_with_handle_transfer_zircon", || {
        call_storm(Profile::Zircon)
    });
}

// ---------------------------------------------------------------------------------------------
// Close vs wait_async vs cancel_key vs port_wait on six events and one port, eight threads.

const OBJECTS: usize = 6;
/// Events `0..CLOSED` are closed by the closer thread while the others use them.
const CLOSED: usize = 3;
const QUIT: u64 = u64::MAX;

#[derive(Default)]
struct Tally {
    registered: [AtomicU32; OBJECTS],
    cancelled: [AtomicU32; OBJECTS],
    delivered: [AtomicU32; OBJECTS],
}

/// With `faults`, `zx_object_wait_async` and `zx_port_queue` may also answer `NO_MEMORY`.
fn waits_on_many_objects(profile: Profile, faults: Option<FaultPlan>) {
    let may_fail = faults.is_some();
    let mut config = Config::default().with_profile(profile);
    if let Some(plan) = faults {
        config = config.with_faults(plan);
    }
    let kernel = kernel_with(config);
    let process = kernel.create_process();
    let _bound = process.bind();
    let port = port();
    let events: Arc<Vec<zx_handle_t>> = Arc::new((0..OBJECTS).map(|_| event()).collect());
    let tally = Arc::new(Tally::default());

    let waiters: Vec<_> = (0..2)
        .map(|_| {
            let tally = tally.clone();
            process.spawn(move || loop {
                let mut packet = zx_port_packet_t::default();
                assert_eq!(zx_port_wait(port, ZX_TIME_INFINITE, &mut packet), ZX_OK);
                if packet.key == QUIT {
                    break;
                }
                assert_eq!(packet.packet_type, ZX_PKT_TYPE_SIGNAL_ONE);
                assert_ne!(packet.signal().observed & ZX_USER_SIGNAL_0, 0);
                tally.delivered[packet.key as usize].fetch_add(1, SeqCst);
            })
        })
        .collect();

    let mut racers = Vec::new();
    for keys in [0..OBJECTS / 2, OBJECTS / 2..OBJECTS] {
        let (events, tally) = (events.clone(), tally.clone());
        racers.push(process.spawn(move || {
            for key in keys {
                match zx_object_wait_async(events[key], port, key as u64, ZX_USER_SIGNAL_0, 0) {
                    ZX_OK => {
                        tally.registered[key].fetch_add(1, SeqCst);
                    }
                    // An injected fault: nothing registered, nothing will be delivered.
                    ZX_ERR_NO_MEMORY if may_fail => {}
                    ZX_ERR_BAD_HANDLE if key < CLOSED => {}
                    status => panic!("wait_async on event {key} answered {status}"),
                }
            }
        }));
    }
    for parity in 0..2 {
        let events = events.clone();
        racers.push(process.spawn(move || {
            for key in (parity..OBJECTS).step_by(2) {
                match zx_object_signal(events[key], 0, ZX_USER_SIGNAL_0) {
                    ZX_OK => {}
                    ZX_ERR_BAD_HANDLE if key < CLOSED => {}
                    status => panic!("signal of event {key} answered {status}"),
                }
            }
        }));
    }
    {
        let tally = tally.clone();
        racers.push(process.spawn(move || {
            for key in (0..OBJECTS).rev() {
                match zx_port_cancel_key(port, 0, key as u64) {
                    ZX_OK => {
                        tally.cancelled[key].fetch_add(1, SeqCst);
                    }
                    ZX_ERR_NOT_FOUND => {}
                    status => panic!("cancel_key {key} answered {status}"),
                }
            }
        }));
    }
    {
        let events = events.clone();
        racers.push(process.spawn(move || {
            for &event in &events[..CLOSED] {
                assert_eq!(zx_handle_close(event), ZX_OK);
            }
        }));
    }
    for thread in racers {
        thread.join().expect("a racing thread panicked");
    }
    let quit = zx_port_packet_t {
        key: QUIT,
        ..Default::default()
    };
    for _ in &waiters {
        loop {
            match zx_port_queue(port, &quit) {
                ZX_OK => break,
                ZX_ERR_NO_MEMORY if may_fail => {}
                status => panic!("zx_port_queue answered {status}"),
            }
        }
    }
    for thread in waiters {
        thread.join().expect("a port waiter panicked");
    }

    for key in 0..OBJECTS {
        let registered = tally.registered[key].load(SeqCst);
        let cancelled = tally.cancelled[key].load(SeqCst);
        let delivered = tally.delivered[key].load(SeqCst);
        assert!(
            delivered + cancelled <= registered,
            "event {key}: {delivered} delivered + {cancelled} cancelled > {registered} registered"
        );
        if key >= CLOSED && registered == 1 && cancelled == 0 {
            // Signalled before or after the registration, and never closed: one packet.
            assert_eq!(
                delivered, 1,
                "event {key}: a signalled, uncancelled wait fired once"
            );
        }
    }
    assert!(poll(port).is_none(), "a packet left after the waiters quit");
    assert_eq!(
        port_state(port),
        (0, 0),
        "observers or packets left on the port"
    );
    for &event in &events[CLOSED..] {
        assert_eq!(zx_handle_close(event), ZX_OK);
    }
    assert_eq!(zx_handle_close(port), ZX_OK);
    assert_nothing_leaked(&kernel);
}

#[test]
fn close_vs_wait_async_vs_cancel_key_vs_port_wait_rfc0240() {
    check(
        "close_vs_wait_async_vs_cancel_key_vs_port_wait_rfc0240",
        || waits_on_many_objects(Profile::Rfc0240, None),
    );
}

#[test]
fn close_vs_wait_async_vs_cancel_key_vs_port_wait_zircon() {
    check(
        "close_vs_wait_async_vs_cancel_key_vs_port_wait_zircon",
        || waits_on_many_objects(Profile::Zircon, None),
    );
}

/// The same race on a kernel whose observer and port-packet allocations fail at random (30 %,
/// a fixed plan seed): a failed registration leaves nothing behind under every schedule.
#[test]
fn close_vs_wait_async_vs_cancel_key_vs_port_wait_with_faults() {
    check(
        "close_vs_wait_async_vs_cancel_key_vs_port_wait_with_faults",
        || {
            let plan = FaultPlan::new().random(
                0x5EED,
                300_000,
                &[FaultSite::Observer, FaultSite::PortPacket],
            );
            waits_on_many_objects(Profile::Rfc0240, Some(plan))
        },
    );
}

// ---------------------------------------------------------------------------------------------
// A zxsim-async loop with 4 worker threads, 6 waits, 2 signalling threads and cancels.

const WAITS: usize = 6;

fn dispatcher_four_workers() {
    let kernel = kernel(Profile::Rfc0240);
    let process = kernel.create_process();
    let _bound = process.bind();
    {
        let event_loop = Loop::new(LoopConfig::default()).expect("a loop");
        let events: Vec<zx::Event> = (0..WAITS).map(|_| zx::Event::create()).collect();
        let calls: Vec<Arc<Mutex<Vec<Status>>>> = (0..WAITS).map(|_| Arc::default()).collect();
        let waits: Vec<Wait> = events
            .iter()
            .zip(&calls)
            .map(|(event, calls)| {
                let record = calls.clone();
                Wait::new(
                    event_loop.dispatcher(),
                    event,
                    zx::Signals::USER_0,
                    zx::WaitAsyncOpts::empty(),
                    move |_, _, status, _| record.lock().unwrap().push(status),
                )
            })
            .collect();
        for wait in &waits {
            wait.begin().expect("begin");
        }
        for worker in 0..4 {
            event_loop
                .start_thread(&format!("worker-{worker}"))
                .expect("a worker");
        }
        let signallers: Vec<_> = (0..2)
            .map(|parity| {
                let raw: Vec<zx_handle_t> = events
                    .iter()
                    .skip(parity)
                    .step_by(2)
                    .map(zx::AsHandleRef::raw_handle)
                    .collect();
                process.spawn(move || {
                    for event in raw {
                        assert_eq!(zx_object_signal(event, 0, ZX_USER_SIGNAL_0), ZX_OK);
                    }
                })
            })
            .collect();
        // Cancel every other wait while the signals and dispatches race.
        let cancelled: Vec<(usize, Result<(), Status>)> = (0..WAITS)
            .step_by(2)
            .map(|index| (index, waits[index].cancel()))
            .collect();
        for thread in signallers {
            thread.join().expect("a signaller panicked");
        }
        event_loop.shutdown();
        for (index, result) in cancelled {
            let calls = calls[index].lock().unwrap().clone();
            match result {
                Ok(()) => assert!(calls.is_empty(), "wait {index}: cancel OK but it ran"),
                Err(Status::NOT_FOUND) => {
                    assert_eq!(calls, [Status::OK], "wait {index}: NOT_FOUND means it ran")
                }
                Err(other) => panic!("wait {index}: cancel answered {other:?}"),
            }
        }
        for index in (1..WAITS).step_by(2) {
            let calls = calls[index].lock().unwrap().clone();
            assert!(
                calls == [Status::OK] || calls == [Status::CANCELED],
                "wait {index}: exactly one call, OK or CANCELED by shutdown, got {calls:?}"
            );
        }
        drop(waits);
    }
    assert_nothing_leaked(&kernel);
}

#[test]
fn dispatcher_with_four_workers() {
    check("dispatcher_with_four_workers", dispatcher_four_workers);
}

// ---------------------------------------------------------------------------------------------
// zx_timer_set vs zx_timer_cancel vs the last close, on four timers.

const TIMERS: usize = 4;

fn timers_vs_last_close(planted: Option<PlantedRace>) {
    let mut config = Config::default();
    if let Some(race) = planted {
        config = config.with_planted_race(race);
    }
    let kernel = kernel_with(config);
    let process = kernel.create_process();
    let _bound = process.bind();
    let timers: Arc<Vec<zx_handle_t>> = Arc::new(
        (0..TIMERS)
            .map(|_| {
                let mut timer = ZX_HANDLE_INVALID;
                assert_eq!(zx_timer_create(0, ZX_CLOCK_MONOTONIC, &mut timer), ZX_OK);
                timer
            })
            .collect(),
    );
    let mut threads = Vec::new();
    for setter in 0..2 {
        let timers = timers.clone();
        threads.push(process.spawn(move || {
            for &timer in timers.iter().cycle().skip(setter).take(TIMERS) {
                match zx_timer_set(timer, 1_000, 0) {
                    ZX_OK | ZX_ERR_BAD_HANDLE => {}
                    status => panic!("zx_timer_set answered {status}"),
                }
            }
        }));
    }
    {
        let timers = timers.clone();
        threads.push(process.spawn(move || {
            for &timer in timers.iter() {
                match zx_timer_cancel(timer) {
                    ZX_OK | ZX_ERR_BAD_HANDLE => {}
                    status => panic!("zx_timer_cancel answered {status}"),
                }
            }
        }));
    }
    for half in timers.chunks(TIMERS / 2) {
        let half = half.to_vec();
        threads.push(process.spawn(move || {
            for timer in half {
                assert_eq!(zx_handle_close(timer), ZX_OK);
            }
        }));
    }
    for thread in threads {
        thread.join().expect("a timer thread panicked");
    }
    // No clock entry may hold a handle-less timer: with every handle closed, nothing is alive.
    assert_nothing_leaked(&kernel);
}

#[test]
fn timer_set_vs_cancel_vs_last_close() {
    check("timer_set_vs_cancel_vs_last_close", || {
        timers_vs_last_close(None)
    });
}

/// The iterations the planted race must be caught within: `cargo xtask shuttle --quick`'s budget.
const PLANTED_BUDGET: usize = 1_000;

/// The planted race (a `zx_timer_set` that lost the race with the last close re-arms the timer)
/// must be caught within the run's iteration budget, and the failure's replay settings must
/// reproduce it — the same failure, on the replay's last iteration.
#[test]
fn planted_timer_race_is_caught_and_replays() {
    let mut settings = Settings::from_env();
    // At least the CI budget, whatever the run asked for: a replay (`--iterations 1` from the
    // failing iteration's seed, or `--iterations k` for PCT) still fails on its first or k-th
    // execution, which the bump does not change.
    settings.iterations = settings.iterations.max(PLANTED_BUDGET);
    let scenario = || timers_vs_last_close(Some(PlantedRace::TimerSetAfterClose));
    println!(
        "shuttle: planted race: exploring with {} iterations, seed {} ({:?}); the panics printed \
         below are the planted race being caught, then replayed",
        settings.iterations, settings.seed, settings.scheduler
    );
    let failure = explore(&settings, scenario)
        .expect_err("the planted timer race went unnoticed within the iteration budget");
    assert!(
        failure.message.contains("live (objects, handles)"),
        "caught by the leak check, not by something else: {}",
        failure.message
    );
    let replayed = explore(&failure.replay, scenario).expect_err("the replay passed");
    assert_eq!(
        replayed.message, failure.message,
        "the replay failed differently"
    );
    assert_eq!(
        replayed.iteration + 1,
        failure.replay.iterations,
        "the replay failed on another iteration"
    );
    let line = format!(
        "caught at iteration {} of {}, replayed: {}",
        failure.iteration + 1,
        settings.iterations,
        failure.command("planted_timer_race_is_caught_and_replays")
    );
    println!("shuttle: planted_timer_race_is_caught_and_replays: {line}");
    write_report("planted_timer_race_is_caught_and_replays", &line);
}
