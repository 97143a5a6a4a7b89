//! The leak report: which live objects no process can reach.
//!
//! **What the kernel keeps** is in [`crate::registry`].
//!
//! **Report.** [`Kernel::leak_report`] snapshots the registered endpoints, reads their queues, and
//! adds the objects found in them. Then, by reachability:
//! - roots: objects with a handle outside every channel queue — in a process's handle table (or,
//!   for an instant, in a syscall's hands);
//! - a channel endpoint reachable from a root makes the objects whose handles sit in its queue
//!   reachable (whoever holds the endpoint can read them);
//! - every other object is reachable only through messages in channels that no process can reach:
//!   a [`LeakKind::Cycle`]. Its chain names the endpoint whose queue holds it, the endpoint whose
//!   queue holds that one, and so on until the chain meets itself — e.g. an endpoint whose only
//!   handle sits in its own queue. Zircon leaks these silently.
//!
//! Objects alive with **no** handle at all (kept alive only by kernel-internal references: an
//! observer, a queued packet, an armed timer) are counted (`handleless`: live objects minus
//! objects with handles) but cannot be named.
//!
//! The snapshot is not atomic: while other threads run syscalls the report can name an object
//! that a racing read is about to make reachable. It is exact when the kernel is quiescent.

use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt;

use crate::kernel::Kernel;
use crate::object::DispatcherRef;
use crate::objects::channel::Channel;
use crate::types::{Koid, ObjType};

/// Why a leaked object is still alive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LeakKind {
    /// Its handles sit only in messages queued on channel endpoints that no process can reach;
    /// following "whose queue holds it" ends in a cycle.
    Cycle,
}

/// One link of a chain: an object, named by koid and type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ObjectName {
    pub koid: Koid,
    pub obj_type: ObjType,
}

impl fmt::Display for ObjectName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", type_name(self.obj_type), self.koid)
    }
}

/// One object no process can reach.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeakEntry {
    pub object: ObjectName,
    /// The object's handle count (all of them inside channel messages).
    pub handles: u32,
    pub kind: LeakKind,
    /// The channel endpoints keeping it alive: `chain[0]`'s queue holds a handle to `object`,
    /// `chain[1]`'s queue holds a handle to `chain[0]`, … The last link's holder is an earlier
    /// link (or `object` itself): the cycle closes there.
    pub chain: Vec<ObjectName>,
}

impl fmt::Display for LeakEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({} handle(s))", self.object, self.handles)?;
        for link in &self.chain {
            write!(f, " <- in the queue of {link}")?;
        }
        write!(f, " (cycle)")
    }
}

/// What [`Kernel::leak_report`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LeakReport {
    /// Unreachable objects, by koid.
    pub entries: Vec<LeakEntry>,
    /// Objects examined: the channel endpoints holding handles and the objects in their queues.
    pub examined: usize,
    /// Objects with at least one handle, anywhere (read after the snapshot).
    pub with_handles: usize,
    /// Live objects with no handle at all (kept by kernel-internal references; not nameable):
    /// `live_objects()` minus `with_handles`.
    pub handleless: usize,
    /// Handles sitting in the queues of the unreachable endpoints.
    pub leaked_handles: usize,
}

impl LeakReport {
    /// Nothing unreachable and nothing alive without a handle.
    pub fn is_clean(&self) -> bool {
        self.entries.is_empty() && self.handleless == 0
    }
}

impl fmt::Display for LeakReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "leak report: {} unreachable object(s) holding {} handle(s) in messages; {} live \
             object(s) without any handle; {} object(s) with handles",
            self.entries.len(),
            self.leaked_handles,
            self.handleless,
            self.with_handles
        )?;
        for entry in &self.entries {
            writeln!(f, "  {entry}")?;
        }
        Ok(())
    }
}

/// One registered object as the analysis sees it.
struct Node {
    name: ObjectName,
    handles: u32,
    /// Koids of the objects whose handles sit in this endpoint's queue (channels only).
    queued: Vec<Koid>,
}

