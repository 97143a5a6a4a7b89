//! A snapshot of the tour program's kernel (`examples/tour/program.rs`) after `leave_state`:
//! its JSON holds what the program left, and its Graphviz rendering is exactly the expected
//! graph (handle values, random per process, are numbered in slot order before comparing).

#[path = "../examples/tour/program.rs"]
#[allow(dead_code)]
mod program;

use zxsim_kernel::snapshot::{ObserverSnapshot, Snapshot};
use zxsim_kernel::{Config, Kernel};

fn snapshot_of_the_tour() -> Snapshot {
    let kernel = Kernel::new(Config::default().with_virtual_clock());
    let tour = program::run_flows(&kernel);
    program::leave_state(&tour);
    let snapshot = kernel.snapshot();
    drop(tour);
    assert_eq!(kernel.live_objects(), 0, "the snapshot keeps nothing alive");
    snapshot
}

/// The DOT text with each handle value replaced by its slot number in its process.
fn normalised_dot(snapshot: &Snapshot) -> String {
    let mut dot = snapshot.to_dot();
    for process in &snapshot.processes {
        for (slot, handle) in process.handles.iter().enumerate() {
            let value = handle.value.expect("a table handle has a value");
            dot = dot
                .replace(
                    &format!("h{}_{value:x}", process.koid),
                    &format!("h{}_{slot}", process.koid),
                )
                .replace(&format!("handle {value:#x}"), &format!("handle #{slot}"));
        }
    }
    dot
}

const EXPECTED_DOT: &str = r#"digraph zxsim {
  rankdir=LR;
  node [fontname="monospace", fontsize=10];
  edge [fontname="monospace", fontsize=9];
  label="zxsim kernel (rfc0240) at t=1000: 6 live objects, 7 live handles";
  subgraph cluster_p1024 {
    label="process 1024";
    h1024_0 [shape=box, label="handle #0\nrights 0x800f"];
    h1024_1 [shape=box, label="handle #1\nrights 0xd003"];
    h1024_2 [shape=box, label="handle #2\nrights 0xf00e"];
    h1024_3 [shape=box, label="handle #3\nrights 0xf00e"];
    h1024_4 [shape=box, label="handle #4\nrights 0xd00b"];
  }
  h1024_0 -> o1032;
  h1024_1 -> o1033;
  h1024_2 -> o1034;
  h1024_3 -> o1035;
  h1024_4 -> o1036;
  subgraph cluster_p1025 {
    label="process 1025";
    h1025_0 [shape=box, label="handle #0\nrights 0xf00e"];
  }
  h1025_0 -> o1029;
  o1029 [shape=ellipse, label="channel 1029\nsignals 0x4, 1 handle(s)"];
  o1032 [shape=box3d, label="port 1032\nsignals 0x0, 1 handle(s)\n1 pending wait(s)\nqueued: key 7 (user)"];
  o1033 [shape=ellipse, label="event 1033\nsignals 0x0, 2 handle(s)"];
  w1033_0 [shape=note, label="wait_async key 6\ntrigger 0x1000000, level"];
  o1033 -> w1033_0;
  w1033_0 -> o1032 [label="packet"];
  o1034 [shape=ellipse, label="channel 1034\nsignals 0x2, 1 handle(s)"];
  o1034 -> o1035 [dir=none, style=dotted, label="peer"];
  o1035 [shape=ellipse, label="channel 1035\nsignals 0x3, 1 handle(s)\nmessage: 3 byte(s), 1 handle(s)"];
  o1035 -> o1033 [style=dashed, label="in message 0"];
  o1036 [shape=ellipse, label="timer 1036\nsignals 0x0, 1 handle(s)\narmed: deadline 5000"];
}
"#;

#[test]
fn the_dot_of_the_tour_is_the_expected_graph() {
    let snapshot = snapshot_of_the_tour();
    assert_eq!(normalised_dot(&snapshot), EXPECTED_DOT);
}

