//! Conformance cases for `object_signal` (being written).

cases!["object_signal";];
