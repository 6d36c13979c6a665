// Unit tests of src/dist/: the family table against scipy.stats reference values
// (tests/fixtures/dist/dist_reference.txt, written by make_dist_fixture.py beside
// it, and those of the families with a test file of their own, see
// family_cases.hpp), argument and outcome checks with their messages, supports
// and samplers.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <iomanip>
#include <limits>
#include <map>
#include <numbers>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "dist/family.hpp"
#include "dist/multivariate.hpp"
#include "family_cases.hpp"
#include "helpers.hpp"

namespace {

using namespace bayes;
using namespace bayes::dist;

using test::family;
using test::kInf;
using test::kNaN;

// Equal to `rel` relative error; NaN and infinities must match exactly, and an
// expected 0 must come out as (almost) 0.
bool agrees(double actual, double expected, double rel) {
  if (std::isnan(expected)) return std::isnan(actual);
  if (std::isinf(expected)) return actual == expected;
  if (expected == 0.0) return std::abs(actual) <= 1e-15;
  return std::abs(actual - expected) <= rel * std::abs(expected);
}

struct Record {
  std::string line;
  std::string family, function;
  std::vector<double> args, xs;
  double expected = 0.0;
};

std::vector<Record> read_fixture() {
  std::ifstream in(std::string(BAYES_TEST_DIR) + "/fixtures/dist/dist_reference.txt");
  REQUIRE_MESSAGE(in.good(), "cannot open the dist fixture");
  std::vector<Record> records;
  std::string line;
  // strtod rather than >> double: it reads "inf" and "nan".
  auto number = [](std::istringstream& s) {
    std::string token;
    s >> token;
    return std::strtod(token.c_str(), nullptr);
  };
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream s(line);
    Record r;
    r.line = line;
    std::size_t n = 0;
    s >> r.family >> r.function >> n;
    for (std::size_t i = 0; i < n; ++i) r.args.push_back(number(s));
    s >> n;
    for (std::size_t i = 0; i < n; ++i) r.xs.push_back(number(s));
    r.expected = number(s);
    REQUIRE_MESSAGE(!s.fail(), "bad fixture line: " << line);
    records.push_back(std::move(r));
  }
  for (const test::FamilyCase& c : test::family_cases()) {
    for (const test::Reference& ref : c.references) {
      Record r{std::string(c.name) + " " + ref.function + " (test_dist_*.cpp)",
               std::string(c.name),
               ref.function,
               ref.args,
               ref.x,
               ref.expected};
      records.push_back(std::move(r));
    }
  }
  return records;
}

// What the table (or multivariate.hpp) says for one record.
double evaluate(const Record& r) {
  const Family& f = family(r.family);
  const Args a = r.args;
  if (f.lpdf != nullptr) {
    if (r.function == "lpdf") return f.lpdf(a, r.xs.at(0));
    if (r.function == "cdf") return f.cdf(a, r.xs.at(0));
    if (r.function == "quantile") return f.quantile(a, r.xs.at(0));
    if (r.function == "mean") return f.mean(a);
    if (r.function == "variance") return f.variance(a);
  }
  REQUIRE(r.function == "lpdf");
  if (r.family == "Categorical") return categorical_lpmf(r.args, r.xs.at(0));
  if (r.family == "Multinomial") return multinomial_lpmf(r.args, r.xs);
  if (r.family == "Dirichlet") return dirichlet_lpdf(r.args, r.xs);
  if (r.family == "NormalInverseGamma") {
    return normal_inverse_gamma_lpdf(r.args[0], r.args[1], r.args[2], r.args[3], r.xs[0], r.xs[1]);
  }
  if (r.family == "MarkovChain") {  // init (K), then T column by column (K x K)
    const auto k =
        static_cast<std::size_t>((std::sqrt(4.0 * static_cast<double>(r.args.size()) + 1) - 1) / 2);
    Value t = Value::matrix(
        k, k, std::vector<double>(r.args.begin() + static_cast<std::ptrdiff_t>(k), r.args.end()));
    return markov_chain_lpmf(std::span<const double>(r.args.data(), k), t, r.xs);
  }
  if (r.family == "MultiNormal") {
    const auto k = static_cast<Eigen::Index>(r.xs.size());
    const Eigen::VectorXd mean = Eigen::Map<const Eigen::VectorXd>(r.args.data(), k);
    const Eigen::MatrixXd cov = Eigen::Map<const Eigen::MatrixXd>(r.args.data() + k, k, k);
    const Eigen::VectorXd x = Eigen::Map<const Eigen::VectorXd>(r.xs.data(), k);
    return multi_normal_lpdf(mean, cov, x);
  }
  FAIL("no evaluation for " << r.line);
  return kNaN;
}

// Agreement asked of every record: 1e-10 relative. (Where scipy 1.10 itself
// falls short of that, the script says how its reference was made better.)
constexpr double kRelTol = 1e-10;

}  // namespace

