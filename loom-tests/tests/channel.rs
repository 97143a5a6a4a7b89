//! Channel models: an endpoint's transfer racing reads through it (`transfer_vs_read`,
//! `transfer_vs_read_and_receive`), a peer's last-handle close racing a write that carries
//! handles (`peer_close_vs_write`), and `zx_channel_call` racing its reply and its deadline on the
//! virtual clock (`call_vs_reply_vs_deadline`, `call_vs_deadline`).
//!
//! Each model runs under `loom::model::Builder` with `preemption_bound` = `LOOM_MAX_PREEMPTIONS`
//! (default **2**; `cargo xtask loom` uses 3, `--quick` 2). A model that hangs in some
//! interleaving fails: loom reports a deadlock when every thread is blocked. At bound ≥ 2 each
//! model also checks that every listed outcome class was explored.
//!
//! The order of the racing steps is recorded with `std` atomics outside loom's view (see
//! [`Race`]), as the other models do: loom runs every model thread on one OS thread, so they
//! observe the real order of an execution without adding synchronisation — which could hide a
//! missing happens-before edge in the kernel — or branch points to the model.
#![cfg(zxsim_loom)]

use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::sync::Arc;

use zxsim_kernel::{Process, Profile};
use zxsim_loom_tests::{assert_nothing_leaked, check, event, kernel, Race};
use zxsim_syscalls::sys::*;

fn channel() -> (zx_handle_t, zx_handle_t) {
    let (mut a, mut b) = (ZX_HANDLE_INVALID, ZX_HANDLE_INVALID);
    assert_eq!(zx_channel_create(0, &mut a, &mut b), ZX_OK);
    (a, b)
}

fn status_name(status: zx_status_t) -> &'static str {
    match status {
        ZX_OK => "OK",
        ZX_ERR_SHOULD_WAIT => "SHOULD_WAIT",
        ZX_ERR_BAD_HANDLE => "BAD_HANDLE",
        ZX_ERR_PEER_CLOSED => "PEER_CLOSED",
        ZX_ERR_TIMED_OUT => "TIMED_OUT",
        other => panic!("unexpected status {other}"),
    }
}

/// Reads one-byte, handle-less messages from `channel` until it answers something other than
/// `ZX_OK`; returns the bytes read and the final status. `transferred`, if given, tells whether
/// the endpoint's transfer had already returned: a read that starts after that must not succeed.
fn drain(channel: zx_handle_t, transferred: Option<&AtomicBool>) -> (Vec<u8>, zx_status_t) {
    let mut read = Vec::new();
    loop {
        let after_transfer = transferred.is_some_and(|flag| flag.load(SeqCst));
        let mut byte = [0u8; 1];
        let mut actual = 0;
        let status = zx_channel_read(channel, 0, &mut byte, &mut [], Some(&mut actual), None);
        if status != ZX_OK {
            return (read, status);
        }
        assert!(
            !after_transfer,
            "the old owner read message {} after the transfer returned",
            byte[0]
        );
        assert_eq!(actual, 1);
        read.push(byte[0]);
    }
}

const OLD_OWNER_OUTCOMES: &[&str] = &[
    "old owner read 0, then BAD_HANDLE",
    "old owner read 1, then BAD_HANDLE",
    "old owner read 2, then BAD_HANDLE",
    "old owner read 2, then SHOULD_WAIT",
];

/// A channel `a` holding messages `1` and `2` (written through `a_peer`) and a transport channel
/// whose receiving end `t1` belongs to `p2`; everything else belongs to the calling thread's
/// process. Returns (a, a_peer, t0, t1).
fn transfer_setup(
    p1: &Process,
    p2: &Process,
) -> (zx_handle_t, zx_handle_t, zx_handle_t, zx_handle_t) {
    let (a, a_peer) = channel();
    let (t0, t1) = channel();
    assert_eq!(zx_channel_write(a_peer, 0, &[1], &[]), ZX_OK);
    assert_eq!(zx_channel_write(a_peer, 0, &[2], &[]), ZX_OK);
    let t1 = p2.add_handle(p1.handles().remove(t1).expect("t1 is live"));
    (a, a_peer, t0, t1)
}

