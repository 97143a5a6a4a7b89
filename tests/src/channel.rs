//! Conformance cases for channels (being written).

cases!["zx_channel_*";];