TEST_CASE("dist: every number agrees with scipy.stats (fixture)") {
  const std::vector<Record> records = read_fixture();
  CHECK(records.size() > 1000);
  std::map<std::string, std::set<std::string>> seen;
  for (const Record& r : records) {
    const double got = evaluate(r);
    INFO(r.line);
    CHECK_MESSAGE(agrees(got, r.expected, kRelTol), "got " << std::setprecision(17) << got);
    seen[r.family].insert(r.function);
  }
  // Every family is covered: all five functions for those with scalar numerics.
  for (const Family* f : all()) {
    INFO(f->name);
    const auto& functions = seen[std::string(f->name)];
    if (f->lpdf != nullptr) {
      CHECK(functions == std::set<std::string>{"lpdf", "cdf", "quantile", "mean", "variance"});
    } else {
      CHECK(functions.count("lpdf") == 1);
    }
  }
}

TEST_CASE("dist: the registry holds every family of LANGUAGE.md, sorted by name") {
  const std::vector<std::string_view> names{
      "Normal",         "Gamma",     "InverseGamma",     "Exponential",
      "StudentT",       "Cauchy",    "Laplace",          "LogNormal",
      "Beta",           "Uniform",   "HalfNormal",       "HalfCauchy",
      "Weibull",        "Pareto",    "Bernoulli",        "Binomial",
      "Poisson",        "Geometric", "NegativeBinomial", "Categorical",
      "Multinomial",    "Dirichlet", "MultiNormal",      "NormalInverseGamma",
      "DiscreteUniform"};
  REQUIRE(all().size() >= names.size());
  for (auto name : names) {
    REQUIRE(find(name) != nullptr);
    CHECK(find(name)->name == name);
  }
  for (std::size_t i = 1; i < all().size(); ++i) CHECK(all()[i - 1]->name < all()[i]->name);
  CHECK(find("Betta") == nullptr);
  CHECK(find("beta") == nullptr);
  CHECK(find("") == nullptr);
}

TEST_CASE("dist: parameter names and domains follow the Stan signatures") {
  const std::map<std::string_view, std::vector<std::string_view>> signatures{
      {"Normal", {"mean", "sd"}},
      {"Gamma", {"shape", "rate"}},
      {"InverseGamma", {"shape", "scale"}},
      {"Exponential", {"rate"}},
      {"StudentT", {"nu", "mean", "scale"}},
      {"Cauchy", {"loc", "scale"}},
      {"Laplace", {"loc", "scale"}},
      {"LogNormal", {"mu", "sigma"}},
      {"Beta", {"a", "b"}},
      {"Uniform", {"lo", "hi"}},
      {"HalfNormal", {"sd"}},
      {"HalfCauchy", {"scale"}},
      {"Weibull", {"shape", "scale"}},
      {"Pareto", {"xmin", "alpha"}},
      {"Bernoulli", {"p"}},
      {"Binomial", {"n", "p"}},
      {"Poisson", {"rate"}},
      {"Geometric", {"p"}},
      {"NegativeBinomial", {"r", "p"}},
      {"Categorical", {"probs"}},
      {"Multinomial", {"n", "probs"}},
      {"Dirichlet", {"alpha"}},
      {"MultiNormal", {"mean", "cov"}},
      {"NormalInverseGamma", {"m0", "lambda", "alpha", "beta"}},
      {"DiscreteUniform", {"lo", "hi"}},
      {"MarkovChain", {"init", "T"}},
  };
  for (const Family* f : all()) {
    INFO(f->name);
    std::vector<std::string_view> params;
    for (const Param& p : f->params) params.push_back(p.name);
    if (auto it = signatures.find(f->name); it != signatures.end()) {
      CHECK(params == it->second);
    } else {  // a family with a test file of its own
      const test::FamilyCase* c = test::family_case(f->name);
      REQUIRE_MESSAGE(c != nullptr, "no signature to test for " << f->name);
      CHECK(params == c->params);
    }
    // Scalar numerics exactly for the univariate families with scalar arguments.
    bool scalar = f->outcome_rank == Rank::Scalar && f->joint == 1;
    for (const Param& p : f->params) scalar = scalar && p.rank == Rank::Scalar;
    CHECK((f->lpdf != nullptr) == scalar);
    CHECK((f->check_outcome != nullptr));
    if (f->lpdf != nullptr) {
      CHECK((f->cdf != nullptr));
      CHECK((f->quantile != nullptr));
      CHECK((f->mean != nullptr));
      CHECK((f->variance != nullptr));
      CHECK((f->sample != nullptr));
    }
    CHECK(f->discrete == (is_integer_domain(f->support) || f->name == "DiscreteUniform"));
  }

  const Family& normal = family("Normal");
  CHECK(normal.params[1].domain == Domain::Positive);
  CHECK(family("Beta").params[0].domain == Domain::Positive);
  CHECK(family("Beta").params[1].domain == Domain::Positive);
  CHECK(family("Bernoulli").params[0].domain == Domain::Unit);
  CHECK(family("Binomial").params[0].domain == Domain::Count);
  CHECK(family("Poisson").params[0].domain == Domain::NonNegative);
  CHECK(family("Geometric").params[0].domain == Domain::OpenUnit);
  const Family& categorical = family("Categorical");
  CHECK(categorical.params[0].domain == Domain::Simplex);
  CHECK(categorical.params[0].rank == Rank::Vector);
  CHECK(categorical.support == Domain::Category);
  const Family& dirichlet = family("Dirichlet");
  CHECK(dirichlet.params[0].domain == Domain::Positive);
  CHECK(dirichlet.params[0].rank == Rank::Vector);
  CHECK(dirichlet.outcome_rank == Rank::Vector);
  const Family& mvn = family("MultiNormal");
  CHECK(mvn.params[1].domain == Domain::Covariance);
  CHECK(mvn.params[1].rank == Rank::Matrix);
  const Family& nig = family("NormalInverseGamma");
  CHECK(nig.joint == 2);
  CHECK(nig.joint_supports == std::vector<Domain>{Domain::Real, Domain::Positive});
  for (const Family* f : all()) {
    if (f != &nig) CHECK(f->joint == 1);
  }
}

