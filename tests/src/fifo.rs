//! Conformance cases for fifos (spec §11, §2.3, §12.2 item 6).

use crate::harness::{Case, Ctx};
use crate::support::*;
use zxsim_syscalls::sys::*;

pub fn cases() -> Vec<Case> {
    [create::cases(), write::cases(), read::cases()]
        .into_iter()
        .flatten()
        .collect()
}

fn fifo(count: usize, size: usize) -> (zx_handle_t, zx_handle_t) {
    let (mut a, mut b) = (0, 0);
    assert_eq!(
        zx_fifo_create(count, size, 0, &mut a, &mut b),
        ZX_OK,
        "zx_fifo_create"
    );
    (a, b)
}

fn write(h: zx_handle_t, size: usize, data: &[u8], count: usize) -> Result<usize, zx_status_t> {
    let mut n = usize::MAX;
    match zx_fifo_write(h, size, data, count, Some(&mut n)) {
        ZX_OK => Ok(n),
        status => Err(status),
    }
}

fn read(h: zx_handle_t, size: usize, count: usize) -> Result<Vec<u8>, zx_status_t> {
    let mut buf = vec![0u8; size * count];
    let mut n = usize::MAX;
    match zx_fifo_read(h, size, &mut buf, count, Some(&mut n)) {
        ZX_OK => Ok(buf[..n * size].to_vec()),
        status => Err(status),
    }
}

mod create {
    use super::*;

    cases![
        "zx_fifo_create";
        (valid_sizes, "§11: elem_count × elem_size ≤ 4096 (up to exactly 4096) ⇒ OK; both ends start WRITABLE only", Both),
        (rights_type_and_related_koids, "§11/§1.4/§2.3: rights 0xF00F, type FIFO, each end's related koid is the other's", Both),
        (zero_count_out_of_range, "§11: elem_count == 0 ⇒ OUT_OF_RANGE, nothing created", Both),
        (zero_size_out_of_range, "§11: elem_size == 0 ⇒ OUT_OF_RANGE, nothing created", Both),
        (too_big_out_of_range, "§11: elem_count × elem_size > 4096 (incl. an overflowing product) ⇒ OUT_OF_RANGE", Both),
        (options_ignored, "§11/§12.2 item 6: the kernel ignores options (the docs' must-be-zero is not enforced)", Both),
    ];

    fn valid_sizes(ctx: &mut Ctx) {
        for (count, size) in [(1, 1), (64, 64), (4096, 1), (1, 4096), (3, 5)] {
            let (a, b) = fifo(count, size);
            assert_eq!(signals(a), ZX_FIFO_WRITABLE, "{count} × {size}");
            assert_eq!(signals(b), ZX_FIFO_WRITABLE, "{count} × {size}");
            close(a);
            close(b);
        }
        ctx.assert_clean();
    }

    fn rights_type_and_related_koids(ctx: &mut Ctx) {
        let (a, b) = fifo(4, 4);
        assert_eq!(ZX_DEFAULT_FIFO_RIGHTS, 0xF00F);
        assert_eq!((rights(a), rights(b)), (0xF00F, 0xF00F));
        assert_eq!(basic(a).type_, ZX_OBJ_TYPE_FIFO);
        assert_eq!(basic(a).related_koid, koid(b));
        assert_eq!(basic(b).related_koid, koid(a));
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn zero_count_out_of_range(ctx: &mut Ctx) {
        let (mut a, mut b) = (0, 0);
        assert_eq!(zx_fifo_create(0, 8, 0, &mut a, &mut b), ZX_ERR_OUT_OF_RANGE);
        assert_eq!((a, b), (0, 0), "no handle written");
        ctx.assert_clean();
    }

    fn zero_size_out_of_range(ctx: &mut Ctx) {
        let (mut a, mut b) = (0, 0);
        assert_eq!(zx_fifo_create(8, 0, 0, &mut a, &mut b), ZX_ERR_OUT_OF_RANGE);
        assert_eq!(zx_fifo_create(0, 0, 0, &mut a, &mut b), ZX_ERR_OUT_OF_RANGE);
        assert_eq!((a, b), (0, 0), "no handle written");
        ctx.assert_clean();
    }

    fn too_big_out_of_range(ctx: &mut Ctx) {
        let (mut a, mut b) = (0, 0);
        for (count, size) in [(4097, 1), (1, 4097), (2, 2049), (65, 64)] {
            assert_eq!(
                zx_fifo_create(count, size, 0, &mut a, &mut b),
                ZX_ERR_OUT_OF_RANGE,
                "{count} × {size}"
            );
        }
        assert_eq!(
            zx_fifo_create(usize::MAX, 2, 0, &mut a, &mut b),
            ZX_ERR_OUT_OF_RANGE,
            "no overflow"
        );
        assert_eq!(
            zx_fifo_create(2, usize::MAX / 2 + 1, 0, &mut a, &mut b),
            ZX_ERR_OUT_OF_RANGE,
            "no wrap to 0"
        );
        ctx.assert_clean();
    }

    fn options_ignored(ctx: &mut Ctx) {
        let (mut a, mut b) = (0, 0);
        assert_eq!(zx_fifo_create(4, 4, 0xdead, &mut a, &mut b), ZX_OK);
        assert_eq!(write(a, 4, b"abcd", 1), Ok(1), "a working fifo");
        close(a);
        close(b);
        ctx.assert_clean();
    }
}

mod write {
    use super::*;

