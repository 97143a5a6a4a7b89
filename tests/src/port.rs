//! Conformance cases for `port` (being written).

cases!["port";];
