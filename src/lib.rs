//! Test and example suite of entable (not published).
