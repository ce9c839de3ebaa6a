//! How long a new thread takes to start running while the thread that spawned it keeps
//! a core busy, as the wheel's compression does when it spawns its helpers.
//!
//!     cargo run --release --example thread_start [ROUNDS]
//!
//! Each round busies the main thread for 2 ms, spawns a thread, and keeps busy for 6 ms
//! more; the new thread notes when it first ran and on which CPU. Where the scheduler
//! puts the new thread on a free core at once, the delay is the cost of creating it.
//! Where an idle vCPU must first be woken by the host, or the new thread stays queued
//! behind its parent until the parent's time slice ends, it is milliseconds (0.2-4 ms on
//! the 2-vCPU VM of BENCHMARKS.md), and a build whose compression takes a few
//! milliseconds (click's wheel) then gets little from a second core. The CPU numbers come from
//! /proc/thread-self/stat (Linux; "?" elsewhere).

use std::time::{Duration, Instant};

fn spin_for(duration: Duration) {
    let start = Instant::now();
    while start.elapsed() < duration {
        std::hint::spin_loop();
    }
}

/// The CPU the calling thread runs on: field 39 of /proc/thread-self/stat.
fn current_cpu() -> Option<u32> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // The command name (field 2) may hold spaces; the fields after its ')' do not.
    let after_name = stat.rsplit_once(')')?.1;
    after_name.split_whitespace().nth(36)?.parse().ok()
}

fn show(cpu: Option<u32>) -> String {
    cpu.map_or_else(|| "?".to_string(), |c| c.to_string())
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20usize)
        .max(1);
    let mut delays = Vec::with_capacity(rounds);
    let mut same_cpu = 0;
    for _ in 0..rounds {
        spin_for(Duration::from_millis(2));
        let spawned = Instant::now();
        let parent_cpu = current_cpu();
        let helper = std::thread::spawn(move || (spawned.elapsed(), current_cpu()));
        spin_for(Duration::from_millis(6));
        let (delay, helper_cpu) = helper.join().expect("the helper does not panic");
        if parent_cpu.is_some() && parent_cpu == helper_cpu {
            same_cpu += 1;
        }
        println!(
            "started after {:7.3} ms on CPU {} (spawned from CPU {})",
            delay.as_secs_f64() * 1e3,
            show(helper_cpu),
            show(parent_cpu)
        );
        delays.push(delay);
        std::thread::sleep(Duration::from_millis(20));
    }
    delays.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "{rounds} rounds: median {:.3} ms, fastest {:.3} ms, slowest {:.3} ms; \
         {same_cpu} started on the CPU they were spawned from",
        ms(delays[rounds / 2]),
        ms(delays[0]),
        ms(delays[rounds - 1])
    );
}
