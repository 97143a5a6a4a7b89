//! Conformance cases for the "channel lifecycle" family (spec §2.2, §2.3, §13.4, §15 item 12):
//! peer-closed, destruction of unread messages (and of the handles inside them, which ends the
//! async waits bound to them under `zircon`), and a single owner for every endpoint.

use zxsim_kernel::objects::channel::Channel;
use zxsim_syscalls::sys::*;

use crate::harness::Ctx;
use crate::support::channel::*;
use crate::support::*;

cases!["channel lifecycle";
    (peer_closed_before_close_returns, "§2.3/§15.12: closing an endpoint raises PEER_CLOSED and clears WRITABLE on the survivor before zx_handle_close returns", Both),
    (peer_closed_wakes_waiter, "§2.3: a thread blocked in wait_one for PEER_CLOSED on the survivor wakes with it", Both),
    (unread_messages_destroyed, "§2.2/§15.12: destroying an endpoint destroys its unread messages and closes every handle in them", Both),
    (nested_two_hundred_levels, "§2.2: destruction is recursive — 200 channels nested in messages die with the outermost", Both),
    (in_flight_handles_count, "§2.2/§4: a handle inside an unread message counts toward its object's handle count", Both),
    (single_owner_no_duplicate, "§1.4/§3/§7: channel handles lack DUPLICATE (duplicate ⇒ ACCESS_DENIED); replace needs no right and works", Both),
    (transferred_endpoint_stale_value, "§7 owner rule: after an endpoint moves to another process, the old owner's value fails BAD_HANDLE for read/write/call/close", Both),
    (kernel_owner_check_refuses_non_owners, "§7 owner rule, at the object: a write, read or call by any process but the endpoint's owner answers BAD_HANDLE and changes nothing, even with the endpoint object in hand (no table lookup to stop it)", Both),
    (destroyed_message_ends_wait, "§13.3/§13.4: an object whose only handle sits in an unread message that is destroyed dies; its async wait ends with no packet", Both),
];

fn kernel_owner_check_refuses_non_owners(ctx: &mut Ctx) {
    use zxsim_kernel::objects::channel::Message;
    let (a, b) = new_channel();
    let owner = ctx.process.koid();
    let stranger = ctx.other_process().koid();
    let object = object_of(&ctx.process, a);
    let endpoint = object.downcast::<Channel>().expect("a channel");
    for caller in [stranger, 0, owner + 1_000_000] {
        let refused = endpoint.write_bytes(caller, b"intruder", Vec::new());
        assert_eq!(
            refused.err().map(|(status, _)| status),
            Some(zxsim_kernel::Status::BAD_HANDLE),
            "write by {caller}"
        );
        let call = endpoint.call_start(caller, Message::new(vec![0; 8], Vec::new()));
        assert_eq!(
            call.err().map(|(status, _)| status),
            Some(zxsim_kernel::Status::BAD_HANDLE),
            "call by {caller}"
        );
    }
    assert_eq!(queued(ctx, b), 0, "nothing reached the peer");
    assert_eq!(write(b, b"for a", &[]), ZX_OK);
    let peer = object_of(&ctx.process, b);
    let peer_endpoint = peer.downcast::<Channel>().expect("a channel");
    let read = endpoint.read(stranger, 64, 4, false);
    assert_eq!(
        read.err().map(|error| error.status),
        Some(zxsim_kernel::Status::BAD_HANDLE),
        "read by a stranger"
    );
    assert_eq!(queued(ctx, a), 1, "the message stays for the owner");
    // The owner passes the same checks.
    let message = endpoint.read(owner, 64, 4, false).expect("the owner reads");
    assert_eq!(message.bytes, b"for a");
    assert!(peer_endpoint.write_bytes(owner, b"ok", Vec::new()).is_ok());
    assert_eq!(queued(ctx, a), 1);
    drop((object, peer));
    close_all(&[a, b]);
    ctx.assert_clean();
}

