//! Conformance cases for the handle syscalls: `zx_handle_close`, `zx_handle_close_many`,
//! `zx_handle_duplicate`, `zx_handle_replace`, `zx_handle_check_valid` (spec §3, §12.1, §12.2 item 7, §15 item 10).

use crate::harness::{Case, Ctx};
use crate::support::*;
use zxsim_syscalls::sys::*;

pub fn cases() -> Vec<Case> {
    [
        close::cases(),
        close_many::cases(),
        duplicate::cases(),
        replace::cases(),
        check_valid::cases(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

mod close {
    use super::*;

    cases![
        "zx_handle_close";
        (invalid_handle_is_ok, "§3: closing ZX_HANDLE_INVALID (0) is ZX_OK, a no-op", Both),
        (unknown_value_is_bad_handle, "§3: a value not in the table ⇒ ZX_ERR_BAD_HANDLE", Both),
        (second_close_is_bad_handle, "§3: a closed value is gone ⇒ second close ZX_ERR_BAD_HANDLE", Both),
        (needs_no_rights, "§3: close needs no rights (a ZX_RIGHT_NONE handle closes)", Both),
        (other_handles_survive, "§2.2/§3: closing one of two handles leaves the object and the other handle usable", Both),
        (last_handle_destroys_object, "§2.2/§3: closing the last handle destroys the object before close returns", Both),
        (bad_value_closes_nothing, "§2.1/§3: a value with a cleared fixed bit is BAD_HANDLE and closes nothing", Both),
    ];

    fn invalid_handle_is_ok(ctx: &mut Ctx) {
        let e = new_event();
        assert_eq!(zx_handle_close(ZX_HANDLE_INVALID), ZX_OK);
        assert!(is_valid(e), "closing 0 must not touch other handles");
        assert_eq!(live(ctx), (1, 1));
        close(e);
        ctx.assert_clean();
    }

    fn unknown_value_is_bad_handle(ctx: &mut Ctx) {
        // A well-formed value (both fixed bits set) in a table that holds nothing.
        assert_eq!(zx_handle_close(0x0000_1003), ZX_ERR_BAD_HANDLE);
        assert_eq!(zx_handle_close(0xFFFF_FFFF), ZX_ERR_BAD_HANDLE);
        ctx.assert_clean();
    }

    fn second_close_is_bad_handle(ctx: &mut Ctx) {
        let e = new_event();
        assert_eq!(zx_handle_close(e), ZX_OK);
        assert_eq!(zx_handle_close(e), ZX_ERR_BAD_HANDLE);
        ctx.assert_clean();
    }

    fn needs_no_rights(ctx: &mut Ctx) {
        let e = new_event();
        let none = dup(e, ZX_RIGHT_NONE);
        assert_eq!(rights(none), ZX_RIGHT_NONE);
        assert_eq!(zx_handle_close(none), ZX_OK);
        assert!(!is_valid(none));
        close(e);
        ctx.assert_clean();
    }

    fn other_handles_survive(ctx: &mut Ctx) {
        let e = new_event();
        let d = dup(e, ZX_RIGHT_SAME_RIGHTS);
        assert_eq!(zx_handle_close(e), ZX_OK);
        assert_eq!(live(ctx), (1, 1));
        assert!(is_valid(d));
        assert_eq!(zx_object_signal(d, 0, ZX_EVENT_SIGNALED), ZX_OK);
        assert_eq!(signals(d), ZX_EVENT_SIGNALED);
        assert_eq!(handle_count(d), 1);
        close(d);
        ctx.assert_clean();
    }

    fn last_handle_destroys_object(ctx: &mut Ctx) {
        let e = new_event();
        let p = new_port();
        assert_eq!(live(ctx), (2, 2));
        assert_eq!(zx_handle_close(e), ZX_OK);
        assert_eq!(
            live(ctx),
            (1, 1),
            "the event must be gone when close returns"
        );
        assert_eq!(zx_handle_close(p), ZX_OK);
        ctx.assert_clean();
    }

    fn bad_value_closes_nothing(ctx: &mut Ctx) {
        let e = new_event();
        for bad in [e & !1, e & !2, e & !3] {
            assert_eq!(zx_handle_close(bad), ZX_ERR_BAD_HANDLE, "value {bad:#x}");
        }
        assert!(is_valid(e));
        close(e);
        ctx.assert_clean();
    }
}

mod close_many {
    use super::*;

    cases![
        "zx_handle_close_many";
        (empty_list_is_ok, "§3: an empty list is ZX_OK", Both),
        (invalid_entries_are_skipped, "§3: ZX_HANDLE_INVALID entries are skipped silently", Both),
        (closes_every_listed_handle, "§3: every listed handle is closed", Both),
        (bad_entry_still_closes_good_ones, "§3/§12.1: a bad entry ⇒ ZX_ERR_BAD_HANDLE, but every good handle is still closed", Both),
        (repeated_value_is_bad_handle, "§3: a value listed twice ⇒ BAD_HANDLE (second occurrence already gone), handle closed once", Both),
        (error_in_a_later_chunk_surfaces, "§3: processed in chunks of 64; a bad entry in a later chunk still ⇒ BAD_HANDLE, all good closed", Both),
        (many_handles_no_limit, "§3: no limit on count: 200 handles close with ZX_OK", Both),
        (both_ends_of_a_pair, "§3/§2.3: closing both eventpair ends in one call leaves nothing behind", Both),
    ];

    fn empty_list_is_ok(ctx: &mut Ctx) {
        assert_eq!(zx_handle_close_many(&[]), ZX_OK);
        ctx.assert_clean();
    }

    fn invalid_entries_are_skipped(ctx: &mut Ctx) {
        let e = new_event();
        assert_eq!(
            zx_handle_close_many(&[ZX_HANDLE_INVALID, ZX_HANDLE_INVALID]),
            ZX_OK
        );
        assert!(is_valid(e));
        assert_eq!(
            zx_handle_close_many(&[ZX_HANDLE_INVALID, e, ZX_HANDLE_INVALID]),
            ZX_OK
        );
        assert!(!is_valid(e));
        ctx.assert_clean();
    }

    fn closes_every_listed_handle(ctx: &mut Ctx) {
        let (a, b) = (new_event(), new_port());
        let c = dup(a, ZX_RIGHT_SAME_RIGHTS);
        let keep = new_event();
        assert_eq!(zx_handle_close_many(&[a, b, c]), ZX_OK);
        for h in [a, b, c] {
            assert!(!is_valid(h));
        }
        assert!(is_valid(keep), "an unlisted handle must survive");
        assert_eq!(live(ctx), (1, 1));
        close(keep);
        ctx.assert_clean();
    }

    fn bad_entry_still_closes_good_ones(ctx: &mut Ctx) {
        let (a, b) = (new_event(), new_event());
        let stale = new_event();
        close(stale);
        assert_eq!(zx_handle_close_many(&[a, stale, b]), ZX_ERR_BAD_HANDLE);
        assert!(!is_valid(a));
        assert!(!is_valid(b), "handles after the bad entry are closed too");
        ctx.assert_clean();
    }

    fn repeated_value_is_bad_handle(ctx: &mut Ctx) {
        let a = new_event();
        assert_eq!(zx_handle_close_many(&[a, a]), ZX_ERR_BAD_HANDLE);
        assert!(!is_valid(a));
        ctx.assert_clean();
    }

    fn error_in_a_later_chunk_surfaces(ctx: &mut Ctx) {
        let mut list: Vec<zx_handle_t> = (0..130).map(|_| new_event()).collect();
        let stale = new_event();
        close(stale);
        list.insert(100, stale); // in the second chunk of 64
        assert_eq!(zx_handle_close_many(&list), ZX_ERR_BAD_HANDLE);
        for (i, &h) in list.iter().enumerate() {
            assert!(!is_valid(h), "entry {i} still open");
        }
        ctx.assert_clean();
    }

    fn many_handles_no_limit(ctx: &mut Ctx) {
        let e = new_event();
        let mut list: Vec<zx_handle_t> = (0..199).map(|_| dup(e, ZX_RIGHT_SAME_RIGHTS)).collect();
        list.push(e);
        assert_eq!(live(ctx), (1, 200));
        assert_eq!(zx_handle_close_many(&list), ZX_OK);
        ctx.assert_clean();
    }

    fn both_ends_of_a_pair(ctx: &mut Ctx) {
        let (a, b) = new_eventpair();
        assert_eq!(zx_handle_close_many(&[a, b]), ZX_OK);
        ctx.assert_clean();
    }
}

mod duplicate {
    use super::*;

    cases![
        "zx_handle_duplicate";
        (bad_handle, "§3: a value not in the table ⇒ ZX_ERR_BAD_HANDLE", Both),
        (invalid_handle_is_bad_handle, "§3/§1.2: ZX_HANDLE_INVALID ⇒ ZX_ERR_BAD_HANDLE", Both),
        (same_rights_copies_rights, "§3: ZX_RIGHT_SAME_RIGHTS ⇒ a new value with the source's rights, same object", Both),
        (subset_gives_exactly_those_rights, "§3: a subset of the source rights ⇒ exactly those rights", Both),
        (equal_rights_accepted, "§3: equal rights are accepted (subset test, not 'strictly lesser')", Both),
        (rights_none_allowed, "§3: ZX_RIGHT_NONE (0) is allowed", Both),
        (superset_is_invalid_args, "§3: rights not a subset ⇒ ZX_ERR_INVALID_ARGS, source untouched", Both),
        (same_rights_with_other_bits_is_invalid_args, "§3: SAME_RIGHTS with other bits is not special ⇒ ZX_ERR_INVALID_ARGS", Both),
        (needs_duplicate_right, "§3: source without ZX_RIGHT_DUPLICATE ⇒ ZX_ERR_ACCESS_DENIED", Both),
        (access_denied_before_invalid_args, "§3: missing DUPLICATE (ACCESS_DENIED) is reported before the rights check (INVALID_ARGS)", Both),
        (raises_handle_count_not_objects, "§2.2/§3: a duplicate adds a handle to the same object, not an object", Both),
        (duplicates_share_signals, "§3: both handles name one object: a signal through one is seen through the other", Both),
        (arena_full_is_no_memory, "§3/§1.2: handle arena exhausted ⇒ ZX_ERR_NO_MEMORY, source untouched", Both),
    ];

    fn bad_handle(ctx: &mut Ctx) {
        let e = new_event();
        close(e);
        let mut out = 0;
        assert_eq!(
            zx_handle_duplicate(e, ZX_RIGHT_SAME_RIGHTS, &mut out),
            ZX_ERR_BAD_HANDLE
        );
        ctx.assert_clean();
    }

    fn invalid_handle_is_bad_handle(ctx: &mut Ctx) {
        let mut out = 0;
        assert_eq!(
            zx_handle_duplicate(ZX_HANDLE_INVALID, ZX_RIGHT_SAME_RIGHTS, &mut out),
            ZX_ERR_BAD_HANDLE
        );
        ctx.assert_clean();
    }

    fn same_rights_copies_rights(ctx: &mut Ctx) {
        let e = new_event();
        let mut d = 0;
        assert_eq!(zx_handle_duplicate(e, ZX_RIGHT_SAME_RIGHTS, &mut d), ZX_OK);
        assert_ne!(d, e);
        assert_ne!(d, ZX_HANDLE_INVALID);
        assert_eq!(rights(d), ZX_DEFAULT_EVENT_RIGHTS);
        assert_eq!(koid(d), koid(e));
        assert!(is_valid(e), "duplicate keeps the source");
        close(d);
        close(e);
        ctx.assert_clean();
    }

    fn subset_gives_exactly_those_rights(ctx: &mut Ctx) {
        let (a, b) = new_eventpair();
        let wanted = ZX_RIGHT_WAIT | ZX_RIGHT_SIGNAL_PEER | ZX_RIGHT_TRANSFER;
        let mut d = 0;
        assert_eq!(zx_handle_duplicate(a, wanted, &mut d), ZX_OK);
        assert_eq!(rights(d), wanted);
        assert_eq!(rights(a), ZX_DEFAULT_EVENTPAIR_RIGHTS);
        assert_eq!(zx_handle_close_many(&[a, b, d]), ZX_OK);
        ctx.assert_clean();
    }

    fn equal_rights_accepted(ctx: &mut Ctx) {
        let e = new_event();
        let mut d = 0;
        assert_eq!(
            zx_handle_duplicate(e, ZX_DEFAULT_EVENT_RIGHTS, &mut d),
            ZX_OK
        );
        assert_eq!(rights(d), ZX_DEFAULT_EVENT_RIGHTS);
        assert_eq!(zx_handle_close_many(&[e, d]), ZX_OK);
        ctx.assert_clean();
    }

    fn rights_none_allowed(ctx: &mut Ctx) {
        let e = new_event();
        let mut d = 0;
        assert_eq!(zx_handle_duplicate(e, ZX_RIGHT_NONE, &mut d), ZX_OK);
        assert_eq!(rights(d), ZX_RIGHT_NONE);
        assert_eq!(koid(d), koid(e));
        assert_eq!(zx_handle_close_many(&[e, d]), ZX_OK);
        ctx.assert_clean();
    }

    fn superset_is_invalid_args(ctx: &mut Ctx) {
        let e = new_event();
        let mut d = 0x5555_5555;
        assert_eq!(
            zx_handle_duplicate(e, ZX_DEFAULT_EVENT_RIGHTS | ZX_RIGHT_WRITE, &mut d),
            ZX_ERR_INVALID_ARGS
        );
        assert_eq!(d, 0x5555_5555, "no handle is returned");
        assert_eq!(live(ctx), (1, 1), "no handle was minted");
        assert_eq!(rights(e), ZX_DEFAULT_EVENT_RIGHTS, "source untouched");
        // A reduced handle cannot get a right back through duplicate.
        let reduced = dup(e, ZX_RIGHT_DUPLICATE | ZX_RIGHT_WAIT);
        assert_eq!(
            zx_handle_duplicate(reduced, ZX_RIGHT_DUPLICATE | ZX_RIGHT_SIGNAL, &mut d),
            ZX_ERR_INVALID_ARGS
        );
        assert!(is_valid(reduced));
        assert_eq!(zx_handle_close_many(&[e, reduced]), ZX_OK);
        ctx.assert_clean();
    }

    fn same_rights_with_other_bits_is_invalid_args(ctx: &mut Ctx) {
        let e = new_event();
        let mut d = 0;
        assert_eq!(
            zx_handle_duplicate(e, ZX_RIGHT_SAME_RIGHTS | ZX_RIGHT_WAIT, &mut d),
            ZX_ERR_INVALID_ARGS
        );
        assert_eq!(live(ctx), (1, 1));
        assert!(is_valid(e));
        close(e);
        ctx.assert_clean();
    }

    fn needs_duplicate_right(ctx: &mut Ctx) {
        let e = new_event();
        let no_dup = dup(e, ZX_DEFAULT_EVENT_RIGHTS & !ZX_RIGHT_DUPLICATE);
        let mut d = 0;
        assert_eq!(
            zx_handle_duplicate(no_dup, ZX_RIGHT_SAME_RIGHTS, &mut d),
            ZX_ERR_ACCESS_DENIED
        );
        assert_eq!(
            zx_handle_duplicate(no_dup, ZX_RIGHT_NONE, &mut d),
            ZX_ERR_ACCESS_DENIED
        );
        assert_eq!(live(ctx), (1, 2));
        assert_eq!(zx_handle_close_many(&[e, no_dup]), ZX_OK);
        ctx.assert_clean();
    }

    fn access_denied_before_invalid_args(ctx: &mut Ctx) {
        let e = new_event();
        let no_dup = dup(e, ZX_RIGHT_WAIT);
        let mut d = 0;
        assert_eq!(
            zx_handle_duplicate(no_dup, ZX_RIGHT_WAIT | ZX_RIGHT_WRITE, &mut d),
            ZX_ERR_ACCESS_DENIED
        );
        assert_eq!(
            zx_handle_duplicate(no_dup, ZX_RIGHT_SAME_RIGHTS | 1, &mut d),
            ZX_ERR_ACCESS_DENIED
        );
        assert_eq!(zx_handle_close_many(&[e, no_dup]), ZX_OK);
        ctx.assert_clean();
    }

    fn raises_handle_count_not_objects(ctx: &mut Ctx) {
        let e = new_event();
        assert_eq!(handle_count(e), 1);
        let d = dup(e, ZX_RIGHT_SAME_RIGHTS);
        assert_eq!(handle_count(e), 2);
        assert_eq!(live(ctx), (1, 2));
        close(d);
        assert_eq!(handle_count(e), 1);
        close(e);
        ctx.assert_clean();
    }

    fn duplicates_share_signals(ctx: &mut Ctx) {
        let e = new_event();
        let d = dup(e, ZX_RIGHT_SAME_RIGHTS);
        assert_eq!(zx_object_signal(e, 0, ZX_USER_SIGNAL_2), ZX_OK);
        assert_eq!(signals(d), ZX_USER_SIGNAL_2);
        assert_eq!(
            zx_object_signal(d, ZX_USER_SIGNAL_2, ZX_EVENT_SIGNALED),
            ZX_OK
        );
        assert_eq!(signals(e), ZX_EVENT_SIGNALED);
        assert_eq!(zx_handle_close_many(&[e, d]), ZX_OK);
        ctx.assert_clean();
    }

    fn arena_full_is_no_memory(ctx: &mut Ctx) {
        {
            let small = small_kernel(ctx, 2);
            let e = new_event();
            let d = dup(e, ZX_RIGHT_SAME_RIGHTS);
            let mut out = 0;
            assert_eq!(
                zx_handle_duplicate(e, ZX_RIGHT_SAME_RIGHTS, &mut out),
                ZX_ERR_NO_MEMORY
            );
            assert_eq!(live(&small), (1, 2));
            assert!(is_valid(e) && is_valid(d));
            close(d);
            // Room again: duplicate works.
            let again = dup(e, ZX_RIGHT_SAME_RIGHTS);
            assert_eq!(zx_handle_close_many(&[e, again]), ZX_OK);
            small.assert_clean();
        }
        ctx.assert_clean();
    }
}

mod replace {
    use super::*;

    cases![
        "zx_handle_replace";
        (bad_handle, "§3: a value not in the table ⇒ ZX_ERR_BAD_HANDLE", Both),
        (invalid_handle_is_bad_handle, "§3/§1.2: ZX_HANDLE_INVALID ⇒ ZX_ERR_BAD_HANDLE", Both),
        (same_rights_new_value_old_gone, "§3: SAME_RIGHTS ⇒ a new value, same object and rights; the source value is invalid", Both),
        (subset_reduces_rights, "§3: a subset ⇒ the new handle has exactly those rights, the source is gone", Both),
        (needs_no_right, "§3: replace needs no right (works on a ZX_RIGHT_NONE handle)", Both),
        (superset_closes_source, "§3/§12.1: rights not a subset ⇒ ZX_ERR_INVALID_ARGS and the source is closed", Both),
        (same_rights_with_other_bits_closes_source, "§3: SAME_RIGHTS with other bits ⇒ ZX_ERR_INVALID_ARGS, source closed", Both),
        (rights_error_on_last_handle_closes_peer, "§3/§2.3: a rights error on an endpoint's last handle closes it: the peer sees PEER_CLOSED", Both),
        (success_never_passes_through_zero_handles, "§3/§2.3: a successful replace of an endpoint's only handle does not raise PEER_CLOSED on the peer", Both),
        (sync_wait_on_old_handle_is_canceled, "§3/§5: replacing a handle mid-wait ends the wait on the old handle with ZX_ERR_CANCELED", Both),
        (arena_full_keeps_source, "§3/§12.2 item 7: NO_MEMORY leaves the source in place (kernel, not docs)", Both),
    ];

    fn bad_handle(ctx: &mut Ctx) {
        let e = new_event();
        close(e);
        let mut out = 0;
        assert_eq!(
            zx_handle_replace(e, ZX_RIGHT_SAME_RIGHTS, &mut out),
            ZX_ERR_BAD_HANDLE
        );
        ctx.assert_clean();
    }

    fn invalid_handle_is_bad_handle(ctx: &mut Ctx) {
        let mut out = 0;
        assert_eq!(
            zx_handle_replace(ZX_HANDLE_INVALID, ZX_RIGHT_SAME_RIGHTS, &mut out),
            ZX_ERR_BAD_HANDLE
        );
        ctx.assert_clean();
    }

    fn same_rights_new_value_old_gone(ctx: &mut Ctx) {
        let e = new_event();
        let k = koid(e);
        let mut r = 0;
        assert_eq!(zx_handle_replace(e, ZX_RIGHT_SAME_RIGHTS, &mut r), ZX_OK);
        assert_ne!(r, e);
        assert!(!is_valid(e));
        assert_eq!(koid(r), k);
        assert_eq!(rights(r), ZX_DEFAULT_EVENT_RIGHTS);
        assert_eq!(live(ctx), (1, 1));
        close(r);
        ctx.assert_clean();
    }

    fn subset_reduces_rights(ctx: &mut Ctx) {
        let e = new_event();
        let mut r = 0;
        assert_eq!(
            zx_handle_replace(e, ZX_RIGHT_WAIT | ZX_RIGHT_INSPECT, &mut r),
            ZX_OK
        );
        assert!(!is_valid(e));
        assert_eq!(rights(r), ZX_RIGHT_WAIT | ZX_RIGHT_INSPECT);
        assert_eq!(
            zx_object_signal(r, 0, ZX_EVENT_SIGNALED),
            ZX_ERR_ACCESS_DENIED,
            "the SIGNAL right is really gone"
        );
        close(r);
        ctx.assert_clean();
    }

    fn needs_no_right(ctx: &mut Ctx) {
        let e = new_event();
        let none = dup(e, ZX_RIGHT_NONE);
        let mut r = 0;
        assert_eq!(zx_handle_replace(none, ZX_RIGHT_SAME_RIGHTS, &mut r), ZX_OK);
        assert!(!is_valid(none));
        assert_eq!(rights(r), ZX_RIGHT_NONE);
        assert_eq!(koid(r), koid(e));
        assert_eq!(zx_handle_close_many(&[e, r]), ZX_OK);
        ctx.assert_clean();
    }

    fn superset_closes_source(ctx: &mut Ctx) {
        let e = new_event();
        let reduced = dup(e, ZX_RIGHT_WAIT);
        let mut r = 0x5555_5555;
        assert_eq!(
            zx_handle_replace(reduced, ZX_RIGHT_WAIT | ZX_RIGHT_SIGNAL, &mut r),
            ZX_ERR_INVALID_ARGS
        );
        assert_eq!(r, 0x5555_5555, "no handle is returned");
        assert!(
            !is_valid(reduced),
            "the source is consumed on a rights error"
        );
        assert_eq!(live(ctx), (1, 1));
        assert_eq!(handle_count(e), 1);
        close(e);
        ctx.assert_clean();
    }

    fn same_rights_with_other_bits_closes_source(ctx: &mut Ctx) {
        let e = new_event();
        let mut r = 0;
        assert_eq!(
            zx_handle_replace(e, ZX_RIGHT_SAME_RIGHTS | ZX_RIGHT_WAIT, &mut r),
            ZX_ERR_INVALID_ARGS
        );
        assert!(!is_valid(e));
        ctx.assert_clean();
    }

    fn rights_error_on_last_handle_closes_peer(ctx: &mut Ctx) {
        let (a, b) = new_eventpair();
        let mut r = 0;
        assert_eq!(
            zx_handle_replace(a, ZX_DEFAULT_EVENTPAIR_RIGHTS | ZX_RIGHT_READ, &mut r),
            ZX_ERR_INVALID_ARGS
        );
        assert_eq!(signals(b), ZX_EVENTPAIR_PEER_CLOSED);
        assert_eq!(
            zx_object_signal_peer(b, 0, ZX_USER_SIGNAL_0),
            ZX_ERR_PEER_CLOSED
        );
        close(b);
        ctx.assert_clean();
    }

    fn success_never_passes_through_zero_handles(ctx: &mut Ctx) {
        let (a, b) = new_eventpair();
        let mut r = 0;
        assert_eq!(zx_handle_replace(a, ZX_RIGHT_SAME_RIGHTS, &mut r), ZX_OK);
        assert_eq!(signals(b), 0, "the peer must not see PEER_CLOSED");
        assert_eq!(zx_object_signal_peer(b, 0, ZX_USER_SIGNAL_0), ZX_OK);
        assert_eq!(signals(r), ZX_USER_SIGNAL_0);
        assert_eq!(zx_handle_close_many(&[r, b]), ZX_OK);
        ctx.assert_clean();
    }

    fn sync_wait_on_old_handle_is_canceled(ctx: &mut Ctx) {
        let e = new_event();
        let waiter = ctx.process.spawn(move || {
            let mut observed = 0;
            let status = zx_object_wait_one(e, ZX_EVENT_SIGNALED, 1_000_000, Some(&mut observed));
            (status, observed)
        });
        await_blocked(ctx);
        let mut r = 0;
        assert_eq!(zx_handle_replace(e, ZX_RIGHT_SAME_RIGHTS, &mut r), ZX_OK);
        let (status, observed) = join(ctx, waiter);
        assert_eq!(status, ZX_ERR_CANCELED);
        assert_eq!(observed, ZX_SIGNAL_HANDLE_CLOSED);
        close(r);
        ctx.assert_clean();
    }

    fn arena_full_keeps_source(ctx: &mut Ctx) {
        {
            let small = small_kernel(ctx, 1);
            let e = new_event();
            let mut r = 0;
            assert_eq!(
                zx_handle_replace(e, ZX_RIGHT_SAME_RIGHTS, &mut r),
                ZX_ERR_NO_MEMORY
            );
            assert!(is_valid(e), "the kernel keeps the source on NO_MEMORY");
            assert_eq!(rights(e), ZX_DEFAULT_EVENT_RIGHTS);
            assert_eq!(live(&small), (1, 1));
            close(e);
            small.assert_clean();
        }
        ctx.assert_clean();
    }
}

/// Zircon's answers follow its vDSO's `zx_handle_check_valid` and the upstream core-test
/// `ChannelWriteTest.MoveHandlesWithRightsCheckFailure` (channel/channel.cc), which expects
/// `NOT_FOUND` for handles a failed write consumed.
mod check_valid {
    use super::*;

    cases![
        "zx_handle_check_valid";
        (open_handle_is_ok, "§3: an open handle of the caller's process ⇒ ZX_OK (any rights)", Both),
        (invalid_value_is_invalid_args, "§3: ZX_HANDLE_INVALID ⇒ ZX_ERR_INVALID_ARGS", Both),
        (missing_fixed_bits_is_out_of_range, "§2.1/§3: a value without both fixed bits ⇒ ZX_ERR_OUT_OF_RANGE", Both),
        (closed_or_unknown_is_not_found, "§3: a closed or never-issued value ⇒ ZX_ERR_NOT_FOUND (upstream ChannelWriteTest.MoveHandlesWithRightsCheckFailure)", Both),
        (other_process_handle_is_not_found, "§2.1/§3: a value valid only in another process ⇒ ZX_ERR_NOT_FOUND", Both),
    ];

    fn open_handle_is_ok(ctx: &mut Ctx) {
        let e = new_event();
        let none = dup(e, ZX_RIGHT_NONE);
        assert_eq!(zx_handle_check_valid(e), ZX_OK);
        assert_eq!(zx_handle_check_valid(none), ZX_OK);
        close(none);
        close(e);
        ctx.assert_clean();
    }

    fn invalid_value_is_invalid_args(ctx: &mut Ctx) {
        assert_eq!(
            zx_handle_check_valid(ZX_HANDLE_INVALID),
            ZX_ERR_INVALID_ARGS
        );
        ctx.assert_clean();
    }

    fn missing_fixed_bits_is_out_of_range(ctx: &mut Ctx) {
        let e = new_event();
        assert_eq!(zx_handle_check_valid(e & !1), ZX_ERR_OUT_OF_RANGE);
        assert_eq!(zx_handle_check_valid(e & !2), ZX_ERR_OUT_OF_RANGE);
        assert_eq!(zx_handle_check_valid(0x1000), ZX_ERR_OUT_OF_RANGE);
        assert!(is_valid(e), "checking a malformed value touches nothing");
        close(e);
        ctx.assert_clean();
    }

    fn closed_or_unknown_is_not_found(ctx: &mut Ctx) {
        let e = new_event();
        close(e);
        assert_eq!(zx_handle_check_valid(e), ZX_ERR_NOT_FOUND);
        assert_eq!(zx_handle_check_valid(0xFFFF_FFFF), ZX_ERR_NOT_FOUND);
        // A write that fails on a handle without TRANSFER still consumes every listed handle.
        let (mut c0, mut c1) = (0, 0);
        assert_eq!(zx_channel_create(0, &mut c0, &mut c1), ZX_OK);
        let movable = new_event();
        let pinned = dup(movable, ZX_DEFAULT_EVENT_RIGHTS & !ZX_RIGHT_TRANSFER);
        assert_eq!(
            zx_channel_write(c0, 0, &[1, 2, 3, 4], &[movable, pinned]),
            ZX_ERR_ACCESS_DENIED
        );
        assert_eq!(zx_handle_check_valid(movable), ZX_ERR_NOT_FOUND);
        assert_eq!(zx_handle_check_valid(pinned), ZX_ERR_NOT_FOUND);
        close(c0);
        close(c1);
        ctx.assert_clean();
    }

    fn other_process_handle_is_not_found(ctx: &mut Ctx) {
        let other = ctx.other_process();
        let foreign = {
            let _bound = other.bind();
            new_event()
        };
        let mine = new_event();
        if mine != foreign {
            assert_eq!(zx_handle_check_valid(foreign), ZX_ERR_NOT_FOUND);
        }
        {
            let _bound = other.bind();
            assert_eq!(zx_handle_check_valid(foreign), ZX_OK);
            close(foreign);
        }
        close(mine);
        ctx.assert_clean();
    }
}