    cases![
        "zx_fifo_write";
        (bad_handle, "§11/§2.1: a handle not in the table ⇒ BAD_HANDLE", Both),
        (wrong_type_before_access_denied, "§11/§2.1: a non-fifo ⇒ WRONG_TYPE, even when it also lacks WRITE (event)", Both),
        (needs_write_right, "§11: a fifo handle without WRITE ⇒ ACCESS_DENIED, nothing written", Both),
        (peer_closed_first, "§11: peer closed ⇒ PEER_CLOSED, before the element-size and count checks", Both),
        (elem_size_mismatch_out_of_range, "§11: elem_size ≠ the created size ⇒ OUT_OF_RANGE, nothing written", Both),
        (zero_count_out_of_range, "§11: count == 0 ⇒ OUT_OF_RANGE", Both),
        (out_of_range_before_should_wait, "§11: on a full fifo a size or count error still answers OUT_OF_RANGE", Both),
        (full_should_wait, "§11: no free slot ⇒ SHOULD_WAIT, nothing written", Both),
        (partial_writes_of_whole_elements, "§11: writes min(count, free) whole elements and returns that number", Both),
        (receiver_becomes_readable, "§11: the receiver becomes READABLE when its ring gets an element; the writer does not", Both),
        (writable_cleared_when_receiver_full, "§11: the writer loses WRITABLE exactly when the receiver's ring becomes full", Both),
        (each_end_has_its_own_ring, "§11: each endpoint owns the ring its peer writes into: the directions are independent", Both),
    ];

    fn bad_handle(ctx: &mut Ctx) {
        assert_eq!(
            write(ZX_HANDLE_INVALID, 4, b"abcd", 1),
            Err(ZX_ERR_BAD_HANDLE)
        );
        let (a, b) = fifo(4, 4);
        close(a);
        assert_eq!(
            write(a, 4, b"abcd", 1),
            Err(ZX_ERR_BAD_HANDLE),
            "closed handle"
        );
        close(b);
        ctx.assert_clean();
    }

    fn wrong_type_before_access_denied(ctx: &mut Ctx) {
        let e = new_event(); // no WRITE either
        assert_eq!(write(e, 4, b"abcd", 1), Err(ZX_ERR_WRONG_TYPE));
        let p = new_port(); // has WRITE
        assert_eq!(write(p, 4, b"abcd", 1), Err(ZX_ERR_WRONG_TYPE));
        close(e);
        close(p);
        ctx.assert_clean();
    }

    fn needs_write_right(ctx: &mut Ctx) {
        let (a, b) = fifo(4, 4);
        let read_only = dup(a, ZX_DEFAULT_FIFO_RIGHTS & !ZX_RIGHT_WRITE);
        assert_eq!(write(read_only, 4, b"abcd", 1), Err(ZX_ERR_ACCESS_DENIED));
        assert!(!has(b, ZX_FIFO_READABLE), "nothing written");
        for h in [a, b, read_only] {
            close(h);
        }
        ctx.assert_clean();
    }

