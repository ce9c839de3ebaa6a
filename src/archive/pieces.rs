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

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::{mpsc, Arc, Mutex};
use std::thread::JoinHandle;

use super::deflate::Deflater;

/// How far back deflate matches can reach: the dictionary each piece is primed with.
const HISTORY: usize = 32 * 1024;

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

struct Pool {
    jobs: Option<mpsc::Sender<Job>>,
    results: mpsc::Receiver<(usize, Vec<u8>)>,
    workers: Vec<JoinHandle<()>>,
    in_flight: usize,
}

impl Pool {
    fn start(level: u8, threads: usize) -> Pool {
        let (job_tx, job_rx) = mpsc::channel::<Job>();
        let job_rx = Arc::new(Mutex::new(job_rx));
        let (result_tx, results) = mpsc::channel();
        let workers = (0..threads)
            .map(|_| {
                let job_rx = Arc::clone(&job_rx);
                let result_tx = result_tx.clone();
                std::thread::spawn(move || {
                    let mut encoder = Deflater::new(level);
                    loop {
                        // The lock is held only while taking a job, not while compressing.
                        let job = match job_rx.lock() {
                            Ok(rx) => rx.recv(),
                            Err(_) => return,
                        };
                        let Ok(job) = job else { return };
                        let out = deflate_piece(&mut encoder, &job);
                        if result_tx.send((job.index, out)).is_err() {
                            return;
                        }
                    }
                })
            })
            .collect();
        Pool {
            jobs: Some(job_tx),
            results,
            workers,
            in_flight: 0,
        }
    }
}

/// Streaming raw-deflate encoder that compresses fixed-size pieces in parallel.
pub struct PieceDeflater {
    level: u8,
    piece_size: usize,
    piece: Vec<u8>,
    /// The last (up to) 32 KiB of input before `piece`.
    history: Vec<u8>,
    next_index: usize,
    next_out: usize,
    finished: BTreeMap<usize, Vec<u8>>,
    pool: Option<Pool>,
    /// The encoder when there is one thread: pieces are compressed as they fill.
    inline: Option<Deflater>,
    max_in_flight: usize,
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
            piece_size,
            piece: Vec::with_capacity(piece_size),
            history: Vec::new(),
            next_index: 0,
            next_out: 0,
            finished: BTreeMap::new(),
            pool: None,
            inline: (threads == 1).then(|| Deflater::new(level)),
            max_in_flight: 2 * threads,
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
        while self.next_out < self.next_index {
            self.receive_one()?;
            self.write_ready(sink)?;
        }
        if let Some(mut pool) = self.pool.take() {
            pool.jobs = None; // workers see the channel close and return
            for worker in pool.workers {
                worker
                    .join()
                    .map_err(|_| io::Error::other("a compression thread failed"))?;
            }
        }
        Ok(())
    }

    fn submit(&mut self, last: bool, sink: &mut impl Write) -> io::Result<()> {
        let data = std::mem::replace(
            &mut self.piece,
            Vec::with_capacity(if last { 0 } else { self.piece_size }),
        );
        // Pieces are at least HISTORY long, so the next piece's history lies in this one
        // (except after the first, shorter-than-HISTORY stretch, which cannot happen).
        let next_history = data[data.len().saturating_sub(HISTORY)..].to_vec();
        let job = Job {
            index: self.next_index,
            history: std::mem::replace(&mut self.history, next_history),
            data,
            last,
        };
        self.next_index += 1;
        if let Some(encoder) = &mut self.inline {
            let out = deflate_piece(encoder, &job);
            self.next_out += 1;
            return sink.write_all(&out);
        }
        let (level, threads) = (self.level, self.max_in_flight / 2);
        let pool = self.pool.get_or_insert_with(|| Pool::start(level, threads));
        let jobs = pool
            .jobs
            .as_ref()
            .ok_or_else(|| io::Error::other("compression finished"))?;
        jobs.send(job)
            .map_err(|_| io::Error::other("the compression threads stopped"))?;
        pool.in_flight += 1;
        while self
            .pool
            .as_ref()
            .is_some_and(|p| p.in_flight >= self.max_in_flight)
        {
            self.receive_one()?;
            self.write_ready(sink)?;
        }
        Ok(())
    }

    fn receive_one(&mut self) -> io::Result<()> {
        let pool = self
            .pool
            .as_mut()
            .ok_or_else(|| io::Error::other("no compression threads"))?;
        let (index, out) = pool
            .results
            .recv()
            .map_err(|_| io::Error::other("a compression thread failed"))?;
        pool.in_flight -= 1;
        self.finished.insert(index, out);
        Ok(())
    }

    fn write_ready(&mut self, sink: &mut impl Write) -> io::Result<()> {
        while let Some(out) = self.finished.remove(&self.next_out) {
            sink.write_all(&out)?;
            self.next_out += 1;
        }
        Ok(())
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
        let mut x = 12345u32;
        (0..len)
            .map(|i| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                if i % 7000 < 3000 {
                    b"def piece(x):\n    return x\n"[i % 27]
                } else {
                    (x >> 24) as u8
                }
            })
            .collect()
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
    fn refuses_level_0_and_small_pieces() {
        assert!(PieceDeflater::new(0, 1 << 20, 1).is_err());
        assert!(PieceDeflater::new(6, 1000, 1).is_err());
    }
}
