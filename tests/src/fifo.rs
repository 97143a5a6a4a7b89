//! Conformance cases for fifos (spec §11, §12.2 item 6).

use crate::handle::util::*;
use crate::harness::{Case, Ctx};
use zxsim_syscalls::sys::*;

pub fn cases() -> Vec<Case> {
    [create::cases(), write::cases(), read::cases()]
        .into_iter()
        .flatten()
        .collect()
}

fn fifo(count: usize, size: usize) -> (zx_handle_t, zx_handle_t) {
    let (mut a, mut b) = (0, 0);
    assert_eq!(zx_fifo_create(count, size, 0, &mut a, &mut b), ZX_OK);
    (a, b)
}

fn write(h: zx_handle_t, size: usize, data: &[u8], count: usize) -> Result<usize, zx_status_t> {
    let mut n = 0;
    match zx_fifo_write(h, size, data, count, Some(&mut n)) {
        ZX_OK => Ok(n),
        status => Err(status),
    }
}

fn read(h: zx_handle_t, size: usize, count: usize) -> Result<Vec<u8>, zx_status_t> {
    let mut buf = vec![0u8; size * count];
    let mut n = 0;
    match zx_fifo_read(h, size, &mut buf, count, Some(&mut n)) {
        ZX_OK => Ok(buf[..n * size].to_vec()),
        status => Err(status),
    }
}

mod create {
    use super::*;

    cases![
        "zx_fifo_create";
        (valid_sizes, "§11: elem_count × elem_size ≤ 4096 ⇒ OK; both ends WRITABLE; rights 0xF00F", Both),
        (zero_sizes_out_of_range, "§11: elem_count == 0 or elem_size == 0 ⇒ OUT_OF_RANGE", Both),
        (too_big_out_of_range, "§11: elem_count × elem_size > 4096 ⇒ OUT_OF_RANGE", Both),
        (options_ignored, "§11/§12.2 item 6: the kernel ignores options", Both),
    ];

    fn valid_sizes(ctx: &mut Ctx) {
        let (a, b) = fifo(64, 64);
        assert_eq!(signals(a), ZX_FIFO_WRITABLE);
        assert_eq!(signals(b), ZX_FIFO_WRITABLE);
        assert_eq!(rights(a), ZX_DEFAULT_FIFO_RIGHTS);
        assert_eq!(ZX_DEFAULT_FIFO_RIGHTS, 0xF00F);
        assert_eq!(basic(a).related_koid, koid(b));
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn zero_sizes_out_of_range(ctx: &mut Ctx) {
        let (mut a, mut b) = (0, 0);
        assert_eq!(zx_fifo_create(0, 8, 0, &mut a, &mut b), ZX_ERR_OUT_OF_RANGE);
        assert_eq!(zx_fifo_create(8, 0, 0, &mut a, &mut b), ZX_ERR_OUT_OF_RANGE);
        ctx.assert_clean();
    }

    fn too_big_out_of_range(ctx: &mut Ctx) {
        let (mut a, mut b) = (0, 0);
        assert_eq!(
            zx_fifo_create(4097, 1, 0, &mut a, &mut b),
            ZX_ERR_OUT_OF_RANGE
        );
        assert_eq!(
            zx_fifo_create(2, 2049, 0, &mut a, &mut b),
            ZX_ERR_OUT_OF_RANGE
        );
        assert_eq!(
            zx_fifo_create(usize::MAX, 2, 0, &mut a, &mut b),
            ZX_ERR_OUT_OF_RANGE,
            "no overflow"
        );
        ctx.assert_clean();
    }

    fn options_ignored(ctx: &mut Ctx) {
        let (mut a, mut b) = (0, 0);
        assert_eq!(zx_fifo_create(4, 4, 0xdead, &mut a, &mut b), ZX_OK);
        close(a);
        close(b);
        ctx.assert_clean();
    }
}

mod write {
    use super::*;

    cases![
        "zx_fifo_write";
        (needs_write_right, "§11: a handle without WRITE ⇒ ACCESS_DENIED", Both),
        (peer_closed_first, "§11: peer closed ⇒ PEER_CLOSED, before the size checks", Both),
        (size_and_count_out_of_range, "§11: elem_size ≠ the created size or count == 0 ⇒ OUT_OF_RANGE", Both),
        (partial_writes_of_whole_elements, "§11: writes min(count, free) whole elements and returns the number", Both),
        (full_should_wait_and_not_writable, "§11: no free slot ⇒ SHOULD_WAIT; the writer lost WRITABLE when the peer filled", Both),
        (receiver_becomes_readable, "§11: the receiver becomes READABLE", Both),
    ];

    fn needs_write_right(ctx: &mut Ctx) {
        let (a, b) = fifo(4, 4);
        let read_only = dup(a, ZX_RIGHTS_BASIC | ZX_RIGHT_READ);
        assert_eq!(write(read_only, 4, b"abcd", 1), Err(ZX_ERR_ACCESS_DENIED));
        for h in [a, b, read_only] {
            close(h);
        }
        ctx.assert_clean();
    }