impl Kernel {
    /// Objects no process can reach (see the module doc of [`crate::leak`]).
    pub fn leak_report(&self) -> LeakReport {
        let registry = &self.shared().registry;
        let endpoints = registry.snapshot();
        let mut nodes: Vec<Node> = Vec::with_capacity(endpoints.len());
        let mut seen: HashSet<Koid> = endpoints.iter().map(|object| object.koid()).collect();
        let mut found: Vec<DispatcherRef> = Vec::new();
        for endpoint in &endpoints {
            let mut queued = Vec::new();
            if let Some(channel) = endpoint.downcast::<Channel>() {
                channel.for_each_queued_handle(|handle| {
                    let object = handle.object();
                    queued.push(object.koid());
                    if seen.insert(object.koid()) {
                        found.push(object.to_ref());
                    }
                });
            }
            nodes.push(node_of(endpoint, queued));
        }
        // Objects found in queues that are not registered endpoints (events, ports, …, or an
        // endpoint that lost its last handle meanwhile): their own queues are not followed.
        nodes.extend(found.iter().map(|object| node_of(object, Vec::new())));
        let live = self.live_objects();
        let with_handles = registry.with_handles();
        // Drop the snapshot's references outside every lock (one may be the last).
        drop((endpoints, found));
        let mut report = analyse(&nodes);
        report.with_handles = with_handles;
        report.handleless = live.saturating_sub(with_handles);
        tracing::debug!(
            unreachable = report.entries.len(),
            handleless = report.handleless,
            "leak report"
        );
        report
    }

    /// Objects holding at least one handle, in tables or in messages.
    pub fn objects_with_handles(&self) -> usize {
        self.shared().registry.with_handles()
    }
}

fn node_of(object: &DispatcherRef, queued: Vec<Koid>) -> Node {
    Node {
        name: ObjectName {
            koid: object.koid(),
            obj_type: object.obj_type(),
        },
        handles: object.handle_count(),
        queued,
    }
}

/// The reachability analysis over a snapshot (separate from the registry so it can be tested on
/// hand-made graphs).
fn analyse(nodes: &[Node]) -> LeakReport {
    let index: HashMap<Koid, usize> = nodes
        .iter()
        .enumerate()
        .map(|(i, node)| (node.name.koid, i))
        .collect();
    // How many of each object's handles sit in queues, and one queue holding each.
    let mut in_queues = vec![0u32; nodes.len()];
    let mut holder: Vec<Option<usize>> = vec![None; nodes.len()];
    for (i, node) in nodes.iter().enumerate() {
        for koid in &node.queued {
            if let Some(&j) = index.get(koid) {
                in_queues[j] += 1;
                holder[j].get_or_insert(i);
            }
        }
    }
    // Roots: a handle outside every queue. A handle-less registered object (its last handle went
    // an instant ago) is not a leak either: it is on its way out.
    let mut reachable = vec![false; nodes.len()];
    let mut work: VecDeque<usize> = VecDeque::new();
    for (i, node) in nodes.iter().enumerate() {
        if node.handles == 0 || node.handles > in_queues[i] {
            reachable[i] = true;
            work.push_back(i);
        }
    }
    while let Some(i) = work.pop_front() {
        for koid in &nodes[i].queued {
            if let Some(&j) = index.get(koid) {
                if !reachable[j] {
                    reachable[j] = true;
                    work.push_back(j);
                }
            }
        }
    }
    let mut report = LeakReport {
        examined: nodes.len(),
        ..LeakReport::default()
    };
    for (i, node) in nodes.iter().enumerate() {
        if reachable[i] {
            continue;
        }
        report.leaked_handles += node.queued.len();
        let mut chain = Vec::new();
        let mut seen = HashSet::from([i]);
        let mut next = holder[i];
        while let Some(h) = next {
            chain.push(nodes[h].name);
            if !seen.insert(h) {
                break;
            }
            next = holder[h];
        }
        report.entries.push(LeakEntry {
            object: node.name,
            handles: node.handles,
            kind: LeakKind::Cycle,
            chain,
        });
    }
    report.entries.sort_by_key(|entry| entry.object.koid);
    report
}

pub(crate) fn type_name(obj_type: ObjType) -> &'static str {
    match obj_type {
        ObjType::CHANNEL => "channel",
        ObjType::EVENT => "event",
        ObjType::EVENTPAIR => "eventpair",
        ObjType::FIFO => "fifo",
        ObjType::PORT => "port",
        ObjType::SOCKET => "socket",
        ObjType::TIMER => "timer",
        ObjType::PROCESS => "process",
        ObjType::THREAD => "thread",
        _ => "object",
    }
}

#[cfg(all(test, not(zxsim_loom)))]
mod tests {
    use super::*;
    use crate::handle::Handle;
    use crate::kernel::Config;
    use crate::objects::channel::Message;
    use crate::objects::event::Event;

    fn node(koid: Koid, obj_type: ObjType, handles: u32, queued: &[Koid]) -> Node {
        Node {
            name: ObjectName { koid, obj_type },
            handles,
            queued: queued.to_vec(),
        }
    }