fn peer_closed_before_close_returns(ctx: &mut Ctx) {
    let (a, b) = new_channel();
    assert_eq!(write(b, b"pending", &[]), ZX_OK);
    close_all(&[a]);
    let mut observed = 0;
    assert_eq!(
        zx_object_wait_one(b, ZX_CHANNEL_PEER_CLOSED, 0, Some(&mut observed)),
        ZX_OK,
        "asserted by the time close returned"
    );
    assert_eq!(observed, ZX_CHANNEL_PEER_CLOSED, "WRITABLE cleared");
    assert_eq!(write(b, b"x", &[]), ZX_ERR_PEER_CLOSED);
    assert_eq!(
        zx_object_signal_peer(b, 0, ZX_USER_SIGNAL_0),
        ZX_ERR_PEER_CLOSED
    );
    close_all(&[b]);
    ctx.assert_clean();
}

fn peer_closed_wakes_waiter(ctx: &mut Ctx) {
    let (a, b) = new_channel();
    let waiter = ctx.process.spawn(move || {
        let mut observed = 0;
        let status = zx_object_wait_one(b, ZX_CHANNEL_PEER_CLOSED, FAR, Some(&mut observed));
        (status, observed)
    });
    await_blocked(ctx);
    close_all(&[a]);
    assert_eq!(
        waiter.join().expect("waiter"),
        (ZX_OK, ZX_CHANNEL_PEER_CLOSED)
    );
    close_all(&[b]);
    ctx.assert_clean();
}

fn unread_messages_destroyed(ctx: &mut Ctx) {
    let (a, b) = new_channel();
    let [e1, e2] = new_events();
    let (k1, k2) = (dup(e1, ZX_RIGHT_SAME_RIGHTS), dup(e2, ZX_RIGHT_SAME_RIGHTS));
    let (n0, n1) = new_channel();
    let port = new_port();
    assert_eq!(write(a, b"1", &[e1]), ZX_OK);
    assert_eq!(write(a, b"2", &[e2, n0]), ZX_OK);
    assert_eq!(write(a, b"3", &[port]), ZX_OK);
    assert_eq!((handle_count(k1), handle_count(k2)), (2, 2));
    close_all(&[b]);
    assert_eq!(
        (handle_count(k1), handle_count(k2)),
        (1, 1),
        "closed before zx_handle_close returned"
    );
    let mut observed = 0;
    assert_eq!(
        zx_object_wait_one(n1, ZX_CHANNEL_PEER_CLOSED, 0, Some(&mut observed)),
        ZX_OK,
        "the nested endpoint died"
    );
    assert_eq!(observed, ZX_CHANNEL_PEER_CLOSED);
    assert_eq!(
        zx_object_wait_one(a, ZX_CHANNEL_PEER_CLOSED, 0, None),
        ZX_OK
    );
    assert_eq!(
        ctx.kernel.live_objects(),
        4,
        "a, n1 and the two events remain; the port died"
    );
    close_all(&[k1, k2, n1, a]);
    ctx.assert_clean();
}

fn nested_two_hundred_levels(ctx: &mut Ctx) {
    let (mut outer0, mut outer1) = new_channel();
    let witness = new_event();
    assert_eq!(
        write(outer0, b"", &[dup(witness, ZX_RIGHT_SAME_RIGHTS)]),
        ZX_OK
    );
    for level in 0..200 {
        let (c0, c1) = new_channel();
        let e = new_event();
        assert_eq!(write(c0, b"", &[outer0, outer1, e]), ZX_OK, "level {level}");
        outer0 = c0;
        outer1 = c1;
    }
    assert_eq!(ctx.kernel.live_objects(), 2 + 200 * 3 + 1);
    assert_eq!(
        handle_count(witness),
        2,
        "the innermost message still holds a duplicate"
    );
    close_all(&[outer1]);
    assert_eq!(
        handle_count(witness),
        1,
        "the innermost message died with the outermost endpoint"
    );
    assert_eq!(
        (ctx.kernel.live_objects(), ctx.kernel.live_handles()),
        (2, 2),
        "only outer0 and the witness remain"
    );
    assert_eq!(
        zx_object_wait_one(outer0, ZX_CHANNEL_PEER_CLOSED, 0, None),
        ZX_OK
    );
    close_all(&[outer0, witness]);
    ctx.assert_clean();
}

