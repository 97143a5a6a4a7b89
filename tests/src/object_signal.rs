//! Conformance cases for `zx_object_signal` and `zx_object_signal_peer` (spec §4, §2.4, §8,
//! §15 items 5 and 7). The effect of a signal is observed through `zx_object_wait_one`: with
//! `signals == 0` and a past deadline it reads the signal word, and blocking waits on another
//! thread show which updates wake observers.

use crate::harness::{Case, Ctx};
use crate::support::*;
use zxsim_syscalls::sys::*;

pub fn cases() -> Vec<Case> {
    [signal::cases(), signal_peer::cases()]
        .into_iter()
        .flatten()
        .collect()
}

/// A far virtual deadline: reached only if a case advances the clock on purpose.
const FAR: zx_time_t = 1_000_000_000;

mod signal {
    use super::*;

    cases![
        "zx_object_signal";
        (sets_bits, "§4: set_mask bits become active on the object", Both),
        (clear_then_set, "§4/§2.4: clear first, then set: new = (old & ~clear) | set", Both),
        (clear_leaves_other_bits, "§4: clearing touches only the listed bits", Both),
        (zero_masks_change_nothing, "§4: clear = set = 0 is ZX_OK and changes nothing", Both),
        (event_user_bits_and_signaled, "§4/§8: an event accepts ZX_USER_SIGNAL_0..7 and ZX_EVENT_SIGNALED", Both),
        (bad_handle, "§4: a value not in the table ⇒ ZX_ERR_BAD_HANDLE", Both),
        (needs_signal_right, "§4: no ZX_RIGHT_SIGNAL ⇒ ZX_ERR_ACCESS_DENIED, nothing changes", Both),
        (access_denied_before_invalid_args, "§4/§2.1: the rights check (ACCESS_DENIED) comes before the mask check (INVALID_ARGS)", Both),
        (event_rejects_other_bits, "§4: a bit outside USER_ALL|EVENT_SIGNALED in either mask, or in both ⇒ ZX_ERR_INVALID_ARGS", Both),
        (invalid_mask_changes_nothing, "§4: an INVALID_ARGS call changes nothing, not even its valid bits", Both),
        (eventpair_allowed_bits, "§4/§8: an eventpair accepts USER_ALL|EVENTPAIR_SIGNALED on itself; PEER_CLOSED is not user-settable", Both),
        (signal_acts_on_self_only, "§4: zx_object_signal on an eventpair end leaves the peer alone", Both),
        (port_is_access_denied, "§4/§15 item 7: ports have no SIGNAL right ⇒ ZX_ERR_ACCESS_DENIED (not NOT_SUPPORTED)", Both),
        (setting_wakes_waiter_with_whole_word, "§2.4: a newly set bit wakes a matching waiter, which observes the whole current word", Both),
        (non_matching_bit_does_not_wake, "§2.4: setting a bit the waiter does not want does not end its wait", Both),
        (pulse_is_not_lost, "§2.4/§5: set then clear: the waiter still matched, observing the word at match time", Both),
        (wakes_every_waiter, "§2.4: every observer whose trigger matches fires (object waits wake all)", Both),
    ];

    fn sets_bits(ctx: &mut Ctx) {
        let e = new_event();
        assert_eq!(signals(e), 0);
        assert_eq!(zx_object_signal(e, 0, ZX_USER_SIGNAL_0), ZX_OK);
        assert_eq!(signals(e), ZX_USER_SIGNAL_0);
        assert_eq!(zx_object_signal(e, 0, ZX_EVENT_SIGNALED), ZX_OK);
        assert_eq!(signals(e), ZX_USER_SIGNAL_0 | ZX_EVENT_SIGNALED);
        close(e);
        ctx.assert_clean();
    }

    fn clear_then_set(ctx: &mut Ctx) {
        let e = new_event();
        assert_eq!(
            zx_object_signal(e, 0, ZX_USER_SIGNAL_0 | ZX_USER_SIGNAL_1),
            ZX_OK
        );
        assert_eq!(
            zx_object_signal(e, ZX_USER_SIGNAL_0 | ZX_USER_SIGNAL_1, ZX_USER_SIGNAL_0),
            ZX_OK
        );
        assert_eq!(
            signals(e),
            ZX_USER_SIGNAL_0,
            "set wins over clear for the same bit"
        );
        close(e);
        ctx.assert_clean();
    }

