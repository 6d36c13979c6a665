// Unit tests of the tails of src/dist/: dist::log_cdf, dist::log_ccdf and
// dist::log_mass of every univariate family with a ccdf against scipy.stats,
// deep in both tails where 1 - cdf rounds to 0, and the discrete families'
// masses with both ends included (tests/fixtures/tails/tails_reference.json,
// written by make_tails_reference.py beside it: scipy 1.10.1, each number
// confirmed there by summing the pmf or integrating the pdf).
#include <doctest/doctest.h>

#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "dist/family.hpp"
#include "helpers.hpp"

namespace {

using json = nlohmann::ordered_json;

// A fixture number: JSON has no inf or NaN, so they are the strings "inf", "-inf", "nan".
double tails_number(const json& j) {
  if (!j.is_string()) return j.get<double>();
  const std::string s = j.get<std::string>();
  if (s == "inf") return bayes::test::kInf;
  if (s == "-inf") return -bayes::test::kInf;
  return bayes::test::kNaN;
}

std::vector<double> tails_numbers(const json& j) {
  std::vector<double> out;
  for (const auto& v : j) out.push_back(tails_number(v));
  return out;
}

// Relative tolerance on the log probability. Boost (bayes) and scipy agree to
// it at every point of the fixture, the deep tails included.
constexpr double kTailsTolerance = 1e-10;

// Equal to `rel` relative error; infinities and NaN must match exactly, and an
// expected 0 (log P of a certain event) must come out as exactly 0.
bool tails_agree(double actual, double expected, double rel) {
  if (std::isnan(expected)) return std::isnan(actual);
  if (std::isinf(expected) || expected == 0.0) return actual == expected;
  return std::abs(actual - expected) <= rel * std::abs(expected);
}

double tails_evaluate(const bayes::dist::Family& f, const std::string& function,
                      const std::vector<double>& args, const std::vector<double>& x) {
  if (function == "log_cdf") return bayes::dist::log_cdf(f, args, x.at(0));
  if (function == "log_ccdf") return bayes::dist::log_ccdf(f, args, x.at(0));
  REQUIRE_MESSAGE(function == "log_mass", "unknown function " << function);
  return bayes::dist::log_mass(f, args, x.at(0), x.at(1));
}

// Every case of a tails fixture against dist::log_cdf, log_ccdf and
// log_mass; the families it holds.
std::set<std::string> check_tails_fixture(const std::string& path, std::size_t at_least) {
  const json fixture = bayes::test::fixture_json(path);
  const json& cases = fixture["cases"];
  REQUIRE(cases.size() > at_least);
  std::set<std::string> seen;
  for (const auto& c : cases) {
    const std::string name = c["family"], function = c["function"];
    const std::vector<double> args = tails_numbers(c["args"]), x = tails_numbers(c["x"]);
    const double expected = tails_number(c["expected"]);
    const bayes::dist::Family& f = bayes::test::family(name);
    seen.insert(name);
    const double actual = tails_evaluate(f, function, args, x);
    CHECK_MESSAGE(tails_agree(actual, expected, kTailsTolerance),
                  name << " " << function << " " << c["args"].dump() << " at " << c["x"].dump()
                       << ": got " << actual << ", want " << expected << " (relative error "
                       << std::abs(actual / expected - 1) << ")");
  }
  return seen;
}

}  // namespace

TEST_CASE("dist tails: log_cdf, log_ccdf and log_mass agree with scipy in both tails (fixture)") {
  const std::set<std::string> seen = check_tails_fixture("tails/tails_reference.json", 500);
  // Every family with a ccdf is in the fixture.
  for (const bayes::dist::Family* f : bayes::dist::all()) {
    if (!f->ccdf) continue;
    CHECK_MESSAGE(seen.count(std::string(f->name)), f->name << " has a ccdf but no tail fixture");
  }
}

// Where the probability underflows a double: the family's tail formula, or
// the integral (sum) of its density in log space, against mpmath's closed
// forms at 60 digits (tests/fixtures/tails/far_tails_reference.json, written
// by make_far_tails_reference.py beside it).
TEST_CASE(
    "dist tails: log_cdf, log_ccdf and log_mass beyond underflow agree with mpmath (fixture)") {
  CHECK(check_tails_fixture("tails/far_tails_reference.json", 50).size() >= 15);
}

// The derivative of a log tail in its point is the density over the
// probability, formed in log space: finite beyond underflow.
TEST_CASE("dist tails: the gradient of lccdf in x beyond underflow is finite") {
  const auto& gamma = bayes::dist::gamma_family();
  const double in[3] = {2, 1, 800};  // shape, rate, x
  double d[3];
  const double value = bayes::dist::dist_fn_grad(gamma, bayes::dist::DistFn::Lccdf, in, d);
  CHECK(value == doctest::Approx(-793.3141390529316).epsilon(1e-10));
  // d/dx log Q = -f(x) / Q(x) = -x / (1 + x) for Gamma(2, 1) (Q = (1 + x) e^-x).
  CHECK(d[2] == doctest::Approx(-800.0 / 801.0).epsilon(1e-8));
  // And in the rate: d/dr log Q(2, r x) at r = 1 is -x^2 / (1 + x) (finite differences).
  CHECK(d[1] == doctest::Approx(-640000.0 / 801.0).epsilon(1e-5));
}

