//! Conformance cases for `object_wait` (being written).

cases!["object_wait";];