    fn clear_leaves_other_bits(ctx: &mut Ctx) {
        let e = new_event();
        let all = ZX_USER_SIGNAL_0 | ZX_USER_SIGNAL_1 | ZX_EVENT_SIGNALED;
        assert_eq!(zx_object_signal(e, 0, all), ZX_OK);
        assert_eq!(zx_object_signal(e, ZX_USER_SIGNAL_1, 0), ZX_OK);
        assert_eq!(signals(e), ZX_USER_SIGNAL_0 | ZX_EVENT_SIGNALED);
        // Clearing an inactive bit is fine and changes nothing.
        assert_eq!(zx_object_signal(e, ZX_USER_SIGNAL_7, 0), ZX_OK);
        assert_eq!(signals(e), ZX_USER_SIGNAL_0 | ZX_EVENT_SIGNALED);
        close(e);
        ctx.assert_clean();
    }

    fn zero_masks_change_nothing(ctx: &mut Ctx) {
        let e = new_event();
        assert_eq!(zx_object_signal(e, 0, 0), ZX_OK);
        assert_eq!(signals(e), 0);
        assert_eq!(zx_object_signal(e, 0, ZX_USER_SIGNAL_3), ZX_OK);
        assert_eq!(zx_object_signal(e, 0, 0), ZX_OK);
        assert_eq!(signals(e), ZX_USER_SIGNAL_3);
        close(e);
        ctx.assert_clean();
    }

    fn event_user_bits_and_signaled(ctx: &mut Ctx) {
        let e = new_event();
        assert_eq!(zx_object_signal(e, 0, ZX_EVENT_SIGNAL_MASK), ZX_OK);
        assert_eq!(signals(e), 0xFF00_0008);
        assert_eq!(zx_object_signal(e, ZX_EVENT_SIGNAL_MASK, 0), ZX_OK);
        assert_eq!(signals(e), 0);
        close(e);
        ctx.assert_clean();
    }

    fn bad_handle(ctx: &mut Ctx) {
        let e = new_event();
        close(e);
        assert_eq!(zx_object_signal(e, 0, ZX_USER_SIGNAL_0), ZX_ERR_BAD_HANDLE);
        ctx.assert_clean();
    }

    fn needs_signal_right(ctx: &mut Ctx) {
        let e = new_event();
        let no_signal = dup(e, ZX_DEFAULT_EVENT_RIGHTS & !ZX_RIGHT_SIGNAL);
        assert_eq!(
            zx_object_signal(no_signal, 0, ZX_USER_SIGNAL_0),
            ZX_ERR_ACCESS_DENIED
        );
        assert_eq!(zx_object_signal(no_signal, 0, 0), ZX_ERR_ACCESS_DENIED);
        assert_eq!(signals(e), 0);
        assert_eq!(zx_handle_close_many(&[e, no_signal]), ZX_OK);
        ctx.assert_clean();
    }

    fn access_denied_before_invalid_args(ctx: &mut Ctx) {
        let e = new_event();
        let no_signal = dup(e, ZX_RIGHT_WAIT);
        assert_eq!(
            zx_object_signal(no_signal, 0, ZX_OBJECT_READABLE),
            ZX_ERR_ACCESS_DENIED
        );
        assert_eq!(zx_handle_close_many(&[e, no_signal]), ZX_OK);
        ctx.assert_clean();
    }

    fn event_rejects_other_bits(ctx: &mut Ctx) {
        let e = new_event();
        for bad in [
            ZX_OBJECT_READABLE,
            ZX_OBJECT_WRITABLE,
            ZX_OBJECT_PEER_CLOSED,
            ZX_OBJECT_SIGNAL_4,
            ZX_OBJECT_SIGNAL_22,
            ZX_SIGNAL_HANDLE_CLOSED,
        ] {
            assert_eq!(
                zx_object_signal(e, 0, bad),
                ZX_ERR_INVALID_ARGS,
                "set {bad:#x}"
            );
            assert_eq!(
                zx_object_signal(e, bad, 0),
                ZX_ERR_INVALID_ARGS,
                "clear {bad:#x}"
            );
            // The masks are checked together (their union), not as a combination that could
            // cancel a bit present in both.
            assert_eq!(
                zx_object_signal(e, bad, bad),
                ZX_ERR_INVALID_ARGS,
                "clear and set {bad:#x}"
            );
        }
        assert_eq!(signals(e), 0);
        close(e);
        ctx.assert_clean();
    }

