//! The readiness state machine of a socket backed by an OS descriptor.
//!
//! State (under one lock): the signal state; whether the fd is believed readable / writable; a
//! **tick** per direction, bumped by every readiness report; hang-up, read-closed and
//! write-disabled flags. The socket's signals are derived from that state with the same
//! `derive_signals`/`apply_derived` the in-kernel socket pair uses.
//!
//! The no-lost-readiness rule: an operation notes the tick, performs the I/O without the lock,
//! and on `WouldBlock` clears readiness **only if the tick is unchanged**. If a report arrived
//! between the I/O and the clear (data landed right after the kernel said "empty"), the tick
//! moved and READABLE stays set, so a waiter wakes and retries. The loom model
//! `readiness_not_lost` checks this against the mock reactor.

use crate::objects::socket::{apply_derived, derive_signals, Readiness};
use crate::os::{status_from_io, Directions, OsEvent, OsIo, Reactor, ReadinessSink};
use crate::signal::SignalState;
use crate::status::Status;
use crate::sync::{Arc, LockClass, Mutex};

#[derive(Default)]
struct State {
    signals: SignalState,
    readable: bool,
    writable: bool,
    read_tick: u64,
    write_tick: u64,
    hung_up: bool,
    read_closed: bool,
    write_disabled: bool,
}

impl State {
    fn refresh(&mut self) {
        let readiness = Readiness {
            readable_bytes: usize::from(self.readable),
            read_threshold: 0,
            peer_closed: self.hung_up,
            write_disabled: self.write_disabled,
            peer_write_disabled: self.read_closed && !self.hung_up,
            writable_bytes: usize::from(self.writable),
            write_threshold: 0,
        };
        apply_derived(&mut self.signals, derive_signals(&readiness));
    }
}

/// Which readiness an operation consumed.
#[derive(Clone, Copy)]
enum Direction {
    Read,
    Write,
}

pub struct OsEndpoint {
    io: Box<dyn OsIo>,
    directions: Directions,
    state: Mutex<State>,
    registration: Mutex<Option<(Arc<dyn Reactor>, u64)>>,
}

impl OsEndpoint {
    /// An endpoint over `io`, not yet registered with a reactor.
    /// A direction the descriptor cannot carry starts disabled: writes as if this side disabled
    /// them, reads as if the peer had.
    pub fn new(io: Box<dyn OsIo>) -> Arc<OsEndpoint> {
        let directions = io.directions();
        let mut state = State {
            write_disabled: !directions.write,
            read_closed: !directions.read,
            ..State::default()
        };
        state.refresh();
        Arc::new(OsEndpoint {
            io,
            directions,
            state: Mutex::ranked(LockClass::Object, state),
            registration: Mutex::ranked(LockClass::Leaf, None),
        })
    }

    /// Gives the descriptor up without closing it (it belongs to someone else).
    pub fn disown(&self) {
        self.io.disown();
    }

    /// Registers with `reactor` (once, for the endpoint's lifetime).
    pub fn register(self: &Arc<Self>, reactor: Arc<dyn Reactor>) -> Result<(), Status> {
        let sink: Arc<dyn ReadinessSink> = self.clone();
        let token = reactor.register(self.io.raw_fd(), sink)?;
        *self.registration.lock() = Some((reactor, token));
        Ok(())
    }

    /// Deregisters; the descriptor itself closes when the endpoint is dropped.
    pub fn deregister(&self) {
        let registration = self.registration.lock().take();
        if let Some((reactor, token)) = registration {
            reactor.deregister(token, self.io.raw_fd());
        }
    }

    /// The adopted descriptor, if it has one (a snapshot names it).
    pub fn raw_fd(&self) -> Option<i32> {
        self.io.raw_fd()
    }

    pub fn is_datagram(&self) -> bool {
        self.io.is_datagram()
    }

    pub fn with_signals<R>(&self, f: impl FnOnce(&mut SignalState) -> R) -> R {
        f(&mut self.state.lock().signals)
    }

    fn tick(&self, direction: Direction) -> u64 {
        let state = self.state.lock();
        match direction {
            Direction::Read => state.read_tick,
            Direction::Write => state.write_tick,
        }
    }

    /// `WouldBlock`: the direction is not ready — unless a report raced the operation.
    fn would_block(&self, direction: Direction, seen: u64) -> Status {
        let mut state = self.state.lock();
        match direction {
            Direction::Read if state.read_tick == seen => state.readable = false,
            Direction::Write if state.write_tick == seen => state.writable = false,
            _ => {}
        }
        state.refresh();
        Status::SHOULD_WAIT
    }

    /// An error that ends the connection (reset, broken pipe, fd gone).
    fn broken(&self, status: Status) -> Status {
        let mut state = self.state.lock();
        if matches!(status, Status::PEER_CLOSED | Status::BAD_STATE) {
            state.hung_up = true;
            state.read_closed = true;
            state.writable = false;
            state.refresh();
        }
        status
    }

    /// `zx_socket_read` on the descriptor.
    pub fn read(&self, buf: &mut [u8], peek: bool) -> Result<usize, Status> {
        if !self.directions.read {
            return Err(if self.state.lock().hung_up {
                Status::PEER_CLOSED
            } else {
                Status::BAD_STATE
            });
        }
        loop {
            let seen = self.tick(Direction::Read);
            match self.io.read(buf, peek) {
                Ok(0) if !buf.is_empty() && !self.io.is_datagram() => {
                    // End of stream: the peer shut down its writes or hung up. Nothing more will
                    // ever be readable, so the readiness stays "would succeed": with an error.
                    let mut state = self.state.lock();
                    state.readable = false;
                    state.read_closed = true;
                    let status = if state.hung_up {
                        Status::PEER_CLOSED
                    } else {
                        Status::BAD_STATE
                    };
                    state.refresh();
                    return Err(status);
                }
                Ok(n) => return Ok(n),
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => {
                    return Err(self.would_block(Direction::Read, seen));
                }
                Err(error) => return Err(self.broken(status_from_io(&error))),
            }
        }
    }

