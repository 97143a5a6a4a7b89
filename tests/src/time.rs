//! Conformance cases for `time` (being written).

cases!["time";];