/// As the new owner (the calling thread bound to P2): reads the transport message from `t1`,
/// then every message left through the received endpoint, and closes both. Returns the messages.
fn receive_and_drain(t1: zx_handle_t) -> Vec<u8> {
    let mut byte = [0u8; 1];
    let mut received = [ZX_HANDLE_INVALID; 1];
    let (mut nb, mut nh) = (0, 0);
    assert_eq!(
        zx_channel_read(
            t1,
            0,
            &mut byte,
            &mut received,
            Some(&mut nb),
            Some(&mut nh)
        ),
        ZX_OK
    );
    assert_eq!((byte[0], nb, nh), (b'T', 1, 1));
    let (read, status) = drain(received[0], None);
    assert_eq!(
        status, ZX_ERR_SHOULD_WAIT,
        "the new owner's read ended with {status}"
    );
    assert_eq!(zx_handle_close_many(&[received[0], t1]), ZX_OK);
    read
}

/// Checks what the old owner (`old`, ended by `stopped`) and the new owner (`new`) read, and
/// names the outcome.
fn judge_transfer(old: &[u8], stopped: zx_status_t, new: &[u8]) -> String {
    let all: Vec<u8> = old.iter().chain(new).copied().collect();
    assert_eq!(
        all,
        [1, 2],
        "old owner read {old:?}, new owner read {new:?}"
    );
    match stopped {
        ZX_ERR_BAD_HANDLE => {}
        ZX_ERR_SHOULD_WAIT => assert_eq!(old, [1, 2], "SHOULD_WAIT with messages left"),
        other => panic!("the old owner's read ended with {other}"),
    }
    format!(
        "old owner read {}, then {}",
        old.len(),
        status_name(stopped)
    )
}

/// Endpoint `a` holds messages `1` then `2`. A thread of process P1 reads `a` — polling
/// `zx_channel_read` until `SHOULD_WAIT` or `BAD_HANDLE` — while P1's main thread writes `a`'s
/// handle into a transport channel whose other end belongs to process P2, then (bound to P2)
/// reads the transport message and, through the received handle, the remaining messages,
/// concurrently with the old owner's last reads. Every message is consumed exactly once, in
/// FIFO order (the old owner gets a prefix, the new owner the rest); no read by the old owner
/// succeeds once the transfer has returned; the old owner stops with `SHOULD_WAIT` only if it
/// read everything. Nothing leaks.
///
/// Either safeguard alone — the syscall's table lock, or the owner check under the pair lock —
/// keeps this model green up to bound 4; without both it fails at bound 2.
/// 2 threads (2 processes); bound `LOOM_MAX_PREEMPTIONS` (default 2).
#[test]
fn transfer_vs_read() {
    check("channel_transfer_vs_read", OLD_OWNER_OUTCOMES, || {
        let (kernel, p1) = kernel(Profile::Rfc0240);
        let p2 = kernel.create_process();
        let bound = p1.bind();
        let (a, a_peer, t0, t1) = transfer_setup(&p1, &p2);
        let transferred = Arc::new(AtomicBool::new(false));
        let reader = p1.spawn({
            let transferred = transferred.clone();
            move || drain(a, Some(&transferred))
        });
        assert_eq!(zx_channel_write(t0, 0, b"T", &[a]), ZX_OK);
        transferred.store(true, SeqCst);
        let new = {
            let _p2 = p2.bind();
            receive_and_drain(t1)
        };
        let (old, stopped) = reader.join().unwrap();
        let outcome = judge_transfer(&old, stopped, &new);
        assert_eq!(zx_handle_close_many(&[t0, a_peer]), ZX_OK);
        drop(bound);
        assert_nothing_leaked(&kernel);
        outcome
    });
}

/// [`transfer_vs_read`] with the new owner on its own thread of P2, which blocks in
/// `zx_object_wait_one(READABLE)` on the transport until the transfer arrives: the old owner's
/// reads, the transfer, the receiver's wake-up and its reads all race. Same checks.
/// 3 threads (2 processes); bound `LOOM_MAX_PREEMPTIONS` (default 2).
#[test]
fn transfer_vs_read_and_receive() {
    check(
        "channel_transfer_vs_read_and_receive",
        OLD_OWNER_OUTCOMES,
        || {
            let (kernel, p1) = kernel(Profile::Rfc0240);
            let p2 = kernel.create_process();
            let bound = p1.bind();
            let (a, a_peer, t0, t1) = transfer_setup(&p1, &p2);
            let transferred = Arc::new(AtomicBool::new(false));
            let reader = p1.spawn({
                let transferred = transferred.clone();
                move || drain(a, Some(&transferred))
            });
            let receiver = p2.spawn(move || {
                let mut observed = 0;
                assert_eq!(
                    zx_object_wait_one(
                        t1,
                        ZX_CHANNEL_READABLE,
                        ZX_TIME_INFINITE,
                        Some(&mut observed)
                    ),
                    ZX_OK
                );
                receive_and_drain(t1)
            });
            assert_eq!(zx_channel_write(t0, 0, b"T", &[a]), ZX_OK);
            transferred.store(true, SeqCst);
            let new = receiver.join().unwrap();
            let (old, stopped) = reader.join().unwrap();
            let outcome = judge_transfer(&old, stopped, &new);
            assert_eq!(zx_handle_close_many(&[t0, a_peer]), ZX_OK);
            drop(bound);
            assert_nothing_leaked(&kernel);
            outcome
        },
    );
}