    fn invalid_mask_changes_nothing(ctx: &mut Ctx) {
        let e = new_event();
        assert_eq!(zx_object_signal(e, 0, ZX_USER_SIGNAL_1), ZX_OK);
        assert_eq!(
            zx_object_signal(e, 0, ZX_USER_SIGNAL_0 | ZX_OBJECT_READABLE),
            ZX_ERR_INVALID_ARGS
        );
        assert_eq!(
            zx_object_signal(e, ZX_USER_SIGNAL_1 | ZX_OBJECT_WRITABLE, ZX_USER_SIGNAL_2),
            ZX_ERR_INVALID_ARGS
        );
        assert_eq!(signals(e), ZX_USER_SIGNAL_1);
        close(e);
        ctx.assert_clean();
    }

    fn eventpair_allowed_bits(ctx: &mut Ctx) {
        let (a, b) = new_eventpair();
        assert_eq!(
            zx_object_signal(a, 0, ZX_USER_SIGNAL_ALL | ZX_EVENTPAIR_SIGNALED),
            ZX_OK
        );
        assert_eq!(signals(a), ZX_USER_SIGNAL_ALL | ZX_EVENTPAIR_SIGNALED);
        assert_eq!(
            zx_object_signal(a, 0, ZX_EVENTPAIR_PEER_CLOSED),
            ZX_ERR_INVALID_ARGS
        );
        assert_eq!(
            zx_object_signal(a, ZX_EVENTPAIR_PEER_CLOSED, 0),
            ZX_ERR_INVALID_ARGS
        );
        assert_eq!(
            zx_object_signal(a, 0, ZX_OBJECT_READABLE),
            ZX_ERR_INVALID_ARGS
        );
        assert_eq!(signals(a), ZX_USER_SIGNAL_ALL | ZX_EVENTPAIR_SIGNALED);
        assert_eq!(zx_handle_close_many(&[a, b]), ZX_OK);
        ctx.assert_clean();
    }

    fn signal_acts_on_self_only(ctx: &mut Ctx) {
        let (a, b) = new_eventpair();
        assert_eq!(zx_object_signal(a, 0, ZX_USER_SIGNAL_4), ZX_OK);
        assert_eq!(signals(a), ZX_USER_SIGNAL_4);
        assert_eq!(signals(b), 0);
        assert_eq!(zx_handle_close_many(&[a, b]), ZX_OK);
        ctx.assert_clean();
    }

    fn port_is_access_denied(ctx: &mut Ctx) {
        let p = new_port();
        assert_eq!(
            zx_object_signal(p, 0, ZX_USER_SIGNAL_0),
            ZX_ERR_ACCESS_DENIED
        );
        assert_eq!(zx_object_signal(p, 0, 0), ZX_ERR_ACCESS_DENIED);
        close(p);
        ctx.assert_clean();
    }

    fn setting_wakes_waiter_with_whole_word(ctx: &mut Ctx) {
        let e = new_event();
        assert_eq!(zx_object_signal(e, 0, ZX_USER_SIGNAL_1), ZX_OK);
        let waiter = ctx.process.spawn(move || {
            let mut observed = 0;
            let status = zx_object_wait_one(e, ZX_USER_SIGNAL_0, FAR, Some(&mut observed));
            (status, observed)
        });
        await_blocked(ctx);
        assert_eq!(zx_object_signal(e, 0, ZX_USER_SIGNAL_0), ZX_OK);
        assert_eq!(
            join(ctx, waiter),
            (ZX_OK, ZX_USER_SIGNAL_0 | ZX_USER_SIGNAL_1)
        );
        close(e);
        ctx.assert_clean();
    }

    fn non_matching_bit_does_not_wake(ctx: &mut Ctx) {
        let e = new_event();
        let waiter = ctx.process.spawn(move || {
            let mut observed = 0;
            let status = zx_object_wait_one(e, ZX_USER_SIGNAL_0, 1_000, Some(&mut observed));
            (status, observed)
        });
        await_blocked(ctx);
        assert_eq!(
            zx_object_signal(e, 0, ZX_USER_SIGNAL_1 | ZX_EVENT_SIGNALED),
            ZX_OK
        );
        assert!(still_running(&waiter), "a non-matching bit ended the wait");
        ctx.kernel.advance_clock(1_000);
        assert_eq!(
            join(ctx, waiter),
            (ZX_ERR_TIMED_OUT, ZX_USER_SIGNAL_1 | ZX_EVENT_SIGNALED)
        );
        close(e);
        ctx.assert_clean();
    }

