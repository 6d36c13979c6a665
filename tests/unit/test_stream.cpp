// Summarised CSV columns: a column observed only as the
// left side of a conjugate likelihood is read in one pass into its
// sufficient statistics and never kept; every answer must be what the same
// model gives with the column in memory.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "answer/answer.hpp"
#include "data/summary.hpp"
#include "helpers.hpp"

using namespace bayes;
using json = nlohmann::ordered_json;

namespace {

namespace fs = std::filesystem;

// A CSV with one column per likelihood, from a seeded generator.
fs::path write_csv() {
  fs::path dir = fs::temp_directory_path() / ("bayes-stream-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::mt19937_64 rng(7);
  std::bernoulli_distribution bern(0.3);
  std::poisson_distribution<int> pois(4.2);
  std::binomial_distribution<int> binom(12, 0.4);
  std::exponential_distribution<double> expo(2.0);
  std::geometric_distribution<int> geom(0.25);
  std::normal_distribution<double> normal(3.0, 2.0);
  std::ofstream out(dir / "d.csv");
  out << "b,p,bi,e,g,y\n";
  for (int i = 0; i < 5000; ++i)
    out << bern(rng) << ',' << pois(rng) << ',' << binom(rng) << ',' << expo(rng) << ','
        << geom(rng) << ',' << normal(rng) << '\n';
  return dir;
}

const char* kModel =
    "data b, p, bi, e, g, y from \"d.csv\"\n"
    "param pb ~ Beta(2, 2)\nb ~ Bernoulli(pb)\n"
    "param rate ~ Gamma(2, 1)\np ~ Poisson(rate)\n"
    "param q ~ Beta(1, 1)\nbi ~ Binomial(12, q)\n"
    "param lam ~ Gamma(1, 1)\ne ~ Exponential(lam)\n"
    "param pg ~ Beta(1, 1)\ng ~ Geometric(pg)\n"
    "param mu ~ Normal(0, 10)\ny ~ Normal(mu, 2)\n"
    "param tau ~ Gamma(2, 2)\ny ~ Normal(3, 1 / sqrt(tau))\n"
    "param v ~ InverseGamma(3, 2)\ny ~ Normal(3, sqrt(v))\n"
    "param nm, ns2 ~ NormalInverseGamma(0, 1, 2, 2)\ny ~ Normal(nm, sqrt(ns2))\n"
    "param hs2 ~ InverseGamma(2, 2)\nparam hm ~ Normal(1, sqrt(hs2 / 3))\ny ~ Normal(2 + 3 * hm, "
    "2 * sqrt(hs2))\n"
    "print posterior(pb)\nprint posterior(rate)\nprint posterior(q)\nprint posterior(lam)\n"
    "print posterior(pg)\nprint posterior(mu)\nprint posterior(tau)\nprint posterior(v)\n"
    "print posterior(nm)\nprint posterior(ns2)\nprint map(ns2)\nprint mle(nm)\nprint mle(ns2)\n"
    "print posterior(hm)\nprint posterior(hs2)\nprint mle(hs2)\n"
    "print evidence()\n"
    "print predictive(b)\nprint predictive(p)\nprint predictive(bi)\nprint predictive(e)\n"
    "print predictive(g)\nprint predictive(y)\nprint mle()\nprint prob(mu > 3)\n";

// Numbers equal to 1e-12 relative, everything else exactly.
void check_same(const json& a, const json& b, const std::string& where) {
  if (a.is_number() && b.is_number()) {
    double x = a.get<double>(), y = b.get<double>();
    CHECK_MESSAGE(std::fabs(x - y) <= 1e-12 * std::max(1.0, std::fabs(y)),
                  (where + " " + std::to_string(x) + " " + std::to_string(y)));
    return;
  }
  if (a.is_structured() && b.is_structured() && a.size() == b.size() && a.type() == b.type()) {
    if (a.is_object()) {
      for (auto it = a.begin(); it != a.end(); ++it) {
        REQUIRE_MESSAGE(b.contains(it.key()), (where + "." + it.key()));
        check_same(it.value(), b[it.key()], where + "." + it.key());
      }
    } else {
      for (std::size_t i = 0; i < a.size(); ++i) check_same(a[i], b[i], where);
    }
    return;
  }
  CHECK_MESSAGE(a == b, (where + " " + a.dump() + " " + b.dump()));
}

}  // namespace

TEST_CASE("summaries: the running mean and sum of squares agree with two passes") {
  data::Summary s;
  std::vector<double> xs{1e9 + 1, 1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16};
  for (double x : xs) s.add(x);
  double mean = 0;
  for (double x : xs) mean += x;
  mean /= 5;
  CHECK(s.n == 5);
  CHECK(s.mean() == doctest::Approx(mean).epsilon(1e-15));
  // Exactly 154.8 (deviations -7.2, -4.2, -1.2, 4.8, 7.8); the one-pass sum
  // of squares (x^2 summed, minus n mean^2) would lose every digit here.
  CHECK(s.m2 == doctest::Approx(154.8).epsilon(1e-14));
  CHECK(s.squares_about(1e9) == doctest::Approx(491).epsilon(1e-14));  // 1 + 16 + 49 + 169 + 256
  CHECK(s.integer);
  CHECK(s.counts_complete);
  CHECK(s.sum_of([](double) { return 1.0; }) == 5);
  for (int i = 0; i < 300; ++i) s.add(i + 0.5);
  CHECK_FALSE(s.integer);
  CHECK_FALSE(s.counts_complete);  // more than kDistinct distinct values
}

TEST_CASE("summaries: a conjugate model over CSV columns never holds them, and answers the same") {
  fs::path dir = write_csv();
  auto streamed = test::run(kModel, dir.string());
  REQUIRE_MESSAGE(streamed.compiled, streamed.errors());
  const Model& m = streamed.compiled->model;
  for (const auto& d : m.data) {
    CHECK_MESSAGE(d.summary, d.name);
    CHECK(d.value.data.empty());
    CHECK(d.value.rows == 5000);
  }
  for (const auto& o : m.observations) CHECK_MESSAGE(o.summary, o.text);

  // The same model with every column in memory: a use outside '~' keeps it.
  auto kept = test::run(std::string(kModel) + "let z = b[1] + p[1] + bi[1] + e[1] + g[1] + y[1]\n",
                        dir.string());
  REQUIRE_MESSAGE(kept.compiled, kept.errors());
  for (const auto& d : kept.compiled->model.data) CHECK_FALSE(d.summary);

  answer::Options opt;
  auto a = bayes::report::to_json(answer::answer_all(*streamed.compiled, opt));
  auto b = bayes::report::to_json(answer::answer_all(*kept.compiled, opt));
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    CHECK_MESSAGE(!a[i].contains("error"), a[i].dump());
    check_same(a[i], b[i], a[i].value("query", "?"));
  }
  CHECK(a[0]["method"] == "conjugate");

