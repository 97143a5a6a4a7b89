//! A guided tour for the observability tools: two processes, a port, an event, a channel call,
//! a timer and a cancelled wait (see `tour/program.rs`), on a virtual clock.
//!
//! ```text
//! cargo xtask trace tour       # writes a Chrome JSON trace and says how to open it
//! cargo xtask snapshot tour    # writes a snapshot of the kernel at the end (JSON and DOT)
//! ZXSIM_TRACE=tour.json cargo run -p zxsim-syscalls --example tour
//! ```

#[path = "tour/program.rs"]
mod program;

use zxsim_kernel::{Config, Kernel};

fn main() {
    let kernel = Kernel::new(Config::from_env().with_virtual_clock());
    let tour = program::run_flows(&kernel);
    let left = program::leave_state(&tour);
    println!(
        "tour: done; {} live objects, {} live handles left ({} kept in the client, process {}; \
         the server, process {}, keeps its endpoint)",
        kernel.live_objects(),
        kernel.live_handles(),
        left.len(),
        tour.client.koid(),
        tour.server.koid()
    );
    match kernel.snapshot_if_requested() {
        Ok(Some((json, dot))) => println!("snapshot: {} {}", json.display(), dot.display()),
        Ok(None) => {}
        Err(error) => eprintln!("tour: cannot write the snapshot: {error}"),
    }
}
