// The command line: bayes FILE, bayes check FILE, bayes repl [FILE].
// Exit status (LANGUAGE.md): 0 answered; 1 the model or its data is wrong;
// 2 usage; 3 a numeric method failed or the query is not supported yet.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "answer/answer.hpp"
#include "answer/compare.hpp"
#include "cli/memory.hpp"
#include "format/format.hpp"
#include "pipeline/pipeline.hpp"
#include "repl/repl.hpp"
#include "report/file.hpp"
#include "report/json.hpp"
#include "report/plot_svg.hpp"
#include "report/text.hpp"

namespace {

using namespace bayes;

enum Exit { kOk = 0, kModelError = 1, kUsage = 2, kNumeric = 3 };

struct RunOptions {
  std::string file;
  bool json = false;
  bool explain = false;
  bool graph = false;
  std::string method = "auto";
  unsigned long long seed = 20261123;
  std::size_t restarts = 1;
  bool jacobian = false;
  std::size_t chains = 4, warmup = 1000, draws = 1000;
  double adapt_delta = 0.8;
  std::string draws_out;  // --draws-out FILE.csv
};

// Whether a stream goes to a terminal (colours, a progress bar). The browser
// build's streams are the page's text, never a terminal, whatever the
// Emscripten runtime says of them.
bool terminal(int fd) {
#if defined(__EMSCRIPTEN__)
  (void)fd;
  return false;
#else
  return isatty(fd);
#endif
}

bool color_stderr() { return terminal(STDERR_FILENO) && std::getenv("NO_COLOR") == nullptr; }

// With `json`, the diagnostics are also appended to it as
// report::append_diagnostics writes them.
std::optional<Compiled> load(const std::string& path, SourceFile& file,
                             nlohmann::ordered_json* json = nullptr) {
  std::string error;
  auto src = read_source(path, error);
  if (!src) {
    std::cerr << "bayes: error: " << error << '\n';
    if (json)
      json->push_back({{"file", path},
                       {"line", 0},
                       {"column", 0},
                       {"severity", "error"},
                       {"message", error},
                       {"notes", nlohmann::ordered_json::array()}});
    return std::nullopt;
  }
  file = std::move(*src);
  Diagnostics diags;
  auto compiled = compile(file, diags);
  if (json) report::append_diagnostics(*json, file, diags.list());
  print_all(std::cerr, file, diags, color_stderr());
  if (compiled && !diags.list().empty()) std::cerr.flush();
  if (!compiled) {
    std::size_t n = diags.error_count();
    if (n > 1) std::cerr << n << " errors\n";
  }
  return compiled;
}

// How queries are answered, from the flags run and repl share.
answer::Options answer_options(const RunOptions& opt) {
  answer::Options ao;
  ao.method = answer::method_named(opt.method).value_or(answer::Method::Auto);
  ao.seed = opt.seed;
  ao.numeric.seed = opt.seed;
  ao.numeric.restarts = opt.restarts;
  ao.numeric.jacobian = opt.jacobian;
  ao.sample.seed = opt.seed;
  ao.sample.chains = opt.chains;
  ao.sample.warmup = opt.warmup;
  ao.sample.draws = opt.draws;
  ao.sample.delta = opt.adapt_delta;
  ao.draws_table = !opt.draws_out.empty();
  return ao;
}

// The flags of answering (method, seed, optimiser, sampler), for bayes FILE
// and bayes repl alike.
void add_answer_flags(CLI::App& app, RunOptions& opt) {
  app.add_option("--method", opt.method,
                 "auto (the most exact that applies), exact, conjugate, laplace, numeric, "
                 "importance or sample")
      ->check(CLI::IsMember(answer::method_names()));
  app.add_option("--chains", opt.chains, "sampler: number of chains (run in parallel)")
      ->check(CLI::Range(1, 64));
  app.add_option("--warmup", opt.warmup, "sampler: warm-up iterations per chain")
      ->check(CLI::Range(0, 1000000));
  app.add_option("--draws", opt.draws, "sampler: kept draws per chain")
      ->check(CLI::Range(4, 1000000));
  app.add_option("--adapt-delta", opt.adapt_delta,
                 "sampler: target acceptance statistic of the step size (0.8; higher for fewer "
                 "divergences)")
      ->check(CLI::Range(0.5, 0.999))
      ->check(CLI::Validator(
          [](const std::string& text) {
            // NaN passes a range check (it compares false either way).
            double x = 0;
            try {
              x = std::stod(text);
            } catch (const std::exception&) {
              return std::string();  // the range check words it
            }
            return std::isnan(x) ? "must be a number from 0.5 to 0.999, not '" + text + "'"
                                 : std::string();
          },
          ""));
  app.add_option("--seed", opt.seed, "seed for Monte Carlo answers and numeric restarts")
      ->check(CLI::Validator(
          [](const std::string& text) {
            bool digits =
                !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
            // Below 2^64 (20 digits at most, and 18446744073709551615 the largest).
            bool fits = digits &&
                        (text.size() < 20 || (text.size() == 20 && text <= "18446744073709551615"));
            return fits ? std::string()
                        : "must be a whole number from 0 to 18446744073709551615, not '" + text +
                              "'";
          },
          ""));
  app.add_option("--restarts", opt.restarts, "numeric engine: number of optimiser starts (seeded)")
      ->check(CLI::Range(1, 1000));
  app.add_flag("--jacobian", opt.jacobian,
               "numeric engine: the mode on the unconstrained scale (Jacobian included) instead of "
               "the mode in the original parameterisation");
}

int run_model(const RunOptions& opt) {
  SourceFile file;
  // --json prints one document whatever happens: the errors when the model
  // does not compile.
  auto diagnostics = nlohmann::ordered_json::array();
  auto compiled = load(opt.file, file, opt.json ? &diagnostics : nullptr);
  if (!compiled) {
    if (opt.json) std::cout << report::dump({{"errors", diagnostics}}) << '\n';
    return kModelError;
  }
  if (opt.graph) {
    // With --json, still one JSON document: the DOT text as a string.
    if (opt.json) {
      std::ostringstream dot;
      graph::write_dot(dot, compiled->graph);
      nlohmann::ordered_json doc{{"graph", dot.str()}};
      if (!diagnostics.empty()) doc["diagnostics"] = diagnostics;
      std::cout << report::dump(doc) << '\n';
      return kOk;
    }
    graph::write_dot(std::cout, compiled->graph);
    return kOk;
  }
  answer::Options ao = answer_options(opt);
  // Long sampling shows its progress on a terminal (never in --json or a pipe).
  if (!opt.json && terminal(STDERR_FILENO))
    ao.sample.progress = [](double f) { report::write_progress(std::cerr, "sampling", f); };
  answer::Report rep = answer::answer_all(*compiled, ao);
  // Never written over by a plot: the model's own source and data files.
  std::vector<std::string> inputs{file.name};
  for (const auto& d : compiled->model.data)
    if (!d.path.empty()) inputs.push_back(d.path);
  report::PlotFiles files = report::write_plot_files(rep, file.directory, inputs);
  for (const auto& d : files.diagnostics) print(std::cerr, file, d, color_stderr());
  int draws_status = 0;
  if (rep.draws) {
    std::string error = rep.draws->error;
    if (error.empty()) {
      std::string csv;
      for (std::size_t i = 0; i < rep.draws->columns.size(); ++i)
        csv += (i ? "," : "") + rep.draws->columns[i];
      csv += '\n';
      for (const auto& row : rep.draws->rows) {
        for (std::size_t i = 0; i < row.size(); ++i)
          csv += (i ? "," : "") + format::shortest(row[i]);
        csv += '\n';
      }
      report::write_file(opt.draws_out, csv, error, inputs);
    } else {
      error = "no draws to write to '" + opt.draws_out + "': " + error;
    }
    if (!error.empty()) {
      std::cerr << "bayes: error: " << error << '\n';
      if (opt.json)
        diagnostics.push_back({{"file", opt.draws_out},
                               {"line", 0},
                               {"column", 0},
                               {"severity", "error"},
                               {"message", error},
                               {"notes", nlohmann::ordered_json::array()}});
      draws_status = kModelError;
    }
  }
  if (opt.json) {
    nlohmann::ordered_json doc{{"results", report::to_json(rep, files)}};
    if (opt.explain) doc["explain"] = rep.explain;
    report::append_diagnostics(diagnostics, file, files.diagnostics);
    if (!diagnostics.empty()) doc["diagnostics"] = diagnostics;  // warnings, plot files
    std::cout << report::dump(doc) << '\n';
  } else {
    if (opt.explain) {
      for (const auto& line : rep.explain) std::cout << line << '\n';
      if (!rep.explain.empty()) std::cout << '\n';
    }
    bool color = terminal(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr;
    report::write_report(std::cout, rep, files, color);
  }
  return std::max({rep.status, files.status(), draws_status});
}

int run_check(const std::string& path) {
  SourceFile file;
  auto compiled = load(path, file);
  if (!compiled) return kModelError;
  const Model& m = compiled->model;
  auto count = [](std::size_t n, const char* word) {
    return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
  };
  std::cout << path << ": ok (" << m.data.size() << " data, " << count(m.params.size(), "parameter")
            << ", " << count(m.observations.size(), "observation") << ", "
            << count(compiled->graph.components.size(), "component") << ")\n";
  return kOk;
}

int run_compare(const std::vector<std::string>& paths, bool json, bool explain,
                const std::string& method) {
  std::vector<SourceFile> files(paths.size());
  std::vector<std::optional<Compiled>> compiled(paths.size());
  auto diagnostics = nlohmann::ordered_json::array();
  bool all = true;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    compiled[i] = load(paths[i], files[i], json ? &diagnostics : nullptr);
    all = all && compiled[i].has_value();
  }
  if (!all) {
    if (json) std::cout << report::dump({{"errors", diagnostics}}) << '\n';
    return kModelError;
  }
  answer::Options ao;
  ao.method = method == "conjugate" ? answer::Method::Conjugate
              : method == "numeric" ? answer::Method::Numeric
                                    : answer::Method::Auto;
  std::vector<answer::Candidate> candidates;
  for (std::size_t i = 0; i < paths.size(); ++i) candidates.push_back({&*compiled[i], paths[i]});
  answer::Comparison c = answer::compare(candidates, ao);
  for (const auto& w : c.warnings) std::cerr << "bayes: warning: " << w << '\n';
  if (json) {
    auto doc = report::to_json(c);
    if (explain)
      for (std::size_t i = 0; i < c.models.size(); ++i)
        doc["models"][i]["explain"] = c.models[i].explain;
    std::cout << report::dump(doc) << '\n';
  } else {
    if (explain) {
      for (const auto& m : c.models) {
        std::cout << m.file << ":\n";
        for (const auto& line : m.explain) std::cout << "  " << line << '\n';
      }
      std::cout << '\n';
    }
    report::write_compare(std::cout, c);
  }
  return c.error.empty() ? kOk : kNumeric;
}

int usage_error(const CLI::ParseError& e, CLI::App& app) {
  int code = app.exit(e);
  return code == 0 ? kOk : kUsage;
}

int dispatch(int argc, char** argv) {
  std::string first = argc > 1 ? argv[1] : "";
  if (first == "check") {
    CLI::App app{"bayes check: parse and check a model without solving it", "bayes check"};
    std::string path;
    app.add_option("FILE", path, "the .model file")->required();
    try {
      app.parse(argc - 1, argv + 1);
    } catch (const CLI::ParseError& e) {
      return usage_error(e, app);
    }
    return run_check(path);
  }
  if (first == "compare") {
    CLI::App app{
        "bayes compare: the log evidence of models observing the same data, their posterior "
        "probabilities under equal prior odds and the Bayes factor of the best",
        "bayes compare"};
    std::vector<std::string> paths;
    bool json = false;
    app.add_option("MODELS", paths, "two or more .model files")->required();
    std::string method = "auto";
    app.add_flag("--json", json, "print the comparison as one JSON document");
    bool explain = false;
    app.add_flag("--explain", explain, "show how each model's evidence was found");
    app.add_option("--method", method, "auto, conjugate or numeric (a Laplace evidence)")
        ->check(CLI::IsMember({"auto", "conjugate", "numeric"}));
    try {
      app.parse(argc - 1, argv + 1);
      if (paths.size() < 2)
        throw CLI::ValidationError(
            "MODELS", "compare needs two or more model files, got " + std::to_string(paths.size()));
    } catch (const CLI::ParseError& e) {
      return usage_error(e, app);
    }
    return run_compare(paths, json, explain, method);
  }
  if (first == "repl" || argc == 1) {
    CLI::App app{"bayes repl: an interactive session (piped standard input runs without prompts)",
                 "bayes repl"};
    std::string path;
    RunOptions opt;
    app.add_option("FILE", path, "a .model file to load first");
    add_answer_flags(app, opt);
    try {
      if (first == "repl") app.parse(argc - 1, argv + 1);
    } catch (const CLI::ParseError& e) {
      return usage_error(e, app);
    }
    return repl::run(path, answer_options(opt));
  }

  CLI::App app{
      "bayes: exact and numeric Bayesian inference for .model files\n\n"
      "  bayes FILE.model [options]          answer the model's queries\n"
      "  bayes check FILE.model              parse and check only\n"
      "  bayes compare A.model B.model ...   rank models by evidence (Bayes factors)\n"
      "  bayes repl [FILE.model]             interactive session\n",
      "bayes"};
  RunOptions opt;
  app.add_option("FILE", opt.file, "the .model file")->required();
  app.add_flag("--json", opt.json, "print the answers as one JSON document");
  app.add_flag("--explain", opt.explain, "show each derivation with the numbers put in");
  app.add_flag("--graph", opt.graph, "print the factor graph (Graphviz DOT)");
  add_answer_flags(app, opt);
  app.add_option("--draws-out", opt.draws_out,
                 "write the posterior draws to FILE.csv (a column per scalar, CmdStan's names: "
                 "w.1, w.2)")
      ->check(CLI::Validator(
          [](const std::string& text) {
            return text.empty() ? std::string("needs a file name") : std::string();
          },
          ""));
  app.set_version_flag("--version", std::string("bayes ") + BAYES_VERSION);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return usage_error(e, app);
  }
  return run_model(opt);
}

}  // namespace

