//! Kernel snapshots: a serialisable picture of a kernel — its processes and their handles, the
//! objects those handles reach (type, koid, signals, handle count, observers), port queues,
//! channel queues (message sizes, handles in flight), armed timers and OS-backed descriptors —
//! and two renderings of it: JSON and Graphviz DOT.
//!
//! **How it is taken.** Like the leak report: every process's table is read under its reader
//! lock, one at a time, then each object found is examined under its own lock, briefly and one
//! at a time; objects travelling in channel messages are followed too. No lock is held while
//! another is taken, so taking a snapshot never changes the lock order, and the references it
//! collects are dropped after every lock is released.
//!
//! **What it shows.** Objects reachable from a handle (in a table or in a message). Objects kept
//! alive only by the kernel (a port with no handle still named by a wait, a timer's clock entry)
//! are not listed; `live_objects` says how many objects exist in all. The picture is not atomic:
//! while other threads make syscalls it mixes moments. It is exact when the kernel is quiescent.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::handle::HandleValue;
use crate::kernel::Kernel;
use crate::leak::type_name;
use crate::object::DispatcherRef;
use crate::objects::channel::Channel;
use crate::objects::port::Port;
use crate::objects::socket::Socket;
use crate::objects::timer::Timer;
use crate::signal::ObserverInfo;
use crate::types::{Koid, Rights};

/// A picture of a kernel: see the module doc.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Snapshot {
    /// The semantics profile (`zircon` or `rfc0240`).
    pub profile: String,
    /// The kernel clock's reading (ns).
    pub now: i64,
    pub live_objects: usize,
    pub live_handles: usize,
    pub processes: Vec<ProcessSnapshot>,
    /// The objects reachable from a handle, by koid.
    pub objects: Vec<ObjectSnapshot>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProcessSnapshot {
    pub koid: Koid,
    /// Its handle table, in slot order.
    pub handles: Vec<HandleSnapshot>,
}

