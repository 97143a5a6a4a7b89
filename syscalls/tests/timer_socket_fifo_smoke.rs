//! Plumbing checks for timers, sockets and fifos (the conformance suite states the behaviour).

use zxsim_kernel::{Config, Kernel};
use zxsim_syscalls::sys::*;

fn setup() -> (Kernel, std::sync::Arc<zxsim_kernel::Process>) {
    let kernel = Kernel::new(Config::default().with_virtual_clock());
    let process = kernel.create_process();
    (kernel, process)
}

fn signals(handle: zx_handle_t) -> zx_signals_t {
    let mut observed = 0;
    zx_object_wait_one(handle, 0, 0, Some(&mut observed));
    observed
}

#[test]
fn timers_fire_in_deadline_order_on_the_virtual_clock() {
    let (kernel, process) = setup();
    let _bound = process.bind();
    let (mut port, mut t1, mut t2) = (0, 0, 0);
    zx_port_create(0, &mut port);
    assert_eq!(
        zx_timer_create(ZX_TIMER_SLACK_CENTER, ZX_CLOCK_MONOTONIC, &mut t1),
        ZX_OK
    );
    assert_eq!(
        zx_timer_create(ZX_TIMER_SLACK_LATE, ZX_CLOCK_BOOT, &mut t2),
        ZX_OK
    );
    assert_eq!(zx_timer_set(t1, 200, 0), ZX_OK);
    assert_eq!(zx_timer_set(t2, 100, 0), ZX_OK);
    zx_object_wait_async(t1, port, 1, ZX_TIMER_SIGNALED, 0);
    zx_object_wait_async(t2, port, 2, ZX_TIMER_SIGNALED, 0);
    kernel.advance_clock(99);
    let mut packet = zx_port_packet_t::default();
    assert_eq!(zx_port_wait(port, 0, &mut packet), ZX_ERR_TIMED_OUT);
    kernel.advance_clock(500);
    assert_eq!(zx_port_wait(port, 0, &mut packet), ZX_OK);
    assert_eq!(packet.key, 2);
    assert_eq!(zx_port_wait(port, 0, &mut packet), ZX_OK);
    assert_eq!(packet.key, 1);
    assert_eq!(zx_timer_cancel(t1), ZX_OK);
    assert_eq!(signals(t1) & ZX_TIMER_SIGNALED, 0);
    assert_eq!(zx_timer_set(t1, 10_000, -1), ZX_ERR_OUT_OF_RANGE);
    assert_eq!(zx_timer_set(t1, 10_000, 0), ZX_OK);
    zx_handle_close_many(&[port, t1, t2]);
    assert_eq!(
        (kernel.live_objects(), kernel.live_handles()),
        (0, 0),
        "an armed timer is disarmed at close"
    );
}

#[test]
fn real_clock_timer_fires() {
    let kernel = Kernel::new(Config::default());
    let process = kernel.create_process();
    let _bound = process.bind();
    let mut timer = 0;
    zx_timer_create(0, ZX_CLOCK_MONOTONIC, &mut timer);
    assert_eq!(zx_timer_set(timer, zx_deadline_after(1_000_000), 0), ZX_OK);
    assert_eq!(
        zx_object_wait_one(
            timer,
            ZX_TIMER_SIGNALED,
            zx_deadline_after(5_000_000_000),
            None
        ),
        ZX_OK
    );
    zx_handle_close(timer);
}

#[test]
fn socket_stream_and_datagram_basics() {
    let (kernel, process) = setup();
    let _bound = process.bind();
    let (mut a, mut b) = (0, 0);
    assert_eq!(zx_socket_create(ZX_SOCKET_STREAM, &mut a, &mut b), ZX_OK);
    let mut n = 0;
    assert_eq!(zx_socket_write(a, 0, b"hello", Some(&mut n)), ZX_OK);
    assert_eq!(n, 5);
    assert_eq!(signals(b) & ZX_SOCKET_READABLE, ZX_SOCKET_READABLE);
    let mut buf = [0u8; 3];
    assert_eq!(zx_socket_read(b, 0, &mut buf, Some(&mut n)), ZX_OK);
    assert_eq!(&buf[..n], b"hel");
    let big = vec![0u8; 300_000];
    assert_eq!(zx_socket_write(a, 0, &big, Some(&mut n)), ZX_OK);
    assert_eq!(n, 257_024 - 2);
    assert_eq!(signals(a) & ZX_SOCKET_WRITABLE, 0);
    assert_eq!(
        zx_socket_write(a, 0, b"x", Some(&mut n)),
        ZX_ERR_SHOULD_WAIT
    );
    zx_handle_close(a);
    assert_eq!(signals(b) & ZX_SOCKET_PEER_CLOSED, ZX_SOCKET_PEER_CLOSED);
    let mut rest = vec![0u8; 300_000];
    assert_eq!(zx_socket_read(b, 0, &mut rest, Some(&mut n)), ZX_OK);
    assert_eq!(n, 257_024);
    assert_eq!(
        zx_socket_read(b, 0, &mut rest, Some(&mut n)),
        ZX_ERR_PEER_CLOSED
    );
    zx_handle_close(b);

    assert_eq!(zx_socket_create(ZX_SOCKET_DATAGRAM, &mut a, &mut b), ZX_OK);
    zx_socket_write(a, 0, b"abcdef", None);
    zx_socket_write(a, 0, b"gh", None);
    assert_eq!(zx_socket_read(b, 0, &mut buf, Some(&mut n)), ZX_OK);
    assert_eq!(&buf[..n], b"abc", "truncated, rest discarded");
    assert_eq!(zx_socket_read(b, 0, &mut buf, Some(&mut n)), ZX_OK);
    assert_eq!(&buf[..n], b"gh");
    assert_eq!(
        zx_socket_set_disposition(a, ZX_SOCKET_DISPOSITION_WRITE_DISABLED, 0),
        ZX_OK
    );
    assert_eq!(
        zx_socket_read(b, 0, &mut buf, Some(&mut n)),
        ZX_ERR_BAD_STATE
    );
    assert_eq!(zx_socket_write(a, 0, b"x", None), ZX_ERR_BAD_STATE);
    let threshold = 10u64.to_le_bytes();
    assert_eq!(
        zx_object_set_property(b, ZX_PROP_SOCKET_RX_THRESHOLD, &threshold),
        ZX_OK
    );
    let mut info = zx_info_socket_t::default();
    let bytes = info_bytes(&mut info);
    assert_eq!(
        zx_object_get_info(b, ZX_INFO_SOCKET, bytes, None, None),
        ZX_OK
    );
    zx_handle_close_many(&[a, b]);
    assert_eq!((kernel.live_objects(), kernel.live_handles()), (0, 0));
}

