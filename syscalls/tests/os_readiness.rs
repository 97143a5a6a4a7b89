//! Sockets backed by OS descriptors and ports that OS event loops wait on (Linux: epoll through
//! mio; the kqueue path compiles through the same crate but is not exercised here).
#![cfg(unix)]

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream, UdpSocket};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::time::Duration;

use zxsim_kernel::{Config, Kernel, Process};
use zxsim_syscalls::sys::*;

fn setup() -> (Kernel, std::sync::Arc<Process>) {
    let kernel = Kernel::new(Config::default());
    let process = kernel.create_process();
    (kernel, process)
}

fn tcp_pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (server, _) = listener.accept().unwrap();
    (client, server)
}

fn adopt(fd: impl Into<OwnedFd>) -> zx_handle_t {
    let mut handle = 0;
    assert_eq!(zxsim_socket_from_fd(fd.into(), 0, &mut handle), ZX_OK);
    handle
}

/// `pipe(2)`: (read end, write end).
fn pipe() -> (OwnedFd, OwnedFd) {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for two descriptors.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    // SAFETY: both descriptors were just created and belong to nobody else.
    unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) }
}

const SECOND: i64 = 1_000_000_000;

fn wait_for(handle: zx_handle_t, signals: zx_signals_t) -> zx_signals_t {
    let mut observed = 0;
    assert_eq!(
        zx_object_wait_one(
            handle,
            signals,
            zx_deadline_after(5 * SECOND),
            Some(&mut observed)
        ),
        ZX_OK,
        "waiting for {signals:#x}"
    );
    observed
}

fn current(handle: zx_handle_t) -> zx_signals_t {
    let mut observed = 0;
    zx_object_wait_one(handle, 0, 0, Some(&mut observed));
    observed
}

#[test]
fn tcp_readiness_drives_a_port_and_would_block_clears_readable() {
    let (kernel, process) = setup();
    let _bound = process.bind();
    let (ours, mut theirs) = tcp_pair();
    let socket = adopt(ours);
    let mut port = 0;
    zx_port_create(0, &mut port);
    wait_for(socket, ZX_SOCKET_WRITABLE);
    assert_eq!(
        zx_object_wait_async(socket, port, 7, ZX_SOCKET_READABLE, 0),
        ZX_OK
    );
    theirs.write_all(b"hello").unwrap();
    let mut packet = zx_port_packet_t::default();
    assert_eq!(
        zx_port_wait(port, zx_deadline_after(5 * SECOND), &mut packet),
        ZX_OK
    );
    assert_eq!(
        (packet.key, packet.signal().trigger),
        (7, ZX_SOCKET_READABLE)
    );
    let mut buf = [0u8; 16];
    let mut n = 0;
    assert_eq!(
        zx_socket_read(socket, ZX_SOCKET_PEEK, &mut buf, Some(&mut n)),
        ZX_OK
    );
    assert_eq!(&buf[..n], b"hello");
    assert_eq!(zx_socket_read(socket, 0, &mut buf, Some(&mut n)), ZX_OK);
    assert_eq!(&buf[..n], b"hello");
    assert_eq!(
        zx_socket_read(socket, 0, &mut buf, Some(&mut n)),
        ZX_ERR_SHOULD_WAIT
    );
    assert_eq!(
        current(socket) & ZX_SOCKET_READABLE,
        0,
        "WouldBlock cleared READABLE"
    );
    assert_eq!(zx_socket_write(socket, 0, b"back", Some(&mut n)), ZX_OK);
    let mut echo = [0u8; 4];
    theirs.read_exact(&mut echo).unwrap();
    assert_eq!(&echo, b"back");
    // Edge-triggered registration, yet new data raises READABLE again.
    theirs.write_all(b"again").unwrap();
    wait_for(socket, ZX_SOCKET_READABLE);
    zx_handle_close_many(&[socket, port]);
    assert_eq!((kernel.live_objects(), kernel.live_handles()), (0, 0));
}

#[test]
fn closing_the_last_handle_closes_the_fd() {
    let (_kernel, process) = setup();
    let _bound = process.bind();
    let (ours, mut theirs) = tcp_pair();
    let socket = adopt(ours);
    zx_handle_close(socket);
    assert_end_of_stream(&mut theirs, "the peer sees end of stream");
}

/// Asserts the other end of a TCP pair reads end of stream (within 5 s): our end was closed.
#[track_caller]
fn assert_end_of_stream(theirs: &mut TcpStream, why: &str) {
    theirs
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut buf = [0u8; 1];
    assert_eq!(theirs.read(&mut buf).unwrap(), 0, "{why}");
}

