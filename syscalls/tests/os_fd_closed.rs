//! The EBADF case: a descriptor closed behind zxsim's back. Alone in its own test binary (its own
//! process) because the freed fd number could otherwise be reused by a test running in parallel,
//! and zxsim's eventual close would then close that test's descriptor.
#![cfg(unix)]

use std::net::{TcpListener, TcpStream};
use std::os::fd::{AsRawFd, IntoRawFd};

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
    assert_eq!(
        zxsim_socket_from_fd(ours.into_raw_fd(), 0, &mut socket),
        ZX_OK
    );
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
    zx_handle_close(socket);
}
