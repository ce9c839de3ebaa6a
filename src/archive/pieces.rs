//! One raw-deflate stream compressed in fixed-size pieces on several cores, the way pigz
//! does it: piece *i* is deflated on its own, primed with the 32 KiB that precede it as a
//! preset dictionary (so matches still reach back across the boundary), and ended with a
//! sync flush (an empty stored block that byte-aligns it); the last piece ends the stream.
//! The concatenation is one valid deflate stream.
//!
//! The bytes depend on the level and the piece size only, never on the number of threads
//! or on how the input was split into `write` calls: every piece is exactly what
//! `zlib.compressobj(level, DEFLATED, -15, zdict=previous_32_KiB)` gives for it followed
//! by `flush(Z_SYNC_FLUSH)` (`flush()` for the last), which anyone can recompute.
//!
//! Memory stays bounded: at most two pieces per thread are in flight.

use std::collections::{BTreeMap, VecDeque};
use std::io::{self, Write};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;

use super::deflate::Deflater;

/// How far back deflate matches can reach: the dictionary each piece is primed with.
const HISTORY: usize = 32 * 1024;

/// Pieces in flight per thread (queued, being compressed, or done but not yet written).
const IN_FLIGHT_PER_THREAD: usize = 2;

struct Job {
    index: usize,
    history: Vec<u8>,
    data: Vec<u8>,
    last: bool,
}

/// Deflates a job's piece with `encoder` (reset first, so one encoder serves many pieces).
fn deflate_piece(encoder: &mut Deflater, job: &Job) -> Vec<u8> {
    encoder.reset();
    encoder.set_dictionary(&job.history);
    let mut out = Vec::with_capacity(job.data.len() / 3 + 64);
    encoder.write(&job.data, &mut out);
    if job.last {
        encoder.finish_and_reset(&mut out);
    } else {
        encoder.finish_sync(&mut out);
    }
    out
}

/// The work queue and the finished pieces, under one lock. (A Mutex and two Condvars
/// rather than `std::sync::mpsc`, which costs about 40 KB of binary.)
#[derive(Default)]
struct Queue {
    jobs: VecDeque<Job>,
    done: BTreeMap<usize, Vec<u8>>,
    /// No more jobs will come: idle workers return.
    closed: bool,
    /// A worker died (only possible if the encoder panicked): the writer must not wait.
    failed: bool,
}

#[derive(Default)]
struct Shared {
    queue: Mutex<Queue>,
    job_ready: Condvar,
    piece_done: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        // A poisoned lock means a worker panicked while holding it; the state is still
        // consistent (every update is a single push, insert or flag).
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Marks the queue failed if a worker unwinds, so the writer stops waiting for it.
struct FailOnUnwind<'a>(&'a Shared);

impl Drop for FailOnUnwind<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.lock().failed = true;
            self.0.piece_done.notify_all();
        }
    }
}

fn worker(shared: &Shared, level: u8) {
    let _guard = FailOnUnwind(shared);
    let mut encoder = Deflater::new(level);
    loop {
        let job = {
            let mut queue = shared.lock();
            loop {
                if let Some(job) = queue.jobs.pop_front() {
                    break job;
                }
                if queue.closed {
                    return;
                }
                queue = shared
                    .job_ready
                    .wait(queue)
                    .unwrap_or_else(|e| e.into_inner());
            }
        };
        let out = deflate_piece(&mut encoder, &job);
        shared.lock().done.insert(job.index, out);
        shared.piece_done.notify_all();
    }
}

/// Streaming raw-deflate encoder that compresses fixed-size pieces in parallel.
pub struct PieceDeflater {
    level: u8,
    threads: usize,
    piece_size: usize,
    piece: Vec<u8>,
    /// The last (up to) 32 KiB of input before `piece`.
    history: Vec<u8>,
    next_index: usize,
    next_out: usize,
    /// Started with the first full piece (a one-piece stream never needs them).
    workers: Vec<JoinHandle<()>>,
    shared: Arc<Shared>,
    /// The encoder when there is one thread, or the stream is a single piece: pieces are
    /// compressed as they fill, on the calling thread.
    inline: Option<Deflater>,
}

