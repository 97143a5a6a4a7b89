//! Conformance cases for `handle` (being written).

cases!["handle";];
