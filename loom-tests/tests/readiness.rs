//! OS readiness models: readiness is never lost between an operation's `WouldBlock` and
//! the clearing of its signal. The OS side is the mock reactor and the in-memory descriptor
//! (`zxsim_kernel::os::mock`): real fds and epoll cannot run under loom.
//!
//! Bound: `LOOM_MAX_PREEMPTIONS` (default **2**; `cargo xtask loom` uses 3, `--quick` 2).
#![cfg(zxsim_loom)]

use zxsim_kernel::objects::socket::Socket;
use zxsim_kernel::os::endpoint::OsEndpoint;
use zxsim_kernel::os::mock::{MockIo, MockReactor};
use zxsim_kernel::os::OsEvent;
use zxsim_kernel::Profile;
use zxsim_loom_tests::{assert_nothing_leaked, check, kernel, signals, Race};
use zxsim_syscalls::sys::*;

fn status_name(status: zx_status_t) -> &'static str {
    match status {
        ZX_OK => "OK",
        ZX_ERR_SHOULD_WAIT => "SHOULD_WAIT",
        _ => "other",
    }
}

/// A reader's `zx_socket_read` racing the peer's data arrival and its readiness report: whenever
/// unread data remains at the end, READABLE is set (a waiter would wake). The reactor thread is
/// played by the arriving side, which reports readiness right after the data lands, as epoll
/// would. 2 threads; bound `LOOM_MAX_PREEMPTIONS` (default 2).
#[test]
fn read_would_block_vs_arrival_never_loses_readable() {
    check(
        "read_would_block_vs_arrival_never_loses_readable",
        &[
            "read then arrival; read SHOULD_WAIT",
            "arrival then read; read OK",
            "read overlapped arrival; read SHOULD_WAIT",
            "read overlapped arrival; read OK",
        ],
        || {
            let (kernel, process) = kernel(Profile::Rfc0240);
            let _bound = process.bind();
            let reactor = MockReactor::new();
            kernel.set_reactor(reactor.clone());
            let io = MockIo::stream();
            let endpoint = OsEndpoint::new(Box::new(io.clone()));
            endpoint
                .register(reactor.clone())
                .expect("mock registration");
            // The descriptor starts out reported readable (a spurious report: nothing to read).
            reactor.fire_all(OsEvent {
                readable: true,
                writable: true,
                ..OsEvent::default()
            });
            let socket = process
                .create_object(Socket::from_os(endpoint))
                .expect("socket");
            let race = Race::new("read", "arrival");
            let reader = process.spawn({
                let race = race.clone();
                move || {
                    let mut buf = [0u8; 4];
                    race.a(|| zx_socket_read(socket, 0, &mut buf, None))
                }
            });
            race.b(|| {
                io.push_incoming(b"x");
                reactor.fire_all(OsEvent {
                    readable: true,
                    ..OsEvent::default()
                });
            });
            let status = reader.join().expect("reader");
            let readable = signals(socket) & ZX_SOCKET_READABLE != 0;
            assert!(
                io.pending_incoming() == 0 || readable,
                "data is waiting but READABLE is clear: readiness lost ({})",
                race.order()
            );
            if status == ZX_OK {
                assert_eq!(io.pending_incoming(), 0);
            }
            assert_eq!(zx_handle_close(socket), ZX_OK);
            assert_eq!(reactor.registrations(), 0, "last handle closed deregisters");
            assert_nothing_leaked(&kernel);
            format!("{}; read {}", race.order(), status_name(status))
        },
    );
}

/// The same rule for writes: a `WouldBlock` on a full descriptor racing the peer draining it
/// (and the writable report) never leaves WRITABLE clear while there is room.
#[test]
fn write_would_block_vs_drain_never_loses_writable() {
    check(
        "write_would_block_vs_drain_never_loses_writable",
        &[
            "write then drain; write SHOULD_WAIT",
            "drain then write; write OK",
            "write overlapped drain; write SHOULD_WAIT",
            "write overlapped drain; write OK",
        ],
        || {
            let (kernel, process) = kernel(Profile::Rfc0240);
            let _bound = process.bind();
            let reactor = MockReactor::new();
            let io = MockIo::stream();
            io.set_outgoing_capacity(1);
            let endpoint = OsEndpoint::new(Box::new(io.clone()));
            endpoint
                .register(reactor.clone())
                .expect("mock registration");
            reactor.fire_all(OsEvent {
                writable: true,
                ..OsEvent::default()
            });
            let socket = process
                .create_object(Socket::from_os(endpoint))
                .expect("socket");
            assert_eq!(zx_socket_write(socket, 0, b"a", None), ZX_OK); // now full
            let race = Race::new("write", "drain");
            let writer = process.spawn({
                let race = race.clone();
                move || race.a(|| zx_socket_write(socket, 0, b"b", None))
            });
            race.b(|| {
                io.take_outgoing();
                reactor.fire_all(OsEvent {
                    writable: true,
                    ..OsEvent::default()
                });
            });
            let status = writer.join().expect("writer");
            let writable = signals(socket) & ZX_SOCKET_WRITABLE != 0;
            let room = io.take_outgoing().is_empty();
            assert!(
                !room || writable,
                "room to write but WRITABLE is clear ({})",
                race.order()
            );
            assert_eq!(zx_handle_close(socket), ZX_OK);
            assert_nothing_leaked(&kernel);
            format!("{}; write {}", race.order(), status_name(status))
        },
    );
}

/// Under the loom cfg the host bridges are stubs (real descriptors and the OS reactor cannot run
/// under loom): adopting a descriptor and asking a port for one answer NOT_SUPPORTED, hand out
/// nothing and leave nothing behind. One thread: a single interleaving.
#[test]
fn host_bridges_refuse_under_loom() {
    check("host_bridges_refuse_under_loom", &["refused"], || {
        let (kernel, process) = kernel(Profile::Rfc0240);
        let bound = process.bind();
        let (ours, _theirs) = std::os::unix::net::UnixStream::pair().expect("a socket pair");
        let mut handle = ZX_HANDLE_INVALID;
        assert_eq!(
            zxsim_socket_from_fd(ours.into(), 0, &mut handle),
            ZX_ERR_NOT_SUPPORTED
        );
        assert_eq!(handle, ZX_HANDLE_INVALID);
        let port = zxsim_loom_tests::port();
        let mut fd = -1;
        assert_eq!(zxsim_port_get_fd(port, &mut fd), ZX_ERR_NOT_SUPPORTED);
        assert_eq!(fd, -1);
        assert_eq!(zx_handle_close(port), ZX_OK);
        drop(bound);
        assert_nothing_leaked(&kernel);
        "refused".to_string()
    });
}
