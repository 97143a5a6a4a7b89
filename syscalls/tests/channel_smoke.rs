//! Plumbing checks for channels (the conformance suite states the full behaviour).

use zxsim_kernel::{Config, Kernel, Profile};
use zxsim_syscalls::sys::*;

mod common;

fn kernel() -> Kernel {
    Kernel::new(
        Config::default()
            .with_profile(Profile::Rfc0240)
            .with_virtual_clock(),
    )
}

#[test]
fn messages_and_handles_cross_processes() {
    let kernel = kernel();
    let (a, b) = (kernel.create_process(), kernel.create_process());
    let bound = a.bind();
    let (mut c0, mut c1, mut event) = (0, 0, 0);
    assert_eq!(zx_channel_create(0, &mut c0, &mut c1), ZX_OK);
    assert_eq!(zx_event_create(0, &mut event), ZX_OK);
    // Send c1 itself to nobody: move it into process b through a second channel.
    let (mut t0, mut t1) = (0, 0);
    zx_channel_create(0, &mut t0, &mut t1);
    assert_eq!(zx_channel_write(t0, 0, b"hi", &[c1, event]), ZX_OK);
    assert_eq!(zx_handle_close(event), ZX_ERR_BAD_HANDLE, "moved");
    assert_eq!(zx_channel_write(t0, 0, b"x", &[t0]), ZX_ERR_NOT_SUPPORTED);
    drop(bound);
    // Process b reads t1's message? t1 is in a's table: move t1 to b by hand for the test.
    let t1_handle = a.handles().remove(t1).unwrap();
    let t1_in_b = b.add_handle(t1_handle);
    let _bound = b.bind();
    let mut bytes = [0u8; 8];
    let mut handles = [0u32; 2];
    let (mut nb, mut nh) = (0, 0);
    assert_eq!(
        zx_channel_read(
            t1_in_b,
            0,
            &mut bytes,
            &mut handles,
            Some(&mut nb),
            Some(&mut nh)
        ),
        ZX_OK
    );
    assert_eq!((&bytes[..nb as usize], nh), (&b"hi"[..], 2));
    let mut peer_signals = 0;
    assert_eq!(
        zx_object_wait_one(t1_in_b, ZX_CHANNEL_PEER_CLOSED, 0, Some(&mut peer_signals)),
        ZX_OK
    );
    assert_eq!(
        zx_handle_close_many(&[handles[0], handles[1], t1_in_b]),
        ZX_OK
    );
    drop(_bound);
    let _bound = a.bind();
    assert_eq!(zx_handle_close(c0), ZX_OK);
    assert_eq!((kernel.live_objects(), kernel.live_handles()), (0, 0));
}

#[test]
fn two_hundred_nested_channels_are_destroyed_without_recursion() {
    let kernel = kernel();
    let process = kernel.create_process();
    let _bound = process.bind();
    let (mut outer0, mut outer1) = (0, 0);
    zx_channel_create(0, &mut outer0, &mut outer1);
    for _ in 0..200 {
        let (mut c0, mut c1) = (0, 0);
        zx_channel_create(0, &mut c0, &mut c1);
        // Put the current outer pair inside the new channel, then the new pair becomes outer.
        assert_eq!(zx_channel_write(c0, 0, b"", &[outer0, outer1]), ZX_OK);
        outer0 = c0;
        outer1 = c1;
    }
    assert_eq!(kernel.live_handles(), 402);
    let run = std::thread::Builder::new().stack_size(64 * 1024);
    let handle = run
        .spawn({
            let process = process.clone();
            move || {
                let _bound = process.bind();
                zx_handle_close_many(&[outer0, outer1])
            }
        })
        .unwrap();
    assert_eq!(handle.join().unwrap(), ZX_OK);
    assert_eq!((kernel.live_objects(), kernel.live_handles()), (0, 0));
}

#[test]
fn call_gets_its_reply_straight_and_times_out_on_the_virtual_clock() {
    let kernel = kernel();
    let process = kernel.create_process();
    let _bound = process.bind();
    let (mut client, mut server) = (0, 0);
    zx_channel_create(0, &mut client, &mut server);
    let server_thread = process.spawn(move || {
        let mut request = [0u8; 16];
        loop {
            let mut n = 0;
            match zx_channel_read(server, 0, &mut request, &mut [], Some(&mut n), None) {
                ZX_OK => break,
                ZX_ERR_SHOULD_WAIT => {
                    zx_object_wait_one(server, ZX_CHANNEL_READABLE, ZX_TIME_INFINITE, None);
                }
                other => panic!("{other}"),
            }
        }
        let txid = u32::from_le_bytes(request[..4].try_into().unwrap());
        assert!(txid >= 0x8000_0000);
        let mut reply = request[..4].to_vec();
        reply.extend_from_slice(b"pong");
        assert_eq!(zx_channel_write(server, 0, &reply, &[]), ZX_OK);
        server
    });
    let mut rd = [0u8; 16];
    let (mut nb, mut nh) = (0, 0);
    let mut args = zx_channel_call_args_t {
        wr_bytes: b"\0\0\0\0ping",
        wr_handles: &[],
        rd_bytes: &mut rd,
        rd_handles: &mut [],
    };
    assert_eq!(
        zx_channel_call(client, 0, ZX_TIME_INFINITE, &mut args, &mut nb, &mut nh),
        ZX_OK
    );
    assert_eq!(&rd[4..nb as usize], b"pong");
    let mut signals = 0;
    zx_object_wait_one(client, ZX_CHANNEL_READABLE, 0, Some(&mut signals));
    assert_eq!(
        signals & ZX_CHANNEL_READABLE,
        0,
        "a matched reply never raises READABLE"
    );
    let server = server_thread.join().unwrap();
    // Now a call nobody answers: it ends at the deadline on the virtual clock.
    let caller = process.spawn(move || {
        let mut rd = [0u8; 16];
        let (mut nb, mut nh) = (0, 0);
        let mut args = zx_channel_call_args_t {
            wr_bytes: b"\0\0\0\0ping",
            wr_handles: &[],
            rd_bytes: &mut rd,
            rd_handles: &mut [],
        };
        zx_channel_call(client, 0, 1_000, &mut args, &mut nb, &mut nh)
    });
    common::eventually("the caller to block on its deadline", || {
        kernel.clock().next_deadline().is_some()
    });
    kernel.advance_clock(1_000);
    assert_eq!(caller.join().unwrap(), ZX_ERR_TIMED_OUT);
    zx_handle_close_many(&[client, server]);
    assert_eq!((kernel.live_objects(), kernel.live_handles()), (0, 0));
}

#[test]
fn an_iovec_describes_the_buffer_it_borrows() {
    let bytes = *b"gather";
    let iovec = zx_channel_iovec_t::new(&bytes);
    assert_eq!(iovec.buffer(), bytes.as_ptr());
    assert_eq!(iovec.capacity(), 6);
    assert_eq!(iovec.as_slice(), b"gather");
    assert_eq!(iovec.reserved, 0);
    let empty = zx_channel_iovec_t::default();
    assert_eq!((empty.capacity(), empty.as_slice()), (0, &[][..]));
    // Debug shows the C fields (what a trace of a refused call would print).
    let shown = format!("{iovec:?}");
    assert!(
        shown.starts_with("zx_channel_iovec_t { buffer: 0x") && shown.contains("capacity: 6"),
        "{shown}"
    );
}
