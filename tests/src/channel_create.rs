//! Conformance cases for `zx_channel_create` (spec §7, §2.2).

use zxsim_syscalls::sys::*;

use crate::harness::Ctx;
use crate::support::*;

cases!["zx_channel_create";
    (options_must_be_zero, "§7 zx_channel_create: options ≠ 0 ⇒ ZX_ERR_INVALID_ARGS, no handle or object made", Both),
    (rights_0xf00e_type_channel, "§1.4/§7 zx_channel_create: both handles have rights 0xF00E (no DUPLICATE) and type CHANNEL", Both),
    (endpoints_related_koids, "§2.3: each endpoint's related_koid is the other's koid, and stays after the peer dies", Both),
    (both_start_writable_only, "§7 zx_channel_create: both endpoints start with ZX_CHANNEL_WRITABLE only", Both),
];

fn options_must_be_zero(ctx: &mut Ctx) {
    for options in [1, 2, 0x8000_0000, u32::MAX] {
        let (mut a, mut b) = (0x1234_5677, 0x7654_3213);
        assert_eq!(
            zx_channel_create(options, &mut a, &mut b),
            ZX_ERR_INVALID_ARGS,
            "options {options:#x}"
        );
        assert_eq!(
            (a, b),
            (0x1234_5677, 0x7654_3213),
            "outs untouched on failure"
        );
    }
    assert_eq!(ctx.kernel.live_objects(), 0);
    ctx.assert_clean();
}

fn rights_0xf00e_type_channel(ctx: &mut Ctx) {
    let (a, b) = new_channel();
    assert_ne!(a, b);
    for end in [a, b] {
        assert_eq!(end & ZX_HANDLE_FIXED_BITS_MASK, ZX_HANDLE_FIXED_BITS_MASK);
        let info = basic(end);
        assert_eq!(info.rights, 0xF00E);
        assert_eq!(info.rights, ZX_DEFAULT_CHANNEL_RIGHTS);
        assert_eq!(info.rights & ZX_RIGHT_DUPLICATE, 0);
        assert_eq!(info.type_, ZX_OBJ_TYPE_CHANNEL);
    }
    assert_eq!(ctx.kernel.live_objects(), 2);
    close_all(&[a, b]);
    ctx.assert_clean();
}

fn endpoints_related_koids(ctx: &mut Ctx) {
    let (a, b) = new_channel();
    let (ia, ib) = (basic(a), basic(b));
    assert_ne!(ia.koid, ib.koid);
    assert_eq!(ia.related_koid, ib.koid);
    assert_eq!(ib.related_koid, ia.koid);
    close_all(&[b]);
    assert_eq!(
        basic(a).related_koid,
        ib.koid,
        "related_koid survives the peer"
    );
    close_all(&[a]);
    ctx.assert_clean();
}

fn both_start_writable_only(ctx: &mut Ctx) {
    let (a, b) = new_channel();
    assert_eq!(signals(a), ZX_CHANNEL_WRITABLE);
    assert_eq!(signals(b), ZX_CHANNEL_WRITABLE);
    close_all(&[a, b]);
    ctx.assert_clean();
}