    fn pulse_is_not_lost(ctx: &mut Ctx) {
        let e = new_event();
        let waiter = ctx.process.spawn(move || {
            let mut observed = 0;
            let status = zx_object_wait_one(e, ZX_USER_SIGNAL_0, FAR, Some(&mut observed));
            (status, observed)
        });
        await_blocked(ctx);
        assert_eq!(zx_object_signal(e, 0, ZX_USER_SIGNAL_0), ZX_OK);
        assert_eq!(zx_object_signal(e, ZX_USER_SIGNAL_0, 0), ZX_OK);
        assert_eq!(join(ctx, waiter), (ZX_OK, ZX_USER_SIGNAL_0));
        assert_eq!(signals(e), 0);
        close(e);
        ctx.assert_clean();
    }

    fn wakes_every_waiter(ctx: &mut Ctx) {
        let e = new_event();
        let spawn = || {
            ctx.process
                .spawn(move || zx_object_wait_one(e, ZX_EVENT_SIGNALED, FAR, None))
        };
        let (first, second) = (spawn(), spawn());
        await_observers(ctx, e, 2);
        assert_eq!(zx_object_signal(e, 0, ZX_EVENT_SIGNALED), ZX_OK);
        assert_eq!(join(ctx, first), ZX_OK);
        assert_eq!(join(ctx, second), ZX_OK);
        close(e);
        ctx.assert_clean();
    }
}

mod signal_peer {
    use super::*;

    cases![
        "zx_object_signal_peer";
        (sets_peer_not_self, "§4: the masks apply to the peer endpoint, not the caller's", Both),
        (clear_then_set_on_peer, "§4/§2.4: clear first, then set, on the peer", Both),
        (eventpair_signaled_allowed, "§4/§8: ZX_EVENTPAIR_SIGNALED and user signals are settable on the peer", Both),
        (bad_handle, "§4: a value not in the table ⇒ ZX_ERR_BAD_HANDLE", Both),
        (event_is_access_denied, "§4/§15 item 7: events lack SIGNAL_PEER ⇒ ZX_ERR_ACCESS_DENIED (not NOT_SUPPORTED)", Both),
        (port_is_access_denied, "§4/§15 item 7: ports lack SIGNAL_PEER ⇒ ZX_ERR_ACCESS_DENIED", Both),
        (needs_signal_peer_right, "§4: an eventpair handle without ZX_RIGHT_SIGNAL_PEER ⇒ ZX_ERR_ACCESS_DENIED", Both),
        (access_denied_before_invalid_args, "§4/§2.1: the rights check (ACCESS_DENIED) comes before the mask check (INVALID_ARGS)", Both),
        (invalid_mask, "§4: a bit outside USER_ALL|EVENTPAIR_SIGNALED (e.g. PEER_CLOSED) in either mask, or in both ⇒ ZX_ERR_INVALID_ARGS, peer unchanged", Both),
        (masks_checked_before_peer_presence, "§4: masks are validated (INVALID_ARGS) before the peer's presence (PEER_CLOSED)", Both),
        (peer_closed, "§4/§8: the peer's last handle is gone ⇒ ZX_ERR_PEER_CLOSED, even with empty masks", Both),
        (wakes_waiter_on_peer, "§4/§2.4: signalling the peer wakes a waiter on the peer", Both),
        (through_a_duplicate, "§4: a duplicate of an endpoint handle signals the same peer", Both),
        (socket_peer, "§4/§10: on a socket the masks apply to the peer endpoint, which keeps its own socket bits", Both),
    ];

    fn socket_peer(ctx: &mut Ctx) {
        let (mut a, mut b) = (0, 0);
        assert_eq!(zx_socket_create(0, &mut a, &mut b), ZX_OK);
        assert_eq!(zx_object_signal_peer(a, 0, ZX_USER_SIGNAL_0), ZX_OK);
        assert_eq!(signals(b), ZX_SOCKET_WRITABLE | ZX_USER_SIGNAL_0);
        assert_eq!(signals(a), ZX_SOCKET_WRITABLE);
        assert_eq!(zx_object_signal_peer(b, 0, ZX_USER_SIGNAL_3), ZX_OK);
        assert_eq!(signals(a), ZX_SOCKET_WRITABLE | ZX_USER_SIGNAL_3);
        assert_eq!(zx_object_signal_peer(a, ZX_USER_SIGNAL_0, 0), ZX_OK);
        assert_eq!(signals(b), ZX_SOCKET_WRITABLE);
        assert_eq!(zx_handle_close_many(&[a, b]), ZX_OK);
        ctx.assert_clean();
    }

