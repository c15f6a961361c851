//! Ring allreduce between worker threads over shared memory.
//!
//! Every worker (rank `r` of `W`) owns a buffer of `len` values, split into `W` chunks.
//! The sum is formed in two phases of `W − 1` rounds each, separated by barriers, as in
//! the bandwidth-optimal ring of Patarasuk and Yuan ("Bandwidth optimal all-reduce
//! algorithms for clusters of workstations", J. Parallel Distrib. Comput. 69(2), 2009):
//!
//! - reduce-scatter: in round `k`, rank `r` adds chunk `r − 1 − k` of its left neighbour
//!   `r − 1` into its own, so after `W − 1` rounds rank `r` has the full sum of chunk
//!   `r + 1`;
//! - allgather: in round `k`, rank `r` copies chunk `r − k` from its left neighbour, so
//!   after `W − 1` rounds every rank holds every summed chunk.
//!
//! "Sending" a chunk is the receiver reading it from the sender's buffer. In each round a
//! rank writes one chunk of its own buffer while its right neighbour reads a different
//! chunk of it, and the barrier between rounds orders the writes before the next reads.
//! Each rank sums every chunk in the same order, so all ranks end with bit-identical sums.
//!
//! Buffers alternate between two sets on consecutive calls, so a rank may fill its next
//! contribution while a slower neighbour still reads the previous one. A rank cannot get
//! two calls ahead, because every call with `W > 1` waits at a barrier that needs all ranks.

use std::cell::UnsafeCell;
use std::ops::Range;

use crate::barrier::{Poisoned, SpinBarrier};

/// Shared buffers and the barrier of one ring.
pub(crate) struct RingAllreduce {
    workers: usize,
    len: usize,
    /// `2 × workers` buffers of `len` values: index `(parity · workers + rank) · len + i`.
    cells: Box<[UnsafeCell<f32>]>,
    barrier: SpinBarrier,
}

// SAFETY: the cells are only reached through `RingMember`, whose methods follow the
// access rules in the module documentation, so no two threads access one value at the
// same time unless both only read.
unsafe impl Sync for RingAllreduce {}

impl RingAllreduce {
    pub fn new(workers: usize, len: usize) -> Self {
        assert!(workers > 0, "a ring needs at least one worker");
        let cells = (0..2 * workers * len)
            .map(|_| UnsafeCell::new(0.0))
            .collect();
        Self {
            workers,
            len,
            cells,
            barrier: SpinBarrier::new(workers),
        }
    }

    /// Returns one handle per rank. Taking `&mut self` guarantees that each rank has a
    /// single handle while the handles live.
    pub fn members(&mut self) -> Vec<RingMember<'_>> {
        let ring: &RingAllreduce = self;
        (0..ring.workers)
            .map(|rank| RingMember {
                ring,
                rank,
                parity: 0,
            })
            .collect()
    }

    fn chunk(&self, index: usize) -> Range<usize> {
        index * self.len / self.workers..(index + 1) * self.len / self.workers
    }

    /// Returns a pointer to value `start` of the buffer of `rank` in set `parity`.
    fn pointer(&self, parity: usize, rank: usize, start: usize) -> *mut f32 {
        let index = (parity * self.workers + rank) * self.len + start;
        UnsafeCell::raw_get(self.cells[index..].as_ptr())
    }
}

/// The handle of one rank.
pub(crate) struct RingMember<'a> {
    ring: &'a RingAllreduce,
    rank: usize,
    parity: usize,
}

impl<'a> RingMember<'a> {
    pub fn rank(&self) -> usize {
        self.rank
    }