TEST_CASE("dist: domains") {
  CHECK(in_domain(Domain::Real, -3.5));
  CHECK_FALSE(in_domain(Domain::Real, kInf));
  CHECK_FALSE(in_domain(Domain::Real, kNaN));
  CHECK(in_domain(Domain::Positive, 1e-300));
  CHECK_FALSE(in_domain(Domain::Positive, 0.0));
  CHECK(in_domain(Domain::NonNegative, 0.0));
  CHECK_FALSE(in_domain(Domain::NonNegative, -1e-300));
  CHECK(in_domain(Domain::Unit, 0.0));
  CHECK(in_domain(Domain::Unit, 1.0));
  CHECK_FALSE(in_domain(Domain::Unit, 1.0000001));
  CHECK_FALSE(in_domain(Domain::OpenUnit, 0.0));
  CHECK_FALSE(in_domain(Domain::OpenUnit, 1.0));
  CHECK(in_domain(Domain::OpenUnit, 0.5));
  CHECK(in_domain(Domain::Binary, 0.0));
  CHECK(in_domain(Domain::Binary, 1.0));
  CHECK_FALSE(in_domain(Domain::Binary, 2.0));
  CHECK(in_domain(Domain::Count, 0.0));
  CHECK(in_domain(Domain::Count, 17.0));
  CHECK_FALSE(in_domain(Domain::Count, 1.5));
  CHECK_FALSE(in_domain(Domain::Count, -1.0));
  CHECK_FALSE(in_domain(Domain::PositiveInt, 0.0));
  CHECK(in_domain(Domain::Category, 3.0));
  CHECK_FALSE(in_domain(Domain::Category, 0.0));
  CHECK(in_domain(Domain::Simplex, 0.25));
  CHECK_FALSE(in_domain(Domain::Simplex, -0.25));
  CHECK(in_domain(Domain::CountVector, 4.0));
  CHECK_FALSE(in_domain(Domain::CountVector, 4.5));

  CHECK(describe(Domain::Positive) == "positive");
  CHECK(describe(Domain::Unit) == "in [0, 1]");
  CHECK(describe(Domain::Count) == "a count (0, 1, 2, ...)");
  CHECK(describe(Domain::Binary) == "0 or 1");

  CHECK(is_integer_domain(Domain::Binary));
  CHECK(is_integer_domain(Domain::Count));
  CHECK(is_integer_domain(Domain::PositiveInt));
  CHECK(is_integer_domain(Domain::Category));
  CHECK(is_integer_domain(Domain::CountVector));
  CHECK_FALSE(is_integer_domain(Domain::Real));
  CHECK_FALSE(is_integer_domain(Domain::Unit));
  CHECK_FALSE(is_integer_domain(Domain::Simplex));
}

namespace {

using test::s;
using test::unknown;
using test::v;

std::string outcome(std::string_view name, std::vector<Value> args, double x) {
  return family(name).check_outcome(args, x);
}
std::string arguments(std::string_view name, std::vector<Value> args) {
  const Family& f = family(name);
  REQUIRE((f.check_args != nullptr));
  return f.check_args(args);
}

}  // namespace

