// Splitting the rows of long vectors between the machine's cores: the
// numeric engine's gradients over N data rows are sums of per-row terms.
// Short vectors stay on one thread, where waking the others costs more than
// they save. The helper threads sleep on a condition variable between jobs
// (they never spin), so on a machine whose other cores are busy, asking for
// them costs a wake-up, not a core taken from someone else.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <functional>

namespace bayes::numeric {

// Rows below this many are done on one thread (about 0.1 ms of work).
inline constexpr Eigen::Index kParallelRows = 16384;
// The most blocks: the blocks depend on n only, never on the number of
// threads, so sums over blocks round the same way on every machine.
inline constexpr int kMaxRowBlocks = 8;

// Set in a thread that is itself one of several working at once (a sampler's
// chain): its blocks then run one after another on that thread.
inline thread_local bool rows_serial = false;

// How many blocks rows_parallel will use for n rows.
inline int row_blocks(Eigen::Index n) {
  if (n < kParallelRows) return 1;
  return std::max(1, std::min<int>(kMaxRowBlocks, static_cast<int>(n / 4096)));
}

// The threads that share the work, the calling one included: the machine's
// cores, or BAYES_THREADS (OMP_NUM_THREADS is read too) when set.
int worker_threads();

// Calls f(b) for b = 0 .. blocks - 1 on the pool's threads and this one;
// returns when all are done.
void run_blocks(int blocks, const std::function<void(int)>& f);

// Calls f(block, first_row, rows) for each of row_blocks(n) contiguous blocks,
// in parallel. f must only write what belongs to its block.
template <class F>
void rows_parallel(Eigen::Index n, F&& f) {
  const int blocks = row_blocks(n);
  auto block = [&](int b) {
    Eigen::Index lo = n * b / blocks, hi = n * (b + 1) / blocks;
    f(b, lo, hi - lo);
  };
  if (blocks == 1 || rows_serial || worker_threads() == 1) {
    for (int b = 0; b < blocks; ++b) block(b);
    return;
  }
  run_blocks(blocks, block);
}

}  // namespace bayes::numeric
