// Splitting the rows of long vectors between the machine's cores (OpenMP):
// the numeric engine's gradients over N data rows are sums of per-row terms.
// Short vectors stay on one thread, where waking the others costs more than
// they save. Without OpenMP (BAYES_OPENMP=OFF) everything runs on one thread.
#pragma once

#include <Eigen/Core>
#include <algorithm>

#ifdef _OPENMP
#include <omp.h>
#endif

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
#ifdef _OPENMP
  if (n >= kParallelRows)
    return std::max(1, std::min<int>(kMaxRowBlocks, static_cast<int>(n / 4096)));
#endif
  (void)n;
  return 1;
}

// Calls f(block, first_row, rows) for each of row_blocks(n) contiguous blocks,
// in parallel. f must only write what belongs to its block.
template <class F>
void rows_parallel(Eigen::Index n, F&& f) {
  int blocks = row_blocks(n);
  auto block = [&](int b) {
    Eigen::Index lo = n * b / blocks, hi = n * (b + 1) / blocks;
    f(b, lo, hi - lo);
  };
  if (blocks == 1 || rows_serial) {
    for (int b = 0; b < blocks; ++b) block(b);
    return;
  }
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(std::min(blocks, omp_get_max_threads()))
  for (int b = 0; b < blocks; ++b) block(b);
#endif
}

}  // namespace bayes::numeric
