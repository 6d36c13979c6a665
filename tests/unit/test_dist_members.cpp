// Unit tests of what src/dist/ tells the other stages about a family: the ends
// of its support (support_bounds), its mode, and how a column observed through
// it streams (Family::streaming against the log density summed element by element).
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "data/summary.hpp"
#include "dist/family.hpp"
#include "helpers.hpp"

namespace {

using namespace bayes;
using namespace bayes::dist;

using test::family;
using test::kInf;
using test::s;
using test::unknown;
using test::v;

// "[lo, hi]" of support_bounds, for readable failures.
std::string ends(std::string_view name, std::vector<Value> args, std::size_t unknown_no = 0) {
  const Bounds b = support_bounds(family(name), args, unknown_no);
  return "[" + std::to_string(b.lo) + ", " + std::to_string(b.hi) + "]";
}
std::string interval(double lo, double hi) {
  return "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
}

// Valid arguments of a univariate family: 0.3 for a probability, `other` else.
std::vector<double> typical_args(const Family& f, double other) {
  if (f.support == Domain::Bounded)
    return f.discrete ? std::vector<double>{-2, 4} : std::vector<double>{1.5, 4};
  if (&f == &family("Binomial")) return {10, 0.3};
  std::vector<double> args;
  for (const Param& p : f.params)
    args.push_back(p.domain == Domain::Unit || p.domain == Domain::OpenUnit ? 0.3 : other);
  return args;
}

}  // namespace

TEST_CASE("dist: support_bounds, from the domain or from the arguments") {
  CHECK(ends("Normal", {unknown, unknown}) == interval(-kInf, kInf));
  CHECK(ends("Gamma", {s(2), s(1)}) == interval(0, kInf));
  CHECK(ends("Exponential", {unknown}) == interval(0, kInf));
  CHECK(ends("Beta", {s(2), s(3)}) == interval(0, 1));
  CHECK(ends("Bernoulli", {unknown}) == interval(0, 1));
  CHECK(ends("Poisson", {s(3)}) == interval(0, kInf));
  CHECK(ends("Dirichlet", {v({1, 1})}) == interval(0, 1));
  CHECK(ends("Uniform", {s(0), s(2)}) == interval(0, 2));
  CHECK(ends("Uniform", {unknown, s(2)}) == interval(-kInf, 2));
  CHECK(ends("Uniform", {v({0, -1}), v({2, 5})}) == interval(-1, 5));  // the hull
  CHECK(ends("Pareto", {s(1.5), unknown}) == interval(1.5, kInf));
  CHECK(ends("Pareto", {unknown, unknown}) == interval(0, kInf));
  CHECK(ends("Binomial", {s(10), unknown}) == interval(0, 10));
  CHECK(ends("Binomial", {unknown, s(0.5)}) == interval(0, kInf));
  CHECK(ends("DiscreteUniform", {s(1), s(6)}) == interval(1, 6));
  CHECK(ends("Categorical", {v({0.2, 0.3, 0.5})}) == interval(1, 3));
  // An unknown vector may still carry its length.
  CHECK(ends("Categorical", {Value{Rank::Vector, false, 4, 1, {}}}) == interval(1, 4));
  CHECK(ends("Categorical", {unknown}) == interval(1, kInf));
  CHECK(ends("Multinomial", {s(5), unknown}) == interval(0, 5));
  // A joint family: each unknown's own support.
  CHECK(ends("NormalInverseGamma", std::vector<Value>(4), 0) == interval(-kInf, kInf));
  CHECK(ends("NormalInverseGamma", std::vector<Value>(4), 1) == interval(0, kInf));
  // Every outcome the family gives lies within its bounds.
  for (const Family* f : all()) {
    if (!f->lpdf) continue;
    INFO(f->name);
    const std::vector<double> args = typical_args(*f, 1.5);
    std::vector<Value> values;
    for (double a : args) values.push_back(s(a));
    const Bounds b = support_bounds(*f, values);
    for (double p : {1e-9, 0.3, 0.7, 1 - 1e-9}) {
      const double x = f->quantile(args, p);
      CHECK(x >= b.lo);
      CHECK(x <= b.hi);
    }
    if (std::isfinite(b.lo)) CHECK(f->lpdf(args, b.lo - 1) == -kInf);
    if (std::isfinite(b.hi)) CHECK(f->lpdf(args, b.hi + 1) == -kInf);
  }
}

