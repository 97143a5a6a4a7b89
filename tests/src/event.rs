//! Conformance cases for `event` (being written).

cases!["event";];
