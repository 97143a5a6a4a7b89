//! Conformance cases for `Kernel::leak_report` (zxsim's own diagnostic; Zircon has none): handles
//! inside unread messages keep their objects alive (spec §2.2), so an endpoint whose only handle
//! sits in its own queue — or two endpoints holding each other — is alive for ever and no process
//! can reach it. Zircon leaks these silently; zxsim names them, with the chain keeping them alive.

use crate::harness::Ctx;
use crate::support::*;
use zxsim_kernel::{LeakKind, LeakReport};
use zxsim_syscalls::sys::*;

cases![
    "Kernel::leak_report";
    (endpoint_in_its_own_queue_is_a_cycle, "§2.2: an endpoint written through its peer sits in its own queue: reported at once as a cycle of one, and still alive (1 object, 1 handle) after the peer closes", Both),
    (two_endpoints_holding_each_other, "§2.2: two endpoints each in the other's queue, and an event in one of them ⇒ three objects reported as soon as the cycle closes, chains through the cycle", Both),
    (leak_free_program_reports_nothing, "§2.2: handles queued on an endpoint a process holds are reachable; after every close nothing is alive and the report is empty", Both),
];

fn write(channel: zx_handle_t, handles: &[zx_handle_t]) {
    assert_eq!(zx_channel_write(channel, 0, b"x", handles), ZX_OK);
}

fn chain_koids(report: &LeakReport, koid: zx_koid_t) -> Vec<zx_koid_t> {
    let entry = report
        .entries
        .iter()
        .find(|entry| entry.object.koid == koid)
        .unwrap_or_else(|| panic!("koid {koid} not in the report:\n{report}"));
    assert_eq!(entry.kind, LeakKind::Cycle);
    entry.chain.iter().map(|link| link.koid).collect()
}

fn endpoint_in_its_own_queue_is_a_cycle(ctx: &mut Ctx) {
    let (a, b) = new_channel();
    let a_koid = koid(a);
    // Written through the peer, `a` lands in its own queue: from now on only a holder of `a`
    // could read it out, and there is none — holding `b` does not help (b reads the other queue).
    write(b, &[a]);
    let report = ctx.kernel.leak_report();
    assert_eq!(chain_koids(&report, a_koid), [a_koid], "already a cycle");
    close(b);
    assert_eq!(live(ctx), (1, 1), "Zircon keeps the endpoint alive");
    let report = ctx.kernel.leak_report();
    assert_eq!(report.entries.len(), 1, "{report}");
    let entry = &report.entries[0];
    assert_eq!(entry.object.koid, a_koid);
    assert_eq!(entry.object.obj_type.into_raw(), ZX_OBJ_TYPE_CHANNEL);
    assert_eq!(entry.handles, 1);
    assert_eq!(chain_koids(&report, a_koid), [a_koid]);
    assert_eq!((report.leaked_handles, report.handleless), (1, 0));
    assert!(
        entry.to_string().contains(&format!("channel {a_koid}")),
        "{entry}"
    );
}

fn two_endpoints_holding_each_other(ctx: &mut Ctx) {
    let (a, b) = new_channel();
    let (c, d) = new_channel();
    let e = new_event();
    let (b_koid, d_koid, e_koid) = (koid(b), koid(d), koid(e));
    write(a, &[d, e]); // d and e now sit in b's queue
    assert!(ctx.kernel.leak_report().is_clean(), "b is still in a table");
    write(c, &[b]); // b now sits in d's queue: holding a and c reads neither queue
    assert_eq!(ctx.kernel.leak_report().entries.len(), 3);
    close(a);
    close(c);
    assert_eq!(live(ctx), (3, 3));
    let report = ctx.kernel.leak_report();
    let koids: Vec<zx_koid_t> = report.entries.iter().map(|e| e.object.koid).collect();
    let mut expected = vec![b_koid, d_koid, e_koid];
    expected.sort_unstable();
    assert_eq!(koids, expected, "{report}");
    assert_eq!(chain_koids(&report, b_koid), [d_koid, b_koid]);
    assert_eq!(chain_koids(&report, d_koid), [b_koid, d_koid]);
    assert_eq!(chain_koids(&report, e_koid), [b_koid, d_koid, b_koid]);
    assert_eq!(report.leaked_handles, 3);
}

fn leak_free_program_reports_nothing(ctx: &mut Ctx) {
    let (a, b) = new_channel();
    let (c, d) = new_channel();
    let (e, p) = (new_event(), new_port());
    write(a, &[c, e]);
    write(b, &[p]);
    // Everything queued is reachable through an endpoint this process holds.
    let report = ctx.kernel.leak_report();
    assert!(report.is_clean(), "{report}");
    assert_eq!(report.examined, 6);
    // Read it all back and close everything.
    let mut handles = [0; 4];
    let mut bytes = [0; 8];
    let (mut nb, mut nh) = (0, 0);
    for reader in [b, a] {
        assert_eq!(
            zx_channel_read(
                reader,
                0,
                &mut bytes,
                &mut handles,
                Some(&mut nb),
                Some(&mut nh)
            ),
            ZX_OK
        );
        for &h in &handles[..nh as usize] {
            close(h);
        }
    }
    for h in [a, b, d] {
        close(h);
    }
    ctx.assert_clean();
    let report = ctx.kernel.leak_report();
    assert!(report.is_clean(), "{report}");
    assert_eq!(report.examined, 0);
}