    #[test]
    fn graph_without_queued_handles_is_clean() {
        let report = analyse(&[
            node(1, ObjType::EVENT, 1, &[]),
            node(2, ObjType::CHANNEL, 1, &[]),
        ]);
        assert!(report.entries.is_empty());
        assert_eq!(report.examined, 2);
    }

    #[test]
    fn endpoint_in_its_own_queue_is_a_cycle_of_one() {
        let report = analyse(&[node(7, ObjType::CHANNEL, 1, &[7])]);
        assert_eq!(report.entries.len(), 1);
        let entry = &report.entries[0];
        assert_eq!(entry.object.koid, 7);
        assert_eq!(entry.kind, LeakKind::Cycle);
        assert_eq!(entry.chain.iter().map(|l| l.koid).collect::<Vec<_>>(), [7]);
        assert_eq!(report.leaked_handles, 1);
        assert!(entry.to_string().contains("channel 7"), "{entry}");
    }

    #[test]
    fn objects_held_by_a_cycle_leak_with_it() {
        // 10 and 11 hold each other; 11's queue also holds event 20.
        let report = analyse(&[
            node(10, ObjType::CHANNEL, 1, &[11]),
            node(11, ObjType::CHANNEL, 1, &[10, 20]),
            node(20, ObjType::EVENT, 1, &[]),
        ]);
        let koids: Vec<Koid> = report.entries.iter().map(|e| e.object.koid).collect();
        assert_eq!(koids, [10, 11, 20]);
        let event = &report.entries[2];
        assert_eq!(
            event.chain.iter().map(|l| l.koid).collect::<Vec<_>>(),
            [11, 10, 11]
        );
    }

    #[test]
    fn a_handle_in_a_table_makes_the_queue_reachable() {
        // Channel 10's one handle is in a table; its queue holds 11, whose queue holds 12.
        let report = analyse(&[
            node(10, ObjType::CHANNEL, 1, &[11]),
            node(11, ObjType::CHANNEL, 1, &[12]),
            node(12, ObjType::EVENT, 2, &[]),
        ]);
        assert!(report.entries.is_empty(), "{report}");
    }

    #[test]
    fn an_object_with_a_handle_outside_the_cycle_is_reachable() {
        // Event 20 sits in the cycle's queue but also has a handle in a table.
        let report = analyse(&[
            node(10, ObjType::CHANNEL, 1, &[10, 20]),
            node(20, ObjType::EVENT, 2, &[]),
        ]);
        let koids: Vec<Koid> = report.entries.iter().map(|e| e.object.koid).collect();
        assert_eq!(koids, [10]);
    }

    #[test]
    fn registry_follows_handle_counts() {
        let kernel = Kernel::new(Config::default());
        let process = kernel.create_process();
        let event = process.create_object(Event::new()).expect("event");
        let (a, b) = process.create_pair(Channel::pair).expect("channel");
        assert_eq!(kernel.objects_with_handles(), 3);
        assert_eq!(
            kernel.shared().registry.snapshot().len(),
            2,
            "endpoints only"
        );
        assert!(kernel.leak_report().is_clean());
        for value in [event, a, b] {
            drop(process.handles().remove(value).expect("remove"));
        }
        assert_eq!(kernel.objects_with_handles(), 0);
        assert!(kernel.shared().registry.snapshot().is_empty());
        assert_eq!(kernel.live_objects(), 0);
        assert!(kernel.leak_report().is_clean());
    }

    #[test]
    fn kernel_reports_an_endpoint_written_into_its_own_queue() {
        let kernel = Kernel::new(Config::default());
        let process = kernel.create_process();
        let (a, b) = process.create_pair(Channel::pair).expect("channel");
        let a_handle: Handle = process.handles().remove(a).expect("a");
        let a_koid = a_handle.object().koid();
        let b_object = process
            .get_object::<Channel>(b, crate::types::Rights::NONE)
            .expect("b");
        b_object
            .write(process.koid(), Message::new(vec![1], vec![a_handle]))
            .map_err(|(status, _)| status)
            .expect("write");
        drop(b_object);
        drop(process.handles().remove(b).expect("b"));
        let report = kernel.leak_report();
        assert_eq!(report.entries.len(), 1, "{report}");
        assert_eq!(report.entries[0].object.koid, a_koid);
        assert_eq!(report.entries[0].chain[0].koid, a_koid);
        assert_eq!(report.handleless, 0);
        assert_eq!(kernel.live_objects(), 1);
    }
}
