//! Conformance cases for `profiles` (being written).

cases!["profiles";];