#[test]
fn peer_half_close_raises_peer_write_disabled_then_reads_answer_bad_state() {
    let (_kernel, process) = setup();
    let _bound = process.bind();
    let (ours, mut theirs) = tcp_pair();
    let socket = adopt(ours);
    theirs.write_all(b"last").unwrap();
    theirs.shutdown(Shutdown::Write).unwrap();
    wait_for(socket, ZX_SOCKET_PEER_WRITE_DISABLED);
    let mut buf = [0u8; 16];
    let mut n = 0;
    assert_eq!(zx_socket_read(socket, 0, &mut buf, Some(&mut n)), ZX_OK);
    assert_eq!(&buf[..n], b"last");
    assert_eq!(
        zx_socket_read(socket, 0, &mut buf, Some(&mut n)),
        ZX_ERR_BAD_STATE
    );
    // Our direction still works.
    assert_eq!(zx_socket_write(socket, 0, b"still", Some(&mut n)), ZX_OK);
    zx_handle_close(socket);
}

#[test]
fn peer_reset_raises_peer_closed() {
    let (_kernel, process) = setup();
    let _bound = process.bind();
    let (ours, theirs) = tcp_pair();
    let socket = adopt(ours);
    // SO_LINGER 0: close sends a RST.
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: a valid linger value and its size for a socket we own.
    unsafe {
        libc::setsockopt(
            theirs.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&linger as *const libc::linger).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        );
    }
    drop(theirs);
    wait_for(socket, ZX_SOCKET_PEER_CLOSED);
    let mut buf = [0u8; 4];
    let mut status = ZX_OK;
    for _ in 0..100 {
        status = zx_socket_read(socket, 0, &mut buf, None);
        if status != ZX_ERR_SHOULD_WAIT {
            break;
        }
    }
    assert_eq!(status, ZX_ERR_PEER_CLOSED);
    assert_eq!(zx_socket_write(socket, 0, b"x", None), ZX_ERR_PEER_CLOSED);
    assert_eq!(current(socket) & ZX_SOCKET_WRITABLE, 0);
    zx_handle_close(socket);
}

#[test]
fn a_full_send_buffer_answers_should_wait_and_writable_returns_when_drained() {
    let (_kernel, process) = setup();
    let _bound = process.bind();
    let (ours, mut theirs) = UnixStream::pair().unwrap();
    let socket = adopt(ours);
    wait_for(socket, ZX_SOCKET_WRITABLE);
    let chunk = vec![7u8; 64 * 1024];
    let mut written = 0usize;
    loop {
        let mut n = 0;
        match zx_socket_write(socket, 0, &chunk, Some(&mut n)) {
            ZX_OK => written += n,
            ZX_ERR_SHOULD_WAIT => break,
            other => panic!("{other}"),
        }
    }
    assert_eq!(current(socket) & ZX_SOCKET_WRITABLE, 0);
    let mut sink = vec![0u8; written];
    theirs.read_exact(&mut sink).unwrap();
    wait_for(socket, ZX_SOCKET_WRITABLE);
    zx_handle_close(socket);
}

#[test]
fn udp_sockets_are_datagram_sockets() {
    let (_kernel, process) = setup();
    let _bound = process.bind();
    let a = UdpSocket::bind("127.0.0.1:0").unwrap();
    let b = UdpSocket::bind("127.0.0.1:0").unwrap();
    a.connect(b.local_addr().unwrap()).unwrap();
    b.connect(a.local_addr().unwrap()).unwrap();
    let socket = adopt(a);
    b.send(b"datagram").unwrap();
    wait_for(socket, ZX_SOCKET_READABLE);
    let mut small = [0u8; 4];
    let mut n = 0;
    assert_eq!(zx_socket_read(socket, 0, &mut small, Some(&mut n)), ZX_OK);
    assert_eq!(&small[..n], b"data", "truncated; the rest is discarded");
    assert_eq!(
        zx_socket_read(socket, 0, &mut small, Some(&mut n)),
        ZX_ERR_SHOULD_WAIT
    );
    assert_eq!(zx_socket_write(socket, 0, b"reply", Some(&mut n)), ZX_OK);
    let mut buf = [0u8; 8];
    b.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    assert_eq!(b.recv(&mut buf).unwrap(), 5);
    let mut info = zx_info_socket_t::default();
    assert_eq!(
        zx_object_get_info(socket, ZX_INFO_SOCKET, info.as_bytes_mut(), None, None),
        ZX_OK
    );
    assert_eq!(info.options, ZX_SOCKET_DATAGRAM);
    zx_handle_close(socket);
}

