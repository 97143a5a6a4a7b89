//! Conformance cases for the task self-handles and the thread states other threads observe:
//! `zx_process_self`, `zx_thread_self`, `ZX_INFO_THREAD` (spec §4 get_info, §5 waits).
//!
//! Zircon's core-tests park a thread in a blocking call and poll its `ZX_INFO_THREAD` state
//! (their `wait_thread_blocked` helper) until it reads `ZX_THREAD_STATE_BLOCKED_*` before they
//! wake it — e.g. `ThreadStateTests.port_test` / `channel_test` and `Threads.SuspendPortCall`
//! (threads/threads.cc); these cases check every state such tests poll for.

use std::sync::mpsc;

use crate::harness::Ctx;
use crate::support::*;
use zxsim_syscalls::sys::*;

cases![
    "zx_thread_self";
    (process_self_is_the_process, "§4: zx_process_self names a PROCESS object with the process's koid, the same value on every call", Both),
    (thread_self_is_a_thread_of_the_process, "§4: zx_thread_self names a THREAD whose related_koid is its process; one per thread", Both),
    (running_thread_reports_running, "§4: ZX_INFO_THREAD of a running thread is ZX_THREAD_STATE_RUNNING", Both),
    (info_thread_needs_inspect_and_a_thread, "§4: ZX_INFO_THREAD needs INSPECT (ACCESS_DENIED) and a thread (WRONG_TYPE)", Both),
    (info_thread_affinity_is_every_host_cpu, "§4: ZX_INFO_THREAD's cpu_affinity_mask has one bit per host CPU, from bit 0 up, and no exception channel", Both),
    (blocked_in_wait_one, "§5: a thread in zx_object_wait_one reads BLOCKED_WAIT_ONE, then RUNNING again", Both),
    (blocked_in_wait_many, "§5: a thread in zx_object_wait_many reads BLOCKED_WAIT_MANY", Both),
    (blocked_in_port_wait, "§6: a thread in zx_port_wait reads BLOCKED_PORT", Both),
    (blocked_in_channel_call, "§7: a thread in zx_channel_call reads BLOCKED_CHANNEL", Both),
    (blocked_in_nanosleep, "§9: a thread in zx_nanosleep reads BLOCKED_SLEEPING", Both),
    (exited_thread_is_dead_and_terminated, "§4: an exited thread reads DEAD and asserts ZX_THREAD_TERMINATED", Both),
];

fn thread_state(h: zx_handle_t) -> u32 {
    let mut buffer = [0u8; std::mem::size_of::<zx_info_thread_t>()];
    assert_eq!(
        zx_object_get_info(h, ZX_INFO_THREAD, &mut buffer, None, None),
        ZX_OK,
        "ZX_INFO_THREAD"
    );
    u32::from_le_bytes(buffer[0..4].try_into().unwrap())
}

/// Polls the thread's state until it reads `state` (as the upstream tests do).
fn wait_for_state(h: zx_handle_t, state: u32) {
    await_condition(format_args!("the thread to reach state {state:#x}"), || {
        thread_state(h) == state
    });
}

/// Runs `body` on a new thread of the case's process after it sent back its own thread handle;
/// `wake` runs on the calling thread once the other thread reads `blocked`.
fn park_and_wake<T: Send + 'static>(
    ctx: &Ctx,
    blocked: u32,
    body: impl FnOnce() -> T + Send + 'static,
    wake: impl FnOnce(),
) -> T {
    let (tx, rx) = mpsc::channel();
    let worker = ctx.process.spawn(move || {
        tx.send(zx_thread_self()).unwrap();
        body()
    });
    let thread = rx.recv().unwrap();
    wait_for_state(thread, blocked);
    wake();
    let result = join(ctx, worker);
    close(thread);
    result
}

fn process_self_is_the_process(ctx: &mut Ctx) {
    let h = zx_process_self();
    assert_ne!(h, ZX_HANDLE_INVALID);
    assert_eq!(zx_process_self(), h, "the same handle every call");
    let info = basic(h);
    assert_eq!(info.type_, ZX_OBJ_TYPE_PROCESS);
    assert_eq!(info.koid, ctx.process.koid());
    assert_eq!(info.rights, ZX_DEFAULT_PROCESS_RIGHTS);
    close(h);
    ctx.assert_clean();
}

