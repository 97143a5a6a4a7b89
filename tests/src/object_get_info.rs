//! Conformance cases for `zx_object_get_info` with the handle topics (spec §4, §1.11, §1.12):
//! `ZX_INFO_HANDLE_VALID`, `ZX_INFO_HANDLE_BASIC`, `ZX_INFO_HANDLE_COUNT`, and unknown topics.

use crate::harness::{Case, Ctx};
use crate::support::*;
use zxsim_syscalls::sys::*;

pub fn cases() -> Vec<Case> {
    topics::cases()
}

/// `zx_info_handle_basic_t` decoded from the 32 bytes the kernel wrote.
fn decode_basic(bytes: &[u8]) -> zx_info_handle_basic_t {
    zx_info_handle_basic_t {
        koid: u64::from_le_bytes(bytes[0..8].try_into().unwrap()),
        rights: u32::from_le_bytes(bytes[8..12].try_into().unwrap()),
        type_: u32::from_le_bytes(bytes[12..16].try_into().unwrap()),
        related_koid: u64::from_le_bytes(bytes[16..24].try_into().unwrap()),
        reserved: u32::from_le_bytes(bytes[24..28].try_into().unwrap()),
        padding1: bytes[28..32].try_into().unwrap(),
    }
}

/// get_info with `topic` into a buffer of `size` bytes; returns (status, buffer, actual, avail).
fn info(h: zx_handle_t, topic: u32, size: usize) -> (zx_status_t, Vec<u8>, usize, usize) {
    let mut buffer = vec![0xAAu8; size];
    let (mut actual, mut avail) = (usize::MAX, usize::MAX);
    let status = zx_object_get_info(h, topic, &mut buffer, Some(&mut actual), Some(&mut avail));
    (status, buffer, actual, avail)
}

mod topics {
    use super::*;

    cases![
        "zx_object_get_info";
        (valid_ok_for_a_live_handle, "§4: ZX_INFO_HANDLE_VALID ⇒ ZX_OK for a handle in the table (null buffer allowed)", Both),
        (valid_bad_handle_after_close, "§4: ZX_INFO_HANDLE_VALID ⇒ ZX_ERR_BAD_HANDLE for a closed value and for 0", Both),
        (valid_needs_no_rights, "§4: ZX_INFO_HANDLE_VALID needs no rights", Both),
        (basic_event, "§4/§1.11: HANDLE_BASIC of an event: koid ≥ 1024, rights 0xD003, type EVENT, related_koid 0, reserved 0", Both),
        (basic_eventpair_related_koids, "§4/§2.3: HANDLE_BASIC related_koid of each eventpair end is the other's koid", Both),
        (basic_port, "§4/§1.4: HANDLE_BASIC of a port: rights 0x800F, type PORT, related_koid 0", Both),
        (basic_reports_the_handles_rights, "§4/§2.2: HANDLE_BASIC reports this handle's rights; duplicates share the koid", Both),
        (basic_needs_no_rights, "§4: HANDLE_BASIC needs no rights (a ZX_RIGHT_NONE handle answers)", Both),
        (basic_actual_and_avail_are_one, "§4: HANDLE_BASIC with room for the record ⇒ actual = avail = 1 (a bigger buffer is fine)", Both),
        (basic_buffer_too_small, "§4: HANDLE_BASIC with buffer_size < 32 ⇒ ZX_ERR_BUFFER_TOO_SMALL, actual 0, avail 1", Both),
        (basic_bad_handle_before_buffer_size, "§4/§2.1: HANDLE_BASIC looks the handle up (BAD_HANDLE) before the size check", Both),
        (basic_koids_distinct, "§1.2: koids are unique per object and ≥ ZX_KOID_FIRST", Both),
        (count_tracks_handles, "§4/§2.2: HANDLE_COUNT is the object's current handle count", Both),
        (count_needs_inspect, "§4: HANDLE_COUNT without ZX_RIGHT_INSPECT ⇒ ZX_ERR_ACCESS_DENIED", Both),
        (count_buffer_too_small, "§4: HANDLE_COUNT with buffer_size < 4 ⇒ ZX_ERR_BUFFER_TOO_SMALL, actual 0, avail 1", Both),
        (count_bad_handle, "§4: HANDLE_COUNT on a closed value ⇒ ZX_ERR_BAD_HANDLE", Both),
        (count_eventpair_ends_are_separate, "§4/§2.2: each eventpair end is its own object with its own handle count", Both),
        (unknown_topic_not_supported, "§4: an unknown topic ⇒ ZX_ERR_NOT_SUPPORTED", Both),
        (unknown_topic_before_handle_lookup, "§4: an unknown topic answers NOT_SUPPORTED before the handle is looked up (bad/0 handle)", Both),
    ];

    fn valid_ok_for_a_live_handle(ctx: &mut Ctx) {
        let e = new_event();
        assert_eq!(
            zx_object_get_info(e, ZX_INFO_HANDLE_VALID, &mut [], None, None),
            ZX_OK
        );
        close(e);
        ctx.assert_clean();
    }

