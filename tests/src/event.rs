//! Conformance cases for `zx_event_create` and `zx_eventpair_create` and the behaviour of the
//! objects they make (spec §8, §1.4, §2.3, §15 items 7 and 12).

use crate::harness::{Case, Ctx};
use crate::support::*;
use zxsim_syscalls::sys::*;

pub fn cases() -> Vec<Case> {
    [event_create::cases(), eventpair_create::cases()]
        .into_iter()
        .flatten()
        .collect()
}

mod event_create {
    use super::*;

    cases![
        "zx_event_create";
        (creates_a_valid_handle, "§8: options 0 ⇒ ZX_OK and a valid handle (fixed bits set)", Both),
        (options_nonzero_invalid_args, "§8/§15 item 7: options ≠ 0 ⇒ ZX_ERR_INVALID_ARGS, nothing created", Both),
        (default_rights_and_type, "§8/§1.4: rights 0xD003 (BASIC|SIGNAL, no SIGNAL_PEER), type ZX_OBJ_TYPE_EVENT, no peer", Both),
        (initial_signals_zero, "§8: a new event has no signal active", Both),
        (events_are_independent, "§8: each call makes a new object: distinct koids, separate signals", Both),
    ];

    fn creates_a_valid_handle(ctx: &mut Ctx) {
        let mut e = 0;
        assert_eq!(zx_event_create(0, &mut e), ZX_OK);
        assert_ne!(e, ZX_HANDLE_INVALID);
        assert_eq!(e & ZX_HANDLE_FIXED_BITS_MASK, ZX_HANDLE_FIXED_BITS_MASK);
        assert!(is_valid(e));
        assert_eq!(live(ctx), (1, 1));
        close(e);
        ctx.assert_clean();
    }

    fn options_nonzero_invalid_args(ctx: &mut Ctx) {
        for options in [1, 2, 0x8000_0000, u32::MAX] {
            let mut e = 0x5555_5555;
            assert_eq!(
                zx_event_create(options, &mut e),
                ZX_ERR_INVALID_ARGS,
                "options {options:#x}"
            );
            assert_eq!(e, 0x5555_5555, "no handle returned");
        }
        ctx.assert_clean();
    }

    fn default_rights_and_type(ctx: &mut Ctx) {
        let e = new_event();
        let info = basic(e);
        assert_eq!(info.rights, 0xD003);
        assert_eq!(info.rights & ZX_RIGHT_SIGNAL_PEER, 0);
        assert_eq!(info.type_, ZX_OBJ_TYPE_EVENT);
        assert_eq!(info.related_koid, ZX_KOID_INVALID);
        close(e);
        ctx.assert_clean();
    }

    fn initial_signals_zero(ctx: &mut Ctx) {
        let e = new_event();
        assert_eq!(signals(e), ZX_SIGNAL_NONE);
        close(e);
        ctx.assert_clean();
    }

    fn events_are_independent(ctx: &mut Ctx) {
        let (a, b) = (new_event(), new_event());
        assert_ne!(koid(a), koid(b));
        assert_eq!(zx_object_signal(a, 0, ZX_EVENT_SIGNALED), ZX_OK);
        assert_eq!(signals(b), 0);
        assert_eq!(live(ctx), (2, 2));
        assert_eq!(zx_handle_close_many(&[a, b]), ZX_OK);
        ctx.assert_clean();
    }
}

mod eventpair_create {
    use super::*;

    cases![
        "zx_eventpair_create";
        (creates_two_handles, "§8: options 0 ⇒ ZX_OK and two valid, distinct handles to two objects", Both),
        (options_nonzero_not_supported, "§8/§15 item 7: options ≠ 0 ⇒ ZX_ERR_NOT_SUPPORTED (not INVALID_ARGS), nothing created", Both),
        (default_rights_and_type, "§8/§1.4: both handles have rights 0xF003 (BASIC|SIGNAL|SIGNAL_PEER) and type EVENTPAIR", Both),
        (related_koids, "§2.3: each end's related_koid is the other end's koid", Both),
        (initial_signals_zero, "§8: both ends start with no signal active", Both),
        (peer_closed_before_close_returns, "§2.3/§15 item 12: closing an end's last handle raises EVENTPAIR_PEER_CLOSED on the peer before zx_handle_close returns", Both),
        (peer_closed_leaves_other_bits, "§2.3/§8: on peer close only PEER_CLOSED is added; SIGNALED and user bits stay", Both),
        (signal_peer_after_peer_closed, "§8: once the peer is closed, signal_peer ⇒ ZX_ERR_PEER_CLOSED", Both),
        (last_handle_rule, "§2.2/§2.3: closing one of two handles to an end does NOT raise PEER_CLOSED; closing the last does", Both),
        (related_koid_survives_peer, "§2.3: related_koid stays the dead peer's koid", Both),
        (survivor_still_signals_itself, "§2.3/§4: the survivor can still signal itself; PEER_CLOSED is not user-clearable and stays", Both),
        (closing_both_ends_leaves_nothing, "§2.2: closing both ends (either order) leaves no object and no handle", Both),
    ];

    fn creates_two_handles(ctx: &mut Ctx) {
        let (mut a, mut b) = (0, 0);
        assert_eq!(zx_eventpair_create(0, &mut a, &mut b), ZX_OK);
        assert_ne!(a, b);
        for h in [a, b] {
            assert_eq!(h & ZX_HANDLE_FIXED_BITS_MASK, ZX_HANDLE_FIXED_BITS_MASK);
            assert!(is_valid(h));
        }
        assert_eq!(live(ctx), (2, 2));
        assert_eq!(zx_handle_close_many(&[a, b]), ZX_OK);
        ctx.assert_clean();
    }