TEST_CASE("dist tails: ccdf keeps the upper tail where 1 - cdf rounds to 0") {
  const bayes::dist::Family& normal = bayes::test::family("Normal");
  const std::vector<double> std_normal = {0.0, 1.0};
  REQUIRE(static_cast<bool>(normal.ccdf));
  CHECK(1.0 - normal.cdf(std_normal, 10.0) == 0.0);
  // log P(Z > 10) and log P(Z <= -10) = log P(Z > 10) by symmetry (scipy's norm.logsf(10)).
  CHECK(bayes::dist::log_ccdf(normal, std_normal, 10.0) ==
        doctest::Approx(-53.23128515051248).epsilon(1e-12).scale(0));
  CHECK(bayes::dist::log_cdf(normal, std_normal, -10.0) ==
        doctest::Approx(-53.23128515051248).epsilon(1e-12).scale(0));
  // log P(Z <= 10) = log1p(-P(Z > 10)), not log(1) = 0.
  CHECK(bayes::dist::log_cdf(normal, std_normal, 10.0) ==
        doctest::Approx(-7.61985302416047e-24).epsilon(1e-12).scale(0));
  // And the lower tail: log P(Z <= -30) (scipy's norm.logcdf), and log P(Z > -30)
  // = log1p(-P(Z <= -30)), not log(1) = 0.
  CHECK(bayes::dist::log_cdf(normal, std_normal, -30.0) ==
        doctest::Approx(-454.32124395634327).epsilon(1e-12).scale(0));
  CHECK(bayes::dist::log_ccdf(normal, std_normal, -30.0) ==
        doctest::Approx(-4.906713927147908e-198).epsilon(1e-12).scale(0));

  // Discrete: both ends included. P(2 <= X <= 5) for Poisson(3) is the pmf summed.
  const bayes::dist::Family& poisson = bayes::test::family("Poisson");
  const std::vector<double> rate = {3.0};
  double sum = 0;
  for (double k = 2; k <= 5; ++k) sum += std::exp(poisson.lpdf(rate, k));
  CHECK(bayes::dist::log_mass(poisson, rate, 2.0, 5.0) ==
        doctest::Approx(std::log(sum)).epsilon(1e-13).scale(0));
  // Ends between the integers keep the integers inside: [2.5, 5.5] is {3, 4, 5}.
  CHECK(bayes::dist::log_mass(poisson, rate, 2.5, 5.5) ==
        doctest::Approx(std::log(sum - std::exp(poisson.lpdf(rate, 2.0)))).epsilon(1e-13).scale(0));
}

TEST_CASE("dist tails: the Normal's log tails beyond underflow (scipy norm.logsf / logcdf)") {
  // scipy.stats.norm.logsf(40) = -804.6084420137539, logsf(37) = -689.0305855768908,
  // norm(2, 3).logsf(1000) = -55340.28164411233; logcdf(-40) = logsf(40);
  const auto& f = bayes::dist::normal_family();
  const double std01[2] = {0, 1}, shifted[2] = {2, 3};
  CHECK(bayes::dist::log_ccdf(f, std01, 40) == doctest::Approx(-804.6084420137539).epsilon(1e-13));
  CHECK(bayes::dist::log_cdf(f, std01, -40) == doctest::Approx(-804.6084420137539).epsilon(1e-13));
  CHECK(bayes::dist::log_ccdf(f, std01, 37) == doctest::Approx(-689.0305855768908).epsilon(1e-13));
  CHECK(bayes::dist::log_ccdf(f, shifted, 1000) ==
        doctest::Approx(-55340.28164411233).epsilon(1e-13));
  // Where the probability is still a double: norm.logsf(8) = -35.01343715991456.
  CHECK(bayes::dist::log_ccdf(f, std01, 8) == doctest::Approx(-35.01343715991456).epsilon(1e-12));
}

TEST_CASE("dist tails: the Exponential's log upper tail is -rate x beyond underflow") {
  const double rate2[1] = {2};
  CHECK(bayes::dist::log_ccdf(bayes::dist::exponential_family(), rate2, 1000) == -2000);
  CHECK(bayes::dist::log_ccdf(bayes::dist::exponential_family(), rate2, 1) ==
        doctest::Approx(-2).epsilon(1e-15));
  // A prior cut there keeps that mass: memoryless, the mean is 800 + 1.
  auto a = bayes::test::answers("param s > 800 ~ Exponential(1)\nprint mean(s)\n");
  CHECK(std::fabs(a[0]["value"].get<double>() - 801) < 5 * a[0]["mcse"].get<double>());
}
