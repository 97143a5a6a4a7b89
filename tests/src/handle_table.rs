//! Conformance cases for `handle_table` (being written).

cases!["handle_table";];