    fn peer_closed_first(ctx: &mut Ctx) {
        let (a, b) = fifo(4, 4);
        close(b);
        assert_eq!(write(a, 3, b"abc", 0), Err(ZX_ERR_PEER_CLOSED));
        close(a);
        ctx.assert_clean();
    }

    fn size_and_count_out_of_range(ctx: &mut Ctx) {
        let (a, b) = fifo(4, 4);
        assert_eq!(write(a, 3, b"abcdef", 2), Err(ZX_ERR_OUT_OF_RANGE));
        assert_eq!(write(a, 4, b"abcd", 0), Err(ZX_ERR_OUT_OF_RANGE));
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn partial_writes_of_whole_elements(ctx: &mut Ctx) {
        let (a, b) = fifo(3, 2);
        assert_eq!(write(a, 2, b"aabbccdd", 4), Ok(3));
        assert_eq!(read(b, 2, 4), Ok(b"aabbcc".to_vec()));
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn full_should_wait_and_not_writable(ctx: &mut Ctx) {
        let (a, b) = fifo(2, 1);
        assert_eq!(write(a, 1, b"xy", 2), Ok(2));
        assert_eq!(signals(a) & ZX_FIFO_WRITABLE, 0);
        assert_eq!(write(a, 1, b"z", 1), Err(ZX_ERR_SHOULD_WAIT));
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn receiver_becomes_readable(ctx: &mut Ctx) {
        let (a, b) = fifo(2, 1);
        assert_eq!(signals(b) & ZX_FIFO_READABLE, 0);
        write(a, 1, b"x", 1).unwrap();
        assert_eq!(signals(b) & ZX_FIFO_READABLE, ZX_FIFO_READABLE);
        close(a);
        close(b);
        ctx.assert_clean();
    }
}

mod read {
    use super::*;

    cases![
        "zx_fifo_read";
        (needs_read_right, "§11: a handle without READ ⇒ ACCESS_DENIED", Both),
        (size_and_count_out_of_range, "§11: elem_size mismatch or count == 0 ⇒ OUT_OF_RANGE", Both),
        (empty_should_wait, "§11: empty with the peer alive ⇒ SHOULD_WAIT", Both),
        (reads_available_in_order, "§11: reads min(count, available) elements, oldest first; READABLE cleared when empty", Both),
        (writer_regains_writable, "§11: the writer regains WRITABLE when its full peer ring is read", Both),
        (data_readable_after_peer_close, "§11: elements queued before the peer closed stay readable, then PEER_CLOSED", Both),
        (peer_closed_signals, "§2.3: the peer's last close raises PEER_CLOSED and clears WRITABLE", Both),
    ];

    fn needs_read_right(ctx: &mut Ctx) {
        let (a, b) = fifo(4, 4);
        let write_only = dup(b, ZX_RIGHTS_BASIC | ZX_RIGHT_WRITE);
        assert_eq!(read(write_only, 4, 1), Err(ZX_ERR_ACCESS_DENIED));
        for h in [a, b, write_only] {
            close(h);
        }
        ctx.assert_clean();
    }

    fn size_and_count_out_of_range(ctx: &mut Ctx) {
        let (a, b) = fifo(4, 4);
        write(a, 4, b"abcd", 1).unwrap();
        assert_eq!(read(b, 2, 1), Err(ZX_ERR_OUT_OF_RANGE));
        assert_eq!(read(b, 4, 0), Err(ZX_ERR_OUT_OF_RANGE));
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn empty_should_wait(ctx: &mut Ctx) {
        let (a, b) = fifo(4, 4);
        assert_eq!(read(b, 4, 1), Err(ZX_ERR_SHOULD_WAIT));
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn reads_available_in_order(ctx: &mut Ctx) {
        let (a, b) = fifo(4, 1);
        write(a, 1, b"abc", 3).unwrap();
        assert_eq!(read(b, 1, 2), Ok(b"ab".to_vec()));
        assert_eq!(read(b, 1, 4), Ok(b"c".to_vec()));
        assert_eq!(signals(b) & ZX_FIFO_READABLE, 0);
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn writer_regains_writable(ctx: &mut Ctx) {
        let (a, b) = fifo(1, 1);
        write(a, 1, b"x", 1).unwrap();
        assert_eq!(signals(a) & ZX_FIFO_WRITABLE, 0);
        read(b, 1, 1).unwrap();
        assert_eq!(signals(a) & ZX_FIFO_WRITABLE, ZX_FIFO_WRITABLE);
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn data_readable_after_peer_close(ctx: &mut Ctx) {
        let (a, b) = fifo(2, 1);
        write(a, 1, b"x", 1).unwrap();
        close(a);
        assert_eq!(read(b, 1, 1), Ok(b"x".to_vec()));
        assert_eq!(read(b, 1, 1), Err(ZX_ERR_PEER_CLOSED));
        close(b);
        ctx.assert_clean();
    }

    fn peer_closed_signals(ctx: &mut Ctx) {
        let (a, b) = fifo(2, 1);
        close(b);
        let s = signals(a);
        assert_eq!(s & ZX_FIFO_PEER_CLOSED, ZX_FIFO_PEER_CLOSED);
        assert_eq!(s & ZX_FIFO_WRITABLE, 0);
        close(a);
        ctx.assert_clean();
    }
}
