//! A trace of the tour program (`examples/tour/program.rs`) parses as Chrome JSON, and every flow
//! arrow connects the slices it should: the syscall (or kernel event) that caused something to
//! the one that observed it, on the right process.

#[path = "../examples/tour/program.rs"]
#[allow(dead_code)]
mod program;

use std::collections::HashMap;

use serde_json::Value;
use zxsim_kernel::{Config, Kernel, Koid};
use zxsim_syscalls::sys::*;

struct Slice {
    name: String,
    pid: u64,
    tid: u64,
    start: f64,
    end: f64,
}

/// The innermost slice on (pid, tid) enclosing `ts`.
fn enclosing(slices: &[Slice], pid: u64, tid: u64, ts: f64) -> Option<&Slice> {
    slices
        .iter()
        .filter(|s| s.pid == pid && s.tid == tid && s.start <= ts && ts <= s.end)
        .min_by(|a, b| (a.end - a.start).total_cmp(&(b.end - b.start)))
}

fn trace_of_the_tour(test: &str) -> (Vec<Value>, Koid, Koid) {
    trace_of(test, |kernel| {
        let tour = program::run_flows(kernel);
        (tour.client.koid(), tour.server.koid())
        // The kernel, its processes and the trace writer go when `trace_of` returns: the file
        // is complete.
    })
}

/// The trace of `program` run on a fresh kernel with a virtual clock and two processes.
fn trace_of(test: &str, program: impl FnOnce(&Kernel) -> (Koid, Koid)) -> (Vec<Value>, Koid, Koid) {
    let path = std::env::temp_dir().join(format!("zxsim-trace-{test}-{}.json", std::process::id()));
    let (first, second) = {
        let kernel = Kernel::new(Config::default().with_virtual_clock().with_trace(&path));
        program(&kernel)
    };
    let text = std::fs::read_to_string(&path).expect("the trace file");
    let _ = std::fs::remove_file(&path);
    let events: Vec<Value> = serde_json::from_str(&text).expect("a JSON array of trace events");
    (events, first, second)
}

/// Every flow arrow of a trace as (kind, start slice, start pid, finish slice, finish pid),
/// sorted; panics on a flow point outside every slice, a start id used twice, a finish without
/// a start, or a start never finished.
fn arrows_of(events: &[Value]) -> Vec<(String, String, u64, String, u64)> {
    let field = |e: &Value, k: &str| e[k].as_u64().unwrap_or_else(|| panic!("{k} in {e}"));
    let slices: Vec<Slice> = events
        .iter()
        .filter(|e| e["ph"] == "X")
        .map(|e| {
            let start = e["ts"].as_f64().expect("ts");
            Slice {
                name: e["name"].as_str().expect("name").to_string(),
                pid: field(e, "pid"),
                tid: field(e, "tid"),
                start,
                end: start + e["dur"].as_f64().expect("dur"),
            }
        })
        .collect();
    // id → (kind, start slice, start pid)
    let mut starts: HashMap<u64, (String, String, u64)> = HashMap::new();
    let mut arrows = Vec::new();
    for e in events {
        let phase = e["ph"].as_str().unwrap_or_default();
        if phase != "s" && phase != "f" {
            continue;
        }
        let (pid, tid, ts) = (field(e, "pid"), field(e, "tid"), e["ts"].as_f64().unwrap());
        let slice = enclosing(&slices, pid, tid, ts)
            .unwrap_or_else(|| panic!("flow point outside every slice: {e}"));
        let id = field(e, "id");
        let kind = e["name"].as_str().unwrap().to_string();
        if phase == "s" {
            assert!(
                starts.insert(id, (kind, slice.name.clone(), pid)).is_none(),
                "id {id} reused"
            );
        } else {
            assert_eq!(e["bp"], "e", "a finish binds to its enclosing slice");
            let (start_kind, from, from_pid) = starts.remove(&id).expect("a finish has a start");
            assert_eq!(start_kind, kind);
            arrows.push((kind, from, from_pid, slice.name.clone(), pid));
        }
    }
    assert!(starts.is_empty(), "flows never finished: {starts:?}");
    arrows.sort();
    arrows
}

