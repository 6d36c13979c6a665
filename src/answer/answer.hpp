// Answering queries: chooses how each component is solved (enumeration,
// closed form, numeric), then answers every print of the model. Each answer is
// a value (answer/result.hpp); src/report renders it as JSON, shaped as
// LANGUAGE.md says, and as the human report.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "answer/result.hpp"
#include "numeric/numeric.hpp"
#include "pipeline/pipeline.hpp"
#include "sample/sample.hpp"

namespace bayes::answer {

// How posterior queries are answered: the most exact method that applies
// (Auto: closed form, exact integration, the Laplace approximation corrected
// by importance sampling when Pareto k-hat < 0.5, else NUTS), or one forced:
// closed forms only (Conjugate), exact methods only (Exact), exact methods
// else the Laplace approximation (Laplace), the optimiser for everything
// (Numeric), importance sampling or NUTS for every continuous component
// (Importance, Sample). MAP and MLE are always the optimiser's.
enum class Method { Auto, Conjugate, Exact, Laplace, Numeric, Importance, Sample };

// The names the command line and the REPL use: auto, exact, conjugate,
// laplace, numeric, importance, sample; nullopt for any other.
std::optional<Method> method_named(const std::string& name);
const std::vector<std::string>& method_names();

struct Options {
  Method method = Method::Auto;
  std::uint64_t seed = 20261123;
  std::size_t draws = 100000;  // Monte Carlo draws for prob(...) and lets
  numeric::Options numeric;
  sample::Options sample;
  bool draws_table = false;  // collect Report::draws (--draws-out)
};

// The posterior draws of every parameter, one row per draw (--draws-out):
// the sampler's chains when a component was sampled, importance-weighted
// draws with their weights, else independent draws from each posterior.
struct DrawsTable {
  std::vector<std::string> columns;       // "chain", "draw", then CmdStan's names ("w.1")
  std::vector<std::vector<double>> rows;  // as the columns
  std::string error;                      // why there are none
};

struct Report {
  std::vector<Answer> answers;       // one per print (or the default report)
  std::vector<std::string> explain;  // derivations, component by component
  bool default_report = false;       // the model prints nothing: every parameter's posterior
  int status = 0;                    // 0 all answered; 1 model error; 3 method failed / unsupported
  std::optional<DrawsTable> draws;   // when Options::draws_table
};

// Answers every query of the model. A summarised column (DataVar::summary)
// whose component no streaming rule solves is read into memory on the way:
// the model keeps the values.
Report answer_all(Compiled& c, const Options& options);

}  // namespace bayes::answer