TEST_CASE("dist: the mode of every univariate family") {
  auto mode = [](std::string_view name, std::vector<double> args, std::string* note = nullptr) {
    std::string n;
    auto m = family(name).mode(args, n);
    if (note) *note = n;
    return m ? *m : std::nan("");
  };
  CHECK(mode("Normal", {1, 2}) == 1);
  CHECK(mode("StudentT", {3, -1, 2}) == -1);
  CHECK(mode("Cauchy", {3, 1}) == 3);
  CHECK(mode("Laplace", {-2, 5}) == -2);
  CHECK(mode("Beta", {2, 3}) == doctest::Approx(1.0 / 3));
  CHECK(mode("Gamma", {3, 2}) == 1);
  CHECK(mode("InverseGamma", {3, 2}) == 0.5);
  CHECK(mode("LogNormal", {0, 1}) == doctest::Approx(std::exp(-1.0)));
  CHECK(mode("Weibull", {2, 1}) == doctest::Approx(std::sqrt(0.5)));
  CHECK(mode("Pareto", {1.5, 2}) == 1.5);
  CHECK(mode("Exponential", {2}) == 0);
  CHECK(mode("Binomial", {10, 0.3}) == 3);
  CHECK(mode("Poisson", {3.5}) == 3);
  CHECK(mode("NegativeBinomial", {4, 0.4}) == 4);
  CHECK(mode("Bernoulli", {0.7}) == 1);
  std::string note;
  CHECK(std::isnan(mode("Beta", {0.5, 0.5}, &note)));
  CHECK(note == "undefined: Beta(0.5, 0.5) has two modes, at 0 and 1");
  CHECK(std::isnan(mode("Beta", {1, 1}, &note)));
  CHECK(note == "undefined: Beta(1, 1) is flat on [0, 1]");
  CHECK(std::isnan(mode("Beta", {0.5, 3}, &note)));
  CHECK(note == "on the boundary p = 0");
  CHECK(std::isnan(mode("Gamma", {0.5, 1}, &note)));
  CHECK(note == "on the boundary 0");
  CHECK(std::isnan(mode("Uniform", {0, 1}, &note)));
  CHECK(note == "undefined: the Uniform density is flat");
  CHECK(std::isnan(mode("Bernoulli", {0.5}, &note)));
  CHECK(note == "undefined: 0 and 1 are equally likely");
  // Where there is one, nothing near it is more likely.
  for (const Family* f : all()) {
    if (!f->mode) continue;
    INFO(f->name);
    const std::vector<double> args = typical_args(*f, 2.5);
    std::string why;
    const auto m = f->mode(args, why);
    if (!m) continue;
    const double lp = f->lpdf(args, *m), h = f->discrete ? 1.0 : 1e-3;
    CHECK(std::isfinite(lp));
    CHECK(f->lpdf(args, *m - h) <= lp);
    CHECK(f->lpdf(args, *m + h) <= lp);
  }
}

TEST_CASE("dist: streaming, and lpdf_sum is the sum of lpdf over the column") {
  std::set<std::string_view> streams, distinct;
  for (const Family* f : all()) {
    INFO(f->name);
    const Streaming& st = f->streaming;
    if (!f->streams()) {
      CHECK_FALSE((st.sum || st.squares || st.distinct));
      continue;
    }
    streams.insert(f->name);
    if (st.distinct) distinct.insert(f->name);
    CHECK(f->outcome_rank == Rank::Scalar);
    CHECK((st.sum || st.squares));
  }
  CHECK(streams == std::set<std::string_view>{"Bernoulli", "Binomial", "Exponential", "Geometric",
                                              "Normal", "Poisson"});
  CHECK(distinct == std::set<std::string_view>{"Binomial", "Poisson"});

  struct Column {
    std::string_view family;
    std::vector<double> args, xs;
  };
  const std::vector<Column> columns{
      {"Normal", {1.5, 0.7}, {0.3, 2.1, 1.9, -0.4, 1.5}}, {"Bernoulli", {0.3}, {1, 0, 0, 1, 1, 0}},
      {"Binomial", {10, 0.35}, {3, 4, 0, 10, 7}},         {"Poisson", {2.5}, {0, 3, 2, 7, 2}},
      {"Exponential", {1.7}, {0.2, 1.5, 0.01, 3}},        {"Geometric", {0.4}, {0, 2, 5, 1}},
  };
  for (const Column& c : columns) {
    INFO(c.family);
    const Family& f = family(c.family);
    data::Summary summary;
    double total = 0;
    for (double x : c.xs) summary.add(x), total += f.lpdf(c.args, x);
    CHECK(f.streaming.lpdf_sum(c.args, summary) == doctest::Approx(total).epsilon(1e-12));
    // Invalid arguments give NaN.
    std::vector<double> bad = c.args;
    bad.back() = -1;
    CHECK(std::isnan(f.streaming.lpdf_sum(bad, summary)));
  }
  // Without its distinct values, a family that needs them cannot sum.
  data::Summary many;
  for (int i = 0; i <= static_cast<int>(data::Summary::kDistinct); ++i) many.add(i);
  REQUIRE_FALSE(many.counts_complete);
  CHECK(std::isnan(family("Poisson").streaming.lpdf_sum(std::vector<double>{3}, many)));
  CHECK(std::isfinite(family("Exponential").streaming.lpdf_sum(std::vector<double>{3}, many)));
}
