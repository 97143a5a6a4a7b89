//! The EBADF case: a descriptor closed behind zxsim's back. Alone in its own test binary (its own
//! process, one test) because the freed fd number is reused on purpose: zxsim must then leave the
//! number — now another socket's — alone.
#![cfg(unix)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::time::Duration;

use zxsim_kernel::{Config, Kernel};
use zxsim_syscalls::sys::*;

#[test]
fn an_fd_closed_behind_zxsims_back_answers_bad_state_and_wakes_waiters() {
    let kernel = Kernel::new(Config::default());
    let process = kernel.create_process();
    let _bound = process.bind();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let ours = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (_theirs, _) = listener.accept().unwrap();
    let raw = ours.as_raw_fd();
    let mut socket = 0;
    assert_eq!(zxsim_socket_from_fd(ours.into(), 0, &mut socket), ZX_OK);
    assert_eq!(
        zx_object_wait_one(
            socket,
            ZX_SOCKET_WRITABLE,
            zx_deadline_after(5_000_000_000),
            None
        ),
        ZX_OK
    );
    // SAFETY: deliberately closes a descriptor zxsim owns, to provoke EBADF.
    unsafe { libc::close(raw) };
    let mut buf = [0u8; 4];
    assert_eq!(zx_socket_read(socket, 0, &mut buf, None), ZX_ERR_BAD_STATE);
    let mut observed = 0;
    zx_object_wait_one(socket, 0, 0, Some(&mut observed));
    assert_eq!(observed & ZX_SOCKET_PEER_CLOSED, ZX_SOCKET_PEER_CLOSED);
    assert_eq!(zx_socket_write(socket, 0, b"x", None), ZX_ERR_PEER_CLOSED);

    // The number is free again: the next connection gets it, and a second zxsim socket adopts it.
    let reused = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (mut reused_peer, _) = listener.accept().unwrap();
    assert_eq!(reused.as_raw_fd(), raw, "the lowest free number is reused");
    let mut second = 0;
    assert_eq!(zxsim_socket_from_fd(reused.into(), 0, &mut second), ZX_OK);
    // Closing the first socket must neither close nor deregister the number it lost.
    zx_handle_close(socket);
    reused_peer.write_all(b"ping").unwrap();
    assert_eq!(
        zx_object_wait_one(
            second,
            ZX_SOCKET_READABLE,
            zx_deadline_after(5_000_000_000),
            None
        ),
        ZX_OK,
        "the second socket is still registered"
    );
    let mut n = 0;
    assert_eq!(zx_socket_read(second, 0, &mut buf, Some(&mut n)), ZX_OK);
    assert_eq!(&buf[..n], b"ping");
    assert_eq!(zx_socket_write(second, 0, b"pong", None), ZX_OK);
    reused_peer
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut echo = [0u8; 4];
    reused_peer.read_exact(&mut echo).unwrap();
    assert_eq!(&echo, b"pong");
    zx_handle_close(second);
    assert_eq!((kernel.live_objects(), kernel.live_handles()), (0, 0));
}