    fn sets_peer_not_self(ctx: &mut Ctx) {
        let (a, b) = new_eventpair();
        assert_eq!(zx_object_signal_peer(a, 0, ZX_USER_SIGNAL_0), ZX_OK);
        assert_eq!(signals(b), ZX_USER_SIGNAL_0);
        assert_eq!(signals(a), 0);
        assert_eq!(zx_object_signal_peer(b, 0, ZX_USER_SIGNAL_5), ZX_OK);
        assert_eq!(signals(a), ZX_USER_SIGNAL_5);
        assert_eq!(signals(b), ZX_USER_SIGNAL_0);
        assert_eq!(zx_handle_close_many(&[a, b]), ZX_OK);
        ctx.assert_clean();
    }

    fn clear_then_set_on_peer(ctx: &mut Ctx) {
        let (a, b) = new_eventpair();
        assert_eq!(
            zx_object_signal(b, 0, ZX_USER_SIGNAL_1 | ZX_EVENTPAIR_SIGNALED),
            ZX_OK
        );
        assert_eq!(
            zx_object_signal_peer(a, ZX_USER_SIGNAL_1 | ZX_USER_SIGNAL_2, ZX_USER_SIGNAL_2),
            ZX_OK
        );
        assert_eq!(signals(b), ZX_EVENTPAIR_SIGNALED | ZX_USER_SIGNAL_2);
        assert_eq!(zx_handle_close_many(&[a, b]), ZX_OK);
        ctx.assert_clean();
    }

    fn eventpair_signaled_allowed(ctx: &mut Ctx) {
        let (a, b) = new_eventpair();
        assert_eq!(
            zx_object_signal_peer(a, 0, ZX_EVENTPAIR_SIGNALED | ZX_USER_SIGNAL_ALL),
            ZX_OK
        );
        assert_eq!(signals(b), 0xFF00_0008);
        assert_eq!(zx_handle_close_many(&[a, b]), ZX_OK);
        ctx.assert_clean();
    }

    fn bad_handle(ctx: &mut Ctx) {
        let (a, b) = new_eventpair();
        close(a);
        assert_eq!(
            zx_object_signal_peer(a, 0, ZX_USER_SIGNAL_0),
            ZX_ERR_BAD_HANDLE
        );
        close(b);
        ctx.assert_clean();
    }

    fn event_is_access_denied(ctx: &mut Ctx) {
        let e = new_event();
        assert_eq!(
            zx_object_signal_peer(e, 0, ZX_USER_SIGNAL_0),
            ZX_ERR_ACCESS_DENIED
        );
        assert_eq!(zx_object_signal_peer(e, 0, 0), ZX_ERR_ACCESS_DENIED);
        assert_eq!(signals(e), 0);
        close(e);
        ctx.assert_clean();
    }

    fn port_is_access_denied(ctx: &mut Ctx) {
        let p = new_port();
        assert_eq!(
            zx_object_signal_peer(p, 0, ZX_USER_SIGNAL_0),
            ZX_ERR_ACCESS_DENIED
        );
        close(p);
        ctx.assert_clean();
    }

    fn needs_signal_peer_right(ctx: &mut Ctx) {
        let (a, b) = new_eventpair();
        let no_peer = dup(a, ZX_DEFAULT_EVENTPAIR_RIGHTS & !ZX_RIGHT_SIGNAL_PEER);
        assert_eq!(
            zx_object_signal_peer(no_peer, 0, ZX_USER_SIGNAL_0),
            ZX_ERR_ACCESS_DENIED
        );
        assert_eq!(signals(b), 0);
        // SIGNAL alone is not enough, and SIGNAL_PEER alone is.
        let only_peer = dup(a, ZX_RIGHT_SIGNAL_PEER);
        assert_eq!(zx_object_signal_peer(only_peer, 0, ZX_USER_SIGNAL_0), ZX_OK);
        assert_eq!(signals(b), ZX_USER_SIGNAL_0);
        assert_eq!(zx_handle_close_many(&[a, b, no_peer, only_peer]), ZX_OK);
        ctx.assert_clean();
    }

