//! `Echo`, the protocol of the FIDL examples, declared with [`protocol!`](crate::protocol): the
//! one the tests, the loom models, the bench and `examples/echo_fidl.rs` speak.

crate::protocol! {
    /// Echoes strings back; `on_string` is an event a server may send at any time.
    pub protocol Echo {
        server EchoServer;
        events EchoEventHandler;
        calls EchoCalls;
        method echo_string(EchoString = 0x0e4c_0000_0000_0001): String => String;
        event on_string(OnString = 0x0e4c_0000_0000_0002): String;
    }
}
