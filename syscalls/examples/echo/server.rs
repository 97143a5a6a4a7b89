//! Two TCP echo servers with the same behaviour, so they can be measured against each other:
//! - [`serve_zxsim`]: written Zircon-style — OS sockets adopted as zxsim sockets, one port, one
//!   `wait_async` per connection re-armed after each packet;
//! - [`serve_mio`]: the same server written directly on mio.
//!
//! Both accept connections on their own thread, echo every byte back, and stop when told.
//! Shared by `examples/echo_server.rs` and the `Socket/Echo` benchmark.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use zxsim_syscalls::zx::{
    self, AsHandleRef, HandleBased, Packet, PacketContents, Signals, UserPacket, WaitAsyncOpts,
};

/// A running server: its address and how to stop it.
pub struct Server {
    pub addr: SocketAddr,
    stop: Box<dyn FnOnce() + Send>,
    threads: Vec<JoinHandle<()>>,
}

impl Server {
    /// Stops the server and waits for its threads.
    pub fn stop(self) {
        (self.stop)();
        for thread in self.threads {
            thread.join().expect("server thread");
        }
    }
}

/// Port keys below this are connections; these two are control packets.
const KEY_NEW_CONNECTION: u64 = u64::MAX;
const KEY_STOP: u64 = u64::MAX - 1;

/// Accepts until `stop` is set (a connection to the listener wakes `accept`), handing each
/// stream to `adopt`, on a thread made by `spawn` (for zxsim, one bound to the server's process:
/// `adopt` owns a typed handle, which must be dropped where it is a handle).
fn acceptor(
    listener: TcpListener,
    stop: Arc<AtomicBool>,
    mut adopt: impl FnMut(TcpStream) + Send + 'static,
    spawn: impl FnOnce(Box<dyn FnOnce() + Send>) -> JoinHandle<()>,
) -> JoinHandle<()> {
    spawn(Box::new(move || {
        for stream in listener.incoming() {
            if stop.load(Ordering::Acquire) {
                break;
            }
            if let Ok(stream) = stream {
                stream.set_nodelay(true).ok();
                adopt(stream);
            }
        }
    }))
}

fn wake_acceptor(addr: SocketAddr) {
    let _ = TcpStream::connect(addr);
}

struct Connection {
    socket: zx::Socket,
    /// Bytes read but not yet written back (the peer is not reading fast enough).
    pending: Vec<u8>,
}

/// The Zircon-style echo server, on the calling process's kernel (bind the threads that call it).
pub fn serve_zxsim(process: Arc<zxsim_kernel::Process>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    let port = {
        let _bound = process.bind();
        zx::Port::create()
    };
    let stop = Arc::new(AtomicBool::new(false));

    // The acceptor adopts each stream and hands the handle to the loop in a user packet.
    let accept_port = {
        let _bound = process.bind();
        port.duplicate_handle(zx::Rights::SAME_RIGHTS)
            .expect("duplicate port")
    };
    let acceptor = {
        acceptor(
            listener,
            stop.clone(),
            move |stream| {
                let Ok(socket) = zx::Socket::from_std(stream) else {
                    return;
                };
                let mut payload = [0u8; 32];
                payload[..4].copy_from_slice(&socket.into_raw().to_le_bytes());
                let packet = Packet::from_user_packet(
                    KEY_NEW_CONNECTION,
                    0,
                    UserPacket::from_u8_array(payload),
                );
                accept_port.queue(&packet).expect("queue new connection");
            },
            |run| process.spawn(run),
        )
    };

    let control = {
        let _bound = process.bind();
        port.duplicate_handle(zx::Rights::SAME_RIGHTS)
            .expect("duplicate port")
    };
    let event_loop = process.spawn(move || event_loop(port));
    let stop_process = process.clone();
    Server {
        addr,
        stop: Box::new(move || {
            stop.store(true, Ordering::Release);
            wake_acceptor(addr);
            let _bound = stop_process.bind();
            control
                .queue(&Packet::from_user_packet(
                    KEY_STOP,
                    0,
                    UserPacket::from_u8_array([0; 32]),
                ))
                .expect("queue stop");
            drop(control);
        }),
        threads: vec![acceptor, event_loop],
    }
}

const INTEREST: Signals = Signals::SOCKET_READABLE
    .union(Signals::SOCKET_PEER_CLOSED)
    .union(Signals::SOCKET_PEER_WRITE_DISABLED);

fn event_loop(port: zx::Port) {
    let mut connections: HashMap<u64, Connection> = HashMap::new();
    let mut next_key = 0u64;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let packet = port
            .wait(zx::MonotonicInstant::INFINITE)
            .expect("port wait");
        match (packet.key(), packet.contents()) {
            (KEY_STOP, _) => break,
            (KEY_NEW_CONNECTION, PacketContents::User(user)) => {
                let raw = u32::from_le_bytes(user.as_u8_array()[..4].try_into().expect("4 bytes"));
                // SAFETY: the acceptor released this handle value into the packet for us.
                let socket = zx::Socket::from(unsafe { zx::Handle::from_raw(raw) });
                let key = next_key;
                next_key += 1;
                socket
                    .wait_async_handle(&port, key, INTEREST, WaitAsyncOpts::empty())
                    .expect("wait_async");
                connections.insert(
                    key,
                    Connection {
                        socket,
                        pending: Vec::new(),
                    },
                );
            }
            (key, PacketContents::SignalOne(signal)) => {
                let Some(connection) = connections.get_mut(&key) else {
                    continue;
                };
                if serve(connection, signal.observed(), &mut buf) {
                    let interest = if connection.pending.is_empty() {
                        INTEREST
                    } else {
                        INTEREST | Signals::SOCKET_WRITABLE
                    };
                    connection
                        .socket
                        .wait_async_handle(&port, key, interest, WaitAsyncOpts::empty())
                        .expect("re-arm");
                } else {
                    connections.remove(&key);
                }
            }
            _ => {}
        }
    }
}