#[test]
fn pipes_are_stream_sockets_without_peek() {
    let (_kernel, process) = setup();
    let _bound = process.bind();
    let (read_fd, write_fd) = pipe();
    let (read_end, write_end) = (adopt(read_fd), adopt(write_fd));
    wait_for(write_end, ZX_SOCKET_WRITABLE);
    assert_eq!(zx_socket_write(write_end, 0, b"pipe", None), ZX_OK);
    wait_for(read_end, ZX_SOCKET_READABLE);
    let mut buf = [0u8; 8];
    let mut n = 0;
    assert_eq!(
        zx_socket_read(read_end, ZX_SOCKET_PEEK, &mut buf, Some(&mut n)),
        ZX_ERR_NOT_SUPPORTED
    );
    assert_eq!(zx_socket_read(read_end, 0, &mut buf, Some(&mut n)), ZX_OK);
    assert_eq!(&buf[..n], b"pipe");
    zx_handle_close(write_end);
    wait_for(read_end, ZX_SOCKET_PEER_CLOSED);
    assert_eq!(
        zx_socket_read(read_end, 0, &mut buf, Some(&mut n)),
        ZX_ERR_PEER_CLOSED
    );
    zx_handle_close(read_end);
}

#[test]
fn bad_descriptors_are_refused_without_panicking() {
    let (kernel, process) = setup();
    let _bound = process.bind();
    let mut handle = 0;
    let file = std::fs::File::open("/dev/null").unwrap();
    assert_eq!(
        zxsim_socket_from_fd(file.into(), 0, &mut handle),
        ZX_ERR_NOT_SUPPORTED
    );
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    assert_eq!(
        zxsim_socket_from_fd(listener.into(), 0, &mut handle),
        ZX_ERR_NOT_SUPPORTED
    );
    let unconnected = UdpSocket::bind("127.0.0.1:0").unwrap();
    assert_eq!(
        zxsim_socket_from_fd(unconnected.into(), 0, &mut handle),
        ZX_ERR_BAD_STATE,
        "an unconnected datagram socket has no peer"
    );
    let (ours, mut theirs) = tcp_pair();
    assert_eq!(
        zxsim_socket_from_fd(ours.into(), 1, &mut handle),
        ZX_ERR_INVALID_ARGS
    );
    assert_end_of_stream(&mut theirs, "the refused descriptor was closed");
    assert_eq!((kernel.live_objects(), kernel.live_handles()), (0, 0));
}

#[test]
fn a_pipe_end_cannot_do_the_other_direction_and_that_is_no_hang_up() {
    let (_kernel, process) = setup();
    let _bound = process.bind();
    let (read_fd, write_fd) = pipe();
    let (read_end, write_end) = (adopt(read_fd), adopt(write_fd));
    assert_eq!(zx_socket_write(read_end, 0, b"x", None), ZX_ERR_BAD_STATE);
    let mut buf = [0u8; 4];
    assert_eq!(
        zx_socket_read(write_end, 0, &mut buf, None),
        ZX_ERR_BAD_STATE
    );
    let (at_read_end, at_write_end) = (current(read_end), current(write_end));
    assert_eq!(
        at_read_end & ZX_SOCKET_PEER_CLOSED,
        0,
        "the writer is alive"
    );
    assert_eq!(
        at_write_end & ZX_SOCKET_PEER_CLOSED,
        0,
        "the reader is alive"
    );
    assert_ne!(at_read_end & ZX_SOCKET_WRITE_DISABLED, 0);
    assert_ne!(at_write_end & ZX_SOCKET_PEER_WRITE_DISABLED, 0);
    assert_eq!(zx_socket_write(write_end, 0, b"ok", None), ZX_OK);
    wait_for(read_end, ZX_SOCKET_READABLE);
    let mut n = 0;
    assert_eq!(zx_socket_read(read_end, 0, &mut buf, Some(&mut n)), ZX_OK);
    assert_eq!(&buf[..n], b"ok");
    assert_eq!(
        zx_socket_set_disposition(read_end, ZX_SOCKET_DISPOSITION_WRITE_ENABLED, 0),
        ZX_ERR_BAD_STATE,
        "a read-only descriptor cannot be made writable"
    );
    zx_handle_close_many(&[read_end, write_end]);
}