#if defined(__EMSCRIPTEN__)
#include <emscripten/emscripten.h>

// The browser's REPL panel (web/): one session with the command line's
// defaults, fed a line at a time; a line that leaves a bracket open waits for
// the next one, as at the terminal's "...>" prompt. What the session prints,
// answers and errors alike, is returned as one text, in the order a terminal
// shows it. (Files run through main() itself, as on the command line.)
namespace {

struct WebRepl {
  std::ostringstream out;
  bayes::repl::Session session{out, out, answer_options(RunOptions{})};
  std::string pending;
  std::string last;  // the text handed to the page, alive until the next call
  int status = 0;    // 0 the line succeeded, 1 it failed, 2 it continues
};
std::unique_ptr<WebRepl> web_repl;

}  // namespace

extern "C" {

EMSCRIPTEN_KEEPALIVE const char* bayes_repl_line(const char* line) {
  if (!web_repl) web_repl = std::make_unique<WebRepl>();
  WebRepl& r = *web_repl;
  r.out.str("");
  r.pending += (r.pending.empty() ? "" : "\n") + std::string(line);
  if (bayes::repl::Session::incomplete(r.pending)) {
    r.status = 2;
  } else {
    try {
      r.status = r.session.run_line(r.pending) ? 0 : 1;
    } catch (const std::exception& e) {
      r.out << "bayes: error: " << e.what() << '\n';
      r.status = 1;
    }
    r.pending.clear();
  }
  r.last = r.out.str();
  return r.last.c_str();
}

EMSCRIPTEN_KEEPALIVE int bayes_repl_status() { return web_repl ? web_repl->status : 0; }

EMSCRIPTEN_KEEPALIVE void bayes_repl_reset() { web_repl.reset(); }

}  // extern "C"
#endif

int main(int argc, char** argv) {
  prefer_huge_pages();
  // Whatever the command, an exception is an error message, not an abort:
  // running out of memory, or anything the libraries throw.
  try {
    return dispatch(argc, argv);
  } catch (const std::bad_alloc&) {
    std::cerr << "bayes: error: out of memory (the model or its data is too large for this "
                 "machine)\n";
    return kNumeric;
  } catch (const std::exception& e) {
    std::cerr << "bayes: error: " << e.what() << '\n';
    return kNumeric;
  }
}