    /// Returns the ring's barrier, so a failing worker can poison it.
    pub fn barrier(&self) -> &'a SpinBarrier {
        &self.ring.barrier
    }

    /// Returns this rank's buffer for the next [`RingMember::allreduce`], to be filled
    /// with its contribution. Its old contents are unspecified.
    pub fn buffer_mut(&mut self) -> &mut [f32] {
        let ring = self.ring;
        if ring.len == 0 {
            return &mut [];
        }
        // SAFETY: other ranks read this buffer only inside an allreduce of this parity.
        // The last such allreduce finished on every rank before this rank could leave the
        // allreduce of the other parity, because that one waits at barriers that need all
        // ranks. So this rank has exclusive access until it calls `allreduce`.
        unsafe { std::slice::from_raw_parts_mut(ring.pointer(self.parity, self.rank, 0), ring.len) }
    }

    /// Sums the buffers of all ranks. On success every rank's buffer contains the same sum,
    /// which is returned. Must be called by all ranks the same number of times.
    pub fn allreduce(&mut self) -> Result<&[f32], Poisoned> {
        let ring = self.ring;
        let workers = ring.workers;
        let rank = self.rank;
        let parity = self.parity;
        let left = (rank + workers - 1) % workers;

        if workers > 1 {
            for round in 0..workers - 1 {
                ring.barrier.wait()?;
                let chunk = ring.chunk((rank + 2 * workers - 1 - round) % workers);
                // SAFETY: in this round the left neighbour writes only its chunk
                // `rank − 2 − round`, and the right neighbour reads only our chunk
                // `rank − round`, so no other rank touches these two ranges until
                // the next barrier.
                let (own, incoming) = unsafe {
                    (
                        std::slice::from_raw_parts_mut(
                            ring.pointer(parity, rank, chunk.start),
                            chunk.len(),
                        ),
                        std::slice::from_raw_parts(
                            ring.pointer(parity, left, chunk.start),
                            chunk.len(),
                        ),
                    )
                };
                for (sum, &value) in own.iter_mut().zip(incoming) {
                    *sum += value;
                }
            }
            for round in 0..workers - 1 {
                ring.barrier.wait()?;
                let chunk = ring.chunk((rank + workers - round) % workers);
                // SAFETY: in this round the left neighbour writes only its chunk
                // `rank − 1 − round`, and the right neighbour reads only our chunk
                // `rank + 1 − round`, so no other rank touches these two ranges until
                // the next barrier.
                let (own, incoming) = unsafe {
                    (
                        std::slice::from_raw_parts_mut(
                            ring.pointer(parity, rank, chunk.start),
                            chunk.len(),
                        ),
                        std::slice::from_raw_parts(
                            ring.pointer(parity, left, chunk.start),
                            chunk.len(),
                        ),
                    )
                };
                own.copy_from_slice(incoming);
            }
        }

        self.parity ^= 1;
        if ring.len == 0 {
            return Ok(&[]);
        }
        // SAFETY: only this rank writes its own buffer, and it does not until the next
        // `buffer_mut` of this parity, which needs `&mut self` and so ends this borrow.
        // Other ranks may still read it, which is compatible with a shared slice.
        Ok(unsafe { std::slice::from_raw_parts(ring.pointer(parity, rank, 0), ring.len) })
    }
}

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;

    /// Runs `rounds` allreduces on `workers` threads with `make(round, rank, i)` as the
    /// contributions and returns, per round and rank, the result each rank received.
    fn run_ring(
        workers: usize,
        len: usize,
        rounds: usize,
        make: impl Fn(usize, usize, usize) -> f32 + Sync,
    ) -> Vec<Vec<Vec<f32>>> {
        let mut ring = RingAllreduce::new(workers, len);
        let members = ring.members();
        let make = &make;
        let per_rank: Vec<Vec<Vec<f32>>> = std::thread::scope(|scope| {
            let handles: Vec<_> = members
                .into_iter()
                .map(|mut member| {
                    scope.spawn(move || {
                        let rank = member.rank();
                        (0..rounds)
                            .map(|round| {
                                for (i, value) in member.buffer_mut().iter_mut().enumerate() {
                                    *value = make(round, rank, i);
                                }
                                member.allreduce().unwrap().to_vec()
                            })
                            .collect()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        (0..rounds)
            .map(|round| {
                per_rank
                    .iter()
                    .map(|rounds| rounds[round].clone())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn allreduce_matches_serial_sum() {
        // Integer values below 2^24 are exact in f32, so every summation order gives the
        // serial sum exactly.
        let value = |round: usize, rank: usize, i: usize| {
            ((round * 7919 + rank * 104_729 + i * 31) % 1000) as f32 - 500.0
        };
        for workers in 1..=8 {
            for len in [0, 1, 5, 8, 13, 1000] {
                let results = run_ring(workers, len, 3, value);
                for (round, ranks) in results.iter().enumerate() {
                    let expected: Vec<f32> = (0..len)
                        .map(|i| (0..workers).map(|rank| value(round, rank, i)).sum())
                        .collect();
                    for (rank, got) in ranks.iter().enumerate() {
                        assert_eq!(
                            got, &expected,
                            "workers {workers}, len {len}, round {round}, rank {rank}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn allreduce_ranks_agree_bitwise() {
        let workers = 5;
        let len = 777;
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let table: Vec<f32> = (0..2 * workers * len)
            .map(|_| rng.random_range(-1.0..1.0))
            .collect();
        let value = |round: usize, rank: usize, i: usize| table[(round * workers + rank) * len + i];
        let results = run_ring(workers, len, 2, value);
        for (round, ranks) in results.iter().enumerate() {
            for (i, &sum) in ranks[0].iter().enumerate() {
                let serial: f64 = (0..workers)
                    .map(|rank| f64::from(value(round, rank, i)))
                    .sum();
                assert!((f64::from(sum) - serial).abs() < 1e-5, "value {i}");
            }
            for (rank, result) in ranks.iter().enumerate().skip(1) {
                assert_eq!(result, &ranks[0], "round {round}, rank {rank}");
            }
        }
    }
}
