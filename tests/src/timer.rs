//! Conformance cases for timer (being written).

cases!["zx_timer_*";];