TEST_CASE("dist: check_outcome says what is wrong with an observation") {
  CHECK(outcome("Bernoulli", {s(0.3)}, 2) == "2 is not 0 or 1");
  CHECK(outcome("Bernoulli", {unknown}, 0.5) == "0.5 is not 0 or 1");
  CHECK(outcome("Bernoulli", {unknown}, 1) == "");
  CHECK(outcome("Poisson", {unknown}, -1) == "-1 is not a count (0, 1, 2, ...)");
  CHECK(outcome("Poisson", {unknown}, 1.5) == "1.5 is not a whole number");
  CHECK(outcome("Poisson", {s(2)}, 0) == "");
  CHECK(outcome("Binomial", {s(10), unknown}, 0.5) == "0.5 is not a whole number");
  CHECK(outcome("Binomial", {s(10), unknown}, 12) ==
        "12 is more than the 10 trials of Binomial(10, p)");
  CHECK(outcome("Binomial", {s(10), s(0.25)}, 11) ==
        "11 is more than the 10 trials of Binomial(10, 0.25)");
  CHECK(outcome("Binomial", {unknown, unknown}, 12) == "");
  CHECK(outcome("Binomial", {s(10), unknown}, 10) == "");
  CHECK(outcome("Categorical", {v({1, 1, 1, 1, 1, 1})}, 7) ==
        "7 is not a category of a 6-way Categorical (1..6)");
  CHECK(outcome("Categorical", {v({0.5, 0.5})}, 2) == "");
  CHECK(outcome("Categorical", {unknown}, 7) == "");  // unknown probs: any positive integer
  CHECK(outcome("Categorical", {unknown}, 0) == "0 is not a category (1, 2, ...)");
  CHECK(outcome("Categorical", {unknown}, 2.5) == "2.5 is not a whole number");
  // An unknown vector may still carry its length.
  CHECK(outcome("Categorical", {Value{Rank::Vector, false, 3, 1, {}}}, 4) ==
        "4 is not a category of a 3-way Categorical (1..3)");
  CHECK(outcome("Pareto", {s(1), unknown}, 0.5) == "x = 0.5 is below xmin = 1 of Pareto");
  CHECK(outcome("Pareto", {unknown, s(2)}, 0.5) == "");
  CHECK(outcome("Pareto", {unknown, unknown}, -1) == "-1 is not positive");
  CHECK(outcome("Uniform", {s(0), s(2)}, 3) == "x = 3 is above hi = 2 of Uniform");
  CHECK(outcome("Uniform", {s(0), unknown}, -1) == "x = -1 is below lo = 0 of Uniform");
  CHECK(outcome("Uniform", {s(0), unknown}, 1e9) == "");
  CHECK(outcome("DiscreteUniform", {s(1), s(6)}, 7) == "x = 7 is above hi = 6 of DiscreteUniform");
  CHECK(outcome("DiscreteUniform", {s(1), s(6)}, 2.5) == "2.5 is not a whole number");
  CHECK(outcome("Multinomial", {s(10), unknown}, 12) ==
        "12 is more than the 10 trials of Multinomial(10, probs)");
  CHECK(outcome("Multinomial", {unknown, unknown}, -2) == "-2 is not a count (0, 1, 2, ...)");
  CHECK(outcome("Dirichlet", {unknown}, 1.5) == "1.5 is not in [0, 1]");
  CHECK(outcome("Gamma", {unknown, unknown}, -0.1) == "-0.1 is not positive");
  CHECK(outcome("Exponential", {unknown}, 0) == "");
  CHECK(outcome("Exponential", {unknown}, -2) == "-2 is not non-negative");
  CHECK(outcome("Beta", {unknown, unknown}, 1.25) == "1.25 is not in [0, 1]");
  CHECK(outcome("Normal", {unknown, unknown}, kNaN) == "NaN is not a number");
  CHECK(outcome("Normal", {unknown, unknown}, -kInf) == "-inf is not a finite number");
  CHECK(outcome("Normal", {s(0), s(1)}, 1e300) == "");
  // Every family rejects NaN.
  for (const Family* f : all()) {
    std::vector<Value> args(f->params.size());
    CHECK(f->check_outcome(args, kNaN) == "NaN is not a number");
  }
}

TEST_CASE("dist: check_args checks across arguments, skipping the unknown ones") {
  CHECK(arguments("Uniform", {s(0), s(1)}) == "");
  CHECK(arguments("Uniform", {s(2), s(1)}) == "lo = 2 must be less than hi = 1");
  CHECK(arguments("Uniform", {s(1), s(1)}) == "lo = 1 must be less than hi = 1");
  CHECK(arguments("Uniform", {v({0, 5}), s(3)}) == "lo = 5 must be less than hi = 3");
  CHECK(arguments("Uniform", {unknown, s(1)}) == "");

  CHECK(arguments("DiscreteUniform", {s(1), s(6)}) == "");
  CHECK(arguments("DiscreteUniform", {s(3), s(3)}) == "");
  CHECK(arguments("DiscreteUniform", {s(7), s(6)}) == "lo = 7 must not be more than hi = 6");
  CHECK(arguments("DiscreteUniform", {s(1.5), s(6)}) == "lo = 1.5 must be a whole number");
  CHECK(arguments("DiscreteUniform", {unknown, s(6.5)}) == "hi = 6.5 must be a whole number");

  CHECK(arguments("Categorical", {v({0.2, 0.3, 0.5})}) == "");
  CHECK(arguments("Categorical", {v({0.2, 0.3, 0.4})}) == "probs sum to 0.9, not 1");
  CHECK(arguments("Categorical", {v({1.2, -0.2})}) == "probs[1] = 1.2 is not in [0, 1]");
  CHECK(arguments("Categorical", {v({0.5, 0.5 + 5e-9})}) == "");  // within 1e-8
  CHECK(arguments("Categorical", {v({})}) == "probs must not be empty");
  CHECK(arguments("Categorical", {unknown}) == "");

  CHECK(arguments("Multinomial", {s(10), v({0.5, 0.5})}) == "");
  CHECK(arguments("Multinomial", {s(2.5), v({0.5, 0.5})}) ==
        "n = 2.5 must be a whole number of trials (0, 1, 2, ...)");
  CHECK(arguments("Multinomial", {s(10), v({0.5, 0.6})}) == "probs sum to 1.1, not 1");
  CHECK(arguments("Multinomial", {unknown, unknown}) == "");

  CHECK(arguments("Binomial", {s(10), unknown}) == "");
  CHECK(arguments("Binomial", {s(0), unknown}) == "");
  CHECK(arguments("Binomial", {s(-1), s(0.5)}) ==
        "n = -1 must be a whole number of trials (0, 1, 2, ...)");
  CHECK(arguments("Binomial", {v({3, 4.5}), s(0.5)}) ==
        "n = 4.5 must be a whole number of trials (0, 1, 2, ...)");

  CHECK(arguments("Dirichlet", {v({1, 2})}) == "");
  CHECK(arguments("Dirichlet", {v({})}) == "alpha must not be empty");
  CHECK(arguments("Dirichlet", {v({1, 0})}) == "alpha[2] = 0 is not positive");
  CHECK(arguments("Dirichlet", {unknown}) == "");

  const Value mean2 = v({0, 0});
  CHECK(arguments("MultiNormal", {mean2, Value::matrix(2, 2, {1, 0.5, 0.5, 2})}) == "");
  CHECK(arguments("MultiNormal", {unknown, Value::matrix(2, 2, {1, 0.5, 0.5, 2})}) == "");
  CHECK(arguments("MultiNormal", {mean2, unknown}) == "");
  CHECK(arguments("MultiNormal", {mean2, Value::matrix(2, 3, {1, 0, 0, 1, 0, 0})}) ==
        "cov must be a square matrix (got 2 x 3)");
  CHECK(arguments("MultiNormal", {v({0, 0, 0}), Value::matrix(2, 2, {1, 0, 0, 1})}) ==
        "cov is 2 x 2 but mean has 3 entries");
  CHECK(arguments("MultiNormal", {mean2, Value::matrix(2, 2, {1, 0.4, 0.5, 2})}) ==
        "cov is not symmetric (cov[1, 2] = 0.5 but cov[2, 1] = 0.4)");
  CHECK(arguments("MultiNormal", {mean2, Value::matrix(2, 2, {1, 2, 2, 1})}) ==
        "cov is not positive definite");
  CHECK(arguments("MultiNormal", {v({}), unknown}) == "mean must not be empty");

  // The families without cross-argument checks leave check_args empty.
  CHECK((family("Normal").check_args == nullptr));
}

