// Hostile input that once passed silently, hung or took time far beyond its
// size (the corpus in tests/hostile/ runs the binary on many more): NaN in a
// condition, sufficient statistics beyond a double, a plot range narrower
// than a double resolves, a constant quantity plotted, a large discrete
// support enumerated in linear time, files that are not regular files, long
// vectors in the text report.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <sstream>
#include <string>

#include "data/input_file.hpp"
#include "helpers.hpp"
#include "repl/repl.hpp"
#include "report/plot_text.hpp"
#include "report/text.hpp"

namespace test = bayes::test;

TEST_CASE("hostile: a condition that compares with NaN is an error where the NaN is written") {
  auto r = test::run("param p ~ Beta(2, 2)\nprint prob(p > 0/0)\n");
  CHECK_FALSE(r.compiled);
  CHECK(r.first_error() ==
        "2:16: the condition compares with NaN (not a number), which is neither above nor below "
        "nor equal to anything");
  // Infinity is a number: p < inf is certain.
  auto inf = test::answers("param p ~ Beta(2, 2)\nprint prob(p < 1e308 * 10)\n");
  CHECK(inf[0]["value"].get<double>() == 1.0);
}

TEST_CASE("hostile: a posterior whose parameters overflow a double is refused, not inf") {
  for (const char* model :
       {"data y = [1e308, 1e308]\nparam l ~ Gamma(1, 1)\ny ~ Poisson(l)\nprint posterior(l)\n",
        "param mu ~ Normal(0, 1e308)\n1 ~ Normal(mu, 1e-308)\nprint posterior(mu)\n"}) {
    auto rep = test::report(model);
    CHECK(rep.status == 3);
    auto r = bayes::report::to_json(rep);
    REQUIRE_MESSAGE(r[0].contains("error"), r[0].dump());
    CHECK_MESSAGE(test::contains(r[0]["error"], "cannot be computed in double precision"),
                  r[0].dump());
  }
}

TEST_CASE("hostile: plots of a range too narrow for its size, and of a constant") {
  auto narrow = test::answers("param mu ~ Normal(1e10, 3e-7)\nplot mu\n");
  REQUIRE_MESSAGE(narrow[0].contains("error"), narrow[0].dump());
  CHECK(test::contains(narrow[0]["error"], "too narrow for its size to draw"));
  // Ticks are whole multiples of a step counted in integers: none where the
  // multiples do not advance in floating point, never an endless loop.
  CHECK(bayes::report::nice_ticks(1e10 - 1e-6, 1e10 + 1e-6, 6).empty());
  CHECK(bayes::report::nice_ticks(0, 1, 5).size() == 6);
  // p - p is 0 in every draw: one bar of probability 1, not a bell curve.
  auto constant = test::answers("param p ~ Beta(2, 2)\nlet c = p - p\nplot c\n");
  REQUIRE_MESSAGE(constant[0].contains("plot"), constant[0].dump());
  CHECK(constant[0]["plot"]["kind"] == "bars");
  CHECK(constant[0]["plot"]["points"] == 1);
}

TEST_CASE("hostile: a support of 200 000 values is enumerated exactly, with its ties said") {
  auto r = test::answers(
      "param k ~ DiscreteUniform(1, 200000)\nprint mean(k)\nprint prob(k == 41)\nprint map()\n"
      "print posterior(k)\n");
  CHECK(r[0]["value"].get<double>() == doctest::Approx(100000.5).epsilon(1e-12));
  CHECK(r[1]["value"].get<double>() == doctest::Approx(5e-6).epsilon(1e-9));
  REQUIRE_MESSAGE(r[2].contains("error"), r[2].dump());
  CHECK(test::contains(r[2]["error"], "not unique: 200000 joint values"));
  CHECK(test::contains(r[3]["mode_note"], "not unique: 200000 values are equally probable"));
}

TEST_CASE("hostile: model and data files must be regular files") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("bayes-hostile-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string fifo = (dir / "pipe.csv").string();
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  std::string why;
  // A FIFO with no writer would block; /dev/zero would never end.
  CHECK(bayes::data::input_file_problem(fifo, bayes::data::kMaxDataBytes) ==
        "it is not a regular file (a device, FIFO or socket)");
  CHECK(bayes::data::input_file_problem("/dev/zero", bayes::data::kMaxModelBytes) ==
        "it is not a regular file (a device, FIFO or socket)");
  CHECK(bayes::data::input_file_problem(dir.string(), bayes::data::kMaxModelBytes) ==
        "it is a directory");
  auto r = test::run("data y from \"pipe.csv\"\nparam m ~ Normal(0, 1)\ny ~ Normal(m, 1)\n",
                     dir.string());
  CHECK_FALSE(r.compiled);
  CHECK(test::contains(r.first_error(), "not a regular file"));
  // Larger than the limit: refused before reading.
  const std::string big = (dir / "big.model").string();
  {
    std::ofstream out(big);
    out << std::string(2048, '#');
  }
  CHECK(bayes::data::input_file_problem(big, 1024) == "it is larger than 1024 bytes");
  CHECK_FALSE(bayes::data::read_input_file(big, 1024, why));
  CHECK(why == "it is larger than 1024 bytes");
  CHECK(bayes::data::read_input_file(big, 4096, why)->size() == 2048);
  fs::remove_all(dir);
}

