// Interrupting a long computation: the REPL's Ctrl-C handler sets the flag;
// the loops that can run for seconds (the sampler's iterations, importance
// draws, the optimiser's evaluations) check it and throw Interrupted, which
// the REPL catches, its session intact. Outside the REPL nothing sets it.
#pragma once

#include <atomic>
#include <stdexcept>

namespace bayes {

inline std::atomic<bool> interrupt_requested{false};

struct Interrupted : std::runtime_error {
  Interrupted() : std::runtime_error("interrupted") {}
};

inline void check_interrupt() {
  if (interrupt_requested.load(std::memory_order_relaxed)) throw Interrupted();
}

}  // namespace bayes