namespace {

// Typical arguments of each univariate family, and points outside its support.
struct Case {
  std::string_view name;
  std::vector<double> args;
  std::vector<double> outside;
};

const std::vector<Case>& cases() {
  static const std::vector<Case> all_cases{
      {"Normal", {1, 2}, {}},
      {"Gamma", {3, 2}, {-1, -1e-300}},
      {"InverseGamma", {4, 3}, {-1, 0}},
      {"Exponential", {1.5}, {-1e-9, -5}},
      {"StudentT", {5, 1, 2}, {}},
      {"Cauchy", {0, 1}, {}},
      {"Laplace", {-1, 0.5}, {}},
      {"LogNormal", {0.5, 0.4}, {0, -1}},
      {"Beta", {2, 3}, {-0.01, 1.01}},
      {"Uniform", {-1, 3}, {-1.001, 3.001}},
      {"HalfNormal", {2}, {-0.1}},
      {"HalfCauchy", {1}, {-0.1}},
      {"Weibull", {2, 1.5}, {-0.1}},
      {"Pareto", {2, 3.5}, {1.999, 0, -1}},
      {"Bernoulli", {0.3}, {-1, 0.5, 2}},
      {"Binomial", {12, 0.4}, {-1, 13, 2.5}},
      {"Poisson", {3}, {-1, 0.5}},
      {"Geometric", {0.25}, {-1, 1.5}},
      {"NegativeBinomial", {3, 0.4}, {-2, 0.5}},
      {"DiscreteUniform", {-2, 4}, {-3, 5, 0.5}},
  };
  static const std::vector<Case> with_registered = [] {
    std::vector<Case> out = all_cases;
    for (const test::FamilyCase& c : test::family_cases())
      out.push_back({c.name, c.args, c.outside});
    return out;
  }();
  return with_registered;
}

}  // namespace

TEST_CASE("dist: lpdf is -inf outside the support, NaN for bad arguments, and never throws") {
  std::set<std::string_view> covered;
  for (const Case& c : cases()) {
    INFO(c.name);
    const Family& f = family(c.name);
    covered.insert(c.name);
    for (double x : c.outside) {
      INFO(x);
      CHECK(f.lpdf(c.args, x) == -kInf);
    }
    CHECK(f.lpdf(c.args, kInf) == -kInf);
    CHECK(f.lpdf(c.args, -kInf) == -kInf);
    CHECK(std::isnan(f.lpdf(c.args, kNaN)));
    CHECK(f.cdf(c.args, -kInf) == 0.0);
    CHECK(f.cdf(c.args, kInf) == 1.0);
    CHECK(std::isnan(f.quantile(c.args, 1.5)));
    CHECK(std::isnan(f.quantile(c.args, -0.5)));
    // Bad arguments: each one out of its domain in turn, then too few arguments.
    for (std::size_t i = 0; i < c.args.size(); ++i) {
      std::vector<double> bad = c.args;
      bad[i] = f.params[i].domain == Domain::Real ? kNaN : -7.5;
      INFO("bad argument " << i);
      CHECK(std::isnan(f.lpdf(bad, 0.5)));
      CHECK(std::isnan(f.cdf(bad, 0.5)));
      CHECK(std::isnan(f.quantile(bad, 0.5)));
      CHECK(std::isnan(f.mean(bad)));
      CHECK(std::isnan(f.variance(bad)));
      Rng rng(1);
      CHECK(std::isnan(f.sample(bad, rng)));
    }
    CHECK(std::isnan(f.lpdf(std::span<const double>{}, 0.5)));
  }
  for (const Family* f : all()) {
    if (f->lpdf != nullptr) CHECK_MESSAGE(covered.count(f->name) == 1, f->name);
  }
  // Cross-argument conditions make the numbers NaN too.
  CHECK(std::isnan(family("Uniform").lpdf(std::vector<double>{2, 1}, 1.5)));
  CHECK(std::isnan(family("DiscreteUniform").lpdf(std::vector<double>{1.5, 3}, 2)));
  CHECK(std::isnan(family("Binomial").lpdf(std::vector<double>{2.5, 0.3}, 1)));
  // Geometric and NegativeBinomial exclude p = 0 and p = 1 (see geometric.cpp).
  CHECK(std::isnan(family("Geometric").lpdf(std::vector<double>{0}, 1)));
  CHECK(std::isnan(family("Geometric").lpdf(std::vector<double>{1}, 0)));
}