/// A handle: in a table (with its value) or in a message (without one).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HandleSnapshot {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<HandleValue>,
    pub rights: u32,
    pub object: Koid,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ObjectSnapshot {
    pub koid: Koid,
    #[serde(rename = "type")]
    pub obj_type: String,
    pub signals: u32,
    pub handle_count: u32,
    /// The other endpoint of a peered object.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peer: Option<Koid>,
    /// Pending waits on the object, oldest first.
    pub observers: Vec<ObserverSnapshot>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<PortSnapshot>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<ChannelSnapshot>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timer: Option<TimerSnapshot>,
    /// The OS descriptor behind an adopted socket.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os_fd: Option<i32>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum ObserverSnapshot {
    /// A thread blocked in `zx_object_wait_one` / `_many`.
    Sync { trigger: u32 },
    /// A pending `zx_object_wait_async`: its packet goes to `port` with `key`; `edge` is
    /// `ZX_WAIT_ASYNC_EDGE`.
    Async {
        trigger: u32,
        port: Koid,
        key: u64,
        edge: bool,
        options: u32,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PortSnapshot {
    /// Queued packets, oldest first.
    pub queue: Vec<PacketSnapshot>,
    /// Waits registered with this port and not yet fired.
    pub pending_waits: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PacketSnapshot {
    pub key: u64,
    /// `ZX_PKT_TYPE_*`.
    pub packet_type: u32,
    /// For a signal packet: the object whose signals made it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Koid>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChannelSnapshot {
    /// Messages waiting to be read on this endpoint, oldest first.
    pub messages: Vec<MessageSnapshot>,
    /// `zx_channel_call`s waiting on this endpoint for their reply.
    pub pending_calls: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MessageSnapshot {
    pub bytes: usize,
    /// Handles in flight.
    pub handles: Vec<HandleSnapshot>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TimerSnapshot {
    /// 0 when not armed.
    pub deadline: i64,
    pub slack: i64,
}

impl Kernel {
    /// A picture of the kernel now (see [`crate::snapshot`]).
    pub fn snapshot(&self) -> Snapshot {
        let mut processes = Vec::new();
        let mut found: BTreeSet<Koid> = BTreeSet::new();
        let mut work: VecDeque<DispatcherRef> = VecDeque::new();
        for process in self.processes() {
            let entries = process.handles().entries();
            let handles = entries
                .into_iter()
                .map(|(value, rights, object)| {
                    let koid = object.koid();
                    if found.insert(koid) {
                        work.push_back(object);
                    }
                    HandleSnapshot {
                        value: Some(value),
                        rights: rights.bits(),
                        object: koid,
                    }
                })
                .collect();
            processes.push(ProcessSnapshot {
                koid: process.koid(),
                handles,
            });
        }
        let mut objects = BTreeMap::new();
        // Each reference the walk took is dropped as soon as its object is described, outside
        // every lock (one may be the last).
        while let Some(object) = work.pop_front() {
            let snapshot = describe(&object, |carried| {
                if found.insert(carried.koid()) {
                    work.push_back(carried.clone());
                }
            });
            objects.insert(snapshot.koid, snapshot);
        }
        Snapshot {
            profile: self.profile().name().to_string(),
            now: self.clock().now(),
            live_objects: self.live_objects(),
            live_handles: self.live_handles(),
            processes,
            objects: objects.into_values().collect(),
        }
    }

    /// Writes `<ZXSIM_SNAPSHOT>.json` and `<ZXSIM_SNAPSHOT>.dot` if the environment asks for a
    /// snapshot (`cargo xtask snapshot` sets it; examples call this at their end). Returns the
    /// two paths written.
    pub fn snapshot_if_requested(&self) -> std::io::Result<Option<(PathBuf, PathBuf)>> {
        match std::env::var_os("ZXSIM_SNAPSHOT") {
            Some(stem) if !stem.is_empty() => self.snapshot().write(Path::new(&stem)).map(Some),
            _ => Ok(None),
        }
    }
}

/// One object under its own lock(s), one at a time; `carried` sees each object travelling in
/// its messages.
fn describe(object: &DispatcherRef, mut carried: impl FnMut(&DispatcherRef)) -> ObjectSnapshot {
    let (signals, observers) = object.with_signals(|state| (state.signals(), state.observers()));
    let peer = Some(object.peer_koid()).filter(|&koid| koid != 0);
    let port = object.downcast::<Port>().map(|port| PortSnapshot {
        queue: port
            .queued()
            .into_iter()
            .map(|(packet, source)| PacketSnapshot {
                key: packet.key,
                packet_type: packet.packet_type,
                source,
            })
            .collect(),
        pending_waits: port.observer_count(),
    });
    let channel = object.downcast::<Channel>().map(|channel| {
        let (messages, pending_calls) = channel.queue_info();
        ChannelSnapshot {
            messages: messages
                .into_iter()
                .map(|message| MessageSnapshot {
                    bytes: message.bytes,
                    handles: message
                        .handles
                        .into_iter()
                        .map(|(rights, object): (Rights, DispatcherRef)| {
                            carried(&object);
                            HandleSnapshot {
                                value: None,
                                rights: rights.bits(),
                                object: object.koid(),
                            }
                        })
                        .collect(),
                })
                .collect(),
            pending_calls,
        }
    });
    let timer = object.downcast::<Timer>().map(|timer| {
        let info = timer.info();
        TimerSnapshot {
            deadline: info.deadline,
            slack: info.slack,
        }
    });
    let os_fd = object
        .downcast::<Socket>()
        .and_then(|socket| socket.os_endpoint().and_then(|endpoint| endpoint.raw_fd()));
    ObjectSnapshot {
        koid: object.koid(),
        obj_type: type_name(object.obj_type()).to_string(),
        signals: signals.bits(),
        handle_count: object.handle_count(),
        peer,
        observers: observers.into_iter().map(observer_snapshot).collect(),
        port,
        channel,
        timer,
        os_fd,
    }
}

fn observer_snapshot(info: ObserverInfo) -> ObserverSnapshot {
    match info {
        ObserverInfo::Sync { trigger } => ObserverSnapshot::Sync {
            trigger: trigger.bits(),
        },
        ObserverInfo::Async {
            trigger,
            port,
            key,
            options,
        } => ObserverSnapshot::Async {
            trigger: trigger.bits(),
            port,
            key,
            edge: options & crate::objects::port::WAIT_ASYNC_EDGE != 0,
            options,
        },
    }
}

impl Snapshot {
    /// The snapshot as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a snapshot always serialises")
    }

    /// The snapshot as a Graphviz digraph (`dot -Tsvg` draws it): processes → their handles →
    /// objects; each object's observers → the port they will queue to; queued packets inside
    /// their port; messages in flight as dashed edges from the endpoint holding them to the
    /// objects whose handles they carry; peers joined by a dotted line.
    pub fn to_dot(&self) -> String {
        let mut dot = String::new();
        let line = |dot: &mut String, text: String| {
            dot.push_str("  ");
            dot.push_str(&text);
            dot.push('\n');
        };
        dot.push_str("digraph zxsim {\n");
        line(&mut dot, "rankdir=LR;".into());
        line(
            &mut dot,
            "node [fontname=\"monospace\", fontsize=10];".into(),
        );
        line(
            &mut dot,
            "edge [fontname=\"monospace\", fontsize=9];".into(),
        );
        line(
            &mut dot,
            format!(
                "label=\"zxsim kernel ({}) at t={}: {} live objects, {} live handles\";",
                self.profile, self.now, self.live_objects, self.live_handles
            ),
        );
        for process in &self.processes {
            line(&mut dot, format!("subgraph cluster_p{} {{", process.koid));
            line(&mut dot, format!("  label=\"process {}\";", process.koid));
            for handle in &process.handles {
                let value = handle.value.unwrap_or_default();
                line(
                    &mut dot,
                    format!(
                        "  h{}_{value:x} [shape=box, label=\"handle {value:#x}\\nrights {:#x}\"];",
                        process.koid, handle.rights
                    ),
                );
            }
            line(&mut dot, "}".into());
            for handle in &process.handles {
                let value = handle.value.unwrap_or_default();
                line(
                    &mut dot,
                    format!("h{}_{value:x} -> o{};", process.koid, handle.object),
                );
            }
        }
        // Objects named (by a wait, a peer link) but reachable from no handle: drawn dashed.
        let listed: std::collections::BTreeSet<Koid> =
            self.objects.iter().map(|object| object.koid).collect();
        let mut unlisted = std::collections::BTreeSet::new();
        for object in &self.objects {
            for observer in &object.observers {
                if let ObserverSnapshot::Async { port, .. } = observer {
                    if !listed.contains(port) {
                        unlisted.insert(*port);
                    }
                }
            }
        }
        for koid in unlisted {
            line(
                &mut dot,
                format!("o{koid} [style=dashed, label=\"object {koid}\\n(no handle)\"];"),
            );
        }
        for object in &self.objects {
            let mut label = format!(
                "{} {}\\nsignals {:#x}, {} handle(s)",
                object.obj_type, object.koid, object.signals, object.handle_count
            );
            if let Some(port) = &object.port {
                let _ = write!(label, "\\n{} pending wait(s)", port.pending_waits);
                for packet in &port.queue {
                    let _ = write!(label, "\\nqueued: key {}", packet.key);
                    match packet.source {
                        Some(source) => {
                            let _ = write!(label, " (signal from {source})");
                        }
                        None => label.push_str(" (user)"),
                    }
                }
            }
            if let Some(channel) = &object.channel {
                for message in &channel.messages {
                    let _ = write!(
                        label,
                        "\\nmessage: {} byte(s), {} handle(s)",
                        message.bytes,
                        message.handles.len()
                    );
                }
                if channel.pending_calls > 0 {
                    let _ = write!(
                        label,
                        "\\n{} call(s) awaiting a reply",
                        channel.pending_calls
                    );
                }
            }
            if let Some(timer) = &object.timer {
                if timer.deadline != 0 {
                    let _ = write!(label, "\\narmed: deadline {}", timer.deadline);
                }
            }
            if let Some(fd) = object.os_fd {
                let _ = write!(label, "\\nOS fd {fd}");
            }
            let shape = if object.port.is_some() {
                "box3d"
            } else {
                "ellipse"
            };
            line(
                &mut dot,
                format!("o{} [shape={shape}, label=\"{label}\"];", object.koid),
            );
            let drawn_peer = object
                .peer
                .filter(|&peer| peer > object.koid && listed.contains(&peer));
            if let Some(peer) = drawn_peer {
                line(
                    &mut dot,
                    format!(
                        "o{} -> o{peer} [dir=none, style=dotted, label=\"peer\"];",
                        object.koid
                    ),
                );
            }
            for (index, observer) in object.observers.iter().enumerate() {
                let id = format!("w{}_{index}", object.koid);
                match observer {
                    ObserverSnapshot::Sync { trigger } => {
                        line(
                            &mut dot,
                            format!(
                                "{id} [shape=note, label=\"wait_one/many\\ntrigger {trigger:#x}\"];"
                            ),
                        );
                        line(&mut dot, format!("o{} -> {id};", object.koid));
                    }
                    ObserverSnapshot::Async {
                        trigger,
                        port,
                        key,
                        edge,
                        ..
                    } => {
                        let mode = if *edge { "edge" } else { "level" };
                        line(
                            &mut dot,
                            format!(
                                "{id} [shape=note, label=\"wait_async key {key}\\ntrigger \
                                 {trigger:#x}, {mode}\"];"
                            ),
                        );
                        line(&mut dot, format!("o{} -> {id};", object.koid));
                        line(&mut dot, format!("{id} -> o{port} [label=\"packet\"];"));
                    }
                }
            }
            if let Some(channel) = &object.channel {
                for (index, message) in channel.messages.iter().enumerate() {
                    for handle in &message.handles {
                        line(
                            &mut dot,
                            format!(
                                "o{} -> o{} [style=dashed, label=\"in message {index}\"];",
                                object.koid, handle.object
                            ),
                        );
                    }
                }
            }
        }
        dot.push_str("}\n");
        dot
    }

    /// Writes `<stem>.json` and `<stem>.dot`; returns their paths.
    pub fn write(&self, stem: &Path) -> std::io::Result<(PathBuf, PathBuf)> {
        let with = |extension: &str| {
            let mut path = stem.as_os_str().to_owned();
            path.push(".");
            path.push(extension);
            PathBuf::from(path)
        };
        let (json, dot) = (with("json"), with("dot"));
        if let Some(parent) = json.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&json, self.to_json())?;
        std::fs::write(&dot, self.to_dot())?;
        Ok((json, dot))
    }
}
