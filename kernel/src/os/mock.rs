//! A mock reactor and an in-memory descriptor, for loom models and unit tests.
//!
//! Under loom nothing may block the OS thread (no epoll, no real fds), so the models drive an
//! [`OsEndpoint`](super::endpoint::OsEndpoint) through [`MockIo`] (bytes pushed by the test play
//! the peer) and [`MockReactor`] (the test fires readiness reports by hand).

use std::collections::{BTreeMap, VecDeque};

use crate::os::{OsEvent, OsIo, Reactor, ReadinessSink};
use crate::status::Status;
use crate::sync::{Arc, LockClass, Mutex};

/// The last token handed out, and the registered sinks by token.
type Sinks = (u64, BTreeMap<u64, Arc<dyn ReadinessSink>>);

/// Readiness reports on demand.
pub struct MockReactor {
    sinks: Mutex<Sinks>,
}

impl Default for MockReactor {
    fn default() -> Self {
        MockReactor {
            sinks: Mutex::ranked(LockClass::Leaf, Sinks::default()),
        }
    }
}

impl MockReactor {
    pub fn new() -> Arc<MockReactor> {
        Arc::new(MockReactor::default())
    }

    /// Delivers `event` to every registered sink (outside the reactor's lock, as a real reactor
    /// thread would).
    pub fn fire_all(&self, event: OsEvent) {
        let sinks: Vec<Arc<dyn ReadinessSink>> = self.sinks.lock().1.values().cloned().collect();
        for sink in sinks {
            sink.on_readiness(event);
        }
    }

    pub fn registrations(&self) -> usize {
        self.sinks.lock().1.len()
    }
}

impl Reactor for MockReactor {
    fn register(&self, _fd: Option<i32>, sink: Arc<dyn ReadinessSink>) -> Result<u64, Status> {
        let mut sinks = self.sinks.lock();
        sinks.0 += 1;
        let token = sinks.0;
        sinks.1.insert(token, sink);
        Ok(token)
    }

    fn deregister(&self, token: u64, _fd: Option<i32>) {
        let removed = self.sinks.lock().1.remove(&token);
        drop(removed);
    }
}

#[derive(Default)]
struct Pipe {
    incoming: VecDeque<u8>,
    datagrams: VecDeque<Vec<u8>>,
    incoming_closed: bool,
    outgoing: Vec<u8>,
    outgoing_capacity: usize,
    write_shut: bool,
    /// Operations that fail with `EINTR` before the next one goes through.
    interruptions: usize,
}

/// An in-memory descriptor: the test pushes what "the peer" sends and reads what was written.
#[derive(Clone)]
pub struct MockIo {
    pipe: Arc<Mutex<Pipe>>,
    datagram: bool,
}

impl MockIo {
    pub fn stream() -> MockIo {
        MockIo {
            pipe: Arc::new(Mutex::ranked(
                LockClass::Leaf,
                Pipe {
                    outgoing_capacity: usize::MAX,
                    ..Pipe::default()
                },
            )),
            datagram: false,
        }
    }

    pub fn datagram() -> MockIo {
        MockIo {
            datagram: true,
            ..MockIo::stream()
        }
    }

    /// Limits how many bytes writes may add before `WouldBlock`.
    pub fn set_outgoing_capacity(&self, capacity: usize) {
        self.pipe.lock().outgoing_capacity = capacity;
    }

    /// The peer sends `bytes` (one datagram for a datagram descriptor).
    pub fn push_incoming(&self, bytes: &[u8]) {
        let mut pipe = self.pipe.lock();
        if self.datagram {
            pipe.datagrams.push_back(bytes.to_vec());
        } else {
            pipe.incoming.extend(bytes);
        }
    }

    /// The peer shuts down its writes: reads see end of stream once drained.
    pub fn close_incoming(&self) {
        self.pipe.lock().incoming_closed = true;
    }

    /// The next `count` reads or writes fail with `Interrupted` (a signal arrived), as a
    /// blocking-free syscall may.
    pub fn interrupt_next(&self, count: usize) {
        self.pipe.lock().interruptions = count;
    }

    /// Bytes (or datagrams) the peer sent that nobody has read yet.
    pub fn pending_incoming(&self) -> usize {
        let pipe = self.pipe.lock();
        pipe.incoming.len() + pipe.datagrams.len()
    }

    /// Everything written so far, taken.
    pub fn take_outgoing(&self) -> Vec<u8> {
        std::mem::take(&mut self.pipe.lock().outgoing)
    }
}

fn would_block() -> std::io::Error {
    std::io::Error::from(std::io::ErrorKind::WouldBlock)
}

/// Consumes one pending interruption, if any.
fn interrupted(pipe: &mut Pipe) -> Option<std::io::Error> {
    if pipe.interruptions == 0 {
        return None;
    }
    pipe.interruptions -= 1;
    Some(std::io::Error::from(std::io::ErrorKind::Interrupted))
}

impl OsIo for MockIo {
    fn read(&self, buf: &mut [u8], peek: bool) -> std::io::Result<usize> {
        let mut pipe = self.pipe.lock();
        if let Some(error) = interrupted(&mut pipe) {
            return Err(error);
        }
        if self.datagram {
            let Some(first) = pipe.datagrams.front() else {
                return Err(would_block());
            };
            let n = first.len().min(buf.len());
            buf[..n].copy_from_slice(&first[..n]);
            if !peek {
                pipe.datagrams.pop_front();
            }
            return Ok(n);
        }
        if pipe.incoming.is_empty() {
            return if pipe.incoming_closed {
                Ok(0)
            } else {
                Err(would_block())
            };
        }
        let n = pipe.incoming.len().min(buf.len());
        for (slot, byte) in buf.iter_mut().zip(pipe.incoming.iter()) {
            *slot = *byte;
        }
        if !peek {
            pipe.incoming.drain(..n);
        }
        Ok(n)
    }

    fn write(&self, buf: &[u8]) -> std::io::Result<usize> {
        let mut pipe = self.pipe.lock();
        if let Some(error) = interrupted(&mut pipe) {
            return Err(error);
        }
        if pipe.write_shut {
            return Err(std::io::Error::from(std::io::ErrorKind::BrokenPipe));
        }
        let room = pipe.outgoing_capacity.saturating_sub(pipe.outgoing.len());
        if room == 0 {
            return Err(would_block());
        }
        let n = room.min(buf.len());
        pipe.outgoing.extend_from_slice(&buf[..n]);
        Ok(n)
    }

    fn shutdown_write(&self) -> std::io::Result<()> {
        self.pipe.lock().write_shut = true;
        Ok(())
    }

    fn is_datagram(&self) -> bool {
        self.datagram
    }

    fn raw_fd(&self) -> Option<i32> {
        None
    }
}