/// `zx_channel_write(a, [event, c0])` racing the last-handle close of `a`'s peer `b`: the write
/// answers `OK` (the message reached `b`'s queue and was destroyed with `b`, closing its handles)
/// or `PEER_CLOSED` (its handles closed by the write). Either way, once both returned, the
/// carried handles are gone from the writer's table, the event and `c0` are destroyed (`c1` sees
/// `PEER_CLOSED`), `a` sees `PEER_CLOSED`, and closing `a` and `c1` leaves nothing alive.
/// 2 threads; bound `LOOM_MAX_PREEMPTIONS` (default 2).
#[test]
fn peer_close_vs_write() {
    check(
        "channel_peer_close_vs_write",
        &[
            "close then write: PEER_CLOSED",
            "write overlapped close: OK",
            "write overlapped close: PEER_CLOSED",
            "write then close: OK",
        ],
        || {
            let (kernel, process) = kernel(Profile::Rfc0240);
            let _bound = process.bind();
            let (a, b) = channel();
            let (c0, c1) = channel();
            let event = event();
            let race = Race::new("write", "close");
            let writer = process.spawn({
                let race = race.clone();
                move || race.a(|| zx_channel_write(a, 0, b"m", &[event, c0]))
            });
            assert_eq!(race.b(|| zx_handle_close(b)), ZX_OK);
            let written = writer.join().unwrap();
            match race.first() {
                Some(0) => assert_eq!(written, ZX_OK),
                Some(_) => assert_eq!(written, ZX_ERR_PEER_CLOSED),
                None => assert!(
                    written == ZX_OK || written == ZX_ERR_PEER_CLOSED,
                    "write answered {written}"
                ),
            }
            assert_eq!(
                zx_handle_close(event),
                ZX_ERR_BAD_HANDLE,
                "the event was not consumed"
            );
            assert_eq!(
                zx_handle_close(c0),
                ZX_ERR_BAD_HANDLE,
                "c0 was not consumed"
            );
            assert_eq!(
                (kernel.live_objects(), kernel.live_handles()),
                (2, 2),
                "live (objects, handles): only a and c1 should remain"
            );
            let mut observed = 0;
            assert_eq!(
                zx_object_wait_one(c1, ZX_CHANNEL_PEER_CLOSED, 0, Some(&mut observed)),
                ZX_OK
            );
            assert_eq!(
                zx_object_wait_one(a, ZX_CHANNEL_PEER_CLOSED, 0, Some(&mut observed)),
                ZX_OK
            );
            assert_eq!(observed & (ZX_CHANNEL_READABLE | ZX_CHANNEL_WRITABLE), 0);
            assert_eq!(
                zx_channel_read(a, 0, &mut [], &mut [], None, None),
                ZX_ERR_PEER_CLOSED
            );
            assert_eq!(zx_handle_close_many(&[a, c1]), ZX_OK);
            assert_nothing_leaked(&kernel);
            format!("{}: {}", race.order(), status_name(written))
        },
    );
}

const DEADLINE: zx_time_t = 10;

