//! Fault injection (`Config::with_faults`, `zxsim_kernel::faults`): every failure the plan injects
//! is one Zircon itself may give — `ZX_ERR_NO_MEMORY` where the kernel allocates (a handle, a
//! port packet, an observer, a message), `SHOULD_WAIT` from a port that is full, the observer
//! policy exception — and leaves nothing half-done: handles are consumed exactly as the spec says
//! for a failing call, nothing is queued, registered or leaked, and the state is as before.
//!
//! Each case builds its own kernel with a plan ([`faulty`]), same profile and virtual clock as
//! the case's, and ends with nothing alive in it.

use zxsim_kernel::{Config, FaultPlan, FaultSite, PolicyException};
use zxsim_syscalls::sys::*;

use crate::harness::{Case, Ctx};
use crate::support::*;

pub fn cases() -> Vec<Case> {
    [
        handles::cases(),
        port_queue::cases(),
        wait_async::cases(),
        channel::cases(),
        random::cases(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// A kernel with `plan` (the case's profile, virtual clock), bound to the calling thread until
/// dropped.
fn faulty(ctx: &Ctx, plan: FaultPlan) -> Ctx {
    Ctx::with_config(
        Config::default()
            .with_profile(ctx.profile)
            .with_virtual_clock()
            .with_faults(plan),
    )
}

fn readable(handle: zx_handle_t) -> bool {
    has(handle, ZX_CHANNEL_READABLE)
}

// ---- handle minting ----

mod handles {
    use super::*;

    cases!["fault injection: handle minting";
        (creations_answer_no_memory_and_leave_nothing, "§3/§12: handle arena exhausted ⇒ every creation answers ZX_ERR_NO_MEMORY, writes no out value and leaves no object", Both),
        (pair_second_handle_fails_whole_pair_gone, "§3: a pair whose second handle cannot be minted ⇒ ZX_ERR_NO_MEMORY, neither endpoint survives", Both),
        (duplicate_no_memory_keeps_source, "§3 zx_handle_duplicate: ZX_ERR_NO_MEMORY ⇒ no new handle, the source is untouched", Both),
        (replace_no_memory_keeps_source, "§3 zx_handle_replace: ZX_ERR_NO_MEMORY ⇒ the kernel keeps the source (spec §12.2)", Both),
        (write_etc_duplicate_no_memory, "§7 zx_channel_write_etc: a DUPLICATE that cannot mint ⇒ ZX_ERR_NO_MEMORY in its result, MOVE entries consumed, DUPLICATE sources kept, nothing queued", Both),
    ];

    fn creations_answer_no_memory_and_leave_nothing(ctx: &mut Ctx) {
        let faults = faulty(ctx, FaultPlan::new().fail_from(FaultSite::Handle, 1));
        const UNTOUCHED: zx_handle_t = 0x1234_5677;
        let mut out = UNTOUCHED;
        assert_eq!(zx_event_create(0, &mut out), ZX_ERR_NO_MEMORY);
        assert_eq!(zx_port_create(0, &mut out), ZX_ERR_NO_MEMORY);
        assert_eq!(
            zx_timer_create(0, ZX_CLOCK_MONOTONIC, &mut out),
            ZX_ERR_NO_MEMORY
        );
        assert_eq!(out, UNTOUCHED, "no out value on failure");
        let (mut a, mut b) = (UNTOUCHED, UNTOUCHED);
        assert_eq!(zx_eventpair_create(0, &mut a, &mut b), ZX_ERR_NO_MEMORY);
        assert_eq!(zx_channel_create(0, &mut a, &mut b), ZX_ERR_NO_MEMORY);
        assert_eq!(zx_socket_create(0, &mut a, &mut b), ZX_ERR_NO_MEMORY);
        assert_eq!(zx_fifo_create(4, 4, 0, &mut a, &mut b), ZX_ERR_NO_MEMORY);
        assert_eq!((a, b), (UNTOUCHED, UNTOUCHED), "no out values on failure");
        // Three single handles, and both handles of each of the four pairs are attempted.
        assert_eq!(faults.kernel.faults().injected(FaultSite::Handle), 11);
        faults.assert_clean();
        drop(faults);
        ctx.assert_clean();
    }

    fn pair_second_handle_fails_whole_pair_gone(ctx: &mut Ctx) {
        let faults = faulty(ctx, FaultPlan::new().fail_nth(FaultSite::Handle, 2));
        let (mut a, mut b) = (ZX_HANDLE_INVALID, ZX_HANDLE_INVALID);
        assert_eq!(zx_channel_create(0, &mut a, &mut b), ZX_ERR_NO_MEMORY);
        faults.assert_clean();
        // The plan's next attempts succeed: the kernel is usable as before.
        let (a, b) = new_channel();
        assert_eq!(zx_channel_write(a, 0, b"ok", &[]), ZX_OK);
        assert!(readable(b));
        close_all(&[a, b]);
        faults.assert_clean();
        drop(faults);
        ctx.assert_clean();
    }

    fn duplicate_no_memory_keeps_source(ctx: &mut Ctx) {
        let faults = faulty(ctx, FaultPlan::new().fail_nth(FaultSite::Handle, 2));
        let event = new_event();
        let mut out = ZX_HANDLE_INVALID;
        assert_eq!(
            zx_handle_duplicate(event, ZX_RIGHT_SAME_RIGHTS, &mut out),
            ZX_ERR_NO_MEMORY
        );
        assert_eq!(out, ZX_HANDLE_INVALID);
        assert!(is_valid(event));
        assert_eq!(rights(event), ZX_DEFAULT_EVENT_RIGHTS);
        assert_eq!(handle_count(event), 1);
        assert_eq!(live(&faults), (1, 1));
        close(event);
        faults.assert_clean();
        drop(faults);
        ctx.assert_clean();
    }

    fn replace_no_memory_keeps_source(ctx: &mut Ctx) {
        let faults = faulty(ctx, FaultPlan::new().fail_nth(FaultSite::Handle, 2));
        let event = new_event();
        let mut out = ZX_HANDLE_INVALID;
        assert_eq!(
            zx_handle_replace(event, ZX_RIGHT_SAME_RIGHTS, &mut out),
            ZX_ERR_NO_MEMORY
        );
        assert_eq!(out, ZX_HANDLE_INVALID);
        assert!(is_valid(event), "the kernel keeps the source on NO_MEMORY");
        assert_eq!(handle_count(event), 1);
        close(event);
        faults.assert_clean();
        drop(faults);
        ctx.assert_clean();
    }

    fn write_etc_duplicate_no_memory(ctx: &mut Ctx) {
        // Mints: the channel's two handles, the two events, then the DUPLICATE (5th).
        let faults = faulty(ctx, FaultPlan::new().fail_nth(FaultSite::Handle, 5));
        let (a, b) = new_channel();
        let [moved, duplicated] = new_events::<2>();
        let mut entries = [
            zx_handle_disposition_t {
                operation: ZX_HANDLE_OP_MOVE,
                handle: moved,
                type_: ZX_OBJ_TYPE_NONE,
                rights: ZX_RIGHT_SAME_RIGHTS,
                result: ZX_OK,
            },
            zx_handle_disposition_t {
                operation: ZX_HANDLE_OP_DUPLICATE,
                handle: duplicated,
                type_: ZX_OBJ_TYPE_NONE,
                rights: ZX_RIGHT_SAME_RIGHTS,
                result: ZX_OK,
            },
        ];
        assert_eq!(
            zx_channel_write_etc(a, 0, b"m", &mut entries),
            ZX_ERR_NO_MEMORY
        );
        assert_eq!(entries[1].result, ZX_ERR_NO_MEMORY);
        assert_consumed(&[moved]);
        assert!(is_valid(duplicated), "a DUPLICATE source stays");
        assert_eq!(handle_count(duplicated), 1);
        assert!(!readable(b), "nothing queued");
        // The channel, its peer and the kept event: the moved one is gone.
        assert_eq!(live(&faults), (3, 3));
        close_all(&[a, b, duplicated]);
        faults.assert_clean();
        drop(faults);
        ctx.assert_clean();
    }
}

// ---- zx_port_queue ----

mod port_queue {
    use super::*;

    cases!["fault injection: zx_port_queue";
        (no_memory_queues_nothing, "§6 zx_port_queue: ZX_ERR_NO_MEMORY (packet allocation) ⇒ nothing queued, no policy exception; later packets queue in order", Both),
        (smaller_capacity_should_wait_with_exception, "§6/§15.1 zx_port_queue: with capacity N the (N+2)th packet answers ZX_ERR_SHOULD_WAIT with PORT_TOO_MANY_PACKETS; signal packets never count", Both),
    ];

    fn no_memory_queues_nothing(ctx: &mut Ctx) {
        let faults = faulty(ctx, FaultPlan::new().fail_nth(FaultSite::PortPacket, 2));
        let port = new_port();
        assert_eq!(zx_port_queue(port, &user_packet(1)), ZX_OK);
        assert_eq!(zx_port_queue(port, &user_packet(2)), ZX_ERR_NO_MEMORY);
        assert_eq!(zx_port_queue(port, &user_packet(3)), ZX_OK);
        assert_eq!(keys(&drain(port)), [1, 3]);
        assert!(faults.process.policy_exceptions().is_empty());
        close(port);
        faults.assert_clean();
        drop(faults);
        ctx.assert_clean();
    }

    fn smaller_capacity_should_wait_with_exception(ctx: &mut Ctx) {
        let faults = faulty(ctx, FaultPlan::new().port_capacity(2));
        let port = new_port();
        // "More than N already queued ⇒ reject": N + 1 fit.
        for key in 0..3 {
            assert_eq!(
                zx_port_queue(port, &user_packet(key)),
                ZX_OK,
                "packet {key}"
            );
        }
        assert_eq!(zx_port_queue(port, &user_packet(3)), ZX_ERR_SHOULD_WAIT);
        assert_eq!(
            faults.process.policy_exceptions(),
            vec![PolicyException::PortTooManyPackets]
        );
        // Signal packets are not user packets: they still queue.
        let event = new_event();
        assert_eq!(
            zx_object_wait_async(event, port, 9, ZX_USER_SIGNAL_0, 0),
            ZX_OK
        );
        assert_eq!(zx_object_signal(event, 0, ZX_USER_SIGNAL_0), ZX_OK);
        assert_eq!(
            keys(&drain(port)),
            [0, 1, 2, 9],
            "the rejected packet is not queued"
        );
        assert_eq!(zx_port_queue(port, &user_packet(4)), ZX_OK, "room again");
        assert_eq!(keys(&drain(port)), [4]);
        close_all(&[event, port]);
        faults.assert_clean();
        drop(faults);
        ctx.assert_clean();
    }
}

// ---- zx_object_wait_async ----

mod wait_async {
    use super::*;

    cases!["fault injection: zx_object_wait_async";
        (no_memory_registers_nothing, "§5.5 zx_object_wait_async: ZX_ERR_NO_MEMORY (observer allocation) ⇒ no observer, no packet — even for a level wait whose signal is already active", Both),
        (argument_errors_come_first, "§5.5 zx_object_wait_async: the options and handle checks precede the allocation (INVALID_ARGS, BAD_HANDLE, ACCESS_DENIED, NOT_SUPPORTED, never NO_MEMORY for those)", Both),
        (observer_limit_reached_early, "§5.5 zx_object_wait_async: past the port's observer limit the wait is still registered (ZX_OK) and PORT_TOO_MANY_OBSERVERS is raised", Both),
    ];

    fn no_memory_registers_nothing(ctx: &mut Ctx) {
        let faults = faulty(
            ctx,
            FaultPlan::new()
                .fail_nth(FaultSite::Observer, 1)
                .fail_nth(FaultSite::Observer, 2),
        );
        let port = new_port();
        let event = new_event();
        assert_eq!(
            zx_object_wait_async(event, port, 1, ZX_USER_SIGNAL_0, 0),
            ZX_ERR_NO_MEMORY
        );
        assert_eq!(observers(&faults, event), 0);
        assert_eq!(port_observers(&faults, port), 0);
        assert_eq!(zx_object_signal(event, 0, ZX_USER_SIGNAL_0), ZX_OK);
        assert_eq!(poll(port), Err(ZX_ERR_TIMED_OUT), "no packet");
        // Level mode with the signal active: the packet would be queued during the call.
        assert_eq!(
            zx_object_wait_async(event, port, 2, ZX_USER_SIGNAL_0, 0),
            ZX_ERR_NO_MEMORY
        );
        assert_eq!(poll(port), Err(ZX_ERR_TIMED_OUT), "no packet");
        // The third attempt succeeds: the packet is there at once.
        assert_eq!(
            zx_object_wait_async(event, port, 3, ZX_USER_SIGNAL_0, 0),
            ZX_OK
        );
        assert_eq!(keys(&drain(port)), [3]);
        close_all(&[event, port]);
        faults.assert_clean();
        drop(faults);
        ctx.assert_clean();
    }

    fn argument_errors_come_first(ctx: &mut Ctx) {
        let faults = faulty(ctx, FaultPlan::new().fail_from(FaultSite::Observer, 1));
        let port = new_port();
        let event = new_event();
        let other_port = new_port();
        assert_eq!(
            zx_object_wait_async(event, port, 1, ZX_USER_SIGNAL_0, 0x100),
            ZX_ERR_INVALID_ARGS
        );
        assert_eq!(
            zx_object_wait_async(event, stale_handle(), 1, ZX_USER_SIGNAL_0, 0),
            ZX_ERR_BAD_HANDLE
        );
        assert_eq!(
            zx_object_wait_async(stale_handle(), port, 1, ZX_USER_SIGNAL_0, 0),
            ZX_ERR_BAD_HANDLE
        );
        let no_wait = dup(event, ZX_RIGHT_TRANSFER);
        assert_eq!(
            zx_object_wait_async(no_wait, port, 1, ZX_USER_SIGNAL_0, 0),
            ZX_ERR_ACCESS_DENIED
        );
        assert_eq!(
            zx_object_wait_async(other_port, port, 1, ZX_USER_SIGNAL_0, 0),
            ZX_ERR_ACCESS_DENIED,
            "ports lack WAIT"
        );
        assert_eq!(
            faults.kernel.faults().attempts(FaultSite::Observer),
            0,
            "no allocation was attempted"
        );
        assert_eq!(
            zx_object_wait_async(event, port, 1, ZX_USER_SIGNAL_0, 0),
            ZX_ERR_NO_MEMORY
        );
        close_all(&[no_wait, event, port, other_port]);
        faults.assert_clean();
        drop(faults);
        ctx.assert_clean();
    }

    fn observer_limit_reached_early(ctx: &mut Ctx) {
        let faults = faulty(ctx, FaultPlan::new().observer_limit(2));
        let port = new_port();
        let events = new_events::<3>();
        for (key, &event) in events.iter().enumerate() {
            assert_eq!(
                zx_object_wait_async(event, port, key as u64, ZX_USER_SIGNAL_0, 0),
                ZX_OK
            );
        }
        assert_eq!(
            faults.process.policy_exceptions(),
            vec![PolicyException::PortTooManyObservers],
            "raised once, by the registration past the limit"
        );
        assert_eq!(port_observers(&faults, port), 3, "all three registered");
        for &event in &events {
            assert_eq!(zx_object_signal(event, 0, ZX_USER_SIGNAL_0), ZX_OK);
        }
        assert_eq!(keys(&drain(port)), [0, 1, 2]);
        close_all(&events);
        close(port);
        faults.assert_clean();
        drop(faults);
        ctx.assert_clean();
    }
}

// ---- channel messages ----

mod channel {
    use super::*;

    cases!["fault injection: channel messages";
        (write_no_memory_consumes_handles, "§7 zx_channel_write: ZX_ERR_NO_MEMORY (message allocation) ⇒ every handle passed is consumed (closed), nothing is queued", Both),
        (write_without_handles_no_memory, "§7 zx_channel_write: ZX_ERR_NO_MEMORY without handles ⇒ nothing queued, the channel works afterwards", Both),
        (call_no_memory_consumes_handles_and_returns, "§7 zx_channel_call: ZX_ERR_NO_MEMORY ⇒ returns at once, handles consumed, no request queued, no waiter left", Both),
        (channel_checks_come_first, "§7 zx_channel_write: the options, handle and size checks precede the allocation", Both),
    ];

    fn write_no_memory_consumes_handles(ctx: &mut Ctx) {
        let faults = faulty(ctx, FaultPlan::new().fail_nth(FaultSite::ChannelMessage, 1));
        let (a, b) = new_channel();
        let [event, other] = new_events::<2>();
        assert_eq!(
            zx_channel_write(a, 0, b"lost", &[event, other]),
            ZX_ERR_NO_MEMORY
        );
        assert_consumed(&[event, other]);
        assert!(!readable(b), "nothing queued");
        assert_eq!(live(&faults), (2, 2), "the events are gone");
        assert_eq!(zx_channel_write(a, 0, b"kept", &[]), ZX_OK);
        let mut bytes = [0u8; 8];
        let mut n = 0;
        assert_eq!(
            zx_channel_read(b, 0, &mut bytes, &mut [], Some(&mut n), None),
            ZX_OK
        );
        assert_eq!(&bytes[..n as usize], b"kept");
        close_all(&[a, b]);
        faults.assert_clean();
        drop(faults);
        ctx.assert_clean();
    }

    fn write_without_handles_no_memory(ctx: &mut Ctx) {
        let faults = faulty(ctx, FaultPlan::new().fail_nth(FaultSite::ChannelMessage, 1));
        let (a, b) = new_channel();
        assert_eq!(zx_channel_write(a, 0, b"x", &[]), ZX_ERR_NO_MEMORY);
        assert!(!readable(b));
        assert_eq!(
            zx_channel_read(b, 0, &mut [0u8; 4], &mut [], None, None),
            ZX_ERR_SHOULD_WAIT
        );
        assert_eq!(zx_channel_write(a, 0, b"y", &[]), ZX_OK);
        assert!(readable(b));
        close_all(&[a, b]);
        faults.assert_clean();
        drop(faults);
        ctx.assert_clean();
    }

    fn call_no_memory_consumes_handles_and_returns(ctx: &mut Ctx) {
        let faults = faulty(ctx, FaultPlan::new().fail_nth(FaultSite::ChannelMessage, 1));
        let (client, server) = new_channel();
        let event = new_event();
        let mut args = zx_channel_call_args_t {
            wr_bytes: b"\0\0\0\0?",
            wr_handles: &[event],
            rd_bytes: &mut [0u8; 8],
            rd_handles: &mut [],
        };
        let (mut nb, mut nh) = (0, 0);
        assert_eq!(
            zx_channel_call(client, 0, ZX_TIME_INFINITE, &mut args, &mut nb, &mut nh),
            ZX_ERR_NO_MEMORY
        );
        assert_consumed(&[event]);
        assert!(!readable(server), "no request queued");
        // No waiter is left behind: closing the server end now wakes nobody and frees all.
        close_all(&[client, server]);
        faults.assert_clean();
        drop(faults);
        ctx.assert_clean();
    }

    fn channel_checks_come_first(ctx: &mut Ctx) {
        let faults = faulty(
            ctx,
            FaultPlan::new().fail_from(FaultSite::ChannelMessage, 1),
        );
        let (a, b) = new_channel();
        let event = new_event();
        assert_eq!(
            zx_channel_write(a, 1, b"x", &[]),
            ZX_ERR_INVALID_ARGS,
            "options"
        );
        assert_eq!(
            zx_channel_write(stale_handle(), 0, b"x", &[]),
            ZX_ERR_BAD_HANDLE
        );
        assert_eq!(zx_channel_write(event, 0, b"x", &[]), ZX_ERR_WRONG_TYPE);
        let too_big = vec![0u8; 65_537];
        assert_eq!(zx_channel_write(a, 0, &too_big, &[]), ZX_ERR_OUT_OF_RANGE);
        assert_eq!(
            faults.kernel.faults().attempts(FaultSite::ChannelMessage),
            0,
            "no allocation was attempted"
        );
        assert_eq!(zx_channel_write(a, 0, b"x", &[]), ZX_ERR_NO_MEMORY);
        close_all(&[a, b, event]);
        faults.assert_clean();
        drop(faults);
        ctx.assert_clean();
    }
}

// ---- a random plan over a whole program ----

mod random {
    use super::*;

    cases!["fault injection: random plan";
        (random_faults_leave_nothing_behind, "§12: under a seeded random plan (30 % of allocations fail) every answer is OK or the documented failure, and closing what succeeded leaves nothing alive", Both),
        (a_seed_replays_the_same_faults, "a fault plan's seed decides exactly which calls fail: the same program sees the same answers", Both),
    ];

    /// A small program touching every injection point; returns every status it saw.
    fn program(ctx: &Ctx) -> Vec<zx_status_t> {
        let mut statuses = Vec::new();
        let mut open = Vec::new();
        let record = |status: zx_status_t, statuses: &mut Vec<zx_status_t>| {
            assert!(
                matches!(status, ZX_OK | ZX_ERR_NO_MEMORY),
                "an answer a fault plan cannot cause: {status}"
            );
            statuses.push(status);
            status == ZX_OK
        };
        for round in 0..40u64 {
            let mut port = ZX_HANDLE_INVALID;
            let mut event = ZX_HANDLE_INVALID;
            let (mut a, mut b) = (ZX_HANDLE_INVALID, ZX_HANDLE_INVALID);
            let have_port = record(zx_port_create(0, &mut port), &mut statuses);
            let have_event = record(zx_event_create(0, &mut event), &mut statuses);
            let have_channel = record(zx_channel_create(0, &mut a, &mut b), &mut statuses);
            if have_port {
                open.push(port);
                record(zx_port_queue(port, &user_packet(round)), &mut statuses);
            }
            if have_port && have_event {
                record(
                    zx_object_wait_async(event, port, round, ZX_USER_SIGNAL_0, 0),
                    &mut statuses,
                );
                assert_eq!(zx_object_signal(event, 0, ZX_USER_SIGNAL_0), ZX_OK);
            }
            if have_channel {
                open.extend([a, b]);
                if have_event {
                    let mut copy = ZX_HANDLE_INVALID;
                    if record(
                        zx_handle_duplicate(event, ZX_RIGHT_SAME_RIGHTS, &mut copy),
                        &mut statuses,
                    ) {
                        // Consumed whatever the answer.
                        record(zx_channel_write(a, 0, b"h", &[copy]), &mut statuses);
                    }
                }
                record(zx_channel_write(b, 0, b"p", &[]), &mut statuses);
            }
            if have_event {
                open.push(event);
            }
        }
        let faults = ctx.kernel.faults();
        let injected: u64 = FaultSite::ALL
            .iter()
            .map(|&site| faults.injected(site))
            .sum();
        let no_memory = statuses.iter().filter(|&&s| s == ZX_ERR_NO_MEMORY).count();
        assert!(no_memory > 0, "the plan injected nothing");
        // A pair creation attempts both handles, so one answer may stand for two faults.
        assert!(
            injected as usize >= no_memory,
            "{no_memory} NO_MEMORY answers but only {injected} faults injected"
        );
        close_all(&open);
        ctx.assert_clean();
        statuses
    }

    fn random_faults_leave_nothing_behind(ctx: &mut Ctx) {
        for seed in 1..=5 {
            let sites = FaultSite::ALL;
            let faults = faulty(ctx, FaultPlan::new().random(seed, 300_000, &sites));
            program(&faults);
        }
        ctx.assert_clean();
    }

    fn a_seed_replays_the_same_faults(ctx: &mut Ctx) {
        let run = |seed| {
            let faults = faulty(ctx, FaultPlan::new().random(seed, 300_000, &FaultSite::ALL));
            program(&faults)
        };
        let first = run(42);
        assert_eq!(first, run(42));
        assert_ne!(first, run(43));
        ctx.assert_clean();
    }
}
