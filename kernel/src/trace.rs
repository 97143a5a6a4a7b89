//! The trace writer: a `tracing` subscriber that writes a kernel's syscalls as a Chrome JSON
//! trace (the trace-event format the Perfetto UI and `chrome://tracing` open), with flow arrows
//! from cause to effect and counters.
//!
//! **Why Chrome JSON, written here.** It is the one format both viewers open, it is plain JSON
//! (`serde_json` writes it; a test parses it back), and its flow events (`"s"`/`"f"`) bind to
//! whichever slice encloses them on their thread — exactly what a kernel trace point inside a
//! syscall needs. `tracing-chrome` writes spans as slices but has no way to express a flow
//! between two events, so the subscriber is this small file instead.
//!
//! **What the kernel tells it**, through ordinary `tracing` events (nothing else couples them):
//! - target `zxsim::enter`: the calling thread entered a syscall (the slice starts);
//! - target `zxsim::syscall`: the syscall returned; fields `syscall` (its name), its arguments
//!   and `status` (the slice ends, with them as its arguments);
//! - target `zxsim::flow`: one end of a cause → effect pair; fields `flow` (the kind: `wait`,
//!   `packet`, `message`, `reply`, `timer`), `phase` (`"s"` start, `"f"` finish) and the key
//!   `(a, b)` naming the thing that flows (unique among those in flight of that kind). A start and
//!   the next finish with the same kind and key become one arrow. A flow point outside any
//!   syscall (a timer firing on the clock's thread, a close from a destructor) gets a slice of
//!   its own, named by the event's message. Fields `port` and `queued` feed the port's
//!   queue-length counter.
//!
//! Tracks: one process per simulated process (pid = its koid; pid 0, "kernel", for threads bound
//! to none), one thread per OS thread. Counters (live objects, live handles, each port's queue
//! length) are on the kernel track. Timestamps are microseconds since the kernel was made, made
//! strictly increasing per thread so a flow point never sits on a slice's edge.
//!
//! The file is flushed after every syscall, so a program that exits without dropping its kernel
//! (or the default kernel, which lives forever) still leaves a readable trace: the closing `]`
//! is written when the kernel goes, and both viewers accept a trace without it.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Instant;

use serde_json::{json, Map, Value};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

use crate::shared::KernelShared;
use crate::sync::{thread_local, Arc, AtomicU64, Mutex, Ordering};
use crate::types::Koid;

const ENTER: &str = "zxsim::enter";
const SYSCALL: &str = "zxsim::syscall";
const FLOW: &str = "zxsim::flow";

/// Makes the subscriber writing `path` for the kernel `shared`.
pub(crate) fn open(path: &Path, shared: Arc<KernelShared>) -> std::io::Result<tracing::Dispatch> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let mut out = BufWriter::new(File::create(path)?);
    out.write_all(b"[\n")?;
    let mut state = State {
        out: Some(out),
        first: true,
        threads: HashMap::new(),
        processes: HashSet::new(),
        flows: HashMap::new(),
        next_flow: 1,
        counters: HashMap::new(),
    };
    state.write(&json!({
        "ph": "M", "name": "process_name", "pid": 0, "tid": 0,
        "args": { "name": "kernel" },
    }));
    state.processes.insert(0);
    Ok(tracing::Dispatch::new(Tracer {
        shared,
        start: Instant::now(),
        state: Mutex::new(state),
    }))
}

struct Tracer {
    shared: Arc<KernelShared>,
    start: Instant,
    /// Unranked: taken by whichever thread emits an event, possibly under kernel locks, and
    /// nothing is taken under it.
    state: Mutex<State>,
}

struct Track {
    tid: u64,
    /// When the syscall in progress entered (µs), if one is.
    entered: Option<f64>,
    /// The last timestamp given on this thread (ns).
    last: u64,
}

