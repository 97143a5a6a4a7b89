//! Conformance cases for socket (being written).

cases!["zx_socket_*";];