/// Messages in flight on two channels at once are two flows: each arrow runs from the write on
/// one channel to the read of that same channel. The client owns channel a, the server channel
/// b; both messages are queued before either is read, and b is read first.
#[test]
fn messages_on_two_channels_are_distinct_flows() {
    fn read_one(end: zx_handle_t, expected: &[u8; 1]) {
        let mut bytes = [0u8; 1];
        assert_eq!(
            zx_channel_read(end, 0, &mut bytes, &mut [], None, None),
            ZX_OK
        );
        assert_eq!(&bytes, expected);
    }
    let (events, client, server) = trace_of("two-channels", |kernel| {
        let client = kernel.create_process();
        let server = kernel.create_process();
        let (mut a0, mut a1, mut b0, mut b1) = (0, 0, 0, 0);
        {
            let _bound = client.bind();
            assert_eq!(zx_channel_create(0, &mut a0, &mut a1), ZX_OK);
            assert_eq!(zx_channel_create(0, &mut b0, &mut b1), ZX_OK);
        }
        let b0 = server.add_handle(client.handles().remove(b0).expect("b0"));
        let b1 = server.add_handle(client.handles().remove(b1).expect("b1"));
        let in_client = |f: &dyn Fn()| {
            let _bound = client.bind();
            f()
        };
        let in_server = |f: &dyn Fn()| {
            let _bound = server.bind();
            f()
        };
        in_client(&|| assert_eq!(zx_channel_write(a0, 0, b"a", &[]), ZX_OK));
        in_server(&|| assert_eq!(zx_channel_write(b0, 0, b"b", &[]), ZX_OK));
        in_server(&|| read_one(b1, b"b"));
        in_client(&|| read_one(a1, b"a"));
        (client.koid(), server.koid())
    });
    let messages: Vec<_> = arrows_of(&events)
        .into_iter()
        .filter(|arrow| arrow.0 == "message")
        .collect();
    let arrow = |pid: Koid| {
        (
            "message".to_string(),
            "zx_channel_write".to_string(),
            pid,
            "zx_channel_read".to_string(),
            pid,
        )
    };
    let mut expected = vec![arrow(client), arrow(server)];
    expected.sort();
    assert_eq!(messages, expected);
}

/// Two packets queued on one port before either is dequeued are two flows, each finished by
/// the port_wait that takes it.
#[test]
fn packets_queued_together_are_distinct_flows() {
    let (events, client, _) = trace_of("two-packets", |kernel| {
        let client = kernel.create_process();
        let _bound = client.bind();
        let mut port = ZX_HANDLE_INVALID;
        assert_eq!(zx_port_create(0, &mut port), ZX_OK);
        for key in [1, 2] {
            let packet = zx_port_packet_t {
                key,
                ..Default::default()
            };
            assert_eq!(zx_port_queue(port, &packet), ZX_OK);
        }
        for key in [1, 2] {
            let mut packet = zx_port_packet_t::default();
            assert_eq!(zx_port_wait(port, ZX_TIME_INFINITE, &mut packet), ZX_OK);
            assert_eq!(packet.key, key);
        }
        (client.koid(), 0)
    });
    let packets: Vec<_> = arrows_of(&events)
        .into_iter()
        .filter(|arrow| arrow.0 == "packet")
        .collect();
    let arrow = (
        "packet".to_string(),
        "zx_port_queue".to_string(),
        client,
        "zx_port_wait".to_string(),
        client,
    );
    assert_eq!(packets, vec![arrow.clone(), arrow]);
}

/// Two async waits pending at once are two flows, each finished by the signal that fires it
/// (the later-registered wait fires first).
#[test]
fn waits_pending_together_are_distinct_flows() {
    let (events, client, _) = trace_of("two-waits", |kernel| {
        let client = kernel.create_process();
        let _bound = client.bind();
        let (mut port, mut first, mut second) = (0, 0, 0);
        assert_eq!(zx_port_create(0, &mut port), ZX_OK);
        assert_eq!(zx_event_create(0, &mut first), ZX_OK);
        assert_eq!(zx_event_create(0, &mut second), ZX_OK);
        for (key, event) in [(1, first), (2, second)] {
            assert_eq!(
                zx_object_wait_async(event, port, key, ZX_EVENT_SIGNALED, 0),
                ZX_OK
            );
        }
        for (key, event) in [(2, second), (1, first)] {
            assert_eq!(zx_object_signal(event, 0, ZX_EVENT_SIGNALED), ZX_OK);
            let mut packet = zx_port_packet_t::default();
            assert_eq!(zx_port_wait(port, ZX_TIME_INFINITE, &mut packet), ZX_OK);
            assert_eq!(packet.key, key);
        }
        (client.koid(), 0)
    });
    let waits: Vec<_> = arrows_of(&events)
        .into_iter()
        .filter(|arrow| arrow.0 == "wait")
        .collect();
    let arrow = (
        "wait".to_string(),
        "zx_object_wait_async".to_string(),
        client,
        "zx_object_signal".to_string(),
        client,
    );
    assert_eq!(waits, vec![arrow.clone(), arrow]);
}