fn info_bytes(info: &mut zx_info_socket_t) -> &mut [u8] {
    use zxsim_syscalls::sys::InfoRecord;
    info.as_bytes_mut()
}

#[test]
fn fifo_elements() {
    let (kernel, process) = setup();
    let _bound = process.bind();
    let (mut a, mut b) = (0, 0);
    assert_eq!(zx_fifo_create(2, 4, 0, &mut a, &mut b), ZX_OK);
    assert_eq!(zx_fifo_create(0, 4, 0, &mut a, &mut b), ZX_ERR_OUT_OF_RANGE);
    assert_eq!(
        zx_fifo_create(1024, 8, 0, &mut a, &mut b),
        ZX_ERR_OUT_OF_RANGE
    );
    let mut n = 0;
    assert_eq!(zx_fifo_write(a, 4, b"aaaabbbbcccc", 3, Some(&mut n)), ZX_OK);
    assert_eq!(n, 2);
    assert_eq!(signals(a) & ZX_FIFO_WRITABLE, 0);
    assert_eq!(
        zx_fifo_write(a, 4, b"dddd", 1, Some(&mut n)),
        ZX_ERR_SHOULD_WAIT
    );
    let mut out = [0u8; 8];
    assert_eq!(zx_fifo_read(b, 4, &mut out, 2, Some(&mut n)), ZX_OK);
    assert_eq!(&out, b"aaaabbbb");
    assert_eq!(signals(a) & ZX_FIFO_WRITABLE, ZX_FIFO_WRITABLE);
    assert_eq!(
        zx_fifo_read(b, 3, &mut out, 1, Some(&mut n)),
        ZX_ERR_OUT_OF_RANGE
    );
    zx_handle_close(a);
    assert_eq!(
        zx_fifo_read(b, 4, &mut out, 1, Some(&mut n)),
        ZX_ERR_PEER_CLOSED
    );
    zx_handle_close(b);
    assert_eq!((kernel.live_objects(), kernel.live_handles()), (0, 0));
}

/// The Rust rendering passes the element buffer as a slice: one shorter than `count` elements
/// is refused (the C call would read or write past it), one longer is used up to `count`.
#[test]
fn fifo_buffers_must_hold_count_elements() {
    let (kernel, process) = setup();
    let _bound = process.bind();
    let (mut a, mut b) = (0, 0);
    assert_eq!(zx_fifo_create(4, 4, 0, &mut a, &mut b), ZX_OK);
    let mut n = 7;
    assert_eq!(
        zx_fifo_write(a, 4, b"aaaabbb", 2, Some(&mut n)),
        ZX_ERR_INVALID_ARGS
    );
    assert_eq!(n, 7, "nothing reported");
    assert_eq!(signals(b) & ZX_FIFO_READABLE, 0, "nothing written");
    assert_eq!(zx_fifo_write(a, 4, b"aaaabbbbcc", 2, Some(&mut n)), ZX_OK);
    assert_eq!(n, 2);
    let mut out = [0u8; 7];
    assert_eq!(
        zx_fifo_read(b, 4, &mut out, 2, Some(&mut n)),
        ZX_ERR_INVALID_ARGS
    );
    assert_eq!(
        signals(b) & ZX_FIFO_READABLE,
        ZX_FIFO_READABLE,
        "nothing read"
    );
    let mut out = [0u8; 10];
    assert_eq!(zx_fifo_read(b, 4, &mut out, 2, Some(&mut n)), ZX_OK);
    assert_eq!((n, &out[..8]), (2, &b"aaaabbbb"[..]));
    zx_handle_close(a);
    zx_handle_close(b);
    assert_eq!((kernel.live_objects(), kernel.live_handles()), (0, 0));
}