    fn valid_bad_handle_after_close(ctx: &mut Ctx) {
        let e = new_event();
        close(e);
        assert_eq!(
            zx_object_get_info(e, ZX_INFO_HANDLE_VALID, &mut [], None, None),
            ZX_ERR_BAD_HANDLE
        );
        assert_eq!(
            zx_object_get_info(ZX_HANDLE_INVALID, ZX_INFO_HANDLE_VALID, &mut [], None, None),
            ZX_ERR_BAD_HANDLE
        );
        ctx.assert_clean();
    }

    fn valid_needs_no_rights(ctx: &mut Ctx) {
        let e = new_event();
        let none = dup(e, ZX_RIGHT_NONE);
        assert_eq!(
            zx_object_get_info(none, ZX_INFO_HANDLE_VALID, &mut [], None, None),
            ZX_OK
        );
        assert_eq!(zx_handle_close_many(&[e, none]), ZX_OK);
        ctx.assert_clean();
    }

    fn basic_event(ctx: &mut Ctx) {
        let e = new_event();
        let (status, buffer, _, _) = info(e, ZX_INFO_HANDLE_BASIC, 32);
        assert_eq!(status, ZX_OK);
        let record = decode_basic(&buffer);
        assert!(record.koid >= ZX_KOID_FIRST, "koid {}", record.koid);
        assert_eq!(record.rights, 0xD003);
        assert_eq!(record.type_, ZX_OBJ_TYPE_EVENT);
        assert_eq!(record.related_koid, ZX_KOID_INVALID);
        assert_eq!(record.reserved, 0);
        close(e);
        ctx.assert_clean();
    }

    fn basic_eventpair_related_koids(ctx: &mut Ctx) {
        let (a, b) = new_eventpair();
        let (ia, ib) = (basic(a), basic(b));
        assert_eq!(ia.type_, ZX_OBJ_TYPE_EVENTPAIR);
        assert_eq!(ib.type_, ZX_OBJ_TYPE_EVENTPAIR);
        assert_ne!(ia.koid, ib.koid);
        assert_eq!(ia.related_koid, ib.koid);
        assert_eq!(ib.related_koid, ia.koid);
        assert_eq!(zx_handle_close_many(&[a, b]), ZX_OK);
        ctx.assert_clean();
    }

    fn basic_port(ctx: &mut Ctx) {
        let p = new_port();
        let record = basic(p);
        assert_eq!(record.rights, 0x800F);
        assert_eq!(record.type_, ZX_OBJ_TYPE_PORT);
        assert_eq!(record.related_koid, 0);
        close(p);
        ctx.assert_clean();
    }

    fn basic_reports_the_handles_rights(ctx: &mut Ctx) {
        let e = new_event();
        let reduced = dup(e, ZX_RIGHT_WAIT | ZX_RIGHT_TRANSFER);
        assert_eq!(rights(reduced), ZX_RIGHT_WAIT | ZX_RIGHT_TRANSFER);
        assert_eq!(rights(e), ZX_DEFAULT_EVENT_RIGHTS);
        assert_eq!(koid(reduced), koid(e));
        assert_eq!(zx_handle_close_many(&[e, reduced]), ZX_OK);
        ctx.assert_clean();
    }

    fn basic_needs_no_rights(ctx: &mut Ctx) {
        let (a, b) = new_eventpair();
        let none = dup(a, ZX_RIGHT_NONE);
        let (status, buffer, _, _) = info(none, ZX_INFO_HANDLE_BASIC, 32);
        assert_eq!(status, ZX_OK);
        let record = decode_basic(&buffer);
        assert_eq!(record.rights, ZX_RIGHT_NONE);
        assert_eq!(record.koid, koid(a));
        assert_eq!(record.related_koid, koid(b));
        assert_eq!(zx_handle_close_many(&[a, b, none]), ZX_OK);
        ctx.assert_clean();
    }

    fn basic_actual_and_avail_are_one(ctx: &mut Ctx) {
        let e = new_event();
        let (status, _, actual, avail) = info(e, ZX_INFO_HANDLE_BASIC, 32);
        assert_eq!((status, actual, avail), (ZX_OK, 1, 1));
        let (status, buffer, actual, avail) = info(e, ZX_INFO_HANDLE_BASIC, 64);
        assert_eq!((status, actual, avail), (ZX_OK, 1, 1));
        assert_eq!(decode_basic(&buffer).koid, koid(e));
        assert_eq!(&buffer[32..], &[0xAA; 32][..], "only one record is written");
        // actual and avail are optional.
        let mut buffer = [0u8; 32];
        assert_eq!(
            zx_object_get_info(e, ZX_INFO_HANDLE_BASIC, &mut buffer, None, None),
            ZX_OK
        );
        close(e);
        ctx.assert_clean();
    }