  // Answering kept the summaries: no column was read.
  for (const auto& d : m.data) CHECK_MESSAGE(d.summary, d.name);

  // The numeric engine needs the values: they are read when it runs, and the
  // model keeps them.
  opt.method = answer::Method::Numeric;
  auto n = bayes::report::to_json(answer::answer_all(*streamed.compiled, opt));
  REQUIRE(n[0].contains("mode"));
  CHECK(n[0]["mode"].get<double>() == doctest::Approx(a[0]["mode"].get<double>()).epsilon(1e-6));
  for (const auto& d : m.data) {
    CHECK_FALSE(d.summary);
    CHECK(d.value.data.size() == 5000);
  }
  fs::remove_all(dir);
}

TEST_CASE("summaries: streaming is decided per component, when it is solved") {
  fs::path dir = write_csv();
  // The Bernoulli column streams (Beta-Bernoulli); y's component has a
  // HalfNormal scale, which no rule solves whole: y is read for the
  // quadrature engine (the rest is conjugate given s).
  const std::string model =
      "data b, y from \"d.csv\"\n"
      "param pb ~ Beta(2, 2)\nb ~ Bernoulli(pb)\n"
      "param mu ~ Normal(0, 10)\nparam s ~ HalfNormal(5)\ny ~ Normal(mu, s)\n"
      "print posterior(pb)\nprint map(mu)\nprint map(s)\n";
  auto streamed = test::run(model, dir.string());
  REQUIRE_MESSAGE(streamed.compiled, streamed.errors());
  auto kept = test::run(model + "let z = b[1] + y[1]\n", dir.string());
  REQUIRE_MESSAGE(kept.compiled, kept.errors());
  const Model& m = streamed.compiled->model;
  REQUIRE(m.data.size() == 2);
  CHECK(m.data[0].summary);
  CHECK(m.data[1].summary);

  auto a = bayes::report::to_json(answer::answer_all(*streamed.compiled, {}));
  auto b = bayes::report::to_json(answer::answer_all(*kept.compiled, {}));
  REQUIRE(a.size() == 3);
  REQUIRE(b.size() == 3);
  CHECK(a[0]["method"] == "conjugate");
  CHECK(a[1]["method"] == "quadrature");
  for (std::size_t i = 0; i < a.size(); ++i) {
    CHECK_MESSAGE(!a[i].contains("error"), a[i].dump());
    check_same(a[i], b[i], a[i].value("query", "?"));
  }
  CHECK(m.data[0].summary);        // b: solved from its summary, never read
  CHECK_FALSE(m.data[1].summary);  // y: read when no streaming rule solved its component
  CHECK(m.data[1].value.data.size() == 5000);
  fs::remove_all(dir);
}

TEST_CASE("summaries: bad data in a summarised column is reported at its row") {
  fs::path dir = fs::temp_directory_path() / ("bayes-stream-bad-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "b.csv") << "b,x\n1,0.5\n0,1\n2,1.5\n1,2\n";
  auto r =
      test::run("data b from \"b.csv\"\nparam p ~ Beta(1, 1)\nb ~ Bernoulli(p)\n", dir.string());
  CHECK_FALSE(r.compiled);
  CHECK(r.first_error() ==
        "3:1: b.csv:4:1: data outside the support of Bernoulli: 2 is not 0 or 1 (column 'b')");
  auto s =
      test::run("data x from \"b.csv\"\nparam r ~ Gamma(1, 1)\nx ~ Poisson(r)\n", dir.string());
  CHECK(s.first_error() ==
        "3:1: b.csv:2:2: data outside the support of Poisson: 0.5 is not a whole number (column "
        "'x')");
  fs::remove_all(dir);
}