TEST_CASE("dist: lpdf stays accurate where the density underflows") {
  // Far tails, where log(pdf) would be log(0) = -inf.
  CHECK(family("Normal").lpdf(std::vector<double>{0, 1}, 100) ==
        doctest::Approx(-5000.918938533205).epsilon(1e-14));
  CHECK(std::isfinite(family("Gamma").lpdf(std::vector<double>{2, 1}, 1e4)));
  CHECK(std::isfinite(family("Beta").lpdf(std::vector<double>{3, 3}, 1e-300)));
  CHECK(std::isfinite(family("Poisson").lpdf(std::vector<double>{1}, 1e4)));
  CHECK(std::isfinite(family("Binomial").lpdf(std::vector<double>{1e4, 0.001}, 9000)));
  // Huge nu: StudentT tends to the Normal (difference O(1/nu)); no lgamma cancellation.
  CHECK(family("StudentT").lpdf(std::vector<double>{1e9, 0, 1}, 0.5) ==
        doctest::Approx(family("Normal").lpdf(std::vector<double>{0, 1}, 0.5)).epsilon(1e-8));
  // Boundary values: the limits, as scipy.
  CHECK(family("Bernoulli").lpdf(std::vector<double>{0}, 1) == -kInf);
  CHECK(family("Bernoulli").lpdf(std::vector<double>{0}, 0) == 0.0);
  CHECK(family("Binomial").lpdf(std::vector<double>{5, 1}, 5) == 0.0);
  CHECK(family("Binomial").lpdf(std::vector<double>{5, 1}, 4) == -kInf);
  CHECK(family("Poisson").lpdf(std::vector<double>{0}, 0) == 0.0);
  CHECK(family("Poisson").lpdf(std::vector<double>{0}, 1) == -kInf);
  CHECK(family("Poisson").cdf(std::vector<double>{0}, 0) == 1.0);
  CHECK(family("Poisson").quantile(std::vector<double>{0}, 0.7) == 0.0);
  CHECK(family("Beta").lpdf(std::vector<double>{0.5, 2}, 0) == kInf);
}

TEST_CASE("dist: far outliers and overflowing widths keep finite densities and gradients") {
  // z = 1e300: log(1 + z^2 / nu) = 2 log z - log nu to double precision
  // (z^2 overflows). StudentT(3, 0, 1): -log B(3/2, 1/2) - log(3)/2 - 2 (2 log z - log 3)
  // with log B(3/2, 1/2) = log(pi / 2).
  const double log_z = 300 * std::log(10.0);
  const double student =
      -std::log(std::numbers::pi / 2) - 0.5 * std::log(3.0) - 2 * (2 * log_z - std::log(3.0));
  CHECK(family("StudentT").lpdf(std::vector<double>{3, 0, 1}, 1e300) ==
        doctest::Approx(student).epsilon(1e-14));
  CHECK(family("Cauchy").lpdf(std::vector<double>{0, 1}, -1e300) ==
        doctest::Approx(-std::log(std::numbers::pi) - 2 * log_z).epsilon(1e-14));
  CHECK(family("HalfCauchy").lpdf(std::vector<double>{1}, 1e300) ==
        doctest::Approx(std::log(2 / std::numbers::pi) - 2 * log_z).epsilon(1e-14));
  // d/d scale at z = 1e300: -1/s + (nu + 1) / s, the outlier's whole pull.
  std::vector<double> d(3);
  double dx = 0;
  family("StudentT").lpdf_grad(std::vector<double>{3, 0, 1}, 1e300, d, dx, {});
  CHECK(d[2] == doctest::Approx(3.0));
  CHECK(std::isfinite(d[0]));
  // Uniform(-1e308, 1e308): the width 2e308 overflows; log f = -log(2e308).
  CHECK(family("Uniform").lpdf(std::vector<double>{-1e308, 1e308}, 1.5) ==
        doctest::Approx(-(std::log(2.0) + 308 * std::log(10.0))).epsilon(1e-14));
}