struct State {
    /// `None` once writing failed: the trace stops, the program goes on.
    out: Option<BufWriter<File>>,
    first: bool,
    /// By (pid, OS thread).
    threads: HashMap<(Koid, u64), Track>,
    processes: HashSet<Koid>,
    /// Open flows: (kind, a, b) → the flow id written with the start.
    flows: HashMap<(String, u64, u64), u64>,
    next_flow: u64,
    /// Last value written per counter (unchanged values are not repeated).
    counters: HashMap<String, u64>,
}

impl State {
    fn write(&mut self, value: &Value) {
        let Some(out) = self.out.as_mut() else {
            return;
        };
        let separator: &[u8] = if self.first { b"" } else { b",\n" };
        self.first = false;
        let written = out
            .write_all(separator)
            .and_then(|()| serde_json::to_writer(&mut *out, value).map_err(std::io::Error::from));
        if written.is_err() {
            self.out = None;
        }
    }

    fn flush(&mut self) {
        if let Some(out) = self.out.as_mut() {
            if out.flush().is_err() {
                self.out = None;
            }
        }
    }

    /// The thread's track, naming its process and thread on first sight.
    fn track(&mut self, pid: Koid, thread: u64) -> &mut Track {
        if self.processes.insert(pid) {
            self.write(&json!({
                "ph": "M", "name": "process_name", "pid": pid, "tid": 0,
                "args": { "name": format!("process {pid}") },
            }));
        }
        if !self.threads.contains_key(&(pid, thread)) {
            let tid = thread;
            let name = crate::sync::thread::current()
                .name()
                .map_or_else(|| format!("thread {tid}"), str::to_string);
            self.write(&json!({
                "ph": "M", "name": "thread_name", "pid": pid, "tid": tid,
                "args": { "name": name },
            }));
            self.threads.insert(
                (pid, thread),
                Track {
                    tid,
                    entered: None,
                    last: 0,
                },
            );
        }
        self.threads.get_mut(&(pid, thread)).expect("inserted")
    }

    fn counter(&mut self, name: String, series: &str, value: u64, ts: f64) {
        if self.counters.get(&name) == Some(&value) {
            return;
        }
        self.write(&json!({
            "ph": "C", "name": name, "pid": 0, "tid": 0, "ts": ts,
            "args": { series: value },
        }));
        self.counters.insert(name, value);
    }
}

/// A `tracing` event's fields, as JSON.
#[derive(Default)]
struct Fields {
    message: Option<String>,
    values: Map<String, Value>,
}

impl Fields {
    fn str(&self, name: &str) -> Option<&str> {
        self.values.get(name).and_then(Value::as_str)
    }

    fn u64(&self, name: &str) -> Option<u64> {
        self.values.get(name).and_then(Value::as_u64)
    }
}

impl Visit for Fields {
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.values.insert(field.name().into(), value.into());
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.values.insert(field.name().into(), value.into());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.values.insert(field.name().into(), value.into());
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message = Some(value.to_string());
        } else {
            self.values.insert(field.name().into(), value.into());
        }
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let text = format!("{value:?}");
        if field.name() == "message" {
            self.message = Some(text);
        } else {
            self.values.insert(field.name().into(), text.into());
        }
    }
}

thread_local! {
    /// This OS thread's number in traces (its `tid`).
    static THREAD: u64 = {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        NEXT.fetch_add(1, Ordering::Relaxed)
    };
}

impl Tracer {
    fn is_ours(metadata: &Metadata<'_>) -> bool {
        metadata.target().starts_with("zxsim")
    }

    /// Now, in ns since the kernel was made, strictly after the thread's previous timestamp.
    fn stamp(&self, track: &mut Track) -> f64 {
        let now = self.start.elapsed().as_nanos() as u64;
        track.last = now.max(track.last + 1);
        track.last as f64 / 1000.0
    }
}