    /// `zx_socket_write` on the descriptor.
    pub fn write(&self, buf: &[u8]) -> Result<usize, Status> {
        {
            let state = self.state.lock();
            if state.hung_up {
                return Err(Status::PEER_CLOSED);
            }
            if state.write_disabled {
                return Err(Status::BAD_STATE);
            }
        }
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            let seen = self.tick(Direction::Write);
            match self.io.write(buf) {
                Ok(n) => return Ok(n),
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => {
                    return Err(self.would_block(Direction::Write, seen));
                }
                Err(error) => return Err(self.broken(status_from_io(&error))),
            }
        }
    }

    /// `zx_socket_set_disposition(WRITE_DISABLED)`: shuts down this side's writes. Writes cannot
    /// be re-enabled on an OS socket (`BAD_STATE`).
    pub fn disable_writes(&self) -> Result<(), Status> {
        let mut state = self.state.lock();
        if state.write_disabled {
            return Ok(());
        }
        match self.io.shutdown_write() {
            Ok(()) => {}
            Err(error) if status_from_io(&error) == Status::PEER_CLOSED => {}
            Err(error) => return Err(status_from_io(&error)),
        }
        state.write_disabled = true;
        state.refresh();
        Ok(())
    }

    pub fn writes_disabled(&self) -> bool {
        self.state.lock().write_disabled
    }
}

impl ReadinessSink for OsEndpoint {
    fn on_readiness(&self, event: OsEvent) {
        let mut state = self.state.lock();
        if event.readable || event.read_closed || event.hung_up {
            // End of stream and hang-up make reads "succeed" (with an answer) too.
            state.readable = true;
            state.read_tick += 1;
        }
        if event.writable {
            state.writable = true;
            state.write_tick += 1;
        }
        if event.read_closed {
            state.read_closed = true;
        }
        if event.hung_up {
            state.hung_up = true;
            state.writable = false;
            state.write_tick += 1;
        }
        state.refresh();
    }
}

impl Drop for OsEndpoint {
    fn drop(&mut self) {
        self.deregister();
    }
}

#[cfg(all(test, not(zxsim_loom)))]
mod tests {
    use super::*;
    use crate::os::mock::{MockIo, MockReactor};
    use crate::types::Signals;

    #[test]
    fn would_block_clears_readable_unless_a_report_raced_it() {
        let io = MockIo::stream();
        let endpoint = OsEndpoint::new(Box::new(io.clone()));
        let reactor = MockReactor::new();
        endpoint.register(reactor.clone()).unwrap();
        reactor.fire_all(OsEvent {
            readable: true,
            writable: true,
            ..OsEvent::default()
        });
        let signals = || endpoint.with_signals(|s| s.signals());
        assert!(signals().contains(Signals::READABLE | Signals::WRITABLE));
        let mut buf = [0u8; 4];
        assert_eq!(endpoint.read(&mut buf, false), Err(Status::SHOULD_WAIT));
        assert!(!signals().contains(Signals::READABLE));
        // Data arrives and is reported: readable again, and the read gets it.
        io.push_incoming(b"hey");
        reactor.fire_all(OsEvent {
            readable: true,
            ..OsEvent::default()
        });
        assert!(signals().contains(Signals::READABLE));
        assert_eq!(endpoint.read(&mut buf, false), Ok(3));
        // A report that lands between the I/O and the clear keeps READABLE set.
        let seen = endpoint.tick(Direction::Read);
        reactor.fire_all(OsEvent {
            readable: true,
            ..OsEvent::default()
        });
        endpoint.would_block(Direction::Read, seen);
        assert!(signals().contains(Signals::READABLE));
        endpoint.deregister();
        assert_eq!(reactor.registrations(), 0);
    }

    #[test]
    fn interrupted_operations_are_retried() {
        let io = MockIo::stream();
        let endpoint = OsEndpoint::new(Box::new(io.clone()));
        io.push_incoming(b"abc");
        io.interrupt_next(3);
        let mut buf = [0u8; 8];
        assert_eq!(
            endpoint.read(&mut buf, false),
            Ok(3),
            "EINTR is retried, not reported"
        );
        io.interrupt_next(2);
        assert_eq!(endpoint.write(b"xy"), Ok(2));
        assert_eq!(io.take_outgoing(), b"xy");
    }

    #[test]
    fn end_of_stream_and_hang_up_map_to_statuses_and_signals() {
        let io = MockIo::stream();
        let endpoint = OsEndpoint::new(Box::new(io.clone()));
        io.close_incoming();
        let mut buf = [0u8; 4];
        assert_eq!(endpoint.read(&mut buf, false), Err(Status::BAD_STATE));
        assert!(endpoint
            .with_signals(|s| s.signals())
            .contains(Signals::SOCKET_PEER_WRITE_DISABLED));
        endpoint.on_readiness(OsEvent {
            hung_up: true,
            read_closed: true,
            ..OsEvent::default()
        });
        assert_eq!(endpoint.read(&mut buf, false), Err(Status::PEER_CLOSED));
        assert_eq!(endpoint.write(b"x"), Err(Status::PEER_CLOSED));
        let signals = endpoint.with_signals(|s| s.signals());
        assert!(signals.contains(Signals::PEER_CLOSED));
        assert!(!signals.contains(Signals::WRITABLE));
    }
}
