//! Conformance cases for sockets (spec §10, §4 properties and `ZX_INFO_SOCKET`, §12.2 items 3–4,
//! §15 item 14).

use crate::handle::util::*;
use crate::harness::{Case, Ctx};
use zxsim_syscalls::sys::*;

pub fn cases() -> Vec<Case> {
    [
        create::cases(),
        write::cases(),
        read::cases(),
        disposition::cases(),
        thresholds::cases(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

const CAPACITY: usize = 257_024;

fn socket(options: u32) -> (zx_handle_t, zx_handle_t) {
    let (mut a, mut b) = (0, 0);
    assert_eq!(zx_socket_create(options, &mut a, &mut b), ZX_OK);
    (a, b)
}

fn write(h: zx_handle_t, bytes: &[u8]) -> Result<usize, zx_status_t> {
    let mut n = 0;
    match zx_socket_write(h, 0, bytes, Some(&mut n)) {
        ZX_OK => Ok(n),
        status => Err(status),
    }
}

fn read(h: zx_handle_t, len: usize) -> Result<Vec<u8>, zx_status_t> {
    let mut buf = vec![0u8; len];
    let mut n = 0;
    match zx_socket_read(h, 0, &mut buf, Some(&mut n)) {
        ZX_OK => Ok(buf[..n].to_vec()),
        status => Err(status),
    }
}

fn info(h: zx_handle_t) -> zx_info_socket_t {
    let mut info = zx_info_socket_t::default();
    assert_eq!(
        zx_object_get_info(h, ZX_INFO_SOCKET, info.as_bytes_mut(), None, None),
        ZX_OK
    );
    info
}

fn fill(h: zx_handle_t) {
    let chunk = vec![1u8; 64 * 1024];
    while write(h, &chunk).is_ok() {}
}

mod create {
    use super::*;

    cases![
        "zx_socket_create";
        (stream_and_datagram, "§10: STREAM (0) and DATAGRAM (1) accepted; both ends start WRITABLE", Both),
        (other_options_invalid_args, "§10: any other option bit ⇒ INVALID_ARGS", Both),
        (rights_and_peers, "§10/§1.4: rights 0x10F0CF; related koids point at each other", Both),
        (info_capacity, "§10/§4: ZX_INFO_SOCKET reports options and 257 024 bytes per direction", Both),
    ];

    fn stream_and_datagram(ctx: &mut Ctx) {
        for options in [ZX_SOCKET_STREAM, ZX_SOCKET_DATAGRAM] {
            let (a, b) = socket(options);
            assert_eq!(signals(a), ZX_SOCKET_WRITABLE);
            assert_eq!(signals(b), ZX_SOCKET_WRITABLE);
            close(a);
            close(b);
        }
        ctx.assert_clean();
    }

    fn other_options_invalid_args(ctx: &mut Ctx) {
        let (mut a, mut b) = (0, 0);
        for options in [2, 4, 0x100] {
            assert_eq!(
                zx_socket_create(options, &mut a, &mut b),
                ZX_ERR_INVALID_ARGS
            );
        }
        ctx.assert_clean();
    }

    fn rights_and_peers(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        assert_eq!(rights(a), 0x10F0CF);
        assert_eq!(basic(a).type_, ZX_OBJ_TYPE_SOCKET);
        assert_eq!(basic(a).related_koid, koid(b));
        assert_eq!(basic(b).related_koid, koid(a));
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn info_capacity(ctx: &mut Ctx) {
        let (a, b) = socket(ZX_SOCKET_DATAGRAM);
        write(a, b"abc").unwrap();
        let i = info(b);
        assert_eq!(
            (i.options, i.rx_buf_max, i.rx_buf_size, i.rx_buf_available),
            (ZX_SOCKET_DATAGRAM, CAPACITY, 3, 3)
        );
        assert_eq!((info(a).tx_buf_max, info(a).tx_buf_size), (CAPACITY, 3));
        close(a);
        close(b);
        ctx.assert_clean();
    }
}

mod write {
    use super::*;

    cases![
        "zx_socket_write";
        (options_invalid_args_before_handle, "§10: options ≠ 0 ⇒ INVALID_ARGS, before the handle", Both),
        (needs_write_right, "§10: a handle without WRITE ⇒ ACCESS_DENIED; a non-socket ⇒ WRONG_TYPE", Both),
        (peer_closed_first, "§10: peer closed ⇒ PEER_CLOSED", Both),
        (stream_short_write_then_should_wait, "§10: streams write short up to the capacity; full ⇒ SHOULD_WAIT and WRITABLE cleared", Both),
        (zero_length_ok_even_when_full, "§10/§15 item 14: a zero-length write answers OK with 0, even when full", Both),
        (datagram_all_or_nothing, "§10/§12.2 item 4: datagrams: larger than capacity ⇒ OUT_OF_RANGE; not fitting the space left ⇒ SHOULD_WAIT", Both),
        (readable_raised_on_the_peer, "§10: the receiver becomes READABLE", Both),
    ];

    fn options_invalid_args_before_handle(ctx: &mut Ctx) {
        assert_eq!(
            zx_socket_write(ZX_HANDLE_INVALID, 1, b"x", None),
            ZX_ERR_INVALID_ARGS
        );
        ctx.assert_clean();
    }

    fn needs_write_right(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        let read_only = dup(a, ZX_RIGHTS_BASIC | ZX_RIGHT_READ);
        assert_eq!(write(read_only, b"x"), Err(ZX_ERR_ACCESS_DENIED));
        let e = event();
        assert_eq!(write(e, b"x"), Err(ZX_ERR_WRONG_TYPE));
        for h in [a, b, read_only, e] {
            close(h);
        }
        ctx.assert_clean();
    }

    fn peer_closed_first(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        close(b);
        assert_eq!(write(a, b"x"), Err(ZX_ERR_PEER_CLOSED));
        assert_eq!(write(a, b""), Err(ZX_ERR_PEER_CLOSED));
        close(a);
        ctx.assert_clean();
    }

    fn stream_short_write_then_should_wait(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        assert_eq!(write(a, &vec![0u8; CAPACITY - 10]), Ok(CAPACITY - 10));
        assert_eq!(write(a, &[0u8; 100]), Ok(10), "short write");
        assert_eq!(signals(a) & ZX_SOCKET_WRITABLE, 0);
        assert_eq!(write(a, b"x"), Err(ZX_ERR_SHOULD_WAIT));
        assert_eq!(read(b, 1).map(|v| v.len()), Ok(1));
        assert_eq!(
            signals(a) & ZX_SOCKET_WRITABLE,
            ZX_SOCKET_WRITABLE,
            "one byte read frees room"
        );
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn zero_length_ok_even_when_full(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        fill(a);
        assert_eq!(write(a, b""), Ok(0));
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn datagram_all_or_nothing(ctx: &mut Ctx) {
        let (a, b) = socket(ZX_SOCKET_DATAGRAM);
        assert_eq!(write(a, &vec![0u8; CAPACITY + 1]), Err(ZX_ERR_OUT_OF_RANGE));
        assert_eq!(write(a, &vec![0u8; CAPACITY - 5]), Ok(CAPACITY - 5));
        assert_eq!(
            write(a, &[0u8; 10]),
            Err(ZX_ERR_SHOULD_WAIT),
            "does not fit: nothing written"
        );
        assert_eq!(info(b).rx_buf_size, CAPACITY - 5);
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn readable_raised_on_the_peer(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        assert_eq!(signals(b) & ZX_SOCKET_READABLE, 0);
        write(a, b"hi").unwrap();
        assert_eq!(signals(b) & ZX_SOCKET_READABLE, ZX_SOCKET_READABLE);
        assert_eq!(
            signals(a) & ZX_SOCKET_READABLE,
            0,
            "the writer's own end is not readable"
        );
        close(a);
        close(b);
        ctx.assert_clean();
    }
}

mod read {
    use super::*;

    cases![
        "zx_socket_read";
        (options_only_peek, "§10/§12.2 item 3: options may only be PEEK; 0 is fine; others ⇒ INVALID_ARGS", Both),
        (needs_read_right, "§10: a handle without READ ⇒ ACCESS_DENIED", Both),
        (empty_should_wait, "§10: empty, peer alive ⇒ SHOULD_WAIT", Both),
        (stream_reads_up_to_size_in_order, "§10: stream reads return up to the buffer size, in order; READABLE cleared when empty", Both),
        (datagram_truncates_and_discards, "§10/§15 item 14: a short datagram read truncates and discards the rest", Both),
        (peek_does_not_consume, "§10: PEEK copies without consuming", Both),
        (data_readable_after_peer_close, "§10: data stays readable after the peer closes; then PEER_CLOSED", Both),
        (peer_closed_signals, "§2.3: the peer's last close raises PEER_CLOSED and clears WRITABLE before close returns", Both),
    ];

    fn options_only_peek(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        write(a, b"x").unwrap();
        let mut buf = [0u8; 4];
        assert_eq!(zx_socket_read(b, 1, &mut buf, None), ZX_ERR_INVALID_ARGS);
        assert_eq!(
            zx_socket_read(b, ZX_SOCKET_PEEK | 1, &mut buf, None),
            ZX_ERR_INVALID_ARGS
        );
        assert_eq!(zx_socket_read(b, ZX_SOCKET_PEEK, &mut buf, None), ZX_OK);
        assert_eq!(zx_socket_read(b, 0, &mut buf, None), ZX_OK);
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn needs_read_right(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        let write_only = dup(b, ZX_RIGHTS_BASIC | ZX_RIGHT_WRITE);
        assert_eq!(read(write_only, 4), Err(ZX_ERR_ACCESS_DENIED));
        for h in [a, b, write_only] {
            close(h);
        }
        ctx.assert_clean();
    }

    fn empty_should_wait(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        assert_eq!(read(b, 4), Err(ZX_ERR_SHOULD_WAIT));
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn stream_reads_up_to_size_in_order(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        write(a, b"hello").unwrap();
        write(a, b" world").unwrap();
        assert_eq!(read(b, 3), Ok(b"hel".to_vec()));
        assert_eq!(read(b, 100), Ok(b"lo world".to_vec()));
        assert_eq!(signals(b) & ZX_SOCKET_READABLE, 0);
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn datagram_truncates_and_discards(ctx: &mut Ctx) {
        let (a, b) = socket(ZX_SOCKET_DATAGRAM);
        write(a, b"abcdef").unwrap();
        write(a, b"gh").unwrap();
        assert_eq!(read(b, 3), Ok(b"abc".to_vec()));
        assert_eq!(
            read(b, 100),
            Ok(b"gh".to_vec()),
            "the rest of the first datagram is gone"
        );
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn peek_does_not_consume(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        write(a, b"data").unwrap();
        let mut buf = [0u8; 8];
        let mut n = 0;
        assert_eq!(
            zx_socket_read(b, ZX_SOCKET_PEEK, &mut buf, Some(&mut n)),
            ZX_OK
        );
        assert_eq!(&buf[..n], b"data");
        assert_eq!(read(b, 8), Ok(b"data".to_vec()));
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn data_readable_after_peer_close(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        write(a, b"last").unwrap();
        close(a);
        assert_eq!(read(b, 8), Ok(b"last".to_vec()));
        assert_eq!(read(b, 8), Err(ZX_ERR_PEER_CLOSED));
        close(b);
        ctx.assert_clean();
    }

    fn peer_closed_signals(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        close(a);
        let s = signals(b);
        assert_eq!(s & ZX_SOCKET_PEER_CLOSED, ZX_SOCKET_PEER_CLOSED);
        assert_eq!(s & ZX_SOCKET_WRITABLE, 0);
        close(b);
        ctx.assert_clean();
    }
}

mod disposition {
    use super::*;

    cases![
        "zx_socket_set_disposition";
        (bad_values_invalid_args_before_handle, "§10: each disposition must be 0, WRITE_DISABLED or WRITE_ENABLED (3 ⇒ INVALID_ARGS), checked before the handle", Both),
        (needs_manage_socket, "§10: needs MANAGE_SOCKET (ACCESS_DENIED)", Both),
        (both_zero_is_a_no_op, "§10: both 0 ⇒ OK, nothing changes", Both),
        (write_disabled_effects, "§10: WRITE_DISABLED: WRITABLE off, WRITE_DISABLED on; the peer gets PEER_WRITE_DISABLED; writes ⇒ BAD_STATE", Both),
        (peer_reads_bad_state_once_drained, "§10: the peer's reads return BAD_STATE once drained", Both),
        (reenable_refused_while_unread, "§10: WRITE_ENABLED is refused with BAD_STATE (no change) while earlier data is unread", Both),
        (reenable_restores_writes, "§10: WRITE_ENABLED once drained: WRITABLE back, PEER_WRITE_DISABLED cleared", Both),
        (disable_the_peer, "§10: disposition_peer applies to the other end", Both),
    ];

    fn bad_values_invalid_args_before_handle(ctx: &mut Ctx) {
        assert_eq!(
            zx_socket_set_disposition(ZX_HANDLE_INVALID, 3, 0),
            ZX_ERR_INVALID_ARGS
        );
        assert_eq!(
            zx_socket_set_disposition(ZX_HANDLE_INVALID, 0, 7),
            ZX_ERR_INVALID_ARGS
        );
        assert_eq!(
            zx_socket_set_disposition(ZX_HANDLE_INVALID, 1, 0),
            ZX_ERR_BAD_HANDLE
        );
        ctx.assert_clean();
    }

    fn needs_manage_socket(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        let plain = dup(a, 0x10F0CF & !ZX_RIGHT_MANAGE_SOCKET);
        assert_eq!(
            zx_socket_set_disposition(plain, ZX_SOCKET_DISPOSITION_WRITE_DISABLED, 0),
            ZX_ERR_ACCESS_DENIED
        );
        for h in [a, b, plain] {
            close(h);
        }
        ctx.assert_clean();
    }

    fn both_zero_is_a_no_op(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        let before = (signals(a), signals(b));
        assert_eq!(zx_socket_set_disposition(a, 0, 0), ZX_OK);
        assert_eq!((signals(a), signals(b)), before);
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn write_disabled_effects(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        assert_eq!(
            zx_socket_set_disposition(a, ZX_SOCKET_DISPOSITION_WRITE_DISABLED, 0),
            ZX_OK
        );
        assert_eq!(
            signals(a) & (ZX_SOCKET_WRITABLE | ZX_SOCKET_WRITE_DISABLED),
            ZX_SOCKET_WRITE_DISABLED
        );
        assert_eq!(
            signals(b) & ZX_SOCKET_PEER_WRITE_DISABLED,
            ZX_SOCKET_PEER_WRITE_DISABLED
        );
        assert_eq!(write(a, b"x"), Err(ZX_ERR_BAD_STATE));
        assert_eq!(write(b, b"x"), Ok(1), "the other direction still works");
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn peer_reads_bad_state_once_drained(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        write(a, b"x").unwrap();
        zx_socket_set_disposition(a, ZX_SOCKET_DISPOSITION_WRITE_DISABLED, 0);
        assert_eq!(read(b, 4), Ok(b"x".to_vec()));
        assert_eq!(read(b, 4), Err(ZX_ERR_BAD_STATE));
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn reenable_refused_while_unread(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        write(a, b"x").unwrap();
        zx_socket_set_disposition(a, ZX_SOCKET_DISPOSITION_WRITE_DISABLED, 0);
        let before = (signals(a), signals(b));
        assert_eq!(
            zx_socket_set_disposition(a, ZX_SOCKET_DISPOSITION_WRITE_ENABLED, 0),
            ZX_ERR_BAD_STATE
        );
        assert_eq!((signals(a), signals(b)), before, "no change at all");
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn reenable_restores_writes(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        zx_socket_set_disposition(a, ZX_SOCKET_DISPOSITION_WRITE_DISABLED, 0);
        assert_eq!(
            zx_socket_set_disposition(a, ZX_SOCKET_DISPOSITION_WRITE_ENABLED, 0),
            ZX_OK
        );
        assert_eq!(
            signals(a) & (ZX_SOCKET_WRITABLE | ZX_SOCKET_WRITE_DISABLED),
            ZX_SOCKET_WRITABLE
        );
        assert_eq!(signals(b) & ZX_SOCKET_PEER_WRITE_DISABLED, 0);
        assert_eq!(write(a, b"x"), Ok(1));
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn disable_the_peer(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        assert_eq!(
            zx_socket_set_disposition(a, 0, ZX_SOCKET_DISPOSITION_WRITE_DISABLED),
            ZX_OK
        );
        assert_eq!(write(b, b"x"), Err(ZX_ERR_BAD_STATE));
        assert_eq!(
            signals(a) & ZX_SOCKET_PEER_WRITE_DISABLED,
            ZX_SOCKET_PEER_WRITE_DISABLED
        );
        close(a);
        close(b);
        ctx.assert_clean();
    }
}

mod thresholds {
    use super::*;

    cases![
        "zx_object_{get,set}_property(socket thresholds)";
        (rx_threshold_signal, "§4/§10: READ_THRESHOLD is set iff buffered bytes ≥ RX threshold; 0 disables", Both),
        (tx_threshold_signal, "§4/§10: WRITE_THRESHOLD is set iff free space in the peer ≥ TX threshold", Both),
        (threshold_limits, "§4: RX above the capacity ⇒ INVALID_ARGS; TX with the peer closed ⇒ PEER_CLOSED", Both),
        (property_errors, "§4: value < 8 bytes ⇒ BUFFER_TOO_SMALL; non-socket ⇒ WRONG_TYPE; unknown ⇒ NOT_SUPPORTED; rights", Both),
        (get_returns_what_was_set, "§4: get_property reads the threshold back", Both),
    ];

    fn set(h: zx_handle_t, property: u32, value: u64) -> zx_status_t {
        zx_object_set_property(h, property, &value.to_le_bytes())
    }

    fn rx_threshold_signal(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        assert_eq!(set(b, ZX_PROP_SOCKET_RX_THRESHOLD, 4), ZX_OK);
        write(a, b"abc").unwrap();
        assert_eq!(signals(b) & ZX_SOCKET_READ_THRESHOLD, 0);
        write(a, b"d").unwrap();
        assert_eq!(
            signals(b) & ZX_SOCKET_READ_THRESHOLD,
            ZX_SOCKET_READ_THRESHOLD
        );
        read(b, 1).unwrap();
        assert_eq!(
            signals(b) & ZX_SOCKET_READ_THRESHOLD,
            0,
            "below the threshold again"
        );
        write(a, b"e").unwrap();
        assert_eq!(set(b, ZX_PROP_SOCKET_RX_THRESHOLD, 0), ZX_OK);
        assert_eq!(
            signals(b) & ZX_SOCKET_READ_THRESHOLD,
            0,
            "0 disables and clears"
        );
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn tx_threshold_signal(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        assert_eq!(set(a, ZX_PROP_SOCKET_TX_THRESHOLD, 100), ZX_OK);
        assert_eq!(
            signals(a) & ZX_SOCKET_WRITE_THRESHOLD,
            ZX_SOCKET_WRITE_THRESHOLD
        );
        write(a, &vec![0u8; CAPACITY - 50]).unwrap();
        assert_eq!(signals(a) & ZX_SOCKET_WRITE_THRESHOLD, 0);
        read(b, 50).unwrap();
        assert_eq!(
            signals(a) & ZX_SOCKET_WRITE_THRESHOLD,
            ZX_SOCKET_WRITE_THRESHOLD
        );
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn threshold_limits(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        assert_eq!(
            set(a, ZX_PROP_SOCKET_RX_THRESHOLD, CAPACITY as u64 + 1),
            ZX_ERR_INVALID_ARGS
        );
        assert_eq!(
            set(a, ZX_PROP_SOCKET_TX_THRESHOLD, CAPACITY as u64 + 1),
            ZX_ERR_INVALID_ARGS
        );
        close(b);
        assert_eq!(set(a, ZX_PROP_SOCKET_TX_THRESHOLD, 1), ZX_ERR_PEER_CLOSED);
        close(a);
        ctx.assert_clean();
    }

    fn property_errors(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        assert_eq!(
            zx_object_set_property(a, ZX_PROP_SOCKET_RX_THRESHOLD, &[0u8; 4]),
            ZX_ERR_BUFFER_TOO_SMALL
        );
        let mut small = [0u8; 4];
        assert_eq!(
            zx_object_get_property(a, ZX_PROP_SOCKET_RX_THRESHOLD, &mut small),
            ZX_ERR_BUFFER_TOO_SMALL
        );
        let e = event();
        let props_event = e;
        assert_eq!(
            set(props_event, ZX_PROP_SOCKET_RX_THRESHOLD, 1),
            ZX_ERR_ACCESS_DENIED,
            "events have no SET_PROPERTY"
        );
        assert_eq!(set(a, 9999, 1), ZX_ERR_NOT_SUPPORTED);
        let no_set = dup(a, 0x10F0CF & !ZX_RIGHT_SET_PROPERTY);
        assert_eq!(
            set(no_set, ZX_PROP_SOCKET_RX_THRESHOLD, 1),
            ZX_ERR_ACCESS_DENIED
        );
        for h in [a, b, e, no_set] {
            close(h);
        }
        ctx.assert_clean();
    }

    fn get_returns_what_was_set(ctx: &mut Ctx) {
        let (a, b) = socket(0);
        set(a, ZX_PROP_SOCKET_RX_THRESHOLD, 42);
        let mut value = [0u8; 8];
        assert_eq!(
            zx_object_get_property(a, ZX_PROP_SOCKET_RX_THRESHOLD, &mut value),
            ZX_OK
        );
        assert_eq!(u64::from_le_bytes(value), 42);
        close(a);
        close(b);
        ctx.assert_clean();
    }
}