/// `zx_channel_call(client, deadline = 10)` racing the server's reply and the virtual clock's
/// advance to the deadline: one thread calls, one (the server) waits for the request, reads it
/// and echoes its txid in a reply, and the main thread advances the clock past the deadline.
/// The call answers exactly one of `OK` (with the reply; the reply is then not also queued) or
/// `TIMED_OUT` (the reply is then in the client's queue, readable with `zx_channel_read`: never
/// lost). A reply that completed before the advance started always reaches the caller.
/// 3 threads; bound `LOOM_MAX_PREEMPTIONS` (default 2).
#[test]
fn call_vs_reply_vs_deadline() {
    check(
        "channel_call_vs_reply_vs_deadline",
        &[
            "advance then reply: OK",
            "advance then reply: TIMED_OUT",
            "reply overlapped advance: OK",
            "reply overlapped advance: TIMED_OUT",
            "reply then advance: OK",
        ],
        || {
            let (kernel, process) = kernel(Profile::Rfc0240);
            let _bound = process.bind();
            let (client, server) = channel();
            let race = Race::new("reply", "advance");
            let caller = process.spawn(move || {
                let mut reply = [0u8; 8];
                let (mut nb, mut nh) = (0, 0);
                let mut args = zx_channel_call_args_t {
                    wr_bytes: b"\0\0\0\0?",
                    wr_handles: &[],
                    rd_bytes: &mut reply,
                    rd_handles: &mut [],
                };
                let status = zx_channel_call(client, 0, DEADLINE, &mut args, &mut nb, &mut nh);
                (status, reply[..nb as usize].to_vec(), nh)
            });
            let responder = process.spawn({
                let race = race.clone();
                move || {
                    assert_eq!(
                        zx_object_wait_one(server, ZX_CHANNEL_READABLE, ZX_TIME_INFINITE, None),
                        ZX_OK
                    );
                    let mut request = [0u8; 8];
                    let mut nb = 0;
                    assert_eq!(
                        zx_channel_read(server, 0, &mut request, &mut [], Some(&mut nb), None),
                        ZX_OK
                    );
                    assert_eq!(&request[4..nb as usize], b"?");
                    let txid = u32::from_le_bytes(request[..4].try_into().unwrap());
                    assert!(txid >= 0x8000_0000, "txid {txid:#x} is not a kernel txid");
                    let mut reply = request[..4].to_vec();
                    reply.push(b'!');
                    assert_eq!(race.a(|| zx_channel_write(server, 0, &reply, &[])), ZX_OK);
                    txid
                }
            });
            race.b(|| kernel.advance_clock(DEADLINE));
            let txid = responder.join().unwrap();
            let (status, reply, handles) = caller.join().unwrap();
            let mut expected = txid.to_le_bytes().to_vec();
            expected.push(b'!');
            let mut queued = [0u8; 8];
            let mut nb = 0;
            let read = zx_channel_read(client, 0, &mut queued, &mut [], Some(&mut nb), None);
            match status {
                ZX_OK => {
                    assert_eq!((reply, handles), (expected, 0));
                    assert_eq!(
                        read, ZX_ERR_SHOULD_WAIT,
                        "the reply was delivered and also queued"
                    );
                }
                ZX_ERR_TIMED_OUT => {
                    assert_eq!(read, ZX_OK, "the call timed out and its reply was lost");
                    assert_eq!(&queued[..nb as usize], &expected[..]);
                    assert_eq!(
                        zx_channel_read(client, 0, &mut queued, &mut [], None, None),
                        ZX_ERR_SHOULD_WAIT,
                        "a second queued message"
                    );
                }
                other => panic!("zx_channel_call answered {other}"),
            }
            if race.first() == Some(0) {
                assert_eq!(
                    status, ZX_OK,
                    "a reply written before the deadline was not delivered"
                );
            }
            assert_eq!(
                kernel.clock().next_deadline(),
                None,
                "the call left its deadline entry"
            );
            assert_eq!(zx_handle_close_many(&[client, server]), ZX_OK);
            assert_nothing_leaked(&kernel);
            format!("{}: {}", race.order(), status_name(status))
        },
    );
}