/// Echoes what is readable; returns false once the connection is finished.
fn serve(connection: &mut Connection, _observed: Signals, buf: &mut [u8]) -> bool {
    if !flush(connection) {
        return false;
    }
    loop {
        match connection.socket.read(buf) {
            Ok(n) => {
                connection.pending.extend_from_slice(&buf[..n]);
                if !flush(connection) {
                    return false;
                }
            }
            Err(zx::Status::SHOULD_WAIT) => return true,
            Err(_) => return false, // PEER_CLOSED, BAD_STATE (peer done), or an error
        }
    }
}

/// Writes pending bytes back; false if the connection failed.
fn flush(connection: &mut Connection) -> bool {
    while !connection.pending.is_empty() {
        match connection.socket.write(&connection.pending) {
            Ok(n) => {
                connection.pending.drain(..n);
            }
            Err(zx::Status::SHOULD_WAIT) => return true,
            Err(_) => return false,
        }
    }
    true
}

/// The same echo server written directly on mio (edge-triggered, one thread).
pub fn serve_mio() -> Server {
    use mio::net::TcpStream as MioStream;
    use mio::{Events, Interest, Poll, Token, Waker};

    const WAKE: Token = Token(usize::MAX);
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    let mut poll = Poll::new().expect("poll");
    let waker = Arc::new(Waker::new(poll.registry(), WAKE).expect("waker"));
    let registry = poll.registry().try_clone().expect("registry");
    let stop = Arc::new(AtomicBool::new(false));
    let (sender, receiver) = std::sync::mpsc::channel::<TcpStream>();
    let acceptor = {
        let waker = waker.clone();
        acceptor(
            listener,
            stop.clone(),
            move |stream| {
                if sender.send(stream).is_ok() {
                    let _ = waker.wake();
                }
            },
            std::thread::spawn,
        )
    };
    let loop_stop = stop.clone();
    let event_loop = std::thread::spawn(move || {
        let mut events = Events::with_capacity(256);
        let mut connections: HashMap<usize, (MioStream, Vec<u8>)> = HashMap::new();
        let mut next = 0usize;
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            // A bounded poll: stopping re-checks the flag at least every 50 ms instead of relying
            // on one waker event, which was observed to go missing after many wakes.
            match poll.poll(&mut events, Some(std::time::Duration::from_millis(50))) {
                Ok(()) => {}
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => panic!("poll: {e}"),
            }
            for event in events.iter() {
                if event.token() == WAKE {
                    while let Ok(stream) = receiver.try_recv() {
                        stream.set_nonblocking(true).expect("nonblocking");
                        let mut stream = MioStream::from_std(stream);
                        registry
                            .register(
                                &mut stream,
                                Token(next),
                                Interest::READABLE | Interest::WRITABLE,
                            )
                            .expect("register");
                        connections.insert(next, (stream, Vec::new()));
                        next += 1;
                    }
                    continue;
                }
                let key = event.token().0;
                let Some((stream, pending)) = connections.get_mut(&key) else {
                    continue;
                };
                let mut alive = true;
                'io: loop {
                    while !pending.is_empty() {
                        match stream.write(pending) {
                            Ok(n) => {
                                pending.drain(..n);
                            }
                            Err(e) if e.kind() == ErrorKind::WouldBlock => break 'io,
                            Err(_) => {
                                alive = false;
                                break 'io;
                            }
                        }
                    }
                    match stream.read(&mut buf) {
                        Ok(0) => {
                            alive = false;
                            break;
                        }
                        Ok(n) => pending.extend_from_slice(&buf[..n]),
                        Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                        Err(e) if e.kind() == ErrorKind::Interrupted => {}
                        Err(_) => {
                            alive = false;
                            break;
                        }
                    }
                }
                if !alive {
                    if let Some((mut stream, _)) = connections.remove(&key) {
                        let _ = registry.deregister(&mut stream);
                    }
                }
            }
            if loop_stop.load(Ordering::Acquire) {
                break;
            }
        }
    });
    Server {
        addr,
        stop: Box::new(move || {
            stop.store(true, Ordering::Release);
            wake_acceptor(addr);
            let _ = waker.wake();
        }),
        threads: vec![acceptor, event_loop],
    }
}

/// A client: `rounds` request/response round trips of `size` bytes on one connection; returns
/// the elapsed time.
pub fn ping_pong(addr: SocketAddr, size: usize, rounds: usize) -> std::time::Duration {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_nodelay(true).expect("nodelay");
    let request = vec![0x5au8; size];
    let mut reply = vec![0u8; size];
    let start = std::time::Instant::now();
    for _ in 0..rounds {
        stream.write_all(&request).expect("send");
        stream.read_exact(&mut reply).expect("echo");
    }
    let elapsed = start.elapsed();
    assert_eq!(reply, request);
    elapsed
}