TEST_CASE("dist: extreme arguments and probabilities give numbers, not hangs or NaN") {
  for (const Case& c : cases()) {
    INFO(c.name);
    const Family& f = family(c.name);
    for (double p : {1e-300, 1e-17, 1.0 - 1e-16}) CHECK_FALSE(std::isnan(f.quantile(c.args, p)));
    for (double x : {-1e308, 1e308, 1e-308}) {
      CHECK_FALSE(std::isnan(f.lpdf(c.args, x)));
      CHECK_FALSE(std::isnan(f.cdf(c.args, x)));
    }
  }
  const Family& geometric = family("Geometric");
  CHECK(std::isfinite(geometric.quantile(std::vector<double>{1e-300}, 1.0 - 1e-16)));
  CHECK(std::isfinite(geometric.quantile(std::vector<double>{1.0 - 1e-16}, 0.5)));
  CHECK(std::isfinite(family("Poisson").quantile(std::vector<double>{1e12}, 0.3)));
  CHECK(std::isfinite(family("NegativeBinomial").quantile(std::vector<double>{1e-3, 1e-6}, 0.9)));
  CHECK(std::isfinite(family("Binomial").quantile(std::vector<double>{1e9, 1e-9}, 0.9)));
  CHECK(std::isfinite(family("Gamma").quantile(std::vector<double>{1e-3, 1e3}, 0.5)));
  CHECK(std::isfinite(family("Beta").quantile(std::vector<double>{1e-3, 1e3}, 0.5)));
}

TEST_CASE("dist: quantile inverts cdf") {
  for (const Case& c : cases()) {
    INFO(c.name);
    const Family& f = family(c.name);
    for (double p : {0.01, 0.2, 0.5, 0.77, 0.99}) {
      INFO(p);
      const double x = f.quantile(c.args, p);
      REQUIRE(std::isfinite(x));
      CHECK(f.lpdf(c.args, x) > -kInf);
      if (f.discrete) {
        // The smallest x with cdf(x) >= p.
        CHECK(f.cdf(c.args, x) >= p);
        CHECK(f.cdf(c.args, x - 1) < p);
      } else {
        CHECK(f.cdf(c.args, x) == doctest::Approx(p).epsilon(1e-12));
      }
    }
  }
}

TEST_CASE("dist: sample() matches the mean and variance (seeded)") {
  const std::size_t n = 40000;
  for (const Case& c : cases()) {
    INFO(c.name);
    const Family& f = family(c.name);
    Rng rng(20240611);
    double sum = 0.0, sum2 = 0.0;
    std::size_t below_median = 0;
    const double median = f.quantile(c.args, 0.5);
    bool in_support = true;
    for (std::size_t i = 0; i < n; ++i) {
      const double x = f.sample(c.args, rng);
      in_support = in_support && f.lpdf(c.args, x) > -kInf;
      sum += x;
      sum2 += x * x;
      below_median += x < median ? 1 : 0;
    }
    CHECK(in_support);
    const double mean = f.mean(c.args), var = f.variance(c.args);
    if (std::isfinite(var)) {
      // 5 standard errors: a seeded run that fails is a bug, not bad luck.
      const double m = sum / static_cast<double>(n);
      CHECK(std::abs(m - mean) < 5.0 * std::sqrt(var / static_cast<double>(n)));
      const double sample_var = sum2 / static_cast<double>(n) - m * m;
      CHECK(sample_var == doctest::Approx(var).epsilon(0.05));
    } else if (!f.discrete) {
      // No moments (Cauchy, HalfCauchy): half the draws below the median.
      CHECK(std::abs(static_cast<double>(below_median) / static_cast<double>(n) - 0.5) < 0.02);
    }
  }
  // Families with no variance at these arguments still sample around their median.
  for (const auto& entry :
       std::vector<std::pair<std::string_view, std::vector<double>>>{{"Cauchy", {2, 3}},
                                                                     {"HalfCauchy", {2}},
                                                                     {"StudentT", {1.5, -1, 2}},
                                                                     {"Pareto", {1, 0.9}}}) {
    // Not a structured binding: INFO captures it in a lambda, which clang 14 refuses.
    const std::string_view name = entry.first;
    const std::vector<double>& args = entry.second;
    INFO(name);
    const Family& f = family(name);
    Rng rng(7);
    const double median = f.quantile(args, 0.5);
    std::size_t below = 0;
    for (std::size_t i = 0; i < n; ++i) below += f.sample(args, rng) < median ? 1 : 0;
    CHECK(std::abs(static_cast<double>(below) / static_cast<double>(n) - 0.5) < 0.02);
  }
  // Tiny shapes: Beta draws stay in [0, 1], not NaN.
  Rng rng(3);
  for (int i = 0; i < 1000; ++i) {
    const double x = family("Beta").sample(std::vector<double>{0.01, 0.01}, rng);
    REQUIRE((x >= 0.0 && x <= 1.0));
  }
}

