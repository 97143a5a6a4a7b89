//! Conformance cases for defects found by running Zircon's own core-tests through the C ABI
//! (`cargo xtask core-tests`); each names the upstream test that exposed it.

use crate::handle::util::*;
use crate::harness::Ctx;
use zxsim_syscalls::sys::*;

cases![
    "zx_socket_read";
    (zero_byte_read_keeps_the_datagram, "§10: a zero-byte read answers OK and consumes nothing, on datagram and stream sockets (upstream SocketTest.ZeroSize)", Both),
];

fn zero_byte_read_keeps_the_datagram(ctx: &mut Ctx) {
    for options in [ZX_SOCKET_STREAM, ZX_SOCKET_DATAGRAM] {
        let (mut a, mut b) = (0, 0);
        assert_eq!(zx_socket_create(options, &mut a, &mut b), ZX_OK);
        let mut actual = 7;
        assert_eq!(
            zx_socket_read(a, 0, &mut [], Some(&mut actual)),
            ZX_ERR_SHOULD_WAIT
        );
        assert_eq!(zx_socket_write(b, 0, b"a", None), ZX_OK);
        for _ in 0..2 {
            assert_eq!(zx_socket_read(a, 0, &mut [], Some(&mut actual)), ZX_OK);
            assert_eq!(actual, 0);
        }
        let mut byte = [0u8; 1];
        assert_eq!(zx_socket_read(a, 0, &mut byte, Some(&mut actual)), ZX_OK);
        assert_eq!((actual, byte[0]), (1, b'a'), "the data is still there");
        close(a);
        close(b);
    }
    ctx.assert_clean();
}
