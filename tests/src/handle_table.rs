//! Conformance cases for handle values and the handle table (spec §1.2, §2.1, §2.2): the fixed
//! low bits, 0 never valid, per-process values, generations (no aliasing of a closed value),
//! arena exhaustion (`ZX_ERR_NO_MEMORY`) and the live object/handle accounting.

use std::collections::HashSet;

use crate::harness::{Case, Ctx};
use crate::support::*;
use zxsim_syscalls::sys::*;

pub fn cases() -> Vec<Case> {
    [values::cases(), exhaustion::cases(), accounting::cases()]
        .into_iter()
        .flatten()
        .collect()
}

mod values {
    use super::*;

    cases![
        "handle values";
        (low_two_bits_are_one, "§1.2: every valid handle value has both low bits set (ZX_HANDLE_FIXED_BITS_MASK) and is never 0", Both),
        (values_are_distinct, "§1.2: live handles in one process have distinct values", Both),
        (zero_is_never_valid, "§1.2/§2.1: ZX_HANDLE_INVALID (0) is never a valid handle ⇒ ZX_ERR_BAD_HANDLE", Both),
        (cleared_fixed_bit_is_bad_handle, "§2.1: a value whose low two bits are not both 1 ⇒ ZX_ERR_BAD_HANDLE", Both),
        (values_are_per_process, "§2.1: a handle value of one process is not valid in another ⇒ ZX_ERR_BAD_HANDLE", Both),
        (closed_value_never_aliases_next_handle, "§2.1: a closed value does not alias the next handle (generation)", Both),
        (stale_value_cannot_touch_new_object, "§2.1: operations through a stale value fail and leave the slot's new object alone", Both),
        (stale_values_stay_stale_over_many_reuses, "§2.1: over many close/create cycles, slot reuse included, no closed value ever becomes valid again", Both),
    ];

    fn low_two_bits_are_one(ctx: &mut Ctx) {
        let mut all = Vec::new();
        for _ in 0..20 {
            all.push(new_event());
            let (a, b) = new_eventpair();
            all.extend([a, b]);
            all.push(new_port());
        }
        let e = all[0];
        all.push(dup(e, ZX_RIGHT_SAME_RIGHTS));
        all.push(dup(e, ZX_RIGHT_NONE));
        for &h in &all {
            assert_ne!(h, ZX_HANDLE_INVALID);
            assert_eq!(
                h & ZX_HANDLE_FIXED_BITS_MASK,
                ZX_HANDLE_FIXED_BITS_MASK,
                "{h:#x}"
            );
        }
        assert_eq!(zx_handle_close_many(&all), ZX_OK);
        ctx.assert_clean();
    }

    fn values_are_distinct(ctx: &mut Ctx) {
        let e = new_event();
        let mut all = vec![e];
        all.extend((0..100).map(|_| dup(e, ZX_RIGHT_SAME_RIGHTS)));
        all.extend((0..100).map(|_| new_event()));
        let unique: HashSet<_> = all.iter().copied().collect();
        assert_eq!(unique.len(), all.len());
        assert_eq!(zx_handle_close_many(&all), ZX_OK);
        ctx.assert_clean();
    }

    fn zero_is_never_valid(ctx: &mut Ctx) {
        let keep: Vec<_> = (0..8).map(|_| new_event()).collect();
        assert!(!is_valid(ZX_HANDLE_INVALID));
        let mut out = 0;
        assert_eq!(
            zx_handle_duplicate(ZX_HANDLE_INVALID, ZX_RIGHT_SAME_RIGHTS, &mut out),
            ZX_ERR_BAD_HANDLE
        );
        assert_eq!(
            zx_object_signal(ZX_HANDLE_INVALID, 0, ZX_USER_SIGNAL_0),
            ZX_ERR_BAD_HANDLE
        );
        assert_eq!(
            zx_object_wait_one(ZX_HANDLE_INVALID, ZX_USER_SIGNAL_0, 0, None),
            ZX_ERR_BAD_HANDLE
        );
        assert_eq!(zx_handle_close_many(&keep), ZX_OK);
        ctx.assert_clean();
    }

