// The pool behind rows_parallel (parallel.hpp): helper threads started on
// first use, asleep on a condition variable between jobs; a job's blocks are
// taken one at a time from a shared counter by the helpers and the caller.
#include "numeric/parallel.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace bayes::numeric {

namespace {

int configured_threads() {
#if defined(__EMSCRIPTEN__)
  return 1;  // the browser build has no threads (no SharedArrayBuffer needed)
#endif
  for (const char* name : {"BAYES_THREADS", "OMP_NUM_THREADS"})
    if (const char* v = std::getenv(name)) {
      char* end = nullptr;
      long n = std::strtol(v, &end, 10);
      if (end != v && n >= 1) return static_cast<int>(std::min(n, 64L));
    }
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

class Pool {
 public:
  explicit Pool(int helpers) {
    for (int i = 0; i < helpers; ++i) threads_.emplace_back([this] { serve(); });
  }
  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    for (auto& t : threads_) t.join();
  }

  void run(int blocks, const std::function<void(int)>& f) {
    std::unique_lock<std::mutex> job_lock(job_mutex_);  // one job at a time
    {
      std::lock_guard<std::mutex> lock(mutex_);
      // The counter last: a helper still leaving the previous job may take a
      // block as soon as it is reset, and must then find this job complete.
      job_ = &f;
      blocks_ = blocks;
      remaining_ = blocks;
      next_ = 0;
      ++generation_;
    }
    wake_.notify_all();
    work();
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [this] { return remaining_ == 0; });
    job_ = nullptr;
  }

 private:
  // Takes blocks of the current job until none is left.
  void work() {
    for (;;) {
      int b = next_.fetch_add(1);
      if (b >= blocks_) return;
      (*job_.load())(b);
      if (remaining_.fetch_sub(1) == 1) {
        std::lock_guard<std::mutex> lock(mutex_);
        done_.notify_all();
      }
    }
  }

  void serve() {
    rows_serial = true;
    unsigned long seen = 0;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
        if (stop_) return;
        seen = generation_;
      }
      work();
    }
  }

  std::vector<std::thread> threads_;
  std::mutex mutex_, job_mutex_;
  std::condition_variable wake_, done_;
  std::atomic<const std::function<void(int)>*> job_{nullptr};
  std::atomic<int> blocks_{0}, next_{0}, remaining_{0};
  unsigned long generation_ = 0;
  bool stop_ = false;
};

}  // namespace

int worker_threads() {
  static const int n = configured_threads();
  return n;
}

void run_blocks(int blocks, const std::function<void(int)>& f) {
  static Pool pool(worker_threads() - 1);
  pool.run(blocks, f);
}

}  // namespace bayes::numeric
