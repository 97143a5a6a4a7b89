//! The port's accessors that no syscall reads (the options it was created with, its queue
//! length as diagnostics and snapshots see it), checked through the kernel's public API.

use zxsim_kernel::objects::port::{Port, PortPacket, PKT_TYPE_USER, PORT_BIND_TO_INTERRUPT};
use zxsim_kernel::{Config, Kernel};

#[test]
fn a_port_keeps_its_creation_options() {
    let kernel = Kernel::new(Config::default().with_virtual_clock());
    for options in [0, PORT_BIND_TO_INTERRUPT] {
        assert_eq!(kernel.new_object(Port::new(options)).options(), options);
    }
}

#[test]
fn queued_packets_counts_what_is_queued() {
    let kernel = Kernel::new(Config::default().with_virtual_clock());
    let port = kernel.new_object(Port::new(0));
    assert_eq!(port.queued_packets(), 0);
    for key in 1..=3 {
        let packet = PortPacket {
            key,
            ..PortPacket::default()
        };
        port.queue_user(packet, kernel.faults()).expect("room");
        assert_eq!(port.queued_packets(), key as usize);
    }
    let keys: Vec<u64> = port.queued().iter().map(|(p, _)| p.key).collect();
    assert_eq!(keys, [1, 2, 3]);
    let first = port.try_take().expect("a packet");
    assert_eq!((first.key, first.packet_type), (1, PKT_TYPE_USER));
    assert_eq!(port.queued_packets(), 2);
}