fn in_flight_handles_count(ctx: &mut Ctx) {
    let (a, b) = new_channel();
    let e = new_event();
    let d = dup(e, ZX_RIGHT_SAME_RIGHTS);
    assert_eq!(handle_count(d), 2);
    assert_eq!(write(a, b"", &[e]), ZX_OK);
    assert_eq!(handle_count(d), 2, "the handle in flight still counts");
    assert_eq!(ctx.kernel.live_handles(), 4);
    let (_, received) = read(b).expect("the event");
    assert_eq!(handle_count(d), 2);
    assert_eq!(write(a, b"", &[received[0]]), ZX_OK);
    close_all(&[b]);
    assert_eq!(handle_count(d), 1, "destroyed with the unread message");
    close_all(&[a, d]);
    ctx.assert_clean();
}

fn single_owner_no_duplicate(ctx: &mut Ctx) {
    let (a, b) = new_channel();
    let mut out = 0x1234_5677;
    for rights in [ZX_RIGHT_SAME_RIGHTS, ZX_RIGHT_NONE, ZX_RIGHT_READ] {
        assert_eq!(
            zx_handle_duplicate(a, rights, &mut out),
            ZX_ERR_ACCESS_DENIED,
            "rights {rights:#x}"
        );
    }
    assert_eq!(out, 0x1234_5677);
    assert_eq!(handle_count(a), 1);
    let a2 = replace(a, ZX_RIGHT_SAME_RIGHTS);
    assert_consumed(&[a]);
    assert_eq!(basic(a2).rights, ZX_DEFAULT_CHANNEL_RIGHTS);
    let read_only = replace(
        a2,
        ZX_RIGHT_READ | ZX_RIGHT_WAIT | ZX_RIGHT_INSPECT | ZX_RIGHT_TRANSFER,
    );
    assert_eq!(handle_count(read_only), 1, "still exactly one handle");
    assert_eq!(write(read_only, b"x", &[]), ZX_ERR_ACCESS_DENIED);
    assert_eq!(write(b, b"y", &[]), ZX_OK);
    assert_eq!(read(read_only).map(|m| m.0), Ok(b"y".to_vec()));
    close_all(&[read_only, b]);
    ctx.assert_clean();
}

fn transferred_endpoint_stale_value(ctx: &mut Ctx) {
    let other = ctx.other_process();
    let (c0, c1) = new_channel();
    let (t0, t1) = new_channel();
    let t1_there = give(&ctx.process, &other, t1);
    assert_eq!(write(c0, b"queued before the move", &[]), ZX_OK);
    assert_eq!(write(t0, b"", &[c1]), ZX_OK);
    let c1_there = {
        let _bound = other.bind();
        read(t1_there).expect("B receives c1").1[0]
    };
    // The old owner's value is dead for every operation.
    let e = new_event();
    assert_eq!(read(c1), Err(ZX_ERR_BAD_HANDLE));
    assert_eq!(write(c1, b"x", &[e]), ZX_ERR_BAD_HANDLE);
    assert_consumed(&[e]);
    assert_eq!(
        call_bytes(c1, FAR, b"\0\0\0\0x", &[], 16, 0).0,
        ZX_ERR_BAD_HANDLE
    );
    assert_eq!(zx_handle_close(c1), ZX_ERR_BAD_HANDLE);
    // The new owner reads what was queued and talks to c0.
    {
        let _bound = other.bind();
        assert_eq!(
            read(c1_there).map(|m| m.0),
            Ok(b"queued before the move".to_vec())
        );
        assert_eq!(write(c1_there, b"hello from B", &[]), ZX_OK);
    }
    assert_eq!(read(c0).map(|m| m.0), Ok(b"hello from B".to_vec()));
    {
        let _bound = other.bind();
        close_all(&[c1_there, t1_there]);
    }
    close_all(&[c0, t0]);
    ctx.assert_clean();
}

fn destroyed_message_ends_wait(ctx: &mut Ctx) {
    let (a, b) = new_channel();
    let port = new_port();
    let event = new_event();
    assert_eq!(
        zx_object_wait_async(event, port, 5, ZX_USER_SIGNAL_0, 0),
        ZX_OK
    );
    assert_eq!(write(a, b"", &[event]), ZX_OK);
    assert_eq!(port_observers(ctx, port), 1);
    close_all(&[b]);
    assert_eq!(port_observers(ctx, port), 0, "the wait ended");
    assert_eq!(poll(port), Err(ZX_ERR_TIMED_OUT), "with no packet");
    assert_eq!(
        (ctx.kernel.live_objects(), ctx.kernel.live_handles()),
        (2, 2),
        "the event died"
    );
    close_all(&[a, port]);
    ctx.assert_clean();
}