    fn options_nonzero_not_supported(ctx: &mut Ctx) {
        for options in [1, 2, 0x8000_0000, u32::MAX] {
            let (mut a, mut b) = (0x5555_5555, 0x5555_5555);
            assert_eq!(
                zx_eventpair_create(options, &mut a, &mut b),
                ZX_ERR_NOT_SUPPORTED,
                "options {options:#x}"
            );
            assert_eq!((a, b), (0x5555_5555, 0x5555_5555), "no handle returned");
        }
        ctx.assert_clean();
    }

    fn default_rights_and_type(ctx: &mut Ctx) {
        let (a, b) = new_eventpair();
        for h in [a, b] {
            let info = basic(h);
            assert_eq!(info.rights, 0xF003);
            assert_eq!(
                info.rights & ZX_RIGHTS_IO,
                0,
                "no READ/WRITE (header, not doc)"
            );
            assert_eq!(info.type_, ZX_OBJ_TYPE_EVENTPAIR);
        }
        assert_eq!(zx_handle_close_many(&[a, b]), ZX_OK);
        ctx.assert_clean();
    }

    fn related_koids(ctx: &mut Ctx) {
        let (a, b) = new_eventpair();
        let (ia, ib) = (basic(a), basic(b));
        assert_ne!(ia.koid, ib.koid);
        assert_eq!((ia.related_koid, ib.related_koid), (ib.koid, ia.koid));
        assert_eq!(zx_handle_close_many(&[a, b]), ZX_OK);
        ctx.assert_clean();
    }

    fn initial_signals_zero(ctx: &mut Ctx) {
        let (a, b) = new_eventpair();
        assert_eq!((signals(a), signals(b)), (0, 0));
        assert_eq!(zx_handle_close_many(&[a, b]), ZX_OK);
        ctx.assert_clean();
    }

    fn peer_closed_before_close_returns(ctx: &mut Ctx) {
        let (a, b) = new_eventpair();
        assert_eq!(zx_handle_close(a), ZX_OK);
        // Polled right after the close returned, on the same thread: no waiting allowed.
        assert_eq!(
            zx_object_wait_one(b, ZX_EVENTPAIR_PEER_CLOSED, ZX_TIME_INFINITE_PAST, None),
            ZX_OK
        );
        assert_eq!(live(ctx), (1, 1), "the closed end is gone");
        close(b);
        ctx.assert_clean();
    }

    fn peer_closed_leaves_other_bits(ctx: &mut Ctx) {
        let (a, b) = new_eventpair();
        let bits = ZX_EVENTPAIR_SIGNALED | ZX_USER_SIGNAL_3;
        assert_eq!(zx_object_signal(b, 0, bits), ZX_OK);
        assert_eq!(zx_object_signal(a, 0, ZX_USER_SIGNAL_0), ZX_OK);
        close(a);
        assert_eq!(signals(b), bits | ZX_EVENTPAIR_PEER_CLOSED);
        close(b);
        ctx.assert_clean();
    }

    fn signal_peer_after_peer_closed(ctx: &mut Ctx) {
        let (a, b) = new_eventpair();
        assert_eq!(zx_object_signal_peer(b, 0, ZX_USER_SIGNAL_0), ZX_OK);
        close(a);
        assert_eq!(
            zx_object_signal_peer(b, 0, ZX_USER_SIGNAL_0),
            ZX_ERR_PEER_CLOSED
        );
        assert_eq!(
            zx_object_signal_peer(b, 0, ZX_EVENTPAIR_SIGNALED),
            ZX_ERR_PEER_CLOSED
        );
        close(b);
        ctx.assert_clean();
    }

    fn last_handle_rule(ctx: &mut Ctx) {
        let (a, b) = new_eventpair();
        let a2 = dup(a, ZX_RIGHT_SAME_RIGHTS);
        close(a);
        assert_eq!(signals(b), 0, "a handle to the end remains: no PEER_CLOSED");
        assert_eq!(zx_object_signal_peer(b, 0, ZX_USER_SIGNAL_1), ZX_OK);
        assert_eq!(signals(a2), ZX_USER_SIGNAL_1);
        close(a2);
        assert_eq!(signals(b), ZX_EVENTPAIR_PEER_CLOSED);
        close(b);
        ctx.assert_clean();
    }

    fn related_koid_survives_peer(ctx: &mut Ctx) {
        let (a, b) = new_eventpair();
        let a_koid = koid(a);
        close(a);
        assert_eq!(basic(b).related_koid, a_koid);
        close(b);
        ctx.assert_clean();
    }

    fn survivor_still_signals_itself(ctx: &mut Ctx) {
        let (a, b) = new_eventpair();
        close(a);
        assert_eq!(zx_object_signal(b, 0, ZX_EVENTPAIR_SIGNALED), ZX_OK);
        assert_eq!(signals(b), ZX_EVENTPAIR_SIGNALED | ZX_EVENTPAIR_PEER_CLOSED);
        assert_eq!(
            zx_object_signal(b, ZX_EVENTPAIR_PEER_CLOSED, 0),
            ZX_ERR_INVALID_ARGS
        );
        assert_eq!(zx_object_signal(b, ZX_EVENTPAIR_SIGNALED, 0), ZX_OK);
        assert_eq!(signals(b), ZX_EVENTPAIR_PEER_CLOSED);
        close(b);
        ctx.assert_clean();
    }

    fn closing_both_ends_leaves_nothing(ctx: &mut Ctx) {
        let (a, b) = new_eventpair();
        close(a);
        close(b);
        ctx.assert_clean();
        let (a, b) = new_eventpair();
        close(b);
        assert_eq!(signals(a), ZX_EVENTPAIR_PEER_CLOSED);
        close(a);
        ctx.assert_clean();
    }
}
