//! What the timing examples (`examples/`) share: sizes from the
//! environment, and medians.

use std::time::Duration;

/// The number in environment variable `name`, or `default` when it is
/// unset or not a number.
pub fn env_count(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The median of `times` (the upper one of an even count); zero when
/// there are none.
pub fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times.get(times.len() / 2).copied().unwrap_or_default()
}