#[test]
fn adopting_an_adopted_descriptor_again_leaves_the_first_socket_working() {
    let (kernel, process) = setup();
    let _bound = process.bind();
    let (ours, mut theirs) = tcp_pair();
    let raw = ours.as_raw_fd();
    let first = adopt(ours);
    let mut second = 0;
    // SAFETY: deliberately claims a descriptor the first socket owns; zxsim must refuse it
    // without closing it (so this second owner is never dropped as one).
    let again = unsafe { OwnedFd::from_raw_fd(raw) };
    assert_eq!(
        zxsim_socket_from_fd(again, 0, &mut second),
        ZX_ERR_ALREADY_EXISTS
    );
    wait_for(first, ZX_SOCKET_WRITABLE);
    assert_eq!(zx_socket_write(first, 0, b"still", None), ZX_OK);
    let mut buf = [0u8; 5];
    theirs
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    theirs.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"still");
    theirs.write_all(b"back").unwrap();
    wait_for(first, ZX_SOCKET_READABLE);
    zx_handle_close(first);
    assert_eq!((kernel.live_objects(), kernel.live_handles()), (0, 0));
}

#[test]
fn disabling_writes_shuts_down_the_fd() {
    let (_kernel, process) = setup();
    let _bound = process.bind();
    let (ours, mut theirs) = tcp_pair();
    let socket = adopt(ours);
    // Enabling writes that were never disabled changes nothing.
    assert_eq!(
        zx_socket_set_disposition(socket, ZX_SOCKET_DISPOSITION_WRITE_ENABLED, 0),
        ZX_OK
    );
    assert_eq!(
        zx_socket_set_disposition(socket, 0, ZX_SOCKET_DISPOSITION_WRITE_DISABLED),
        ZX_ERR_NOT_SUPPORTED
    );
    assert_eq!(
        zx_socket_set_disposition(socket, ZX_SOCKET_DISPOSITION_WRITE_DISABLED, 0),
        ZX_OK
    );
    assert_eq!(
        current(socket) & ZX_SOCKET_WRITE_DISABLED,
        ZX_SOCKET_WRITE_DISABLED
    );
    assert_eq!(zx_socket_write(socket, 0, b"x", None), ZX_ERR_BAD_STATE);
    assert_eq!(
        zx_socket_set_disposition(socket, ZX_SOCKET_DISPOSITION_WRITE_ENABLED, 0),
        ZX_ERR_BAD_STATE
    );
    theirs
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut buf = [0u8; 1];
    assert_eq!(theirs.read(&mut buf).unwrap(), 0);
    zx_handle_close(socket);
}

// ---- ports an OS event loop can wait on -------------------------------------------------------

/// Polls `fd` for readability for up to `timeout_ms`.
fn fd_readable(fd: i32, timeout_ms: i32) -> bool {
    let mut pfd = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd.
    let n = unsafe { libc::poll(&mut pfd, 1, timeout_ms) };
    n == 1 && pfd.revents & libc::POLLIN != 0
}

fn user_packet(key: u64) -> zx_port_packet_t {
    zx_port_packet_t::new_user(key, 0, zx_packet_user_t::default())
}

fn drain(port: zx_handle_t) -> usize {
    let mut packet = zx_port_packet_t::default();
    let mut n = 0;
    while zx_port_wait(port, 0, &mut packet) == ZX_OK {
        n += 1;
    }
    n
}

#[test]
fn port_fd_wakes_when_a_packet_arrives() {
    let (_kernel, process) = setup();
    let _bound = process.bind();
    let mut port = 0;
    zx_port_create(0, &mut port);
    let mut fd = -1;
    assert_eq!(zxsim_port_get_fd(port, &mut fd), ZX_OK);
    assert!(!fd_readable(fd, 0));
    let queuer = process.spawn(move || {
        std::thread::sleep(Duration::from_millis(20));
        zx_port_queue(port, &user_packet(1))
    });
    assert!(
        fd_readable(fd, 5_000),
        "woken by a packet queued on another thread"
    );
    assert_eq!(queuer.join().unwrap(), ZX_OK);
    assert_eq!(drain(port), 1);
    assert_eq!(zxsim_port_rearm(port), ZX_OK);
    assert!(!fd_readable(fd, 0));
    zx_handle_close(port);
}

#[test]
fn port_fd_notify_before_wait_is_not_lost() {
    let (_kernel, process) = setup();
    let _bound = process.bind();
    let mut port = 0;
    zx_port_create(0, &mut port);
    // A packet queued before the descriptor even exists, and one before anyone waits.
    zx_port_queue(port, &user_packet(1));
    let mut fd = -1;
    assert_eq!(zxsim_port_get_fd(port, &mut fd), ZX_OK);
    assert!(fd_readable(fd, 0));
    assert_eq!(drain(port), 1);
    zxsim_port_rearm(port);
    zx_port_queue(port, &user_packet(2));
    assert!(fd_readable(fd, 0));
    zx_handle_close(port);
}

