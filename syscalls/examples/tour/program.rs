//! A small two-process program that makes every cause → effect pair a trace draws, then leaves
//! some state behind for a snapshot to show. Shared by the `tour` example and the trace and
//! snapshot tests (which check what it produces).

use std::sync::Arc;

use zxsim_kernel::{Kernel, Process};
use zxsim_syscalls::sys::*;

/// The two processes, kept alive (with what [`leave_state`] left in them) until dropped.
pub struct Tour {
    pub client: Arc<Process>,
    pub server: Arc<Process>,
}

fn ok(status: zx_status_t, what: &str) {
    assert_eq!(status, ZX_OK, "{what}");
}

fn wait_packet(port: zx_handle_t) -> zx_port_packet_t {
    let mut packet = zx_port_packet_t::default();
    ok(
        zx_port_wait(port, ZX_TIME_INFINITE, &mut packet),
        "port_wait",
    );
    packet
}

/// Every flow once: wait_async → signal → port_wait; port_queue → port_wait; a call across
/// processes (request → server read, server write → reply); write → read; timer set → fire;
/// wait_async → cancel. Runs on a kernel with a virtual clock; the calling thread is unbound.
pub fn run_flows(kernel: &Kernel) -> Tour {
    let client = kernel.create_process();
    let server = kernel.create_process();
    let _bound = client.bind();
    let (mut port, mut event) = (0, 0);
    ok(zx_port_create(0, &mut port), "port_create");
    ok(zx_event_create(0, &mut event), "event_create");

    // An async wait, fired by a signal, dequeued by port_wait.
    ok(
        zx_object_wait_async(event, port, 1, ZX_EVENT_SIGNALED, 0),
        "wait_async",
    );
    ok(zx_object_signal(event, 0, ZX_EVENT_SIGNALED), "signal");
    assert_eq!(wait_packet(port).key, 1);

    // A user packet.
    let user = zx_port_packet_t {
        key: 2,
        ..Default::default()
    };
    ok(zx_port_queue(port, &user), "port_queue");
    assert_eq!(wait_packet(port).key, 2);

    // A call to a server in the other process, then a plain message.
    let (mut near, mut far) = (0, 0);
    ok(zx_channel_create(0, &mut near, &mut far), "channel_create");
    let far = server.add_handle(client.handles().remove(far).expect("far end"));
    // The server registers its wait before the call, so the call's write is what fires it.
    let (ready_tx, ready) = std::sync::mpsc::channel();
    let serving = server.spawn(move || serve(far, ready_tx));
    ready.recv().expect("server ready");
    let mut reply = [0u8; 8];
    let (mut actual_bytes, mut actual_handles) = (0, 0);
    let mut args = zx_channel_call_args_t {
        wr_bytes: &[0, 0, 0, 0, b'h', b'i'],
        wr_handles: &[],
        rd_bytes: &mut reply,
        rd_handles: &mut [],
    };
    ok(
        zx_channel_call(
            near,
            0,
            ZX_TIME_INFINITE,
            &mut args,
            &mut actual_bytes,
            &mut actual_handles,
        ),
        "channel_call",
    );
    assert_eq!(&reply[4..6], b"ok");
    ok(zx_channel_write(near, 0, b"bye", &[]), "channel_write");
    serving.join().expect("server thread");

    // A timer: armed, fired by advancing the virtual clock, its packet dequeued.
    let mut timer = 0;
    ok(zx_timer_create(0, 0, &mut timer), "timer_create");
    ok(
        zx_object_wait_async(timer, port, 4, ZX_TIMER_SIGNALED, 0),
        "wait_async timer",
    );
    ok(zx_timer_set(timer, 1_000, 0), "timer_set");
    kernel.advance_clock(1_000);
    assert_eq!(wait_packet(port).key, 4);

    // A wait ended by cancel_key.
    ok(
        zx_object_wait_async(event, port, 5, ZX_USER_SIGNAL_0, 0),
        "wait_async 5",
    );
    ok(zx_port_cancel_key(port, 0, 5), "cancel_key");

    for handle in [timer, near, event, port] {
        ok(zx_handle_close(handle), "close");
    }
    Tour { client, server }
}

/// The server: waits for the request through its own port, replies, then reads the plain
/// message after a synchronous wait. Keeps its endpoint (a snapshot shows it).
fn serve(channel: zx_handle_t, ready: std::sync::mpsc::Sender<()>) {
    let mut port = 0;
    ok(zx_port_create(0, &mut port), "server port_create");
    ok(
        zx_object_wait_async(channel, port, 3, ZX_CHANNEL_READABLE, 0),
        "server wait_async",
    );
    ready.send(()).expect("the client waits");
    assert_eq!(wait_packet(port).key, 3);
    let mut request = [0u8; 16];
    let (mut bytes, mut handles) = (0, 0);
    ok(
        zx_channel_read(
            channel,
            0,
            &mut request,
            &mut [],
            Some(&mut bytes),
            Some(&mut handles),
        ),
        "server read",
    );
    let mut answer = [0u8; 6];
    answer[..4].copy_from_slice(&request[..4]);
    answer[4..].copy_from_slice(b"ok");
    ok(zx_channel_write(channel, 0, &answer, &[]), "server reply");
    let mut observed = 0;
    ok(
        zx_object_wait_one(
            channel,
            ZX_CHANNEL_READABLE,
            ZX_TIME_INFINITE,
            Some(&mut observed),
        ),
        "server wait_one",
    );
    ok(
        zx_channel_read(
            channel,
            0,
            &mut request,
            &mut [],
            Some(&mut bytes),
            Some(&mut handles),
        ),
        "server read bye",
    );
    ok(zx_handle_close(port), "server close port");
}

/// Leaves state for a snapshot, all in the client: a port with a pending async wait on an event
/// (key 6) and a queued user packet (key 7); a channel whose one endpoint holds an unread 3-byte
/// message carrying a handle to the event; an armed timer (deadline 5 000). Returns the handles
/// (port, event, channel endpoints, timer).
pub fn leave_state(tour: &Tour) -> [zx_handle_t; 5] {
    let _bound = tour.client.bind();
    let (mut port, mut event, mut timer) = (0, 0, 0);
    ok(zx_port_create(0, &mut port), "port_create");
    ok(zx_event_create(0, &mut event), "event_create");
    ok(
        zx_object_wait_async(event, port, 6, ZX_USER_SIGNAL_0, 0),
        "wait_async 6",
    );
    let user = zx_port_packet_t {
        key: 7,
        ..Default::default()
    };
    ok(zx_port_queue(port, &user), "port_queue 7");
    let (mut a, mut b) = (0, 0);
    ok(zx_channel_create(0, &mut a, &mut b), "channel_create");
    let mut carried = 0;
    ok(
        zx_handle_duplicate(event, ZX_RIGHT_SAME_RIGHTS, &mut carried),
        "duplicate",
    );
    ok(
        zx_channel_write(a, 0, b"msg", &[carried]),
        "write with a handle",
    );
    ok(zx_timer_create(0, 0, &mut timer), "timer_create");
    ok(zx_timer_set(timer, 5_000, 0), "timer_set");
    [port, event, a, b, timer]
}