impl Subscriber for Tracer {
    fn register_callsite(
        &self,
        metadata: &'static Metadata<'static>,
    ) -> tracing::subscriber::Interest {
        if Self::is_ours(metadata) {
            tracing::subscriber::Interest::always()
        } else {
            tracing::subscriber::Interest::never()
        }
    }

    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        Self::is_ours(metadata)
    }

    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(tracing::level_filters::LevelFilter::TRACE)
    }

    fn new_span(&self, _span: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _span: &Id, _values: &Record<'_>) {}

    fn record_follows_from(&self, _span: &Id, _follows: &Id) {}

    fn enter(&self, _span: &Id) {}

    fn exit(&self, _span: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let metadata = event.metadata();
        let mut fields = Fields::default();
        event.record(&mut fields);
        let pid = crate::process::Process::bound_koid().unwrap_or(0);
        let thread = THREAD.try_with(|thread| *thread).unwrap_or(0);
        let mut state = self.state.lock();
        let state = &mut *state;
        let track = state.track(pid, thread);
        let tid = track.tid;
        let ts = self.stamp(track);
        match metadata.target() {
            ENTER => track.entered = Some(ts),
            SYSCALL => {
                let start = track.entered.take().unwrap_or(ts - 0.001);
                let name = fields.str("syscall").unwrap_or("syscall").to_string();
                fields.values.remove("syscall");
                state.write(&json!({
                    "ph": "X", "cat": "syscall", "name": name, "pid": pid, "tid": tid,
                    "ts": start, "dur": ts - start, "args": fields.values,
                }));
                let objects = self.shared.live_objects.load(Ordering::Relaxed) as u64;
                let handles = self.shared.live_handles() as u64;
                state.counter("live objects".into(), "objects", objects, ts);
                state.counter("live handles".into(), "handles", handles, ts);
                state.flush();
            }
            FLOW => {
                let inside = track.entered.is_some();
                let at = if inside {
                    ts
                } else {
                    // A slice of its own, 2 ns long, with the flow point in its middle.
                    let end = self.stamp(track);
                    let name = fields.message.clone().unwrap_or_else(|| "kernel".into());
                    state.write(&json!({
                        "ph": "X", "cat": "kernel", "name": name, "pid": pid, "tid": tid,
                        "ts": ts - 0.001, "dur": end - ts + 0.002, "args": fields.values,
                    }));
                    ts
                };
                let kind = fields.str("flow").unwrap_or("flow").to_string();
                let key = (
                    kind.clone(),
                    fields.u64("a").unwrap_or(0),
                    fields.u64("b").unwrap_or(0),
                );
                match fields.str("phase") {
                    Some("s") => {
                        let id = state.next_flow;
                        state.next_flow += 1;
                        state.flows.insert(key, id);
                        state.write(&json!({
                            "ph": "s", "cat": "flow", "name": kind, "id": id,
                            "pid": pid, "tid": tid, "ts": at,
                        }));
                    }
                    Some("f") => {
                        if let Some(id) = state.flows.remove(&key) {
                            state.write(&json!({
                                "ph": "f", "bp": "e", "cat": "flow", "name": kind, "id": id,
                                "pid": pid, "tid": tid, "ts": at,
                            }));
                        }
                    }
                    _ => {}
                }
                if let (Some(port), Some(queued)) = (fields.u64("port"), fields.u64("queued")) {
                    state.counter(format!("port {port} queue"), "packets", queued, at);
                }
                if !inside {
                    state.flush();
                }
            }
            _ => {
                let name = fields
                    .message
                    .clone()
                    .unwrap_or_else(|| metadata.name().into());
                state.write(&json!({
                    "ph": "i", "s": "t", "cat": metadata.target(), "name": name,
                    "pid": pid, "tid": tid, "ts": ts, "args": fields.values,
                }));
            }
        }
    }
}

impl Drop for Tracer {
    fn drop(&mut self) {
        let mut state = self.state.lock();
        if let Some(out) = state.out.as_mut() {
            let _ = out.write_all(b"\n]\n");
        }
        state.flush();
    }
}