#[test]
fn port_fd_batched_notifications_make_one_wake_up() {
    let (_kernel, process) = setup();
    let _bound = process.bind();
    let mut port = 0;
    zx_port_create(0, &mut port);
    let mut fd = -1;
    zxsim_port_get_fd(port, &mut fd);
    for key in 0..100 {
        zx_port_queue(port, &user_packet(key));
    }
    // One wake-up: the eventfd counter holds exactly one notification.
    let mut counter = 0u64;
    // SAFETY: reading 8 bytes into a u64 from the eventfd (Linux) / up to 8 bytes from a pipe.
    let n = unsafe { libc::read(fd, (&mut counter as *mut u64).cast(), 8) };
    assert!(n > 0);
    #[cfg(target_os = "linux")]
    assert_eq!(counter, 1, "100 packets, one notification");
    assert!(!fd_readable(fd, 0));
    assert_eq!(drain(port), 100);
    zxsim_port_rearm(port);
    assert!(!fd_readable(fd, 0));
    zx_handle_close(port);
}

#[test]
fn rearm_with_packets_left_notifies_again() {
    let (_kernel, process) = setup();
    let _bound = process.bind();
    let mut port = 0;
    zx_port_create(0, &mut port);
    let mut fd = -1;
    zxsim_port_get_fd(port, &mut fd);
    assert_eq!(zxsim_port_rearm(port), ZX_OK);
    zx_port_queue(port, &user_packet(1));
    zx_port_queue(port, &user_packet(2));
    let mut packet = zx_port_packet_t::default();
    assert_eq!(zx_port_wait(port, 0, &mut packet), ZX_OK); // drains only one
    assert_eq!(zxsim_port_rearm(port), ZX_OK);
    assert!(fd_readable(fd, 0), "a packet is still queued");
    let mut other = 0;
    zx_port_create(0, &mut other);
    assert_eq!(zxsim_port_rearm(other), ZX_ERR_BAD_STATE);
    zx_handle_close_many(&[port, other]);
}

#[test]
fn a_plain_mio_loop_waits_on_a_port() {
    use mio::unix::SourceFd;
    use mio::{Events, Interest, Poll, Token};
    let (_kernel, process) = setup();
    let _bound = process.bind();
    let mut port = 0;
    zx_port_create(0, &mut port);
    let mut fd = -1;
    zxsim_port_get_fd(port, &mut fd);
    let mut poll = Poll::new().unwrap();
    poll.registry()
        .register(&mut SourceFd(&fd), Token(1), Interest::READABLE)
        .unwrap();
    let producer = process.spawn(move || {
        for key in 0..10 {
            zx_port_queue(port, &user_packet(key));
            std::thread::sleep(Duration::from_millis(1));
        }
    });
    let mut events = Events::with_capacity(8);
    let mut received = 0;
    while received < 10 {
        poll.poll(&mut events, Some(Duration::from_secs(5)))
            .unwrap();
        assert!(!events.is_empty(), "timed out");
        received += drain(port);
        zxsim_port_rearm(port);
    }
    producer.join().unwrap();
    assert_eq!(received, 10);
    zx_handle_close(port);
}

#[test]
fn tokio_async_fd_waits_on_a_port() {
    use tokio::io::unix::AsyncFd;
    let (_kernel, process) = setup();
    let _bound = process.bind();
    let mut port = 0;
    zx_port_create(0, &mut port);
    let mut fd = -1;
    zxsim_port_get_fd(port, &mut fd);
    let producer = process.spawn(move || {
        for key in 0..5 {
            std::thread::sleep(Duration::from_millis(2));
            zx_port_queue(port, &user_packet(key));
        }
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .unwrap();
    let received = runtime.block_on(async {
        // SAFETY: the port owns `fd` and keeps it open until its last handle closes, which is
        // after this runtime (and the AsyncFd) are gone.
        let async_fd =
            unsafe { AsyncFd::register_with_interest(fd, tokio::io::Interest::READABLE) }.unwrap();
        let mut received = 0;
        while received < 5 {
            let mut guard = tokio::time::timeout(Duration::from_secs(5), async_fd.readable())
                .await
                .unwrap()
                .unwrap();
            received += drain(port);
            zxsim_port_rearm(port);
            guard.clear_ready();
        }
        received
    });
    producer.join().unwrap();
    assert_eq!(received, 5);
    zx_handle_close(port);
}