TEST_CASE("dist: multivariate densities") {
  const std::vector<double> probs{0.2, 0.5, 0.3};
  CHECK(categorical_lpmf(probs, 2) == doctest::Approx(std::log(0.5)));
  CHECK(categorical_lpmf(probs, 4) == -kInf);
  CHECK(categorical_lpmf(probs, 1.5) == -kInf);
  CHECK(std::isnan(categorical_lpmf(std::vector<double>{0.5, 0.6}, 1)));
  CHECK(std::isnan(categorical_lpmf(std::vector<double>{}, 1)));

  CHECK(multinomial_lpmf(probs, std::vector<double>{1, 0.5, 0}) == -kInf);
  CHECK(multinomial_lpmf(probs, std::vector<double>{1, -1, 0}) == -kInf);
  CHECK(std::isnan(multinomial_lpmf(probs, std::vector<double>{1, 2})));
  CHECK(multinomial_lpmf(std::vector<double>{0.5, 0.5, 0}, std::vector<double>{1, 1, 1}) == -kInf);

  const std::vector<double> alpha{2, 3, 4};
  CHECK(dirichlet_lpdf(alpha, std::vector<double>{0.5, 0.5, 0.1}) == -kInf);  // sum 1.1
  CHECK(dirichlet_lpdf(alpha, std::vector<double>{1.2, -0.2, 0}) == -kInf);
  CHECK(dirichlet_lpdf(alpha, std::vector<double>{0, 0.5, 0.5}) == -kInf);
  CHECK(dirichlet_lpdf(std::vector<double>{0.5, 1}, std::vector<double>{0, 1}) == kInf);
  CHECK(std::isnan(dirichlet_lpdf(std::vector<double>{1, 0}, std::vector<double>{0.5, 0.5})));
  CHECK(std::isnan(dirichlet_lpdf(alpha, std::vector<double>{0.5, 0.5})));
  // Dirichlet(1, 1, 1) is uniform on the simplex: density Gamma(3) = 2.
  CHECK(dirichlet_lpdf(std::vector<double>{1, 1, 1}, std::vector<double>{0.1, 0.2, 0.7}) ==
        doctest::Approx(std::log(2.0)));

  Eigen::MatrixXd bad(2, 2);
  bad << 1, 2, 2, 1;
  CHECK(std::isnan(multi_normal_lpdf(Eigen::Vector2d(0, 0), bad, Eigen::Vector2d(0, 0))));
  CHECK(std::isnan(multi_normal_lpdf(Eigen::Vector2d(0, 0), Eigen::Matrix2d::Identity(),
                                     Eigen::Vector3d(0, 0, 0))));

  CHECK(normal_inverse_gamma_lpdf(0, 1, 2, 3, 0.5, 0) == -kInf);
  CHECK(normal_inverse_gamma_lpdf(0, 1, 2, 3, 0.5, -1) == -kInf);
  CHECK(std::isnan(normal_inverse_gamma_lpdf(0, -1, 2, 3, 0.5, 1)));
}

TEST_CASE("dist: multivariate samplers (seeded)") {
  Rng rng(11);
  const std::size_t n = 20000;

  const std::vector<double> probs{0.2, 0.5, 0.3};
  std::vector<double> freq(3, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    const double k = categorical_sample(probs, rng);
    REQUIRE((k == 1 || k == 2 || k == 3));
    freq[static_cast<std::size_t>(k) - 1] += 1.0 / static_cast<double>(n);
  }
  for (std::size_t i = 0; i < 3; ++i) CHECK(std::abs(freq[i] - probs[i]) < 0.02);
  CHECK(categorical_sample(std::vector<double>{0, 1, 0}, rng) == 2);

  std::vector<double> count_mean(3, 0.0);
  for (std::size_t i = 0; i < 2000; ++i) {
    const std::vector<double> c = multinomial_sample(10, probs, rng);
    REQUIRE(c.size() == 3);
    REQUIRE(c[0] + c[1] + c[2] == 10);
    for (std::size_t j = 0; j < 3; ++j) count_mean[j] += c[j] / 2000.0;
  }
  for (std::size_t j = 0; j < 3; ++j) CHECK(std::abs(count_mean[j] - 10 * probs[j]) < 0.15);

  const std::vector<double> alpha{2, 3, 5};
  std::vector<double> dmean(3, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    const std::vector<double> x = dirichlet_sample(alpha, rng);
    REQUIRE(std::abs(x[0] + x[1] + x[2] - 1.0) < 1e-12);
    for (std::size_t j = 0; j < 3; ++j) dmean[j] += x[j] / static_cast<double>(n);
  }
  for (std::size_t j = 0; j < 3; ++j) CHECK(std::abs(dmean[j] - alpha[j] / 10.0) < 0.01);
  for (double x : dirichlet_sample(std::vector<double>{1e-3, 1e-3}, rng)) CHECK(std::isfinite(x));

  Eigen::Vector2d mu(1, -2);
  Eigen::Matrix2d cov;
  cov << 2.0, 0.6, 0.6, 1.0;
  Eigen::Vector2d m = Eigen::Vector2d::Zero();
  Eigen::Matrix2d c = Eigen::Matrix2d::Zero();
  for (std::size_t i = 0; i < n; ++i) {
    const Eigen::VectorXd x = multi_normal_sample(mu, cov, rng);
    m += x;
    c += (x - mu) * (x - mu).transpose();
  }
  m /= static_cast<double>(n);
  c /= static_cast<double>(n);
  CHECK((m - mu).norm() < 0.05);
  CHECK((c - cov).norm() < 0.1);

  double mu_mean = 0.0, s2_mean = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto [draw_mu, draw_s2] = normal_inverse_gamma_sample(3, 2, 6, 10, rng);
    mu_mean += draw_mu / static_cast<double>(n);
    s2_mean += draw_s2 / static_cast<double>(n);
  }
  CHECK(std::abs(mu_mean - 3.0) < 0.03);
  CHECK(std::abs(s2_mean - 10.0 / 5.0) < 0.05);  // E[s2] = beta / (alpha - 1)
}
