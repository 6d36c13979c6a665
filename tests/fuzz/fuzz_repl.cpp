// libFuzzer target for the REPL: the input is a session typed into
// `bayes repl` with standard input piped. It is split into lines and fed to a
// repl::Session exactly as repl::run does when standard input is not a
// terminal (src/repl/repl.cpp): lines are joined while Session::incomplete
// says a bracket or an operator leaves the statement open, each complete
// statement goes to run_line, :quit ends the session, and what is still
// pending at the end is run last. (repl::run itself reads std::cin and writes
// std::cout, so the loop is repeated here around a Session writing to
// memory.) Statements, queries, :commands (:method, :seed, :chains,
// :warmup, :draws, :model, :graph, :reset, :load, :drop, :save, :help) all
// run; plots are answered and drawn in the text, and the files of plots and
// :save refused (sandbox.hpp). Anything
// that crashes, trips ASan/UBSan, leaks or hangs is a bug in src/ (run_line
// itself turns exceptions into messages).
//
// Caps, so that a session stays well under libFuzzer's -timeout (10 s in
// run.sh) under the sanitizers:
//  - inputs above kMaxInput bytes are skipped, and at most kMaxLines
//    statements are run (each one re-checks the whole session so far);
//  - the sampler starts at 1 chain, 50 warm-up iterations, 50 draws, tree
//    depth 6, on this thread, and before each line the settings a :chains,
//    :warmup or :draws command raised are brought back to at most 2 chains,
//    50 and 50 (the command itself still runs and prints its answer);
//  - Monte Carlo answers from 1000 draws; the optimiser 500 iterations;
//  - a time budget for the whole session (FUZZ_BUDGET_MS, 2000 ms by
//    default): the watchdog raises the interrupt flag (the REPL's Ctrl-C, which
//    the sampler and optimiser check and run_line reports), and no further
//    line is run once it is spent.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

#include "answer/answer.hpp"
#include "repl/repl.hpp"
#include "sandbox.hpp"

namespace {

constexpr std::size_t kMaxInput = 2048;
constexpr std::size_t kMaxLines = 32;

// How far the sessions got, printed at exit when FUZZ_STATS is set.
struct Stats {
  std::size_t sessions = 0, lines = 0, ok = 0, over_budget = 0;
  ~Stats() {
    if (std::getenv("FUZZ_STATS"))
      std::fprintf(stderr,
                   "fuzz_repl: %zu sessions, %zu statements run (%zu succeeded), %zu sessions "
                   "over budget\n",
                   sessions, lines, ok, over_budget);
  }
} stats;

void cap(bayes::answer::Options& o) {
  o.draws = 1000;
  o.numeric.restarts = 1;
  o.numeric.max_iterations = 500;
  o.sample.chains = std::min<std::size_t>(o.sample.chains, 2);
  o.sample.warmup = std::min<std::size_t>(o.sample.warmup, 50);
  o.sample.draws = std::min<std::size_t>(o.sample.draws, 50);
  o.sample.max_depth = 6;
  o.sample.threads = 1;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz_sandbox::initialize();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > kMaxInput) return -1;  // -1: not added to the corpus
  std::string text(reinterpret_cast<const char*>(data), size);

  ++stats.sessions;
  fuzz_sandbox::Input input;
  std::ostringstream out, err;
  bayes::answer::Options options;
  options.sample.chains = 1;
  cap(options);
  bayes::repl::Session session(out, err, options, /*color=*/false);

  std::size_t runs = 0, succeeded = 0;
  auto run = [&](const std::string& statement) {
    cap(session.options());
    if (session.run_line(statement)) ++stats.ok, ++succeeded;
    ++runs;
    ++stats.lines;
  };
  auto more = [&] {
    return !session.quit_requested() && runs < kMaxLines && !fuzz_sandbox::past_deadline();
  };

  // As repl::run reads a pipe: std::getline splits at '\n' (a last line
  // without one counts, an empty input has none).
  std::istringstream in(text);
  std::string line, pending;
  while (more() && std::getline(in, line)) {
    pending += (pending.empty() ? "" : "\n") + line;
    if (bayes::repl::Session::incomplete(pending)) continue;
    run(pending);
    pending.clear();
  }
  if (more() && !pending.empty()) run(pending);

  if (fuzz_sandbox::past_deadline()) ++stats.over_budget;
  (void)session.completions();
  if (std::getenv("FUZZ_VERBOSE"))  // to see what a reproducer does
    std::fprintf(stderr, "--- output\n%s--- errors\n%s", out.str().c_str(), err.str().c_str());
  // A session in which no line succeeded stays out of the corpus (-1), which
  // then holds sessions that define and answer something rather than broken
  // text (fuzz_parser's business).
  return succeeded ? 0 : -1;
}