fn thread_self_is_a_thread_of_the_process(ctx: &mut Ctx) {
    let spawn_self = || ctx.process.spawn(zx_thread_self);
    let (a, b) = (join(ctx, spawn_self()), join(ctx, spawn_self()));
    assert_ne!(a, b, "each thread has its own handle");
    let (ia, ib) = (basic(a), basic(b));
    assert_eq!(ia.type_, ZX_OBJ_TYPE_THREAD);
    assert_eq!(ia.related_koid, ctx.process.koid());
    assert_eq!(ia.rights, ZX_DEFAULT_THREAD_RIGHTS);
    assert_ne!(ia.koid, ib.koid);
    assert_ne!(ia.koid, ctx.process.koid());
    close(a);
    close(b);
    ctx.assert_clean();
}

fn running_thread_reports_running(ctx: &mut Ctx) {
    let state = join(
        ctx,
        ctx.process.spawn(|| {
            let me = zx_thread_self();
            assert_eq!(zx_thread_self(), me, "the same handle every call");
            let state = thread_state(me);
            close(me);
            state
        }),
    );
    assert_eq!(state, ZX_THREAD_STATE_RUNNING);
    ctx.assert_clean();
}

fn info_thread_needs_inspect_and_a_thread(ctx: &mut Ctx) {
    let thread = join(ctx, ctx.process.spawn(zx_thread_self));
    let blind = dup(thread, ZX_RIGHT_WAIT);
    let mut buffer = [0u8; std::mem::size_of::<zx_info_thread_t>()];
    assert_eq!(
        zx_object_get_info(blind, ZX_INFO_THREAD, &mut buffer, None, None),
        ZX_ERR_ACCESS_DENIED
    );
    let e = new_event();
    assert_eq!(
        zx_object_get_info(e, ZX_INFO_THREAD, &mut buffer, None, None),
        ZX_ERR_WRONG_TYPE
    );
    let (mut actual, mut avail) = (9, 9);
    assert_eq!(
        zx_object_get_info(
            thread,
            ZX_INFO_THREAD,
            &mut buffer[..8],
            Some(&mut actual),
            Some(&mut avail)
        ),
        ZX_ERR_BUFFER_TOO_SMALL
    );
    assert_eq!((actual, avail), (0, 1));
    for h in [blind, e, thread] {
        close(h);
    }
    ctx.assert_clean();
}

fn info_thread_affinity_is_every_host_cpu(ctx: &mut Ctx) {
    let thread = join(ctx, ctx.process.spawn(zx_thread_self));
    let mut buffer = [0u8; std::mem::size_of::<zx_info_thread_t>()];
    assert_eq!(
        zx_object_get_info(thread, ZX_INFO_THREAD, &mut buffer, None, None),
        ZX_OK
    );
    assert_eq!(
        u32::from_le_bytes(buffer[4..8].try_into().unwrap()),
        ZX_EXCEPTION_CHANNEL_TYPE_NONE
    );
    let words: Vec<u64> = buffer[8..]
        .chunks_exact(8)
        .map(|word| u64::from_le_bytes(word.try_into().unwrap()))
        .collect();
    // zxsim pins no thread: every CPU the host offers is in the set, CPU n at bit n % 64 of
    // word n / 64.
    let cpus = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(ZX_CPU_SET_MAX_CPUS);
    let mut expected = vec![0u64; ZX_CPU_SET_MAX_CPUS / ZX_CPU_SET_BITS_PER_WORD];
    for cpu in 0..cpus {
        expected[cpu / 64] |= 1 << (cpu % 64);
    }
    assert_eq!(words, expected, "{cpus} CPUs");
    close(thread);
    ctx.assert_clean();
}