#[test]
fn every_flow_connects_cause_and_effect() {
    let (events, client, server) = trace_of_the_tour("flows");
    // Every syscall slice carries its status.
    for e in events.iter().filter(|e| e["cat"] == "syscall") {
        assert!(e["args"]["status"].is_i64(), "no status: {e}");
    }
    let arrows = arrows_of(&events);
    let c = client;
    let s = server;
    let mut expected: Vec<(&str, &str, u64, &str, u64)> = vec![
        // wait_async → the signal that fired it → the port_wait that dequeued its packet.
        ("wait", "zx_object_wait_async", c, "zx_object_signal", c),
        ("packet", "zx_object_signal", c, "zx_port_wait", c),
        // A user packet.
        ("packet", "zx_port_queue", c, "zx_port_wait", c),
        // The server's wait on its endpoint fires inside the client's call (the request makes
        // the endpoint readable); the server's port_wait takes the packet.
        ("wait", "zx_object_wait_async", s, "zx_channel_call", c),
        ("packet", "zx_channel_call", c, "zx_port_wait", s),
        // call → the server's read; the server's reply write → the call returning.
        ("message", "zx_channel_call", c, "zx_channel_read", s),
        ("reply", "zx_channel_write", s, "zx_channel_call", c),
        ("message", "zx_channel_write", c, "zx_channel_read", s),
        // timer set → fire (on the advancing thread, outside any syscall) → its wait → packet.
        ("timer", "zx_timer_set", c, "timer fired", c),
        ("wait", "zx_object_wait_async", c, "wait fired", c),
        ("packet", "packet queued", c, "zx_port_wait", c),
        // cancel → the wait it removed.
        ("wait", "zx_object_wait_async", c, "zx_port_cancel_key", c),
    ];
    let mut found: Vec<(&str, &str, u64, &str, u64)> = arrows
        .iter()
        .map(|(k, f, fp, t, tp)| (k.as_str(), f.as_str(), *fp, t.as_str(), *tp))
        .collect();
    expected.sort();
    found.sort();
    assert_eq!(found, expected);
}

#[test]
fn tracks_and_counters() {
    let (events, client, server) = trace_of_the_tour("tracks");
    let named = |pid: u64| {
        events.iter().any(|e| {
            e["ph"] == "M" && e["name"] == "process_name" && e["pid"].as_u64() == Some(pid)
        })
    };
    assert!(named(client) && named(server) && named(0));
    let counter = |name: &str| -> Vec<u64> {
        events
            .iter()
            .filter(|e| e["ph"] == "C" && e["name"] == name)
            .map(|e| {
                e["args"]
                    .as_object()
                    .unwrap()
                    .values()
                    .next()
                    .unwrap()
                    .as_u64()
                    .unwrap()
            })
            .collect()
    };
    let objects = counter("live objects");
    // Only the server's endpoint is left when the last syscall returns.
    assert_eq!(objects.last(), Some(&1), "{objects:?}");
    assert!(objects.iter().max() >= Some(&5), "{objects:?}");
    assert!(!counter("live handles").is_empty());
    let port_queues: Vec<&Value> = events
        .iter()
        .filter(|e| e["ph"] == "C" && e["name"].as_str().unwrap().starts_with("port "))
        .collect();
    assert!(port_queues.iter().any(|e| e["args"]["packets"] == 1));
    // Each syscall slice sits on the process that made it: the server's reads are on its track.
    assert!(events.iter().any(|e| e["ph"] == "X"
        && e["name"] == "zx_channel_read"
        && e["pid"].as_u64() == Some(server)));
}
