// libFuzzer target for the engines and the reports: every input that
// compiles (the same compile() as fuzz_parser) has all its queries answered
// (answer::answer_all, as `bayes FILE` does), then is rendered as the text
// report, the JSON report and the draws table, and every plot is drawn as the
// terminal picture (in the text report) and as SVG text in memory
// (report::svg_plot; no file is ever written). Anything that crashes, trips
// ASan/UBSan, leaks, hangs, or throws out of answer_all or the reports is a
// bug in src/ (the command line would turn such an exception into
// "bayes: error: ..." and exit status 3, which is not an answer).
//
// Caps, so that an input's work stays well under libFuzzer's -timeout (10 s
// in run.sh) under the sanitizers:
//  - inputs above kMaxInput bytes are skipped (run.sh's -max_len is larger
//    for fuzz_parser; the checker's own limits bound the data a short text
//    can make: rep, seq and sizes at most 10^7 elements);
//  - the sampler: 1 chain, 50 warm-up iterations, 50 draws, tree depth at
//    most 6, on this thread (BAYES_THREADS=1, sample::Options::threads = 1);
//    importance sampling draws chains x draws = 50 proposals;
//  - Monte Carlo answers (prob, lets) from 1000 draws instead of 100 000;
//  - the optimiser: one start, 500 iterations;
//  - a time budget per input (FUZZ_BUDGET_MS, 2000 ms by default): the
//    watchdog in sandbox.hpp raises the interrupt flag that the sampler and
//    the optimiser check (the REPL's Ctrl-C), and the input is then dropped.
//    Only those loops are cut short: the closed forms, quadrature,
//    enumeration and the reports run to the end, so a hang there is still a
//    libFuzzer timeout.
// The method is `auto` unless the input's first line is a comment
// "# method NAME" with NAME one of answer::method_names() (auto, exact,
// conjugate, laplace, numeric, importance, sample): the same as
// `bayes FILE --method NAME`, and the input stays a valid model file.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <sstream>
#include <string>
#include <typeinfo>
#include <variant>

#include "answer/answer.hpp"
#include "diag/diagnostic.hpp"
#include "format/format.hpp"
#include "pipeline/pipeline.hpp"
#include "report/json.hpp"
#include "report/plot_svg.hpp"
#include "report/text.hpp"
#include "sandbox.hpp"

namespace {

constexpr std::size_t kMaxInput = 2048;

// How far the inputs got, printed at exit when FUZZ_STATS is set (to see
// how much of the fuzzing reaches the engines).
struct Stats {
  std::size_t inputs = 0, compiled = 0, answered = 0, interrupted = 0;
  ~Stats() {
    if (std::getenv("FUZZ_STATS"))
      std::fprintf(stderr, "fuzz_engine: %zu inputs, %zu compiled, %zu answered, %zu over budget\n",
                   inputs, compiled, answered, interrupted);
  }
} stats;

[[noreturn]] void violated(const std::string& what) {
  std::fprintf(stderr, "fuzz_engine: invariant violated: %s\n", what.c_str());
  std::abort();
}

bayes::answer::Options options_for(const std::string& text) {
  using namespace bayes;
  answer::Options o;
  const std::string prefix = "# method ";
  if (text.rfind(prefix, 0) == 0) {
    std::size_t end = text.find_first_of("\r\n", prefix.size());
    std::string name =
        text.substr(prefix.size(), end == std::string::npos ? end : end - prefix.size());
    if (auto m = answer::method_named(name)) o.method = *m;
  }
  o.draws = 1000;
  o.numeric.restarts = 1;
  o.numeric.max_iterations = 500;
  o.sample.chains = 1;
  o.sample.warmup = 50;
  o.sample.draws = 50;
  o.sample.max_depth = 6;
  o.sample.threads = 1;
  o.draws_table = true;
  return o;
}

void render(bayes::answer::Report& rep, std::ostringstream& out) {
  using namespace bayes;
  report::PlotFiles files;  // nothing written, nothing failed
  report::write_report(out, rep, files, /*color=*/false);
  report::write_report(out, rep, files, /*color=*/true);
  for (const auto& line : rep.explain) out << line << '\n';
  out << report::dump({{"results", report::to_json(rep, files)}, {"explain", rep.explain}}) << '\n';
  for (const auto& a : rep.answers)
    if (const auto* plot = std::get_if<answer::Plot>(&a.body)) out << report::svg_plot(plot->data);
  // The draws table as --draws-out writes it (src/cli/main.cpp).
  if (rep.draws && rep.draws->error.empty()) {
    for (const auto& c : rep.draws->columns) out << c << ',';
    out << '\n';
    for (const auto& row : rep.draws->rows) {
      if (row.size() != rep.draws->columns.size())
        violated("a row of the draws table has " + std::to_string(row.size()) + " values for " +
                 std::to_string(rep.draws->columns.size()) + " columns");
      for (double x : row) out << format::shortest(x) << ',';
      out << '\n';
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz_sandbox::initialize();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > kMaxInput) return -1;  // -1: not added to the corpus
  ++stats.inputs;
  bayes::SourceFile file;
  file.name = "fuzz.model";
  file.text.assign(reinterpret_cast<const char*>(data), size);
  file.directory = "/nonexistent-fuzz-dir";

  fuzz_sandbox::Input input;
  bayes::Diagnostics diags;
  auto compiled = bayes::compile(file, diags);
  if (std::getenv("FUZZ_VERBOSE")) {  // to see what a reproducer does
    std::ostringstream d;
    bayes::print_all(d, file, diags);
    std::fprintf(stderr, "--- diagnostics\n%s", d.str().c_str());
  }
  // An input that does not compile is fuzz_parser's business. -1 keeps it out
  // of the corpus, which then holds models only: mutations of models that
  // compile reach the engines far more often than mutations of broken text
  // (with 0, nine inputs in ten of a 12-minute corpus did not compile).
  if (!compiled) return -1;
  ++stats.compiled;

  std::ostringstream out;
  try {
    bayes::answer::Report rep = bayes::answer::answer_all(*compiled, options_for(file.text));
    if (rep.status != 0 && rep.status != 1 && rep.status != 3)
      violated("answer_all returned status " + std::to_string(rep.status));
    render(rep, out);
    ++stats.answered;
    if (std::getenv("FUZZ_VERBOSE")) std::fprintf(stderr, "--- reports\n%s", out.str().c_str());
  } catch (const bayes::Interrupted&) {
    ++stats.interrupted;
    return 0;  // over its time budget: the sampler or optimiser was cut short
  } catch (const std::exception& e) {
    if (fuzz_sandbox::past_deadline()) {  // thrown by cleanup after the interrupt
      ++stats.interrupted;
      return 0;
    }
    violated(std::string("exception out of answer_all or the reports: ") + typeid(e).name() + ": " +
             e.what());
  }
  return 0;
}