    fn cleared_fixed_bit_is_bad_handle(ctx: &mut Ctx) {
        let e = new_event();
        for bad in [e ^ 1, e ^ 2, e ^ 3] {
            assert!(!is_valid(bad), "{bad:#x} (from {e:#x})");
            assert_eq!(
                zx_object_signal(bad, 0, ZX_USER_SIGNAL_0),
                ZX_ERR_BAD_HANDLE
            );
        }
        assert_eq!(signals(e), 0, "nothing reached the real handle");
        close(e);
        ctx.assert_clean();
    }

    fn values_are_per_process(ctx: &mut Ctx) {
        let e = new_event();
        let other = ctx.other_process();
        {
            let _bound = other.bind();
            let mine = new_event(); // the other process has a handle of its own
            assert!(!is_valid(e));
            assert_eq!(zx_object_signal(e, 0, ZX_USER_SIGNAL_0), ZX_ERR_BAD_HANDLE);
            assert_eq!(zx_handle_close(e), ZX_ERR_BAD_HANDLE);
            close(mine);
        }
        assert!(is_valid(e), "still valid in its own process");
        assert_eq!(signals(e), 0);
        // And from a thread bound to the other process.
        let seen =
            other.spawn(move || zx_object_get_info(e, ZX_INFO_HANDLE_VALID, &mut [], None, None));
        assert_eq!(join(ctx, seen), ZX_ERR_BAD_HANDLE);
        close(e);
        ctx.assert_clean();
    }

    fn closed_value_never_aliases_next_handle(ctx: &mut Ctx) {
        let old = new_event();
        close(old);
        let new = new_event();
        assert_ne!(new, old, "the slot is reused with a new generation");
        assert!(!is_valid(old));
        assert!(is_valid(new));
        close(new);
        ctx.assert_clean();
    }

    fn stale_value_cannot_touch_new_object(ctx: &mut Ctx) {
        let old = new_event();
        close(old);
        let new = new_event();
        assert_eq!(
            zx_object_signal(old, 0, ZX_USER_SIGNAL_0),
            ZX_ERR_BAD_HANDLE
        );
        assert_eq!(zx_handle_close(old), ZX_ERR_BAD_HANDLE);
        let mut out = 0;
        assert_eq!(
            zx_handle_duplicate(old, ZX_RIGHT_SAME_RIGHTS, &mut out),
            ZX_ERR_BAD_HANDLE
        );
        assert_eq!(signals(new), 0);
        assert_eq!(handle_count(new), 1);
        close(new);
        ctx.assert_clean();
    }

    fn stale_values_stay_stale_over_many_reuses(ctx: &mut Ctx) {
        // Enough rounds that slots are reused (a table takes a fresh slot until
        // REUSE_AFTER_FREED are free), so the generation is what keeps old values stale.
        let rounds = 2 * zxsim_kernel::handle::REUSE_AFTER_FREED + 100;
        let mut closed = HashSet::new();
        for _ in 0..rounds {
            let h = new_event();
            assert!(!closed.contains(&h), "value {h:#x} was handed out again");
            close(h);
            closed.insert(h);
        }
        // Each new handle reuses a slot some closed value named.
        let live: Vec<zx_handle_t> = (0..8).map(|_| new_event()).collect();
        for &h in &closed {
            assert!(!is_valid(h), "stale value {h:#x} names a live handle");
            assert_eq!(zx_object_signal(h, 0, ZX_USER_SIGNAL_0), ZX_ERR_BAD_HANDLE);
        }
        for &h in &live {
            assert_eq!(signals(h), 0, "nothing reached a live handle");
        }
        close_all(&live);
        ctx.assert_clean();
    }
}

mod exhaustion {
    use super::*;