    fn peer_closed_first(ctx: &mut Ctx) {
        let (a, b) = fifo(4, 4);
        close(b);
        assert_eq!(write(a, 4, b"abcd", 1), Err(ZX_ERR_PEER_CLOSED));
        assert_eq!(
            write(a, 3, b"abc", 1),
            Err(ZX_ERR_PEER_CLOSED),
            "before elem_size"
        );
        assert_eq!(
            write(a, 4, b"", 0),
            Err(ZX_ERR_PEER_CLOSED),
            "before count == 0"
        );
        close(a);
        ctx.assert_clean();
    }

    fn elem_size_mismatch_out_of_range(ctx: &mut Ctx) {
        let (a, b) = fifo(4, 4);
        assert_eq!(
            write(a, 3, b"abcdef", 2),
            Err(ZX_ERR_OUT_OF_RANGE),
            "smaller"
        );
        assert_eq!(
            write(a, 8, b"abcdefgh", 1),
            Err(ZX_ERR_OUT_OF_RANGE),
            "larger"
        );
        assert_eq!(
            write(a, 2, b"abcd", 2),
            Err(ZX_ERR_OUT_OF_RANGE),
            "same bytes in all"
        );
        assert!(!has(b, ZX_FIFO_READABLE), "nothing written");
        assert_eq!(read(b, 4, 4), Err(ZX_ERR_SHOULD_WAIT));
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn zero_count_out_of_range(ctx: &mut Ctx) {
        let (a, b) = fifo(4, 4);
        assert_eq!(write(a, 4, b"abcd", 0), Err(ZX_ERR_OUT_OF_RANGE));
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn out_of_range_before_should_wait(ctx: &mut Ctx) {
        let (a, b) = fifo(2, 2);
        assert_eq!(write(a, 2, b"aabb", 2), Ok(2));
        assert_eq!(write(a, 2, b"cc", 1), Err(ZX_ERR_SHOULD_WAIT));
        assert_eq!(write(a, 1, b"c", 1), Err(ZX_ERR_OUT_OF_RANGE), "elem_size");
        assert_eq!(write(a, 2, b"", 0), Err(ZX_ERR_OUT_OF_RANGE), "count");
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn full_should_wait(ctx: &mut Ctx) {
        let (a, b) = fifo(2, 1);
        assert_eq!(write(a, 1, b"xy", 2), Ok(2));
        assert_eq!(write(a, 1, b"z", 1), Err(ZX_ERR_SHOULD_WAIT));
        assert_eq!(
            read(b, 1, 4),
            Ok(b"xy".to_vec()),
            "the full ring was not touched"
        );
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn partial_writes_of_whole_elements(ctx: &mut Ctx) {
        let (a, b) = fifo(3, 2);
        assert_eq!(write(a, 2, b"aa", 1), Ok(1));
        assert_eq!(write(a, 2, b"bbccdd", 3), Ok(2), "2 of 3 fit");
        assert_eq!(
            read(b, 2, 4),
            Ok(b"aabbcc".to_vec()),
            "whole elements, in order"
        );
        assert_eq!(write(a, 2, b"eeffgghh", 4), Ok(3), "3 of 4 fit");
        assert_eq!(read(b, 2, 4), Ok(b"eeffgg".to_vec()));
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn receiver_becomes_readable(ctx: &mut Ctx) {
        let (a, b) = fifo(2, 1);
        assert!(!has(b, ZX_FIFO_READABLE));
        assert_eq!(write(a, 1, b"x", 1), Ok(1));
        assert!(has(b, ZX_FIFO_READABLE));
        assert!(!has(a, ZX_FIFO_READABLE), "the writer is not readable");
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn writable_cleared_when_receiver_full(ctx: &mut Ctx) {
        let (a, b) = fifo(3, 1);
        assert_eq!(write(a, 1, b"xy", 2), Ok(2));
        assert!(has(a, ZX_FIFO_WRITABLE), "one slot left");
        assert_eq!(write(a, 1, b"z", 1), Ok(1));
        assert!(!has(a, ZX_FIFO_WRITABLE), "full");
        assert!(
            has(b, ZX_FIFO_WRITABLE),
            "the other direction is unaffected"
        );
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn each_end_has_its_own_ring(ctx: &mut Ctx) {
        let (a, b) = fifo(2, 1);
        assert_eq!(write(a, 1, b"ab", 2), Ok(2));
        assert_eq!(write(b, 1, b"xy", 2), Ok(2), "b's writes go to a's ring");
        assert_eq!(read(a, 1, 4), Ok(b"xy".to_vec()));
        assert_eq!(read(b, 1, 4), Ok(b"ab".to_vec()));
        close(a);
        close(b);
        ctx.assert_clean();
    }
}

mod read {
    use super::*;

    cases![
        "zx_fifo_read";
        (bad_handle, "§11/§2.1: a handle not in the table ⇒ BAD_HANDLE", Both),
        (wrong_type_before_access_denied, "§11/§2.1: a non-fifo ⇒ WRONG_TYPE, even when it also lacks READ (event)", Both),
        (needs_read_right, "§11: a fifo handle without READ ⇒ ACCESS_DENIED, nothing consumed", Both),
        (elem_size_mismatch_out_of_range, "§11: elem_size ≠ the created size ⇒ OUT_OF_RANGE, nothing consumed", Both),
        (zero_count_out_of_range, "§11: count == 0 ⇒ OUT_OF_RANGE", Both),
        (out_of_range_before_empty, "§11: size/count errors come before the empty checks (SHOULD_WAIT, PEER_CLOSED)", Both),
        (empty_should_wait, "§11: empty with the peer alive ⇒ SHOULD_WAIT", Both),
        (empty_peer_closed, "§11: empty with the peer closed ⇒ PEER_CLOSED", Both),
        (reads_available_in_order, "§11: reads min(count, available) elements, oldest first", Both),
        (readable_cleared_when_empty, "§11: READABLE stays while elements remain and is cleared when the ring empties", Both),
        (writer_regains_writable, "§11: the writer regains WRITABLE when its full peer ring is read", Both),
        (data_readable_after_peer_close, "§11: elements queued before the peer closed stay readable (READABLE kept), then PEER_CLOSED", Both),
        (peer_closed_signals, "§2.3: the peer's last close raises PEER_CLOSED and clears WRITABLE before the close returns", Both),
    ];

    fn bad_handle(ctx: &mut Ctx) {
        assert_eq!(read(ZX_HANDLE_INVALID, 4, 1), Err(ZX_ERR_BAD_HANDLE));
        let (a, b) = fifo(4, 4);
        close(b);
        assert_eq!(read(b, 4, 1), Err(ZX_ERR_BAD_HANDLE), "closed handle");
        close(a);
        ctx.assert_clean();
    }

    fn wrong_type_before_access_denied(ctx: &mut Ctx) {
        let e = new_event(); // no READ either
        assert_eq!(read(e, 4, 1), Err(ZX_ERR_WRONG_TYPE));
        let p = new_port(); // has READ
        assert_eq!(read(p, 4, 1), Err(ZX_ERR_WRONG_TYPE));
        close(e);
        close(p);
        ctx.assert_clean();
    }

    fn needs_read_right(ctx: &mut Ctx) {
        let (a, b) = fifo(4, 4);
        assert_eq!(write(a, 4, b"abcd", 1), Ok(1));
        let write_only = dup(b, ZX_DEFAULT_FIFO_RIGHTS & !ZX_RIGHT_READ);
        assert_eq!(read(write_only, 4, 1), Err(ZX_ERR_ACCESS_DENIED));
        assert_eq!(read(b, 4, 1), Ok(b"abcd".to_vec()), "nothing consumed");
        for h in [a, b, write_only] {
            close(h);
        }
        ctx.assert_clean();
    }

    fn elem_size_mismatch_out_of_range(ctx: &mut Ctx) {
        let (a, b) = fifo(4, 4);
        assert_eq!(write(a, 4, b"abcd", 1), Ok(1));
        assert_eq!(read(b, 2, 2), Err(ZX_ERR_OUT_OF_RANGE), "smaller");
        assert_eq!(read(b, 8, 1), Err(ZX_ERR_OUT_OF_RANGE), "larger");
        assert_eq!(read(b, 4, 1), Ok(b"abcd".to_vec()), "nothing consumed");
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn zero_count_out_of_range(ctx: &mut Ctx) {
        let (a, b) = fifo(4, 4);
        assert_eq!(write(a, 4, b"abcd", 1), Ok(1));
        assert_eq!(read(b, 4, 0), Err(ZX_ERR_OUT_OF_RANGE));
        assert!(has(b, ZX_FIFO_READABLE));
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn out_of_range_before_empty(ctx: &mut Ctx) {
        let (a, b) = fifo(4, 4);
        assert_eq!(read(b, 2, 1), Err(ZX_ERR_OUT_OF_RANGE), "empty, peer alive");
        assert_eq!(read(b, 4, 0), Err(ZX_ERR_OUT_OF_RANGE));
        close(a);
        assert_eq!(
            read(b, 2, 1),
            Err(ZX_ERR_OUT_OF_RANGE),
            "empty, peer closed"
        );
        assert_eq!(read(b, 4, 0), Err(ZX_ERR_OUT_OF_RANGE));
        close(b);
        ctx.assert_clean();
    }

    fn empty_should_wait(ctx: &mut Ctx) {
        let (a, b) = fifo(4, 4);
        assert_eq!(read(b, 4, 1), Err(ZX_ERR_SHOULD_WAIT));
        assert_eq!(write(a, 4, b"abcd", 1), Ok(1));
        assert_eq!(read(b, 4, 1), Ok(b"abcd".to_vec()));
        assert_eq!(read(b, 4, 1), Err(ZX_ERR_SHOULD_WAIT), "empty again");
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn empty_peer_closed(ctx: &mut Ctx) {
        let (a, b) = fifo(4, 4);
        close(a);
        assert_eq!(read(b, 4, 1), Err(ZX_ERR_PEER_CLOSED));
        close(b);
        ctx.assert_clean();
    }

    fn reads_available_in_order(ctx: &mut Ctx) {
        let (a, b) = fifo(4, 2);
        assert_eq!(write(a, 2, b"aabbcc", 3), Ok(3));
        assert_eq!(read(b, 2, 2), Ok(b"aabb".to_vec()), "count < available");
        assert_eq!(write(a, 2, b"dd", 1), Ok(1));
        assert_eq!(read(b, 2, 4), Ok(b"ccdd".to_vec()), "count > available");
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn readable_cleared_when_empty(ctx: &mut Ctx) {
        let (a, b) = fifo(4, 1);
        assert_eq!(write(a, 1, b"abc", 3), Ok(3));
        assert_eq!(read(b, 1, 2), Ok(b"ab".to_vec()));
        assert!(has(b, ZX_FIFO_READABLE), "one element left");
        assert_eq!(read(b, 1, 2), Ok(b"c".to_vec()));
        assert!(!has(b, ZX_FIFO_READABLE), "empty");
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn writer_regains_writable(ctx: &mut Ctx) {
        let (a, b) = fifo(2, 1);
        assert_eq!(write(a, 1, b"xy", 2), Ok(2));
        assert!(!has(a, ZX_FIFO_WRITABLE));
        assert_eq!(read(b, 1, 1), Ok(b"x".to_vec()));
        assert!(has(a, ZX_FIFO_WRITABLE), "one slot free again");
        assert_eq!(write(a, 1, b"z", 1), Ok(1));
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn data_readable_after_peer_close(ctx: &mut Ctx) {
        let (a, b) = fifo(2, 1);
        assert_eq!(write(a, 1, b"xy", 2), Ok(2));
        close(a);
        assert_eq!(
            signals(b) & (ZX_FIFO_READABLE | ZX_FIFO_PEER_CLOSED),
            ZX_FIFO_READABLE | ZX_FIFO_PEER_CLOSED
        );
        assert_eq!(read(b, 1, 1), Ok(b"x".to_vec()));
        assert_eq!(read(b, 1, 1), Ok(b"y".to_vec()));
        assert!(!has(b, ZX_FIFO_READABLE));
        assert_eq!(read(b, 1, 1), Err(ZX_ERR_PEER_CLOSED));
        close(b);
        ctx.assert_clean();
    }

    fn peer_closed_signals(ctx: &mut Ctx) {
        let (a, b) = fifo(2, 1);
        assert!(has(a, ZX_FIFO_WRITABLE));
        close(b);
        let s = signals(a);
        assert_eq!(s & ZX_FIFO_PEER_CLOSED, ZX_FIFO_PEER_CLOSED);
        assert_eq!(s & ZX_FIFO_WRITABLE, 0);
        close(a);
        ctx.assert_clean();
    }
}
