// What fuzz_engine and fuzz_repl share: keeping an input away from the real
// file system and bounding the time the engines spend on it. Include it in
// exactly one source file per fuzz target (it defines the link wrappers).
//
// File system: the target is linked with -Wl,--wrap=fopen,--wrap=fopen64,
// --wrap=mkstemp,--wrap=mkstemp64 (tests/fuzz/CMakeLists.txt). While an input
// runs, fopen for reading fails (as in fuzz_parser.cpp: `data x from
// "/dev/zero"`, `:load /etc/passwd`) and mkstemp fails, which is how
// report::write_file creates every file it writes (`plot p to "/tmp/x.svg"`
// in the REPL, which writes its plot files itself). std::cin reads an empty
// buffer, so the path "-" (standard input, for `:load -` and a data file
// named "-") reads nothing instead of waiting for libFuzzer's stdin.
// libFuzzer itself reads the corpus with std::ifstream (in the shared
// libstdc++, which --wrap does not affect) and writes crash artifacts with
// fopen(path, "wb"), which is allowed.
//
// Time: the sampler, importance sampling and the optimiser check
// bayes::interrupt_requested (the REPL's Ctrl-C) and throw Interrupted. A
// watchdog thread sets it once an input has run for its budget, so those
// loops give up long before libFuzzer's -timeout; code that never checks
// the flag (closed forms, quadrature, enumeration, the reports) still gets
// caught by -timeout, which is what finds a real hang there.
#pragma once

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <sstream>
#include <thread>

#include "diag/interrupt.hpp"

namespace fuzz_sandbox {

// True while an input runs.
inline std::atomic<bool> in_input{false};

inline bool reading(const char* mode) {
  return mode && (std::strchr(mode, 'r') || std::strchr(mode, '+'));
}

// Per-input time budget in milliseconds (FUZZ_BUDGET_MS, default 2000).
inline long budget_ms() {
  static const long ms = [] {
    const char* s = std::getenv("FUZZ_BUDGET_MS");
    long v = s ? std::atol(s) : 0;
    return v > 0 ? v : 2000L;
  }();
  return ms;
}

using Clock = std::chrono::steady_clock;
// Clock ticks of the current input's deadline; 0 when no input runs.
inline std::atomic<Clock::rep> deadline{0};

inline bool past_deadline() {
  Clock::rep d = deadline.load();
  return d != 0 && Clock::now().time_since_epoch().count() >= d;
}

// Starts the watchdog (once) and sets the process-wide settings the engines
// read: one worker thread (BAYES_THREADS), so an input runs on this thread
// and the watchdog's only, and libFuzzer's timing is the input's own.
inline void initialize() {
  setenv("BAYES_THREADS", "1", 1);
  static std::thread watchdog([] {
    for (;;) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      if (past_deadline()) bayes::interrupt_requested = true;
    }
  });
  watchdog.detach();
}

// Marks one input's run: the sandbox on, the deadline set, std::cin empty.
class Input {
 public:
  Input() {
    old_cin_ = std::cin.rdbuf(&empty_);
    bayes::interrupt_requested = false;
    deadline.store(
        (Clock::now() + std::chrono::milliseconds(budget_ms())).time_since_epoch().count());
    in_input = true;
  }
  ~Input() {
    in_input = false;
    deadline.store(0);
    bayes::interrupt_requested = false;
    std::cin.rdbuf(old_cin_);
    std::cin.clear();
  }
  Input(const Input&) = delete;
  Input& operator=(const Input&) = delete;

 private:
  std::stringbuf empty_;
  std::streambuf* old_cin_;
};

}  // namespace fuzz_sandbox

extern "C" {
FILE* __real_fopen(const char* path, const char* mode);
FILE* __real_fopen64(const char* path, const char* mode);
int __real_mkstemp(char* tmpl);
int __real_mkstemp64(char* tmpl);

FILE* __wrap_fopen(const char* path, const char* mode) {
  if (fuzz_sandbox::in_input && fuzz_sandbox::reading(mode)) {
    errno = ENOENT;
    return nullptr;
  }
  return __real_fopen(path, mode);
}

FILE* __wrap_fopen64(const char* path, const char* mode) {
  if (fuzz_sandbox::in_input && fuzz_sandbox::reading(mode)) {
    errno = ENOENT;
    return nullptr;
  }
  return __real_fopen64(path, mode);
}

int __wrap_mkstemp(char* tmpl) {
  if (fuzz_sandbox::in_input) {
    errno = EACCES;
    return -1;
  }
  return __real_mkstemp(tmpl);
}

int __wrap_mkstemp64(char* tmpl) {
  if (fuzz_sandbox::in_input) {
    errno = EACCES;
    return -1;
  }
  return __real_mkstemp64(tmpl);
}
}
