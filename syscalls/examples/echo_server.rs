//! A TCP echo server written Zircon-style on zxsim — real loopback sockets adopted as zxsim
//! sockets (`zx::Socket::from_std`), one port, `wait_async` per connection — plus a client.
//!
//! ```text
//! cargo run --example echo_server              # server + built-in client, prints round-trip times
//! cargo run --example echo_server -- --serve   # server only; try `nc 127.0.0.1 <port>`
//! ```
//!
//! The server is in `echo/server.rs`, shared with the `Socket/Echo` benchmark, which runs it
//! against the same server written directly on mio.

#[path = "echo/server.rs"]
mod server;

use zxsim_kernel::{Config, Kernel};

fn main() {
    // From the environment: `cargo xtask trace echo_server` / `cargo xtask snapshot echo_server`.
    let kernel = Kernel::new(Config::from_env());
    let process = kernel.create_process();
    let server = server::serve_zxsim(process);
    println!("zxsim echo server listening on {}", server.addr);
    if std::env::args().any(|arg| arg == "--serve") {
        println!("serving until interrupted (Ctrl-C)");
        loop {
            std::thread::park();
        }
    }
    // Built-in client: a few connections, bounded rounds, loopback only.
    for connection in 0..3 {
        let rounds = 2_000;
        let elapsed = server::ping_pong(server.addr, 64, rounds);
        println!(
            "connection {connection}: {rounds} round trips of 64 bytes in {:.1} ms ({:.1} µs each)",
            elapsed.as_secs_f64() * 1e3,
            elapsed.as_secs_f64() * 1e6 / rounds as f64
        );
    }
    match kernel.snapshot_if_requested() {
        Ok(Some((json, dot))) => println!("snapshot: {} {}", json.display(), dot.display()),
        Ok(None) => {}
        Err(error) => eprintln!("echo_server: cannot write the snapshot: {error}"),
    }
    server.stop();
    println!(
        "stopped; live objects left in the kernel: {}",
        kernel.live_objects()
    );
}
