//! A TCP echo server on the executor: one `async fn` per connection over fd-backed zxsim
//! sockets (`zx::Socket::from_std`, whose signals follow the OS readiness), on a 2-thread
//! `SendExecutor`. An acceptor thread adopts each accepted stream and passes the socket handle
//! to the executor over a zxsim channel; a few client threads each do a bounded number of
//! round trips, so the example runs to completion by itself.
//!
//! ```text
//! cargo run -p zxsim-async --example async_echo_server
//! ```
#![allow(clippy::disallowed_types, clippy::disallowed_methods)]

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use futures::io::{AsyncReadExt, AsyncWriteExt};
use zxsim_async::{async_, SendExecutor, Task};
use zxsim_syscalls::kernel::{Config, Kernel};
use zxsim_syscalls::zx::{self, HandleBased};

const CONNECTIONS: usize = 3;
const ROUNDS: usize = 1_000;
const MESSAGE: usize = 64;

/// Echoes everything until the peer closes; returns the bytes echoed.
async fn serve(mut socket: async_::Socket) -> std::io::Result<usize> {
    let mut buf = [0u8; 4096];
    let mut total = 0;
    loop {
        let n = socket.read(&mut buf).await?;
        if n == 0 {
            return Ok(total);
        }
        socket.write_all(&buf[..n]).await?;
        total += n;
    }
}

/// One client: `ROUNDS` round trips of `MESSAGE` bytes, then a clean close.
fn client(addr: std::net::SocketAddr) -> Duration {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_nodelay(true).ok();
    let message = [0x5a; MESSAGE];
    let mut reply = [0u8; MESSAGE];
    let started = Instant::now();
    for _ in 0..ROUNDS {
        stream.write_all(&message).unwrap();
        stream.read_exact(&mut reply).unwrap();
        assert_eq!(reply, message);
    }
    let elapsed = started.elapsed();
    stream.shutdown(Shutdown::Write).unwrap();
    assert_eq!(
        stream.read(&mut reply).unwrap(),
        0,
        "the server closes after us"
    );
    elapsed
}

fn main() {
    let kernel = Kernel::new(Config::default());
    let process = kernel.create_process();
    let _bound = process.bind();

    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().unwrap();
    println!("zxsim async echo server listening on {addr}");

    let (accepted, incoming) = zx::Channel::create();
    let acceptor = process.spawn(move || {
        for _ in 0..CONNECTIONS {
            let (stream, _) = listener.accept().expect("accept");
            stream.set_nodelay(true).ok();
            let socket = zx::Socket::from_std(stream).expect("adopt the stream");
            accepted
                .write(b"connection", &mut [socket.into_handle()])
                .expect("hand over");
        }
        // Dropping `accepted` ends the server's accept loop.
    });
    let clients: Vec<_> = (0..CONNECTIONS)
        .map(|_| std::thread::spawn(move || client(addr)))
        .collect();

    let mut executor = SendExecutor::new(2);
    let echoed = executor.run(async move {
        let incoming = async_::Channel::from_channel(incoming);
        let mut connections = Vec::new();
        let mut message = zx::MessageBuf::new();
        while incoming.recv_msg(&mut message).await.is_ok() {
            let handle = message.take_handle(0).expect("a socket handle");
            let socket = async_::Socket::from_socket(zx::Socket::from_handle(handle));
            connections.push(Task::spawn(serve(socket)));
        }
        let mut total = 0;
        for connection in connections {
            total += connection.await.expect("serving a connection");
        }
        total
    });

    acceptor.join().unwrap();
    for (index, client) in clients.into_iter().enumerate() {
        let elapsed = client.join().unwrap();
        println!(
            "connection {index}: {ROUNDS} round trips of {MESSAGE} bytes in {:.1} ms ({:.1} µs each)",
            elapsed.as_secs_f64() * 1e3,
            elapsed.as_secs_f64() * 1e6 / ROUNDS as f64
        );
    }
    assert_eq!(echoed, CONNECTIONS * ROUNDS * MESSAGE);
    drop(executor);
    println!(
        "echoed {echoed} bytes; live objects left in the kernel: {}",
        kernel.live_objects()
    );
}