#[test]
fn the_json_holds_what_the_program_left() {
    let snapshot = snapshot_of_the_tour();
    assert_eq!((snapshot.live_objects, snapshot.live_handles), (6, 7));
    let json: serde_json::Value = serde_json::from_str(&snapshot.to_json()).expect("JSON");
    let objects = json["objects"].as_array().expect("objects");
    let of_type = |name: &str| -> Vec<&serde_json::Value> {
        objects.iter().filter(|o| o["type"] == name).collect()
    };
    let port = of_type("port")[0];
    assert_eq!(port["port"]["pending_waits"], 1);
    assert_eq!(port["port"]["queue"][0]["key"], 7);
    let event = of_type("event")[0];
    assert_eq!(event["handle_count"], 2, "one in the table, one in flight");
    assert_eq!(event["observers"][0]["mode"], "async");
    assert_eq!(event["observers"][0]["key"], 6);
    assert_eq!(event["observers"][0]["port"], port["koid"]);
    let queued = of_type("channel")
        .into_iter()
        .find(|c| !c["channel"]["messages"].as_array().unwrap().is_empty())
        .expect("the endpoint holding the message");
    let message = &queued["channel"]["messages"][0];
    assert_eq!(message["bytes"], 3);
    assert_eq!(message["handles"][0]["object"], event["koid"]);
    assert!(
        message["handles"][0].get("value").is_none(),
        "no value in flight"
    );
    let timer = of_type("timer")[0];
    assert_eq!(timer["timer"]["deadline"], 5_000);
    // The typed view agrees.
    let event_koid = event["koid"].as_u64().unwrap();
    let typed = snapshot
        .objects
        .iter()
        .find(|o| o.koid == event_koid)
        .unwrap();
    assert!(matches!(
        typed.observers[..],
        [ObserverSnapshot::Async {
            key: 6,
            edge: false,
            ..
        }]
    ));
}

#[test]
fn a_blocked_wait_one_shows_as_a_sync_observer() {
    use zxsim_syscalls::sys::*;
    let kernel = Kernel::new(Config::default().with_virtual_clock());
    let process = kernel.create_process();
    let _bound = process.bind();
    let mut event = 0;
    assert_eq!(zx_event_create(0, &mut event), ZX_OK);
    let waiter =
        process.spawn(move || zx_object_wait_one(event, ZX_USER_SIGNAL_1, ZX_TIME_INFINITE, None));
    let koid = loop {
        let snapshot = kernel.snapshot();
        let object = &snapshot.objects[0];
        if !object.observers.is_empty() {
            assert_eq!(
                object.observers,
                [ObserverSnapshot::Sync {
                    trigger: ZX_USER_SIGNAL_1
                }]
            );
            assert!(snapshot.to_dot().contains("wait_one/many"));
            break object.koid;
        }
        std::thread::yield_now();
    };
    assert_eq!(zx_object_signal(event, 0, ZX_USER_SIGNAL_1), ZX_OK);
    assert_eq!(waiter.join().unwrap(), ZX_OK);
    assert!(kernel
        .snapshot()
        .objects
        .iter()
        .all(|o| o.koid != koid || o.observers.is_empty()));
}

/// A socket adopted from an OS descriptor shows that descriptor; a kernel socket shows none.
#[cfg(unix)]
#[test]
fn an_adopted_socket_shows_its_os_descriptor() {
    use std::os::fd::{AsRawFd, OwnedFd};
    use std::os::unix::net::UnixStream;
    use zxsim_syscalls::sys::*;
    let kernel = Kernel::new(Config::default());
    let process = kernel.create_process();
    let _bound = process.bind();
    let (ours, _theirs) = UnixStream::pair().unwrap();
    let fd = ours.as_raw_fd();
    let mut adopted = 0;
    assert_eq!(
        zxsim_socket_from_fd(OwnedFd::from(ours), 0, &mut adopted),
        ZX_OK
    );
    let (mut a, mut b) = (0, 0);
    assert_eq!(zx_socket_create(0, &mut a, &mut b), ZX_OK);
    let snapshot = kernel.snapshot();
    let mut fds: Vec<Option<i32>> = snapshot.objects.iter().map(|o| o.os_fd).collect();
    fds.sort();
    assert_eq!(fds, [None, None, Some(fd)]);
    assert!(snapshot.to_dot().contains(&format!("OS fd {fd}")));
    for handle in [adopted, a, b] {
        assert_eq!(zx_handle_close(handle), ZX_OK);
    }
}
