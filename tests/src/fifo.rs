//! Conformance cases for fifo (being written).

cases!["zx_fifo_*";];