TEST_CASE("hostile: a long vector answer is shown by its ends and its count") {
  std::ostringstream out;
  bayes::report::write_report(out, test::report("data x = seq(1, 1000)\nprint x\n"));
  CHECK(test::contains(out.str(),
                       "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, ..., 998, 999, 1000] (1000 "
                       "values)"));
}

TEST_CASE("hostile: prelude functions mean what they meant in the prelude") {
  // A program's own `mean` does not change the prelude's `center`.
  auto c =
      test::answers("fn mean(x) = 100\ndata c = center([1, 2, 3])\nprint c\nprint mean([1])\n");
  CHECK(c[0]["value"] == nlohmann::ordered_json::array({-1, 0, 1}));
  CHECK(c[1]["value"].get<double>() == 100);
  // A program's data named like a prelude function does not hide it from another.
  auto v = test::answers("data sum_squares = 3\ndata v = variance_pop([1, 2])\nprint v\n");
  CHECK(v[0]["value"].get<double>() == 0.25);
}

TEST_CASE("hostile: a condition on the left of '~' is not data") {
  auto r = test::run("param p ~ Beta(1, 1)\n(1 < 2) ~ Bernoulli(p)\n");
  CHECK_FALSE(r.compiled);
  CHECK(r.first_error() == "2:2: the left side of '~' must be data (numbers), not a condition");
}

// The same lines through run_piped (runs of new definitions checked together)
// and through run_line one at a time: the same output, errors and exit.
TEST_CASE("hostile: the piped REPL checks runs of definitions together, as if one by one") {
  const std::string script =
      "data a = 1\ndata b = zz + 1\nparam p ~ Beta(1, 1)\ndata c = a + 1\nlet t = p * c\n"
      "data flips = [1, 0, 1]\nflips ~ Bernoulli(q)\nflips ~ Bernoulli(p)\nparam w[0] ~ "
      "Normal(0, 1)\nlet u = t + b\nlet v = t +\n  1\nprint mean(p)\ndata a = 2\nlet t2 = "
      "p * a\nlet t2 = 3\nprint mean(t2)\nfn f(x) = x + 1\nlet g = f(p)\nparam p2 ~ Beta(c, "
      "0)\n";
  std::ostringstream out_batched, out_single;
  bayes::repl::Session batched(out_batched, out_batched), single(out_single, out_single);
  std::istringstream in(script);
  const bool ok_batched = batched.run_piped(in);
  bool ok_single = true;
  std::istringstream lines(script);
  std::string line, pending;
  while (std::getline(lines, line)) {
    pending += (pending.empty() ? "" : "\n") + line;
    if (bayes::repl::Session::incomplete(pending)) continue;
    ok_single = single.run_line(pending) && ok_single;
    pending.clear();
  }
  CHECK(out_batched.str() == out_single.str());
  CHECK(ok_batched == ok_single);
  CHECK_FALSE(ok_batched);
  CHECK(test::contains(out_batched.str(), "unknown name 'zz'"));
  CHECK(test::contains(out_batched.str(), "mean(t2) = 3"));
}

TEST_CASE("hostile: a discrete support too large to enumerate says how large") {
  auto r = test::answers("param k ~ DiscreteUniform(1, 9007199254740991)\nprint mean(k)\n");
  REQUIRE_MESSAGE(r[0].contains("error"), r[0].dump());
  CHECK(test::contains(r[0]["error"], "'k' takes 9.0072e+15 values, more than the 1e+06"));
  auto p = test::answers("param k ~ Poisson(3)\nprint mean(k)\n");
  CHECK(test::contains(p[0]["error"], "no finite support fixed by data (its values run from 0"));
}

TEST_CASE("hostile: a standard deviation is finite where only the variance overflows") {
  auto r = test::answers("param mu ~ Normal(0, 1e308)\nprint sd(mu)\n");
  CHECK(r[0]["value"].get<double>() == 1e308);
  auto u = test::answers("param mu ~ Uniform(-1e308, 1e308)\nprint sd(mu)\n");
  CHECK(u[0]["value"].get<double>() ==
        doctest::Approx(2 * (1e308 / std::sqrt(12.0))).epsilon(1e-12));
}
