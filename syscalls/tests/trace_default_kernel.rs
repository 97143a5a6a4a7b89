//! `ZXSIM_TRACE` traces the default kernel (threads that never bound a process): the file is
//! flushed after every syscall, so it is readable while the program still runs. Its own test
//! binary: the default kernel and the global subscriber are process-wide.

use zxsim_syscalls::sys::*;

#[test]
fn zxsim_trace_traces_the_default_kernel() {
    let path = std::env::temp_dir().join(format!("zxsim-default-{}.json", std::process::id()));
    // Before the default kernel exists: it reads the environment once, when first used.
    std::env::set_var("ZXSIM_TRACE", &path);
    let (mut port, mut event) = (0, 0);
    assert_eq!(zx_port_create(0, &mut port), ZX_OK);
    assert_eq!(zx_event_create(0, &mut event), ZX_OK);
    assert_eq!(
        zx_object_wait_async(event, port, 7, ZX_EVENT_SIGNALED, 0),
        ZX_OK
    );
    assert_eq!(zx_object_signal(event, 0, ZX_EVENT_SIGNALED), ZX_OK);
    let mut packet = zx_port_packet_t::default();
    assert_eq!(zx_port_wait(port, ZX_TIME_INFINITE, &mut packet), ZX_OK);
    // The default kernel never goes away: the trace has no closing bracket yet.
    let text = std::fs::read_to_string(&path).expect("the trace file");
    let _ = std::fs::remove_file(&path);
    let events: Vec<serde_json::Value> =
        serde_json::from_str(&format!("{text}\n]")).expect("a JSON array once closed");
    let names: Vec<&str> = events
        .iter()
        .filter(|e| e["ph"] == "X")
        .filter_map(|e| e["name"].as_str())
        .collect();
    assert_eq!(
        names,
        [
            "zx_port_create",
            "zx_event_create",
            "zx_object_wait_async",
            "zx_object_signal",
            "zx_port_wait"
        ]
    );
    let flows = events.iter().filter(|e| e["ph"] == "s" || e["ph"] == "f");
    assert_eq!(flows.count(), 4, "wait_async → signal, signal → port_wait");
}
