//! Phase timings of a build, for the benchmark and for finding where time goes.

use std::time::{Duration, Instant};

/// Phase timings, printed on stderr when `PAPERBOY_TIMINGS` is set: the benchmark reads
/// them to report tagging and rendering separately.
pub struct Phases {
    enabled: bool,
    last: Instant,
    last_cpu: Duration,
    /// Per phase: name, wall time, CPU time of the whole process (all threads), and the
    /// memory held at its end (MB), to see which phase keeps what.
    marks: Vec<(&'static str, Duration, Duration, u64)>,
}

impl Default for Phases {
    fn default() -> Self {
        Self::new()
    }
}

impl Phases {
    /// Starts the clock.
    pub fn new() -> Self {
        Phases {
            enabled: std::env::var_os("PAPERBOY_TIMINGS").is_some(),
            last: Instant::now(),
            last_cpu: process_cpu_time(),
            marks: Vec::new(),
        }
    }
    /// Ends the phase `name`.
    pub fn mark(&mut self, name: &'static str) {
        let (now, cpu) = (Instant::now(), process_cpu_time());
        let rss = if self.enabled {
            memory_kb("VmRSS:").unwrap_or(0) / 1024
        } else {
            0
        };
        self.marks
            .push((name, now - self.last, cpu.saturating_sub(self.last_cpu), rss));
        (self.last, self.last_cpu) = (now, cpu);
    }
    /// Prints the phases when asked to.
    pub fn report(&self) {
        if self.enabled {
            let parts: Vec<String> = self
                .marks
                .iter()
                .map(|(n, wall, cpu, rss)| format!("{n} {} ms (cpu {}, {rss} MB)", wall.as_millis(), cpu.as_millis()))
                .collect();
            // Peak memory so far, where the OS tells it (Linux).
            let peak = memory_kb("VmHWM:")
                .map(|kb| format!(", peak RSS {} MB", kb / 1024))
                .unwrap_or_default();
            eprintln!("timings: {}{peak}", parts.join(", "));
        }
    }
}

/// A memory figure of this process in KB (`VmRSS:` now, `VmHWM:` the peak), where the OS
/// tells it (Linux).
fn memory_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// CPU time of all the process's threads so far: a phase whose CPU time is not about
/// twice its wall time on two cores leaves a core idle.
fn process_cpu_time() -> Duration {
    // Through libc, not rustix: rustix reads the vDSO itself, which crashes under valgrind.
    let mut t = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `t` is a valid timespec to write to; the clock id is a constant.
    if unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut t) } != 0 {
        return Duration::ZERO;
    }
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}
