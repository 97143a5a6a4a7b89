//! Conformance cases for sockets (spec §10, §4 socket properties and `ZX_INFO_SOCKET`, §2.3,
//! §12.2 items 3–4, §15 item 14).

use crate::harness::{Case, Ctx};
use crate::support::*;
use zxsim_syscalls::sys::*;

pub fn cases() -> Vec<Case> {
    [
        create::cases(),
        write::cases(),
        read::cases(),
        disposition::cases(),
        set_property::cases(),
        get_property::cases(),
        info::cases(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Bytes per direction (`MBufChain::kSizeMax` = 128 × 2008).
const CAPACITY: usize = 257_024;

fn socket(options: u32) -> (zx_handle_t, zx_handle_t) {
    let (mut a, mut b) = (0, 0);
    assert_eq!(
        zx_socket_create(options, &mut a, &mut b),
        ZX_OK,
        "zx_socket_create"
    );
    (a, b)
}

fn write(h: zx_handle_t, bytes: &[u8]) -> Result<usize, zx_status_t> {
    let mut n = usize::MAX;
    match zx_socket_write(h, 0, bytes, Some(&mut n)) {
        ZX_OK => Ok(n),
        status => Err(status),
    }
}

fn read_with(h: zx_handle_t, options: u32, len: usize) -> Result<Vec<u8>, zx_status_t> {
    let mut buf = vec![0u8; len];
    let mut n = usize::MAX;
    match zx_socket_read(h, options, &mut buf, Some(&mut n)) {
        ZX_OK => Ok(buf[..n].to_vec()),
        status => Err(status),
    }
}

fn read(h: zx_handle_t, len: usize) -> Result<Vec<u8>, zx_status_t> {
    read_with(h, 0, len)
}

fn peek(h: zx_handle_t, len: usize) -> Result<Vec<u8>, zx_status_t> {
    read_with(h, ZX_SOCKET_PEEK, len)
}

fn disposition(h: zx_handle_t, mine: u32, peer: u32) -> zx_status_t {
    zx_socket_set_disposition(h, mine, peer)
}

/// `ZX_INFO_SOCKET` of `h` (must succeed).
fn info(h: zx_handle_t) -> zx_info_socket_t {
    let mut info = zx_info_socket_t::default();
    assert_eq!(
        zx_object_get_info(h, ZX_INFO_SOCKET, info.as_bytes_mut(), None, None),
        ZX_OK,
        "ZX_INFO_SOCKET"
    );
    info
}

/// Bytes buffered at `h` (what its peer wrote and it has not read).
fn buffered(h: zx_handle_t) -> usize {
    info(h).rx_buf_size
}

/// Fills the direction `h` writes into (a stream socket): exactly `CAPACITY` bytes.
fn fill(h: zx_handle_t) {
    assert_eq!(write(h, &vec![1u8; CAPACITY]), Ok(CAPACITY), "filling");
}

/// Distinct bytes, so reordering or duplication shows.
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

/// Sets `ZX_PROP_SOCKET_TX_THRESHOLD` on `h`.
fn set_tx(h: zx_handle_t, value: u64) -> zx_status_t {
    zx_object_set_property(h, ZX_PROP_SOCKET_TX_THRESHOLD, &value.to_le_bytes())
}

mod create {
    use super::*;

    cases![
        "zx_socket_create";
        (stream_socket, "§10: options ZX_SOCKET_STREAM (0) ⇒ OK; both ends start WRITABLE (nothing else)", Both),
        (datagram_socket, "§10: options ZX_SOCKET_DATAGRAM (1) ⇒ OK; both ends start WRITABLE (nothing else)", Both),
        (other_options_invalid_args, "§10: any option bit besides DATAGRAM ⇒ INVALID_ARGS, nothing created", Both),
        (rights_0x10f0cf, "§10/§1.4: both handles have rights 0x10F0CF", Both),
        (type_and_related_koids, "§10/§2.3: type SOCKET; each end's related koid is the other's koid", Both),
        (capacity_per_direction, "§10/§1.9: each direction holds 257 024 bytes, independently", Both),
    ];

    fn stream_socket(ctx: &mut Ctx) {
        let (a, b) = socket(ZX_SOCKET_STREAM);
        assert_eq!(
            (signals(a), signals(b)),
            (ZX_SOCKET_WRITABLE, ZX_SOCKET_WRITABLE)
        );
        assert_eq!(info(a).options, ZX_SOCKET_STREAM);
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn datagram_socket(ctx: &mut Ctx) {
        let (a, b) = socket(ZX_SOCKET_DATAGRAM);
        assert_eq!(
            (signals(a), signals(b)),
            (ZX_SOCKET_WRITABLE, ZX_SOCKET_WRITABLE)
        );
        assert_eq!(info(b).options, ZX_SOCKET_DATAGRAM);
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn other_options_invalid_args(ctx: &mut Ctx) {
        let (mut a, mut b) = (0, 0);
        for options in [2, 3, 4, ZX_SOCKET_PEEK, 0x100, u32::MAX] {
            assert_eq!(
                zx_socket_create(options, &mut a, &mut b),
                ZX_ERR_INVALID_ARGS,
                "options {options:#x}"
            );
        }
        assert_eq!((a, b), (0, 0), "no handle written");
        ctx.assert_clean();
    }

    fn rights_0x10f0cf(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        assert_eq!(ZX_DEFAULT_SOCKET_RIGHTS, 0x10F0CF);
        assert_eq!((rights(a), rights(b)), (0x10F0CF, 0x10F0CF));
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn type_and_related_koids(ctx: &mut Ctx) {
        let (a, b) = socket(ZX_SOCKET_DATAGRAM);
        assert_eq!(basic(a).type_, ZX_OBJ_TYPE_SOCKET);
        assert_eq!(basic(b).type_, ZX_OBJ_TYPE_SOCKET);
        assert_eq!(basic(a).related_koid, koid(b));
        assert_eq!(basic(b).related_koid, koid(a));
        assert_ne!(koid(a), koid(b));
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn capacity_per_direction(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        assert_eq!(write(a, &vec![0u8; CAPACITY + 10]), Ok(CAPACITY));
        assert_eq!(
            write(b, &vec![0u8; CAPACITY + 10]),
            Ok(CAPACITY),
            "the other direction has its own buffer"
        );
        assert_eq!((buffered(a), buffered(b)), (CAPACITY, CAPACITY));
        close(a);
        close(b);
        ctx.assert_clean();
    }
}

mod write {
    use super::*;

    cases![
        "zx_socket_write";
        (options_invalid_args_before_handle, "§10: options ≠ 0 ⇒ INVALID_ARGS, checked before the handle; nothing written", Both),
        (bad_handle, "§10/§2.1: a handle not in the table ⇒ BAD_HANDLE", Both),
        (wrong_type_before_access_denied, "§10/§2.1: a non-socket ⇒ WRONG_TYPE, even when it also lacks WRITE (event)", Both),
        (needs_write_right, "§10: a socket handle without WRITE ⇒ ACCESS_DENIED, nothing written", Both),
        (peer_closed_first, "§10: peer closed ⇒ PEER_CLOSED, before write-disabled (BAD_STATE) and before the zero-length OK", Both),
        (write_disabled_before_zero_length, "§10: this end write-disabled ⇒ BAD_STATE, also for a zero-length write", Both),
        (zero_length_ok, "§10: size 0 ⇒ ZX_OK with actual 0; nothing buffered, no signal change", Both),
        (zero_length_ok_even_when_full, "§10/§15 item 14: a zero-length write answers OK (actual 0) even when the peer's buffer is full", Both),
        (full_should_wait, "§10: receiver buffer full ⇒ SHOULD_WAIT, nothing written", Both),
        (stream_short_write, "§10: streams write short: OK with the amount that fit", Both),
        (datagram_larger_than_capacity_out_of_range, "§10/§12.2 item 4: a datagram larger than the whole capacity (257 025) ⇒ OUT_OF_RANGE; exactly 257 024 fits", Both),
        (datagram_not_fitting_should_wait, "§10/§12.2 item 4: a datagram that does not fit the space left ⇒ SHOULD_WAIT (all-or-nothing: nothing written)", Both),
        (datagram_full_should_wait_before_out_of_range, "§10: on a full buffer SHOULD_WAIT comes first, even for a datagram larger than the capacity", Both),
        (readable_raised_on_the_peer, "§10: the receiver becomes READABLE when data arrives; the writer's own end does not", Both),
        (writable_cleared_when_full, "§10: the writer loses WRITABLE exactly when the receiver's buffer becomes full", Both),
        (write_raises_read_threshold, "§10: the receiver gets READ_THRESHOLD when its buffered bytes reach its RX threshold", Both),
        (write_clears_write_threshold, "§10: the writer loses WRITE_THRESHOLD when free space drops below its TX threshold", Both),
    ];

    fn options_invalid_args_before_handle(ctx: &mut Ctx) {
        assert_eq!(
            zx_socket_write(ZX_HANDLE_INVALID, 1, b"x", None),
            ZX_ERR_INVALID_ARGS
        );
        let (a, b) = socket(0);
        for options in [1, ZX_SOCKET_PEEK, u32::MAX] {
            assert_eq!(
                zx_socket_write(a, options, b"x", None),
                ZX_ERR_INVALID_ARGS,
                "options {options:#x}"
            );
        }
        assert_eq!(buffered(b), 0, "nothing written");
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn bad_handle(ctx: &mut Ctx) {
        assert_eq!(write(ZX_HANDLE_INVALID, b"x"), Err(ZX_ERR_BAD_HANDLE));
        let (a, b) = socket(0);
        close(a);
        assert_eq!(write(a, b"x"), Err(ZX_ERR_BAD_HANDLE), "closed handle");
        close(b);
        ctx.assert_clean();
    }

    fn wrong_type_before_access_denied(ctx: &mut Ctx) {
        let e = new_event(); // no WRITE right either
        assert_eq!(write(e, b"x"), Err(ZX_ERR_WRONG_TYPE));
        let p = new_port(); // has WRITE
        assert_eq!(write(p, b"x"), Err(ZX_ERR_WRONG_TYPE));
        close(e);
        close(p);
        ctx.assert_clean();
    }

    fn needs_write_right(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        let read_only = dup(a, ZX_DEFAULT_SOCKET_RIGHTS & !ZX_RIGHT_WRITE);
        assert_eq!(write(read_only, b"x"), Err(ZX_ERR_ACCESS_DENIED));
        assert_eq!(write(read_only, b""), Err(ZX_ERR_ACCESS_DENIED));
        assert_eq!(buffered(b), 0);
        for h in [a, b, read_only] {
            close(h);
        }
        ctx.assert_clean();
    }

    fn peer_closed_first(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        close(b);
        assert_eq!(write(a, b"x"), Err(ZX_ERR_PEER_CLOSED));
        assert_eq!(write(a, b""), Err(ZX_ERR_PEER_CLOSED), "before size == 0");
        assert_eq!(
            disposition(a, ZX_SOCKET_DISPOSITION_WRITE_DISABLED, 0),
            ZX_OK
        );
        assert_eq!(
            write(a, b"x"),
            Err(ZX_ERR_PEER_CLOSED),
            "before write-disabled"
        );
        close(a);
        ctx.assert_clean();
    }

    fn write_disabled_before_zero_length(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        assert_eq!(
            disposition(a, ZX_SOCKET_DISPOSITION_WRITE_DISABLED, 0),
            ZX_OK
        );
        assert_eq!(write(a, b"x"), Err(ZX_ERR_BAD_STATE));
        assert_eq!(write(a, b""), Err(ZX_ERR_BAD_STATE), "before size == 0");
        assert_eq!(buffered(b), 0);
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn zero_length_ok(ctx: &mut Ctx) {
        for options in [ZX_SOCKET_STREAM, ZX_SOCKET_DATAGRAM] {
            let (a, b) = socket(options);
            let before = (signals(a), signals(b));
            assert_eq!(write(a, b""), Ok(0));
            assert_eq!(buffered(b), 0);
            assert_eq!((signals(a), signals(b)), before, "no signal change");
            assert_eq!(
                read(b, 4),
                Err(ZX_ERR_SHOULD_WAIT),
                "no empty datagram queued"
            );
            close(a);
            close(b);
        }
        ctx.assert_clean();
    }

    fn zero_length_ok_even_when_full(ctx: &mut Ctx) {
        for options in [ZX_SOCKET_STREAM, ZX_SOCKET_DATAGRAM] {
            let (a, b) = socket(options);
            fill(a);
            assert_eq!(write(a, b"x"), Err(ZX_ERR_SHOULD_WAIT));
            assert_eq!(write(a, b""), Ok(0), "options {options}");
            close(a);
            close(b);
        }
        ctx.assert_clean();
    }

    fn full_should_wait(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        fill(a);
        assert_eq!(write(a, b"x"), Err(ZX_ERR_SHOULD_WAIT));
        assert_eq!(buffered(b), CAPACITY, "nothing more written");
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn stream_short_write(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        assert_eq!(write(a, &vec![0u8; CAPACITY - 10]), Ok(CAPACITY - 10));
        let tail = pattern(100);
        assert_eq!(write(a, &tail), Ok(10), "short write of what fits");
        assert_eq!(buffered(b), CAPACITY);
        assert_eq!(read(b, CAPACITY - 10).map(|v| v.len()), Ok(CAPACITY - 10));
        assert_eq!(read(b, 100), Ok(tail[..10].to_vec()), "the first 10 bytes");
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn datagram_larger_than_capacity_out_of_range(ctx: &mut Ctx) {
        let (a, b) = socket(ZX_SOCKET_DATAGRAM);
        assert_eq!(write(a, &vec![0u8; CAPACITY + 1]), Err(ZX_ERR_OUT_OF_RANGE));
        assert_eq!(buffered(b), 0, "nothing written");
        assert_eq!(
            write(a, &vec![0u8; CAPACITY]),
            Ok(CAPACITY),
            "exactly the capacity fits"
        );
        assert_eq!(read(b, CAPACITY).map(|v| v.len()), Ok(CAPACITY));
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn datagram_not_fitting_should_wait(ctx: &mut Ctx) {
        let (a, b) = socket(ZX_SOCKET_DATAGRAM);
        assert_eq!(write(a, &vec![0u8; CAPACITY - 5]), Ok(CAPACITY - 5));
        assert!(has(a, ZX_SOCKET_WRITABLE), "5 bytes still free");
        assert_eq!(
            write(a, &[0u8; 10]),
            Err(ZX_ERR_SHOULD_WAIT),
            "does not fit: SHOULD_WAIT, not OUT_OF_RANGE"
        );
        assert_eq!(buffered(b), CAPACITY - 5, "nothing written");
        assert_eq!(write(a, &[7u8; 5]), Ok(5), "one that fits is taken whole");
        assert_eq!(read(b, CAPACITY).map(|v| v.len()), Ok(CAPACITY - 5));
        assert_eq!(read(b, 100), Ok(vec![7u8; 5]));
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn datagram_full_should_wait_before_out_of_range(ctx: &mut Ctx) {
        let (a, b) = socket(ZX_SOCKET_DATAGRAM);
        fill(a);
        assert_eq!(write(a, &vec![0u8; CAPACITY + 1]), Err(ZX_ERR_SHOULD_WAIT));
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn readable_raised_on_the_peer(ctx: &mut Ctx) {
        for options in [ZX_SOCKET_STREAM, ZX_SOCKET_DATAGRAM] {
            let (a, b) = socket(options);
            assert!(!has(b, ZX_SOCKET_READABLE));
            assert_eq!(write(a, b"hi"), Ok(2));
            assert!(has(b, ZX_SOCKET_READABLE), "options {options}");
            assert!(
                !has(a, ZX_SOCKET_READABLE),
                "the writer's own end is not readable"
            );
            close(a);
            close(b);
        }
        ctx.assert_clean();
    }

    fn writable_cleared_when_full(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        assert_eq!(write(a, &vec![0u8; CAPACITY - 1]), Ok(CAPACITY - 1));
        assert!(has(a, ZX_SOCKET_WRITABLE), "one byte of room left");
        assert_eq!(write(a, b"xy"), Ok(1));
        assert!(!has(a, ZX_SOCKET_WRITABLE), "full");
        assert!(
            has(b, ZX_SOCKET_WRITABLE),
            "the other direction is unaffected"
        );
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn write_raises_read_threshold(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        assert_eq!(set_rx(b, 4), ZX_OK);
        assert_eq!(write(a, b"abc"), Ok(3));
        assert!(!has(b, ZX_SOCKET_READ_THRESHOLD), "3 < 4");
        assert_eq!(write(a, b"d"), Ok(1));
        assert!(has(b, ZX_SOCKET_READ_THRESHOLD), "4 ≥ 4");
        assert!(!has(a, ZX_SOCKET_READ_THRESHOLD), "only the receiver");
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn write_clears_write_threshold(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        assert_eq!(set_tx(a, 100), ZX_OK);
        assert!(has(a, ZX_SOCKET_WRITE_THRESHOLD));
        assert_eq!(write(a, &vec![0u8; CAPACITY - 100]), Ok(CAPACITY - 100));
        assert!(has(a, ZX_SOCKET_WRITE_THRESHOLD), "100 free ≥ 100");
        assert_eq!(write(a, b"x"), Ok(1));
        assert!(!has(a, ZX_SOCKET_WRITE_THRESHOLD), "99 free < 100");
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn set_rx(h: zx_handle_t, value: u64) -> zx_status_t {
        zx_object_set_property(h, ZX_PROP_SOCKET_RX_THRESHOLD, &value.to_le_bytes())
    }
}

mod read {
    use super::*;

    cases![
        "zx_socket_read";
        (options_only_peek, "§10/§12.2 item 3: options may be 0 or ZX_SOCKET_PEEK; any other bit ⇒ INVALID_ARGS, nothing consumed", Both),
        (bad_handle, "§10/§2.1: a handle not in the table ⇒ BAD_HANDLE", Both),
        (wrong_type_before_access_denied, "§10/§2.1: a non-socket ⇒ WRONG_TYPE, even when it also lacks READ (event)", Both),
        (needs_read_right, "§10: a socket handle without READ ⇒ ACCESS_DENIED, nothing consumed", Both),
        (empty_should_wait, "§10: empty with the peer alive and writing ⇒ SHOULD_WAIT", Both),
        (empty_peer_closed, "§10: empty with the peer closed ⇒ PEER_CLOSED", Both),
        (empty_peer_write_disabled_bad_state, "§10: empty and the peer disabled its writes ⇒ BAD_STATE", Both),
        (empty_peer_closed_before_bad_state, "§10: empty, peer write-disabled and then closed ⇒ PEER_CLOSED (checked first)", Both),
        (data_readable_after_peer_close, "§10: data buffered before the peer closed stays readable (READABLE kept), then PEER_CLOSED", Both),
        (stream_reads_up_to_size_in_order, "§10: stream reads return up to `size` bytes, in order, across write boundaries", Both),
        (readable_cleared_when_empty, "§10: READABLE stays while bytes remain and is cleared when the buffer empties", Both),
        (datagram_one_per_read, "§10: a datagram read returns only the first datagram, even with room for more", Both),
        (datagram_truncates_and_discards, "§10/§15 item 14: a datagram read smaller than the datagram truncates it and discards the rest", Both),
        (peek_stream_does_not_consume, "§10: PEEK copies stream bytes without consuming them (signals unchanged)", Both),
        (peek_datagram_does_not_consume, "§10: PEEK on a datagram socket copies (a prefix of) the first datagram and leaves it queued", Both),
        (zero_size_reads, "§10 (upstream SocketTest.ZeroSize): a 0-byte read of an empty socket ⇒ SHOULD_WAIT; with data ⇒ OK and nothing consumed — a datagram stays queued", Both),
        (writer_regains_writable, "§10: the writer regains WRITABLE when ≥ 1 byte is read from its full buffer (PEEK does not)", Both),
        (read_clears_read_threshold, "§10: READ_THRESHOLD is cleared when buffered bytes fall below the RX threshold", Both),
        (read_raises_write_threshold, "§10: the writer gets WRITE_THRESHOLD when free space reaches its TX threshold", Both),
        (peer_closed_signals, "§2.3: the peer's last close raises PEER_CLOSED and clears WRITABLE before the close returns", Both),
    ];

    fn options_only_peek(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        assert_eq!(write(a, b"xy"), Ok(2));
        let mut buf = [0u8; 4];
        for options in [1, 2, 4, 16, ZX_SOCKET_PEEK | 1, u32::MAX] {
            assert_eq!(
                zx_socket_read(b, options, &mut buf, None),
                ZX_ERR_INVALID_ARGS,
                "options {options:#x}"
            );
        }
        assert_eq!(buffered(b), 2, "nothing consumed");
        assert_eq!(peek(b, 1), Ok(b"x".to_vec()), "PEEK is fine");
        assert_eq!(
            read(b, 1),
            Ok(b"x".to_vec()),
            "0 is fine (a doc error says otherwise)"
        );
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn bad_handle(ctx: &mut Ctx) {
        assert_eq!(read(ZX_HANDLE_INVALID, 4), Err(ZX_ERR_BAD_HANDLE));
        let (a, b) = socket(0);
        close(b);
        assert_eq!(read(b, 4), Err(ZX_ERR_BAD_HANDLE), "closed handle");
        close(a);
        ctx.assert_clean();
    }

    fn wrong_type_before_access_denied(ctx: &mut Ctx) {
        let e = new_event(); // no READ either
        assert_eq!(read(e, 4), Err(ZX_ERR_WRONG_TYPE));
        let p = new_port(); // has READ
        assert_eq!(read(p, 4), Err(ZX_ERR_WRONG_TYPE));
        close(e);
        close(p);
        ctx.assert_clean();
    }

    fn needs_read_right(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        assert_eq!(write(a, b"x"), Ok(1));
        let write_only = dup(b, ZX_DEFAULT_SOCKET_RIGHTS & !ZX_RIGHT_READ);
        assert_eq!(read(write_only, 4), Err(ZX_ERR_ACCESS_DENIED));
        assert_eq!(peek(write_only, 4), Err(ZX_ERR_ACCESS_DENIED));
        assert_eq!(buffered(b), 1, "nothing consumed");
        for h in [a, b, write_only] {
            close(h);
        }
        ctx.assert_clean();
    }

    fn empty_should_wait(ctx: &mut Ctx) {
        for options in [ZX_SOCKET_STREAM, ZX_SOCKET_DATAGRAM] {
            let (a, b) = socket(options);
            assert_eq!(read(b, 4), Err(ZX_ERR_SHOULD_WAIT));
            assert_eq!(peek(b, 4), Err(ZX_ERR_SHOULD_WAIT));
            close(a);
            close(b);
        }
        ctx.assert_clean();
    }

    fn empty_peer_closed(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        close(a);
        assert_eq!(read(b, 4), Err(ZX_ERR_PEER_CLOSED));
        close(b);
        ctx.assert_clean();
    }

    fn empty_peer_write_disabled_bad_state(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        assert_eq!(
            disposition(a, ZX_SOCKET_DISPOSITION_WRITE_DISABLED, 0),
            ZX_OK
        );
        assert_eq!(read(b, 4), Err(ZX_ERR_BAD_STATE));
        assert_eq!(
            read(a, 4),
            Err(ZX_ERR_SHOULD_WAIT),
            "the disabled end itself still reads normally"
        );
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn empty_peer_closed_before_bad_state(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        assert_eq!(
            disposition(a, ZX_SOCKET_DISPOSITION_WRITE_DISABLED, 0),
            ZX_OK
        );
        close(a);
        assert_eq!(read(b, 4), Err(ZX_ERR_PEER_CLOSED));
        close(b);
        ctx.assert_clean();
    }

    fn data_readable_after_peer_close(ctx: &mut Ctx) {
        for options in [ZX_SOCKET_STREAM, ZX_SOCKET_DATAGRAM] {
            let (a, b) = socket(options);
            assert_eq!(write(a, b"last"), Ok(4));
            close(a);
            assert_eq!(
                signals(b) & (ZX_SOCKET_READABLE | ZX_SOCKET_PEER_CLOSED),
                ZX_SOCKET_READABLE | ZX_SOCKET_PEER_CLOSED
            );
            assert_eq!(read(b, 8), Ok(b"last".to_vec()), "options {options}");
            assert!(!has(b, ZX_SOCKET_READABLE));
            assert_eq!(read(b, 8), Err(ZX_ERR_PEER_CLOSED));
            close(b);
        }
        ctx.assert_clean();
    }

    fn stream_reads_up_to_size_in_order(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        assert_eq!(write(a, b"hello"), Ok(5));
        assert_eq!(write(a, b" world"), Ok(6));
        assert_eq!(read(b, 3), Ok(b"hel".to_vec()));
        assert_eq!(
            read(b, 100),
            Ok(b"lo world".to_vec()),
            "across the write boundary"
        );
        let data = pattern(70_000);
        assert_eq!(write(a, &data), Ok(data.len()));
        let mut got = Vec::new();
        while got.len() < data.len() {
            got.extend(read(b, 4_096).expect("read"));
        }
        assert_eq!(got, data, "in order, nothing lost or repeated");
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn readable_cleared_when_empty(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        assert_eq!(write(a, b"abc"), Ok(3));
        assert_eq!(read(b, 2), Ok(b"ab".to_vec()));
        assert!(has(b, ZX_SOCKET_READABLE), "one byte left");
        assert_eq!(read(b, 2), Ok(b"c".to_vec()));
        assert!(!has(b, ZX_SOCKET_READABLE), "empty");
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn datagram_one_per_read(ctx: &mut Ctx) {
        let (a, b) = socket(ZX_SOCKET_DATAGRAM);
        assert_eq!(write(a, b"one"), Ok(3));
        assert_eq!(write(a, b"three"), Ok(5));
        assert_eq!(read(b, 100), Ok(b"one".to_vec()));
        assert!(has(b, ZX_SOCKET_READABLE));
        assert_eq!(read(b, 100), Ok(b"three".to_vec()));
        assert!(!has(b, ZX_SOCKET_READABLE));
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn datagram_truncates_and_discards(ctx: &mut Ctx) {
        let (a, b) = socket(ZX_SOCKET_DATAGRAM);
        assert_eq!(write(a, b"abcdef"), Ok(6));
        assert_eq!(write(a, b"gh"), Ok(2));
        assert_eq!(
            read(b, 3),
            Ok(b"abc".to_vec()),
            "actual = the truncated size"
        );
        assert_eq!(buffered(b), 2, "the whole first datagram left the buffer");
        assert_eq!(
            read(b, 100),
            Ok(b"gh".to_vec()),
            "the rest of the first datagram is gone"
        );
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn peek_stream_does_not_consume(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        assert_eq!(write(a, b"data"), Ok(4));
        let before = (signals(a), signals(b));
        assert_eq!(peek(b, 2), Ok(b"da".to_vec()));
        assert_eq!(peek(b, 8), Ok(b"data".to_vec()));
        assert_eq!((signals(a), signals(b)), before, "no signal change");
        assert_eq!(buffered(b), 4);
        assert_eq!(read(b, 8), Ok(b"data".to_vec()));
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn peek_datagram_does_not_consume(ctx: &mut Ctx) {
        let (a, b) = socket(ZX_SOCKET_DATAGRAM);
        assert_eq!(write(a, b"first"), Ok(5));
        assert_eq!(write(a, b"second"), Ok(6));
        assert_eq!(
            peek(b, 100),
            Ok(b"first".to_vec()),
            "only the first datagram"
        );
        assert_eq!(peek(b, 2), Ok(b"fi".to_vec()), "truncated copy");
        assert_eq!(buffered(b), 11, "nothing consumed or discarded");
        assert!(has(b, ZX_SOCKET_READABLE));
        assert_eq!(read(b, 100), Ok(b"first".to_vec()), "still whole");
        assert_eq!(read(b, 100), Ok(b"second".to_vec()));
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn zero_size_reads(ctx: &mut Ctx) {
        for options in [ZX_SOCKET_STREAM, ZX_SOCKET_DATAGRAM] {
            let (a, b) = socket(options);
            assert_eq!(read(b, 0), Err(ZX_ERR_SHOULD_WAIT), "empty ({options})");
            assert_eq!(write(a, b"a"), Ok(1));
            assert_eq!(read(b, 0), Ok(vec![]), "first 0-byte read ({options})");
            assert_eq!(read(b, 0), Ok(vec![]), "second 0-byte read ({options})");
            assert_eq!(buffered(b), 1, "nothing consumed ({options})");
            assert!(has(b, ZX_SOCKET_READABLE));
            assert_eq!(read(b, 8), Ok(b"a".to_vec()), "the data is still whole");
            close(a);
            close(b);
        }
        ctx.assert_clean();
    }

    fn writer_regains_writable(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        fill(a);
        assert!(!has(a, ZX_SOCKET_WRITABLE));
        assert_eq!(peek(b, 10).map(|v| v.len()), Ok(10));
        assert!(!has(a, ZX_SOCKET_WRITABLE), "PEEK frees nothing");
        assert_eq!(read(b, 1).map(|v| v.len()), Ok(1));
        assert!(has(a, ZX_SOCKET_WRITABLE), "one byte read frees room");
        assert_eq!(write(a, b"xy"), Ok(1));
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn read_clears_read_threshold(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        assert_eq!(set_rx(b, 4), ZX_OK);
        assert_eq!(write(a, b"abcde"), Ok(5));
        assert!(has(b, ZX_SOCKET_READ_THRESHOLD));
        assert_eq!(read(b, 1), Ok(b"a".to_vec()));
        assert!(has(b, ZX_SOCKET_READ_THRESHOLD), "4 ≥ 4");
        assert_eq!(read(b, 1), Ok(b"b".to_vec()));
        assert!(!has(b, ZX_SOCKET_READ_THRESHOLD), "3 < 4");
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn read_raises_write_threshold(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        assert_eq!(set_tx(a, 100), ZX_OK);
        fill(a);
        assert!(!has(a, ZX_SOCKET_WRITE_THRESHOLD));
        assert_eq!(read(b, 99).map(|v| v.len()), Ok(99));
        assert!(!has(a, ZX_SOCKET_WRITE_THRESHOLD), "99 free < 100");
        assert_eq!(read(b, 1).map(|v| v.len()), Ok(1));
        assert!(has(a, ZX_SOCKET_WRITE_THRESHOLD), "100 free ≥ 100");
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn peer_closed_signals(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        assert!(has(b, ZX_SOCKET_WRITABLE));
        close(a);
        let s = signals(b);
        assert_eq!(s & ZX_SOCKET_PEER_CLOSED, ZX_SOCKET_PEER_CLOSED);
        assert_eq!(s & ZX_SOCKET_WRITABLE, 0);
        close(b);
        ctx.assert_clean();
    }

    fn set_rx(h: zx_handle_t, value: u64) -> zx_status_t {
        zx_object_set_property(h, ZX_PROP_SOCKET_RX_THRESHOLD, &value.to_le_bytes())
    }
}

mod disposition {
    use super::*;

    const DISABLED: u32 = ZX_SOCKET_DISPOSITION_WRITE_DISABLED;
    const ENABLED: u32 = ZX_SOCKET_DISPOSITION_WRITE_ENABLED;

    cases![
        "zx_socket_set_disposition";
        (bad_values_invalid_args_before_handle, "§10: each argument must be 0, WRITE_DISABLED or WRITE_ENABLED (3 ⇒ INVALID_ARGS), checked before the handle", Both),
        (bad_handle, "§10/§2.1: valid dispositions and a handle not in the table ⇒ BAD_HANDLE", Both),
        (wrong_type_before_access_denied, "§10/§2.1: a non-socket ⇒ WRONG_TYPE, even when it also lacks MANAGE_SOCKET", Both),
        (needs_manage_socket, "§10: needs ZX_RIGHT_MANAGE_SOCKET (ACCESS_DENIED), nothing changes", Both),
        (both_zero_is_a_no_op, "§10: both 0 ⇒ OK, nothing changes", Both),
        (write_disabled_effects, "§10: WRITE_DISABLED on X: X loses WRITABLE, gains WRITE_DISABLED; the peer gains PEER_WRITE_DISABLED; X's writes ⇒ BAD_STATE", Both),
        (peer_reads_bad_state_once_drained, "§10: after WRITE_DISABLED on X the peer reads X's buffered data, then BAD_STATE", Both),
        (reenable_refused_while_unread, "§10: WRITE_ENABLED on X is refused with BAD_STATE, with no change at all, while X's earlier data is unread", Both),
        (reenable_restores_writes, "§10: WRITE_ENABLED once drained: X loses WRITE_DISABLED, gains WRITABLE; the peer loses PEER_WRITE_DISABLED and reads SHOULD_WAIT again", Both),
        (enable_sets_writable_even_if_full, "§10: WRITE_ENABLED sets WRITABLE unconditionally, even if the peer's buffer is full", Both),
        (disposition_peer_applies_to_the_peer, "§10: disposition_peer DISABLED/ENABLED acts on the other end (its writes, its WRITE_DISABLED, this end's PEER_WRITE_DISABLED)", Both),
        (enable_peer_refused_while_unread, "§10: disposition_peer WRITE_ENABLED is refused (BAD_STATE, no change) while the peer's earlier data is unread here", Both),
        (unread_data_blocks_only_reenabling_a_disabled_peer, "§10: the unread-data refusal is for WRITE_ENABLED of a write-disabled peer only: with the peer's data unread here, enabling a peer that is not disabled, and disabling either end while the peer is disabled, answer OK", Both),
        (peer_closed_only_local_updated, "§10: with the peer closed only the local endpoint is updated (OK)", Both),
        (enable_peer_refused_after_peer_closed_with_unread_data, "§10 (upstream SocketTest.SetDispositionOfClosedPeerWithBufferedData): after the peer closed, disposition_peer WRITE_ENABLED still answers BAD_STATE while the peer's data is unread here", Both),
    ];

    fn bad_values_invalid_args_before_handle(ctx: &mut Ctx) {
        for (mine, peer) in [(3, 0), (0, 3), (4, 0), (0, u32::MAX), (3, 3)] {
            assert_eq!(
                disposition(ZX_HANDLE_INVALID, mine, peer),
                ZX_ERR_INVALID_ARGS,
                "({mine}, {peer})"
            );
        }
        let (a, b) = socket(0);
        let before = (signals(a), signals(b));
        assert_eq!(disposition(a, DISABLED, 3), ZX_ERR_INVALID_ARGS);
        assert_eq!((signals(a), signals(b)), before, "nothing changed");
        assert_eq!(write(a, b"x"), Ok(1));
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn bad_handle(ctx: &mut Ctx) {
        assert_eq!(
            disposition(ZX_HANDLE_INVALID, DISABLED, 0),
            ZX_ERR_BAD_HANDLE
        );
        assert_eq!(disposition(ZX_HANDLE_INVALID, 0, 0), ZX_ERR_BAD_HANDLE);
        ctx.assert_clean();
    }

    fn wrong_type_before_access_denied(ctx: &mut Ctx) {
        let e = new_event();
        assert_eq!(disposition(e, DISABLED, 0), ZX_ERR_WRONG_TYPE);
        close(e);
        ctx.assert_clean();
    }

    fn needs_manage_socket(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        let plain = dup(a, ZX_DEFAULT_SOCKET_RIGHTS & !ZX_RIGHT_MANAGE_SOCKET);
        assert_eq!(disposition(plain, DISABLED, 0), ZX_ERR_ACCESS_DENIED);
        assert_eq!(disposition(plain, 0, DISABLED), ZX_ERR_ACCESS_DENIED);
        assert_eq!(write(a, b"x"), Ok(1), "nothing disabled");
        assert_eq!(write(b, b"x"), Ok(1));
        for h in [a, b, plain] {
            close(h);
        }
        ctx.assert_clean();
    }

    fn both_zero_is_a_no_op(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        assert_eq!(disposition(a, DISABLED, 0), ZX_OK);
        let before = (signals(a), signals(b));
        assert_eq!(disposition(a, 0, 0), ZX_OK);
        assert_eq!((signals(a), signals(b)), before);
        assert_eq!(write(a, b"x"), Err(ZX_ERR_BAD_STATE), "still disabled");
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn write_disabled_effects(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        assert_eq!(disposition(a, DISABLED, 0), ZX_OK);
        assert_eq!(
            signals(a)
                & (ZX_SOCKET_WRITABLE | ZX_SOCKET_WRITE_DISABLED | ZX_SOCKET_PEER_WRITE_DISABLED),
            ZX_SOCKET_WRITE_DISABLED
        );
        assert_eq!(
            signals(b)
                & (ZX_SOCKET_WRITABLE | ZX_SOCKET_WRITE_DISABLED | ZX_SOCKET_PEER_WRITE_DISABLED),
            ZX_SOCKET_WRITABLE | ZX_SOCKET_PEER_WRITE_DISABLED
        );
        assert_eq!(write(a, b"x"), Err(ZX_ERR_BAD_STATE));
        assert_eq!(write(b, b"x"), Ok(1), "the other direction still works");
        assert_eq!(read(a, 4), Ok(b"x".to_vec()), "and X still reads");
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn peer_reads_bad_state_once_drained(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        assert_eq!(write(a, b"xy"), Ok(2));
        assert_eq!(disposition(a, DISABLED, 0), ZX_OK);
        assert_eq!(
            read(b, 1),
            Ok(b"x".to_vec()),
            "buffered data still readable"
        );
        assert_eq!(read(b, 4), Ok(b"y".to_vec()));
        assert_eq!(read(b, 4), Err(ZX_ERR_BAD_STATE));
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn reenable_refused_while_unread(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        assert_eq!(write(a, b"x"), Ok(1));
        assert_eq!(disposition(a, DISABLED, 0), ZX_OK);
        let before = (signals(a), signals(b));
        assert_eq!(disposition(a, ENABLED, 0), ZX_ERR_BAD_STATE);
        assert_eq!(
            disposition(a, ENABLED, DISABLED),
            ZX_ERR_BAD_STATE,
            "the whole call is refused"
        );
        assert_eq!((signals(a), signals(b)), before, "no change at all");
        assert_eq!(write(a, b"x"), Err(ZX_ERR_BAD_STATE), "still disabled");
        assert_eq!(write(b, b"y"), Ok(1), "the peer was not disabled");
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn reenable_restores_writes(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        assert_eq!(write(a, b"x"), Ok(1));
        assert_eq!(disposition(a, DISABLED, 0), ZX_OK);
        assert_eq!(read(b, 4), Ok(b"x".to_vec()));
        assert_eq!(disposition(a, ENABLED, 0), ZX_OK);
        assert_eq!(
            signals(a) & (ZX_SOCKET_WRITABLE | ZX_SOCKET_WRITE_DISABLED),
            ZX_SOCKET_WRITABLE
        );
        assert!(!has(b, ZX_SOCKET_PEER_WRITE_DISABLED));
        assert_eq!(read(b, 4), Err(ZX_ERR_SHOULD_WAIT), "no longer BAD_STATE");
        assert_eq!(write(a, b"z"), Ok(1));
        assert_eq!(read(b, 4), Ok(b"z".to_vec()));
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn enable_sets_writable_even_if_full(ctx: &mut Ctx) {
        // Only an end that is not write-disabled can have a full peer buffer and still be
        // enabled (a disabled end with unread data is refused): the kernel sets WRITABLE anyway.
        let (a, b) = socket(0);
        fill(a);
        assert!(!has(a, ZX_SOCKET_WRITABLE));
        assert_eq!(disposition(a, ENABLED, 0), ZX_OK);
        assert!(
            has(a, ZX_SOCKET_WRITABLE),
            "WRITABLE set although the buffer is full"
        );
        assert_eq!(
            write(a, b"x"),
            Err(ZX_ERR_SHOULD_WAIT),
            "the buffer is still full"
        );
        assert_eq!(read(b, 10).map(|v| v.len()), Ok(10));
        assert_eq!(write(a, &[0u8; 20]), Ok(10));
        assert!(
            !has(a, ZX_SOCKET_WRITABLE),
            "filling it again clears WRITABLE as usual"
        );
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn disposition_peer_applies_to_the_peer(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        assert_eq!(disposition(a, 0, DISABLED), ZX_OK);
        assert_eq!(write(b, b"x"), Err(ZX_ERR_BAD_STATE));
        assert_eq!(write(a, b"x"), Ok(1), "this end is untouched");
        assert!(has(b, ZX_SOCKET_WRITE_DISABLED));
        assert!(!has(b, ZX_SOCKET_WRITABLE));
        assert!(has(a, ZX_SOCKET_PEER_WRITE_DISABLED));
        assert_eq!(
            read(a, 4),
            Err(ZX_ERR_BAD_STATE),
            "this end's reads, once drained"
        );
        assert_eq!(disposition(a, 0, ENABLED), ZX_OK);
        assert!(!has(b, ZX_SOCKET_WRITE_DISABLED));
        assert!(has(b, ZX_SOCKET_WRITABLE));
        assert!(!has(a, ZX_SOCKET_PEER_WRITE_DISABLED));
        assert_eq!(write(b, b"y"), Ok(1));
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn enable_peer_refused_while_unread(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        assert_eq!(write(b, b"data"), Ok(4));
        assert_eq!(disposition(a, 0, DISABLED), ZX_OK);
        let before = (signals(a), signals(b));
        assert_eq!(disposition(a, 0, ENABLED), ZX_ERR_BAD_STATE);
        assert_eq!((signals(a), signals(b)), before, "no change at all");
        assert_eq!(read(a, 8), Ok(b"data".to_vec()));
        assert_eq!(disposition(a, 0, ENABLED), ZX_OK, "drained: accepted");
        assert_eq!(write(b, b"x"), Ok(1));
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn enable_peer_refused_after_peer_closed_with_unread_data(ctx: &mut Ctx) {
        let (local, remote) = socket(0);
        assert_eq!(write(remote, b"hello"), Ok(5));
        assert_eq!(disposition(local, 0, DISABLED), ZX_OK);
        assert_eq!(
            disposition(local, 0, ENABLED),
            ZX_ERR_BAD_STATE,
            "peer alive"
        );
        close(remote);
        assert_eq!(
            disposition(local, 0, ENABLED),
            ZX_ERR_BAD_STATE,
            "peer closed, its data still unread here"
        );
        assert!(
            has(local, ZX_SOCKET_PEER_WRITE_DISABLED),
            "PEER_WRITE_DISABLED outlives the peer"
        );
        assert_eq!(read(local, 16), Ok(b"hello".to_vec()));
        assert_eq!(disposition(local, 0, ENABLED), ZX_OK, "drained");
        close(local);
        ctx.assert_clean();
    }

    fn unread_data_blocks_only_reenabling_a_disabled_peer(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        assert_eq!(write(b, b"data"), Ok(4));
        assert_eq!(disposition(a, 0, ENABLED), ZX_OK, "b was never disabled");
        assert_eq!(write(b, b"!"), Ok(1));
        assert_eq!(disposition(b, DISABLED, 0), ZX_OK);
        assert_eq!(disposition(a, 0, DISABLED), ZX_OK, "b already disabled");
        assert_eq!(disposition(a, DISABLED, 0), ZX_OK, "a's own writes");
        let both = ZX_SOCKET_WRITE_DISABLED | ZX_SOCKET_PEER_WRITE_DISABLED;
        assert_eq!(signals(a) & both, both);
        assert_eq!(read(a, 8), Ok(b"data!".to_vec()));
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn peer_closed_only_local_updated(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        close(b);
        assert_eq!(disposition(a, DISABLED, DISABLED), ZX_OK);
        assert!(has(a, ZX_SOCKET_WRITE_DISABLED));
        assert!(
            !has(a, ZX_SOCKET_PEER_WRITE_DISABLED),
            "the dead peer was not updated"
        );
        assert_eq!(disposition(a, ENABLED, ENABLED), ZX_OK);
        assert!(!has(a, ZX_SOCKET_WRITE_DISABLED));
        assert!(has(a, ZX_SOCKET_PEER_CLOSED));
        assert_eq!(write(a, b"x"), Err(ZX_ERR_PEER_CLOSED));
        close(a);
        ctx.assert_clean();
    }
}

fn set_prop(h: zx_handle_t, property: u32, value: u64) -> zx_status_t {
    zx_object_set_property(h, property, &value.to_le_bytes())
}

fn get_prop(h: zx_handle_t, property: u32) -> Result<u64, zx_status_t> {
    let mut value = [0xAAu8; 8];
    match zx_object_get_property(h, property, &mut value) {
        ZX_OK => Ok(u64::from_le_bytes(value)),
        status => Err(status),
    }
}

const RX: u32 = ZX_PROP_SOCKET_RX_THRESHOLD;
const TX: u32 = ZX_PROP_SOCKET_TX_THRESHOLD;

mod set_property {
    use super::*;

    cases![
        "zx_object_set_property";
        (bad_handle, "§4/§2.1: a handle not in the table ⇒ BAD_HANDLE", Both),
        (needs_set_property, "§4: a socket handle without SET_PROPERTY ⇒ ACCESS_DENIED, threshold unchanged", Both),
        (non_socket_lacks_the_right, "§4: non-socket ⇒ WRONG_TYPE is unreachable with default rights: an event has no SET_PROPERTY ⇒ ACCESS_DENIED", Both),
        (value_too_small_buffer_too_small, "§4: a value buffer < 8 bytes ⇒ BUFFER_TOO_SMALL", Both),
        (unknown_property_not_supported, "§4: an unknown property ⇒ NOT_SUPPORTED", Both),
        (rx_threshold_above_capacity_invalid_args, "§4: RX threshold > the buffer max (257 024) ⇒ INVALID_ARGS (old value kept); = max is accepted", Both),
        (rx_threshold_set_against_buffered_bytes, "§4: setting RX threshold N asserts READ_THRESHOLD iff buffered ≥ N (raising N above clears it)", Both),
        (rx_threshold_zero_disables, "§4: RX threshold 0 disables and clears READ_THRESHOLD", Both),
        (tx_threshold_peer_closed_first, "§4: TX threshold with the peer closed ⇒ PEER_CLOSED (before the INVALID_ARGS check)", Both),
        (tx_threshold_above_capacity_invalid_args, "§4: TX threshold > the peer's buffer max ⇒ INVALID_ARGS (old value kept); = max is accepted", Both),
        (tx_threshold_set_against_free_space, "§4: setting TX threshold N asserts WRITE_THRESHOLD iff free space in the peer's buffer ≥ N", Both),
        (tx_threshold_zero_disables, "§4: TX threshold 0 disables and clears WRITE_THRESHOLD", Both),
    ];

    fn bad_handle(ctx: &mut Ctx) {
        assert_eq!(set_prop(ZX_HANDLE_INVALID, RX, 1), ZX_ERR_BAD_HANDLE);
        ctx.assert_clean();
    }

    fn needs_set_property(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        let no_set = dup(a, ZX_DEFAULT_SOCKET_RIGHTS & !ZX_RIGHT_SET_PROPERTY);
        assert_eq!(set_prop(no_set, RX, 1), ZX_ERR_ACCESS_DENIED);
        assert_eq!(set_prop(no_set, TX, 1), ZX_ERR_ACCESS_DENIED);
        assert_eq!((get_prop(a, RX), get_prop(a, TX)), (Ok(0), Ok(0)));
        for h in [a, b, no_set] {
            close(h);
        }
        ctx.assert_clean();
    }

    fn non_socket_lacks_the_right(ctx: &mut Ctx) {
        let e = new_event();
        assert_eq!(set_prop(e, RX, 1), ZX_ERR_ACCESS_DENIED);
        let mut t = 0;
        assert_eq!(zx_timer_create(0, ZX_CLOCK_MONOTONIC, &mut t), ZX_OK);
        assert_eq!(set_prop(t, TX, 1), ZX_ERR_ACCESS_DENIED);
        close(e);
        close(t);
        ctx.assert_clean();
    }

    fn value_too_small_buffer_too_small(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        for len in [0, 4, 7] {
            assert_eq!(
                zx_object_set_property(a, RX, &vec![1u8; len]),
                ZX_ERR_BUFFER_TOO_SMALL,
                "{len} bytes"
            );
        }
        assert_eq!(get_prop(a, RX), Ok(0), "unchanged");
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn unknown_property_not_supported(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        for property in [0, 9_999, u32::MAX] {
            assert_eq!(
                set_prop(a, property, 1),
                ZX_ERR_NOT_SUPPORTED,
                "property {property}"
            );
        }
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn rx_threshold_above_capacity_invalid_args(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        assert_eq!(set_prop(a, RX, 5), ZX_OK);
        assert_eq!(set_prop(a, RX, CAPACITY as u64 + 1), ZX_ERR_INVALID_ARGS);
        assert_eq!(get_prop(a, RX), Ok(5), "old value kept");
        assert_eq!(set_prop(a, RX, CAPACITY as u64), ZX_OK);
        assert_eq!(get_prop(a, RX), Ok(CAPACITY as u64));
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn rx_threshold_set_against_buffered_bytes(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        assert_eq!(write(a, b"abcde"), Ok(5));
        assert_eq!(set_prop(b, RX, 5), ZX_OK);
        assert!(has(b, ZX_SOCKET_READ_THRESHOLD), "5 buffered ≥ 5");
        assert_eq!(set_prop(b, RX, 6), ZX_OK);
        assert!(!has(b, ZX_SOCKET_READ_THRESHOLD), "5 < 6");
        assert_eq!(set_prop(b, RX, 1), ZX_OK);
        assert!(has(b, ZX_SOCKET_READ_THRESHOLD));
        assert!(
            !has(a, ZX_SOCKET_READ_THRESHOLD),
            "the other end is not affected"
        );
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn rx_threshold_zero_disables(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        assert_eq!(write(a, b"abc"), Ok(3));
        assert_eq!(set_prop(b, RX, 2), ZX_OK);
        assert!(has(b, ZX_SOCKET_READ_THRESHOLD));
        assert_eq!(set_prop(b, RX, 0), ZX_OK);
        assert!(!has(b, ZX_SOCKET_READ_THRESHOLD), "0 clears");
        assert_eq!(write(a, b"more"), Ok(4));
        assert!(!has(b, ZX_SOCKET_READ_THRESHOLD), "and disables");
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn tx_threshold_peer_closed_first(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        close(b);
        assert_eq!(set_prop(a, TX, 1), ZX_ERR_PEER_CLOSED);
        assert_eq!(set_prop(a, TX, CAPACITY as u64 + 1), ZX_ERR_PEER_CLOSED);
        assert_eq!(set_prop(a, RX, 1), ZX_OK, "the RX threshold does not care");
        close(a);
        ctx.assert_clean();
    }

    fn tx_threshold_above_capacity_invalid_args(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        assert_eq!(set_prop(a, TX, 7), ZX_OK);
        assert_eq!(set_prop(a, TX, CAPACITY as u64 + 1), ZX_ERR_INVALID_ARGS);
        assert_eq!(get_prop(a, TX), Ok(7), "old value kept");
        assert_eq!(set_prop(a, TX, CAPACITY as u64), ZX_OK);
        assert!(
            has(a, ZX_SOCKET_WRITE_THRESHOLD),
            "an empty buffer has it all free"
        );
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn tx_threshold_set_against_free_space(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        assert_eq!(write(a, &vec![0u8; CAPACITY - 100]), Ok(CAPACITY - 100));
        assert_eq!(set_prop(a, TX, 100), ZX_OK);
        assert!(has(a, ZX_SOCKET_WRITE_THRESHOLD), "100 free ≥ 100");
        assert_eq!(set_prop(a, TX, 101), ZX_OK);
        assert!(!has(a, ZX_SOCKET_WRITE_THRESHOLD), "100 free < 101");
        assert!(
            !has(b, ZX_SOCKET_WRITE_THRESHOLD),
            "the other end is not affected"
        );
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn tx_threshold_zero_disables(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        assert_eq!(set_prop(a, TX, 10), ZX_OK);
        assert!(has(a, ZX_SOCKET_WRITE_THRESHOLD));
        assert_eq!(set_prop(a, TX, 0), ZX_OK);
        assert!(!has(a, ZX_SOCKET_WRITE_THRESHOLD), "0 clears");
        fill(a);
        assert_eq!(read(b, CAPACITY).map(|v| v.len()), Ok(CAPACITY));
        assert!(!has(a, ZX_SOCKET_WRITE_THRESHOLD), "and disables");
        close(a);
        close(b);
        ctx.assert_clean();
    }
}

mod get_property {
    use super::*;

    cases![
        "zx_object_get_property";
        (reads_back_thresholds, "§4: get_property returns the RX/TX thresholds last set (0 initially), per endpoint", Both),
        (bad_handle, "§4/§2.1: a handle not in the table ⇒ BAD_HANDLE", Both),
        (needs_get_property, "§4: a socket handle without GET_PROPERTY ⇒ ACCESS_DENIED", Both),
        (non_socket_lacks_the_right, "§4: non-socket ⇒ WRONG_TYPE is unreachable with default rights: an event has no GET_PROPERTY ⇒ ACCESS_DENIED", Both),
        (value_too_small_buffer_too_small, "§4: a value buffer < 8 bytes ⇒ BUFFER_TOO_SMALL", Both),
        (unknown_property_not_supported, "§4: an unknown property ⇒ NOT_SUPPORTED", Both),
    ];

    fn reads_back_thresholds(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        assert_eq!((get_prop(a, RX), get_prop(a, TX)), (Ok(0), Ok(0)));
        assert_eq!(set_prop(a, RX, 42), ZX_OK);
        assert_eq!(set_prop(a, TX, 4_242), ZX_OK);
        assert_eq!((get_prop(a, RX), get_prop(a, TX)), (Ok(42), Ok(4_242)));
        assert_eq!(
            (get_prop(b, RX), get_prop(b, TX)),
            (Ok(0), Ok(0)),
            "the other end has its own"
        );
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn bad_handle(ctx: &mut Ctx) {
        assert_eq!(get_prop(ZX_HANDLE_INVALID, RX), Err(ZX_ERR_BAD_HANDLE));
        ctx.assert_clean();
    }

    fn needs_get_property(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        let no_get = dup(a, ZX_DEFAULT_SOCKET_RIGHTS & !ZX_RIGHT_GET_PROPERTY);
        assert_eq!(get_prop(no_get, RX), Err(ZX_ERR_ACCESS_DENIED));
        assert_eq!(get_prop(no_get, TX), Err(ZX_ERR_ACCESS_DENIED));
        for h in [a, b, no_get] {
            close(h);
        }
        ctx.assert_clean();
    }

    fn non_socket_lacks_the_right(ctx: &mut Ctx) {
        let e = new_event();
        assert_eq!(get_prop(e, RX), Err(ZX_ERR_ACCESS_DENIED));
        close(e);
        ctx.assert_clean();
    }

    fn value_too_small_buffer_too_small(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        for len in [0, 4, 7] {
            let mut value = vec![0u8; len];
            assert_eq!(
                zx_object_get_property(a, RX, &mut value),
                ZX_ERR_BUFFER_TOO_SMALL,
                "{len} bytes"
            );
        }
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn unknown_property_not_supported(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        for property in [0, 9_999, u32::MAX] {
            assert_eq!(
                get_prop(a, property),
                Err(ZX_ERR_NOT_SUPPORTED),
                "property {property}"
            );
        }
        close(a);
        close(b);
        ctx.assert_clean();
    }
}

mod info {
    use super::*;

    /// `ZX_INFO_SOCKET` into a `size`-byte buffer: (status, actual, avail).
    fn raw_info(h: zx_handle_t, size: usize) -> (zx_status_t, usize, usize) {
        let mut buffer = vec![0u8; size];
        let (mut actual, mut avail) = (99, 99);
        let status = zx_object_get_info(
            h,
            ZX_INFO_SOCKET,
            &mut buffer,
            Some(&mut actual),
            Some(&mut avail),
        );
        (status, actual, avail)
    }

    const SIZE: usize = std::mem::size_of::<zx_info_socket_t>();

    cases![
        "zx_object_get_info";
        (socket_info_stream, "§4/§1.11: ZX_INFO_SOCKET: options, rx_buf_max/size/available of this end, tx_buf_max/size of the peer's buffer", Both),
        (socket_info_datagram_available, "§4/§1.11: on a datagram socket rx_buf_available is the size of the first datagram", Both),
        (socket_info_needs_inspect, "§4: ZX_INFO_SOCKET needs INSPECT (ACCESS_DENIED)", Both),
        (socket_info_wrong_type, "§4: ZX_INFO_SOCKET on a non-socket ⇒ WRONG_TYPE", Both),
        (socket_info_buffer_too_small, "§4: ZX_INFO_SOCKET into a buffer smaller than the record ⇒ BUFFER_TOO_SMALL (actual 0, avail 1)", Both),
    ];

    fn socket_info_stream(ctx: &mut Ctx) {
        let (a, b) = socket(ZX_SOCKET_STREAM);
        assert_eq!(write(a, b"hello"), Ok(5));
        assert_eq!(write(b, b"abc"), Ok(3));
        let ib = info(b);
        assert_eq!(
            (
                ib.options,
                ib.rx_buf_max,
                ib.rx_buf_size,
                ib.rx_buf_available
            ),
            (ZX_SOCKET_STREAM, CAPACITY, 5, 5)
        );
        assert_eq!((ib.tx_buf_max, ib.tx_buf_size), (CAPACITY, 3));
        let ia = info(a);
        assert_eq!((ia.rx_buf_size, ia.tx_buf_size), (3, 5));
        assert_eq!(raw_info(a, SIZE), (ZX_OK, 1, 1));
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn socket_info_datagram_available(ctx: &mut Ctx) {
        let (a, b) = socket(ZX_SOCKET_DATAGRAM);
        assert_eq!(write(a, b"abc"), Ok(3));
        assert_eq!(write(a, b"defgh"), Ok(5));
        let i = info(b);
        assert_eq!(
            (i.options, i.rx_buf_size, i.rx_buf_available),
            (ZX_SOCKET_DATAGRAM, 8, 3)
        );
        assert_eq!(read(b, 10), Ok(b"abc".to_vec()));
        assert_eq!(info(b).rx_buf_available, 5);
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn socket_info_needs_inspect(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        let blind = dup(a, ZX_DEFAULT_SOCKET_RIGHTS & !ZX_RIGHT_INSPECT);
        assert_eq!(raw_info(blind, SIZE).0, ZX_ERR_ACCESS_DENIED);
        for h in [a, b, blind] {
            close(h);
        }
        ctx.assert_clean();
    }

    fn socket_info_wrong_type(ctx: &mut Ctx) {
        let e = new_event();
        assert_eq!(raw_info(e, SIZE).0, ZX_ERR_WRONG_TYPE);
        let mut t = 0;
        assert_eq!(zx_timer_create(0, ZX_CLOCK_MONOTONIC, &mut t), ZX_OK);
        assert_eq!(raw_info(t, SIZE).0, ZX_ERR_WRONG_TYPE);
        close(e);
        close(t);
        ctx.assert_clean();
    }

    fn socket_info_buffer_too_small(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        assert_eq!(raw_info(a, SIZE - 1), (ZX_ERR_BUFFER_TOO_SMALL, 0, 1));
        assert_eq!(raw_info(a, 0), (ZX_ERR_BUFFER_TOO_SMALL, 0, 1));
        close(a);
        close(b);
        ctx.assert_clean();
    }
}