    fn basic_buffer_too_small(ctx: &mut Ctx) {
        let e = new_event();
        for size in [0, 1, 16, 31] {
            let (status, buffer, actual, avail) = info(e, ZX_INFO_HANDLE_BASIC, size);
            assert_eq!(
                (status, actual, avail),
                (ZX_ERR_BUFFER_TOO_SMALL, 0, 1),
                "size {size}"
            );
            assert!(
                buffer.iter().all(|&b| b == 0xAA),
                "nothing written (size {size})"
            );
        }
        close(e);
        ctx.assert_clean();
    }

    fn basic_bad_handle_before_buffer_size(ctx: &mut Ctx) {
        let e = new_event();
        close(e);
        let (status, _, _, _) = info(e, ZX_INFO_HANDLE_BASIC, 0);
        assert_eq!(status, ZX_ERR_BAD_HANDLE);
        let (status, _, _, _) = info(e, ZX_INFO_HANDLE_BASIC, 32);
        assert_eq!(status, ZX_ERR_BAD_HANDLE);
        ctx.assert_clean();
    }

    fn basic_koids_distinct(ctx: &mut Ctx) {
        let handles: Vec<_> = (0..10).map(|_| new_event()).collect();
        let mut koids: Vec<_> = handles.iter().map(|&h| koid(h)).collect();
        assert!(koids.iter().all(|&k| k >= ZX_KOID_FIRST));
        koids.sort_unstable();
        koids.dedup();
        assert_eq!(koids.len(), handles.len());
        assert_eq!(zx_handle_close_many(&handles), ZX_OK);
        ctx.assert_clean();
    }

    fn count_tracks_handles(ctx: &mut Ctx) {
        let e = new_event();
        let (status, buffer, actual, avail) = info(e, ZX_INFO_HANDLE_COUNT, 4);
        assert_eq!((status, actual, avail), (ZX_OK, 1, 1));
        assert_eq!(u32::from_le_bytes(buffer[..4].try_into().unwrap()), 1);
        let dups: Vec<_> = (0..3).map(|_| dup(e, ZX_RIGHT_SAME_RIGHTS)).collect();
        assert_eq!(handle_count(e), 4);
        assert_eq!(handle_count(dups[2]), 4);
        assert_eq!(zx_handle_close_many(&dups[..2]), ZX_OK);
        assert_eq!(handle_count(e), 2);
        assert_eq!(zx_handle_close_many(&[e, dups[2]]), ZX_OK);
        ctx.assert_clean();
    }

    fn count_needs_inspect(ctx: &mut Ctx) {
        let e = new_event();
        let no_inspect = dup(e, ZX_DEFAULT_EVENT_RIGHTS & !ZX_RIGHT_INSPECT);
        let (status, _, _, _) = info(no_inspect, ZX_INFO_HANDLE_COUNT, 4);
        assert_eq!(status, ZX_ERR_ACCESS_DENIED);
        let only_inspect = dup(e, ZX_RIGHT_INSPECT);
        assert_eq!(handle_count(only_inspect), 3);
        assert_eq!(zx_handle_close_many(&[e, no_inspect, only_inspect]), ZX_OK);
        ctx.assert_clean();
    }

    fn count_buffer_too_small(ctx: &mut Ctx) {
        let e = new_event();
        for size in [0, 3] {
            let (status, _, actual, avail) = info(e, ZX_INFO_HANDLE_COUNT, size);
            assert_eq!(
                (status, actual, avail),
                (ZX_ERR_BUFFER_TOO_SMALL, 0, 1),
                "size {size}"
            );
        }
        close(e);
        ctx.assert_clean();
    }

    fn count_bad_handle(ctx: &mut Ctx) {
        let e = new_event();
        close(e);
        let (status, _, _, _) = info(e, ZX_INFO_HANDLE_COUNT, 4);
        assert_eq!(status, ZX_ERR_BAD_HANDLE);
        ctx.assert_clean();
    }

    fn count_eventpair_ends_are_separate(ctx: &mut Ctx) {
        let (a, b) = new_eventpair();
        let a2 = dup(a, ZX_RIGHT_SAME_RIGHTS);
        assert_eq!(handle_count(a), 2);
        assert_eq!(handle_count(b), 1);
        assert_eq!(zx_handle_close_many(&[a, a2, b]), ZX_OK);
        ctx.assert_clean();
    }

    fn unknown_topic_not_supported(ctx: &mut Ctx) {
        let e = new_event();
        for topic in [0x7FFF, 63, 0x0FFF_FFFF] {
            let (status, buffer, _, _) = info(e, topic, 64);
            assert_eq!(status, ZX_ERR_NOT_SUPPORTED, "topic {topic:#x}");
            assert!(buffer.iter().all(|&b| b == 0xAA));
        }
        close(e);
        ctx.assert_clean();
    }

    fn unknown_topic_before_handle_lookup(ctx: &mut Ctx) {
        let e = new_event();
        close(e);
        let (status, _, _, _) = info(e, 0x7FFF, 64);
        assert_eq!(status, ZX_ERR_NOT_SUPPORTED);
        let (status, _, _, _) = info(ZX_HANDLE_INVALID, 0x7FFF, 0);
        assert_eq!(status, ZX_ERR_NOT_SUPPORTED);
        ctx.assert_clean();
    }
}
