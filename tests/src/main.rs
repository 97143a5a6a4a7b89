//! The zxsim conformance suite: Zircon's documented behaviour, one module per syscall family,
//! each case naming the spec clause (`../shared/spec/zircon-semantics.md`) it checks and the
//! semantics profiles it holds for. Run it with `cargo xtask conformance` (table + per-profile
//! diff) or `cargo test -p zxsim-conformance`.

#[macro_use]
pub mod harness;
mod support;

mod channel_call;
mod channel_create;
mod channel_iovec;
mod channel_lifecycle;
mod channel_read;
mod channel_write;
mod dispatcher;
mod event;
mod faults;
mod fifo;
mod handle;
mod handle_table;
mod leak_report;
mod object_get_info;
mod object_signal;
mod object_wait;
mod port;
mod profiles;
mod socket;
mod task;
mod time;
mod timer;
mod wait_async;

fn main() {
    harness::main(vec![
        handle::cases(),
        handle_table::cases(),
        object_signal::cases(),
        object_get_info::cases(),
        object_wait::cases(),
        channel_create::cases(),
        channel_write::cases(),
        channel_read::cases(),
        channel_call::cases(),
        channel_iovec::cases(),
        channel_lifecycle::cases(),
        event::cases(),
        time::cases(),
        timer::cases(),
        socket::cases(),
        fifo::cases(),
        port::cases(),
        wait_async::cases(),
        profiles::cases(),
        leak_report::cases(),
        task::cases(),
        dispatcher::cases(),
        faults::cases(),
    ]);
}