/// `zx_channel_call(client, deadline = 10)` that nobody answers, racing the virtual clock's
/// advance to the deadline: the call always ends `TIMED_OUT` — it never hangs, whether the
/// advance came before it registered its deadline entry, while it was checking the time, or
/// while it was blocked — and leaves no deadline entry behind; its request stays queued on the
/// server end, with a kernel txid. (In [`call_vs_reply_vs_deadline`] the reply always wakes the
/// caller, so a lost deadline wake-up would go unnoticed there.)
/// 2 threads; bound `LOOM_MAX_PREEMPTIONS` (default 2).
#[test]
fn call_vs_deadline() {
    check(
        "channel_call_vs_deadline",
        &[
            "advance then call: TIMED_OUT",
            "call overlapped advance: TIMED_OUT",
        ],
        || {
            let (kernel, process) = kernel(Profile::Rfc0240);
            let _bound = process.bind();
            let (client, server) = channel();
            let race = Race::new("call", "advance");
            let caller = process.spawn({
                let race = race.clone();
                move || {
                    let (mut nb, mut nh) = (0, 0);
                    let mut args = zx_channel_call_args_t {
                        wr_bytes: b"\0\0\0\0?",
                        wr_handles: &[],
                        rd_bytes: &mut [0u8; 8],
                        rd_handles: &mut [],
                    };
                    race.a(|| zx_channel_call(client, 0, DEADLINE, &mut args, &mut nb, &mut nh))
                }
            });
            race.b(|| kernel.advance_clock(DEADLINE));
            let status = caller.join().unwrap();
            assert_eq!(status, ZX_ERR_TIMED_OUT);
            assert_eq!(
                kernel.clock().next_deadline(),
                None,
                "the call left its deadline entry"
            );
            let mut request = [0u8; 8];
            let mut nb = 0;
            assert_eq!(
                zx_channel_read(server, 0, &mut request, &mut [], Some(&mut nb), None),
                ZX_OK
            );
            assert_eq!(&request[4..nb as usize], b"?");
            assert!(u32::from_le_bytes(request[..4].try_into().unwrap()) >= 0x8000_0000);
            assert_eq!(zx_handle_close_many(&[client, server]), ZX_OK);
            assert_nothing_leaked(&kernel);
            format!("{}: {}", race.order(), status_name(status))
        },
    );
}

/// `zx_channel_call` blocked for its reply while another thread of the same process transfers
/// the caller's endpoint: writes its handle into a transport channel, then reads it back out (as
/// the endpoint's new owner would). The call either lost the race for the handle (`BAD_HANDLE`:
/// the transfer removed it first, so nothing was sent) or started first and then ends with
/// `CANCELED` once the endpoint is received (Zircon's `CancelMessageWaiters`) — never a hang,
/// never a reply to the wrong owner. Its request, if sent, waits on the server end.
/// 2 threads; bound `LOOM_MAX_PREEMPTIONS` (default 2).
#[test]
fn call_vs_endpoint_transfer() {
    check(
        "channel_call_vs_endpoint_transfer",
        &[
            "transfer then call: BAD_HANDLE",
            "call overlapped transfer: CANCELED",
            "call overlapped transfer: BAD_HANDLE",
        ],
        || {
            let (kernel, process) = kernel(Profile::Rfc0240);
            let _bound = process.bind();
            let (client, server) = channel();
            let (t0, t1) = channel();
            let race = Race::new("call", "transfer");
            let caller = process.spawn({
                let race = race.clone();
                move || {
                    let (mut nb, mut nh) = (0, 0);
                    let mut args = zx_channel_call_args_t {
                        wr_bytes: b"\0\0\0\0?",
                        wr_handles: &[],
                        rd_bytes: &mut [0u8; 8],
                        rd_handles: &mut [],
                    };
                    race.a(|| {
                        zx_channel_call(client, 0, ZX_TIME_INFINITE, &mut args, &mut nb, &mut nh)
                    })
                }
            });
            let received = race.b(|| {
                assert_eq!(zx_channel_write(t0, 0, b"", &[client]), ZX_OK);
                let mut handles = [ZX_HANDLE_INVALID; 1];
                let (mut nb, mut nh) = (0, 0);
                assert_eq!(
                    zx_channel_read(t1, 0, &mut [], &mut handles, Some(&mut nb), Some(&mut nh)),
                    ZX_OK
                );
                handles[0]
            });
            let status = caller.join().unwrap();
            let mut request = [0u8; 8];
            let mut nb = 0;
            let sent = zx_channel_read(server, 0, &mut request, &mut [], Some(&mut nb), None);
            let outcome = match status {
                ZX_ERR_CANCELED => {
                    assert_eq!(sent, ZX_OK, "a cancelled call had sent its request");
                    "CANCELED"
                }
                ZX_ERR_BAD_HANDLE => {
                    assert_eq!(sent, ZX_ERR_SHOULD_WAIT, "a refused call sent nothing");
                    "BAD_HANDLE"
                }
                other => panic!("a call whose endpoint was transferred answered {other}"),
            };
            assert_eq!(zx_handle_close_many(&[received, server, t0, t1]), ZX_OK);
            assert_nothing_leaked(&kernel);
            format!("{}: {outcome}", race.order())
        },
    );
}