fn blocked_in_wait_one(ctx: &mut Ctx) {
    let e = new_event();
    let (tx, rx) = mpsc::channel();
    let worker = ctx.process.spawn(move || {
        let me = zx_thread_self();
        tx.send(me).unwrap();
        let mut observed = 0;
        let status = zx_object_wait_one(e, ZX_USER_SIGNAL_0, ZX_TIME_INFINITE, Some(&mut observed));
        (status, thread_state(me))
    });
    let thread = rx.recv().unwrap();
    wait_for_state(thread, ZX_THREAD_STATE_BLOCKED_WAIT_ONE);
    assert_eq!(zx_object_signal(e, 0, ZX_USER_SIGNAL_0), ZX_OK);
    let (status, after) = join(ctx, worker);
    assert_eq!(status, ZX_OK);
    assert_eq!(after, ZX_THREAD_STATE_RUNNING, "running again once woken");
    close(thread);
    close(e);
    ctx.assert_clean();
}

fn blocked_in_wait_many(ctx: &mut Ctx) {
    let (a, b) = (new_event(), new_event());
    let status = park_and_wake(
        ctx,
        ZX_THREAD_STATE_BLOCKED_WAIT_MANY,
        move || {
            let mut items = [a, b].map(|handle| zx_wait_item_t {
                handle,
                waitfor: ZX_EVENT_SIGNALED,
                pending: 0,
            });
            zx_object_wait_many(&mut items, ZX_TIME_INFINITE)
        },
        || assert_eq!(zx_object_signal(b, 0, ZX_EVENT_SIGNALED), ZX_OK),
    );
    assert_eq!(status, ZX_OK);
    close(a);
    close(b);
    ctx.assert_clean();
}

fn blocked_in_port_wait(ctx: &mut Ctx) {
    let p = new_port();
    let (status, key) = park_and_wake(
        ctx,
        ZX_THREAD_STATE_BLOCKED_PORT,
        move || {
            let mut packet = zx_port_packet_t::default();
            (zx_port_wait(p, ZX_TIME_INFINITE, &mut packet), packet.key)
        },
        || {
            let packet = zx_port_packet_t::new_user(7, 0, zx_packet_user_t::default());
            assert_eq!(zx_port_queue(p, &packet), ZX_OK);
        },
    );
    assert_eq!((status, key), (ZX_OK, 7));
    close(p);
    ctx.assert_clean();
}

fn blocked_in_channel_call(ctx: &mut Ctx) {
    let (mut client, mut server) = (0, 0);
    assert_eq!(zx_channel_create(0, &mut client, &mut server), ZX_OK);
    let status = park_and_wake(
        ctx,
        ZX_THREAD_STATE_BLOCKED_CHANNEL,
        move || {
            let mut reply = [0u8; 8];
            let mut args = zx_channel_call_args_t {
                wr_bytes: &[0, 0, 0, 0, 1, 2, 3, 4],
                wr_handles: &[],
                rd_bytes: &mut reply,
                rd_handles: &mut [],
            };
            let (mut bytes, mut handles) = (0, 0);
            zx_channel_call(
                client,
                0,
                ZX_TIME_INFINITE,
                &mut args,
                &mut bytes,
                &mut handles,
            )
        },
        || {
            let mut request = [0u8; 8];
            let mut actual = 0;
            assert_eq!(
                zx_channel_read(server, 0, &mut request, &mut [], Some(&mut actual), None),
                ZX_OK
            );
            assert_eq!(zx_channel_write(server, 0, &request, &[]), ZX_OK);
        },
    );
    assert_eq!(status, ZX_OK);
    close(client);
    close(server);
    ctx.assert_clean();
}

fn blocked_in_nanosleep(ctx: &mut Ctx) {
    let kernel = ctx.kernel.clone();
    let status = park_and_wake(
        ctx,
        ZX_THREAD_STATE_BLOCKED_SLEEPING,
        || zx_nanosleep(1_000),
        || {
            kernel.advance_clock(1_000);
        },
    );
    assert_eq!(status, ZX_OK);
    ctx.assert_clean();
}

fn exited_thread_is_dead_and_terminated(ctx: &mut Ctx) {
    let thread = join(ctx, ctx.process.spawn(zx_thread_self));
    assert_eq!(thread_state(thread), ZX_THREAD_STATE_DEAD);
    assert_eq!(signals(thread) & ZX_THREAD_TERMINATED, ZX_THREAD_TERMINATED);
    close(thread);
    ctx.assert_clean();
}