impl PieceDeflater {
    /// `level` 1-9; `piece_size` at least 32 KiB; `threads` at least 1 (more only pays
    /// when the input spans several pieces).
    pub fn new(level: u8, piece_size: usize, threads: usize) -> io::Result<PieceDeflater> {
        if !(1..=9).contains(&level) || piece_size < HISTORY {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("deflate in pieces needs a level of 1-9 and pieces of at least 32 KiB (got level {level}, {piece_size} bytes)"),
            ));
        }
        let threads = threads.max(1);
        Ok(PieceDeflater {
            level,
            threads,
            piece_size,
            piece: Vec::with_capacity(piece_size),
            history: Vec::new(),
            next_index: 0,
            next_out: 0,
            workers: Vec::new(),
            shared: Arc::default(),
            inline: (threads == 1).then(|| Deflater::new(level)),
        })
    }

    /// Adds input; whole pieces' output is written to `sink` in order as it becomes ready.
    pub fn write(&mut self, mut input: &[u8], sink: &mut impl Write) -> io::Result<()> {
        while !input.is_empty() {
            let take = (self.piece_size - self.piece.len()).min(input.len());
            self.piece.extend_from_slice(&input[..take]);
            input = &input[take..];
            if self.piece.len() == self.piece_size {
                self.submit(false, sink)?;
            }
        }
        Ok(())
    }

    /// Compresses the last piece (possibly empty), writes all remaining output to `sink`
    /// and stops the threads.
    pub fn finish(mut self, sink: &mut impl Write) -> io::Result<()> {
        self.submit(true, sink)?;
        self.drain(0, sink)
    }

    fn submit(&mut self, last: bool, sink: &mut impl Write) -> io::Result<()> {
        let capacity = if last { 0 } else { self.piece_size };
        let data = std::mem::replace(&mut self.piece, Vec::with_capacity(capacity));
        // Pieces are at least HISTORY long, so the next piece's history lies in this one.
        let next_history = data[data.len().saturating_sub(HISTORY)..].to_vec();
        let job = Job {
            index: self.next_index,
            history: std::mem::replace(&mut self.history, next_history),
            data,
            last,
        };
        self.next_index += 1;
        if last && self.workers.is_empty() && self.inline.is_none() {
            // The whole stream is one piece: no thread is worth starting.
            self.inline = Some(Deflater::new(self.level));
        }
        if let Some(encoder) = &mut self.inline {
            self.next_out += 1;
            return sink.write_all(&deflate_piece(encoder, &job));
        }
        if self.workers.is_empty() {
            for _ in 0..self.threads {
                let (shared, level) = (Arc::clone(&self.shared), self.level);
                let worker = std::thread::Builder::new().spawn(move || worker(&shared, level))?;
                self.workers.push(worker);
            }
        }
        self.shared.lock().jobs.push_back(job);
        self.shared.job_ready.notify_one();
        self.drain(IN_FLIGHT_PER_THREAD * self.threads - 1, sink)
    }

    /// Writes finished pieces in order until at most `in_flight` remain unwritten.
    fn drain(&mut self, in_flight: usize, sink: &mut impl Write) -> io::Result<()> {
        while self.next_index - self.next_out > in_flight {
            let ready: Vec<Vec<u8>> = {
                let mut queue = self.shared.lock();
                loop {
                    if queue.done.contains_key(&self.next_out) {
                        break;
                    }
                    if queue.failed {
                        return Err(io::Error::other("a compression thread failed"));
                    }
                    queue = self
                        .shared
                        .piece_done
                        .wait(queue)
                        .unwrap_or_else(|e| e.into_inner());
                }
                let mut ready = Vec::new();
                while let Some(out) = queue.done.remove(&(self.next_out + ready.len())) {
                    ready.push(out);
                }
                ready
            };
            for out in ready {
                sink.write_all(&out)?;
                self.next_out += 1;
            }
        }
        Ok(())
    }
}

impl Drop for PieceDeflater {
    /// Stops the threads, also when the stream is abandoned after an error.
    fn drop(&mut self) {
        self.shared.lock().closed = true;
        self.shared.job_ready.notify_all();
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::inflate::inflate;
    fn inflate_raw(z: &[u8]) -> Result<Vec<u8>, crate::archive::inflate::InflateError> {
        inflate(z, u64::MAX)
    }

    fn sample(len: usize) -> Vec<u8> {
        crate::archive::text_and_noise(len, b"def piece(x):\n    return x\n", 7000, 3000)
    }

    fn in_pieces(data: &[u8], level: u8, piece: usize, threads: usize, write: usize) -> Vec<u8> {
        let mut out = Vec::new();
        let mut d = PieceDeflater::new(level, piece, threads).unwrap();
        for chunk in data.chunks(write.max(1)) {
            d.write(chunk, &mut out).unwrap();
        }
        d.finish(&mut out).unwrap();
        out
    }

    #[test]
    fn bytes_do_not_depend_on_threads_or_write_sizes() {
        let data = sample(700_000);
        let reference = in_pieces(&data, 6, 64 * 1024, 1, data.len());
        for (threads, write) in [(1, 1000), (2, 65536), (3, 7), (8, 100_000)] {
            assert_eq!(in_pieces(&data, 6, 64 * 1024, threads, write), reference);
        }
        assert_eq!(inflate_raw(&reference).unwrap(), data);
    }

    #[test]
    fn every_piece_boundary_case_inflates() {
        for len in [
            0,
            1,
            32 * 1024,
            64 * 1024 - 1,
            64 * 1024,
            64 * 1024 + 1,
            3 * 64 * 1024,
        ] {
            let data = sample(len);
            for level in [1, 6, 9] {
                let z = in_pieces(&data, level, 64 * 1024, 2, 4096);
                assert_eq!(inflate_raw(&z).unwrap(), data, "len {len} level {level}");
            }
        }
    }

    #[test]
    fn one_piece_is_plain_deflate() {
        let data = sample(50_000);
        let z = in_pieces(&data, 9, 64 * 1024, 2, 999);
        assert_eq!(z, crate::archive::deflate::deflate(9, &data));
    }

    #[test]
    fn an_abandoned_stream_stops_its_threads() {
        let data = sample(500_000);
        let mut d = PieceDeflater::new(6, 64 * 1024, 3).unwrap();
        d.write(&data, &mut Vec::new()).unwrap();
        drop(d); // must return, not wait for work nobody will collect
    }

    #[test]
    fn refuses_level_0_and_small_pieces() {
        assert!(PieceDeflater::new(0, 1 << 20, 1).is_err());
        assert!(PieceDeflater::new(6, 1000, 1).is_err());
    }
}