    fn access_denied_before_invalid_args(ctx: &mut Ctx) {
        let e = new_event();
        assert_eq!(
            zx_object_signal_peer(e, 0, ZX_OBJECT_READABLE),
            ZX_ERR_ACCESS_DENIED
        );
        let (a, b) = new_eventpair();
        let no_peer = dup(a, ZX_RIGHT_WAIT);
        assert_eq!(
            zx_object_signal_peer(no_peer, 0, ZX_EVENTPAIR_PEER_CLOSED),
            ZX_ERR_ACCESS_DENIED
        );
        assert_eq!(zx_handle_close_many(&[e, a, b, no_peer]), ZX_OK);
        ctx.assert_clean();
    }

    fn invalid_mask(ctx: &mut Ctx) {
        let (a, b) = new_eventpair();
        for bad in [
            ZX_EVENTPAIR_PEER_CLOSED,
            ZX_OBJECT_READABLE,
            ZX_OBJECT_SIGNAL_4,
            ZX_SIGNAL_HANDLE_CLOSED,
        ] {
            assert_eq!(
                zx_object_signal_peer(a, 0, bad),
                ZX_ERR_INVALID_ARGS,
                "set {bad:#x}"
            );
            assert_eq!(
                zx_object_signal_peer(a, bad, 0),
                ZX_ERR_INVALID_ARGS,
                "clear {bad:#x}"
            );
            assert_eq!(
                zx_object_signal_peer(a, bad, bad),
                ZX_ERR_INVALID_ARGS,
                "clear and set {bad:#x}"
            );
        }
        assert_eq!(
            zx_object_signal_peer(a, 0, ZX_USER_SIGNAL_0 | ZX_EVENTPAIR_PEER_CLOSED),
            ZX_ERR_INVALID_ARGS
        );
        assert_eq!(signals(b), 0, "nothing changed on the peer");
        assert_eq!(zx_handle_close_many(&[a, b]), ZX_OK);
        ctx.assert_clean();
    }

    fn masks_checked_before_peer_presence(ctx: &mut Ctx) {
        let (a, b) = new_eventpair();
        close(b);
        assert_eq!(
            zx_object_signal_peer(a, 0, ZX_OBJECT_READABLE),
            ZX_ERR_INVALID_ARGS
        );
        assert_eq!(
            zx_object_signal_peer(a, 0, ZX_USER_SIGNAL_0),
            ZX_ERR_PEER_CLOSED
        );
        close(a);
        ctx.assert_clean();
    }

    fn peer_closed(ctx: &mut Ctx) {
        let (a, b) = new_eventpair();
        close(b);
        assert_eq!(
            zx_object_signal_peer(a, 0, ZX_USER_SIGNAL_0),
            ZX_ERR_PEER_CLOSED
        );
        assert_eq!(
            zx_object_signal_peer(a, ZX_USER_SIGNAL_0, 0),
            ZX_ERR_PEER_CLOSED
        );
        assert_eq!(zx_object_signal_peer(a, 0, 0), ZX_ERR_PEER_CLOSED);
        assert_eq!(
            signals(a),
            ZX_EVENTPAIR_PEER_CLOSED,
            "own signals untouched"
        );
        close(a);
        ctx.assert_clean();
    }

    fn wakes_waiter_on_peer(ctx: &mut Ctx) {
        let (a, b) = new_eventpair();
        let waiter = ctx.process.spawn(move || {
            let mut observed = 0;
            let status = zx_object_wait_one(b, ZX_EVENTPAIR_SIGNALED, FAR, Some(&mut observed));
            (status, observed)
        });
        await_blocked(ctx);
        assert_eq!(zx_object_signal_peer(a, 0, ZX_EVENTPAIR_SIGNALED), ZX_OK);
        assert_eq!(join(ctx, waiter), (ZX_OK, ZX_EVENTPAIR_SIGNALED));
        assert_eq!(zx_handle_close_many(&[a, b]), ZX_OK);
        ctx.assert_clean();
    }

    fn through_a_duplicate(ctx: &mut Ctx) {
        let (a, b) = new_eventpair();
        let a2 = dup(a, ZX_RIGHT_SAME_RIGHTS);
        assert_eq!(zx_object_signal_peer(a2, 0, ZX_USER_SIGNAL_6), ZX_OK);
        assert_eq!(signals(b), ZX_USER_SIGNAL_6);
        let b2 = dup(b, ZX_RIGHT_SAME_RIGHTS);
        assert_eq!(zx_object_signal_peer(b2, 0, ZX_USER_SIGNAL_7), ZX_OK);
        assert_eq!(signals(a), ZX_USER_SIGNAL_7);
        assert_eq!(zx_handle_close_many(&[a, b, a2, b2]), ZX_OK);
        ctx.assert_clean();
    }
}