    cases![
        "handle arena";
        (create_beyond_cap_is_no_memory, "§1.2: handle arena exhausted ⇒ object creation answers ZX_ERR_NO_MEMORY", Both),
        (eventpair_needs_two_slots, "§1.2: eventpair_create with one free slot ⇒ ZX_ERR_NO_MEMORY, nothing leaked", Both),
        (closing_frees_a_slot, "§1.2: closing a handle makes room again", Both),
    ];

    fn create_beyond_cap_is_no_memory(ctx: &mut Ctx) {
        {
            let small = small_kernel(ctx, 4);
            let all: Vec<_> = (0..4).map(|_| new_event()).collect();
            let mut h = 0;
            assert_eq!(zx_event_create(0, &mut h), ZX_ERR_NO_MEMORY);
            assert_eq!(zx_port_create(0, &mut h), ZX_ERR_NO_MEMORY);
            assert_eq!(live(&small), (4, 4), "the failed creations left no object");
            assert_eq!(zx_handle_close_many(&all), ZX_OK);
            small.assert_clean();
        }
        ctx.assert_clean();
    }

    fn eventpair_needs_two_slots(ctx: &mut Ctx) {
        {
            let small = small_kernel(ctx, 3);
            let (e1, e2) = (new_event(), new_event());
            let (mut a, mut b) = (0, 0);
            assert_eq!(zx_eventpair_create(0, &mut a, &mut b), ZX_ERR_NO_MEMORY);
            assert_eq!(live(&small), (2, 2));
            close(e2);
            let (a, b) = new_eventpair();
            assert_eq!(live(&small), (3, 3));
            assert_eq!(zx_handle_close_many(&[e1, a, b]), ZX_OK);
            small.assert_clean();
        }
        ctx.assert_clean();
    }

    fn closing_frees_a_slot(ctx: &mut Ctx) {
        {
            let small = small_kernel(ctx, 2);
            let (a, b) = (new_event(), new_event());
            let mut h = 0;
            assert_eq!(zx_event_create(0, &mut h), ZX_ERR_NO_MEMORY);
            close(a);
            assert_eq!(zx_event_create(0, &mut h), ZX_OK);
            assert_eq!(zx_event_create(0, &mut h), ZX_ERR_NO_MEMORY);
            assert_eq!(zx_handle_close_many(&[b, h]), ZX_OK);
            small.assert_clean();
        }
        ctx.assert_clean();
    }
}

mod accounting {
    use super::*;

    cases![
        "handle accounting";
        (counts_follow_creation_and_close, "§2.2: live objects/handles follow creation, duplication and close, and return to 0", Both),
        (object_lives_while_any_handle_does, "§2.2: an object lives exactly as long as its handle count is non-zero", Both),
    ];

    fn counts_follow_creation_and_close(ctx: &mut Ctx) {
        ctx.assert_clean();
        let e = new_event();
        assert_eq!(live(ctx), (1, 1));
        let (a, b) = new_eventpair();
        assert_eq!(live(ctx), (3, 3));
        let d = dup(a, ZX_RIGHT_SAME_RIGHTS);
        assert_eq!(live(ctx), (3, 4));
        let p = new_port();
        assert_eq!(live(ctx), (4, 5));
        close(a);
        assert_eq!(live(ctx), (4, 4), "a still has a handle (d)");
        close(d);
        assert_eq!(live(ctx), (3, 3));
        assert_eq!(zx_handle_close_many(&[e, b, p]), ZX_OK);
        ctx.assert_clean();
    }

    fn object_lives_while_any_handle_does(ctx: &mut Ctx) {
        let e = new_event();
        let dups: Vec<_> = (0..5).map(|_| dup(e, ZX_RIGHT_SAME_RIGHTS)).collect();
        close(e);
        for (i, &d) in dups.iter().enumerate() {
            assert_eq!(live(ctx).0, 1, "object gone after closing {i} of 6 handles");
            assert_eq!(handle_count(d), (5 - i) as u32);
            close(d);
        }
        ctx.assert_clean();
    }
}
