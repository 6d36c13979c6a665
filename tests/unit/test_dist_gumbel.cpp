// Unit tests of src/dist/gumbel.cpp: Gumbel(mu, beta) against scipy.stats.gumbel_r
// (lpdf, cdf, quantile, mean, variance), its gradient against mpmath's numerical
// derivatives of the log density, its mode and support, and a model using it
// end to end. The case registered here also puts it through the property tests
// of every univariate family (test_dist.cpp, test_numeric.cpp).
//
// The reference values were printed by this script (scipy 1.10.1, mpmath 1.2.1):
//
//   import mpmath
//   from scipy.stats import gumbel_r
//   mpmath.mp.dps = 50
//   args = [(1.5, 2.0), (-3.0, 0.5)]
//   xs = {(1.5, 2.0): [-1.0, 0.3, 4.0, 12.0], (-3.0, 0.5): [-4.5, -3.0, 1.0]}
//   for mu, beta in args:
//       g = gumbel_r(loc=mu, scale=beta)
//       for x in xs[(mu, beta)]:
//           print("lpdf", mu, beta, x, repr(float(g.logpdf(x))))
//           print("cdf", mu, beta, x, repr(float(g.cdf(x))))
//       for p in [0.01, 0.5, 0.9]:
//           print("quantile", mu, beta, p, repr(float(g.ppf(p))))
//       print("mean", mu, beta, repr(float(g.mean())))
//       print("variance", mu, beta, repr(float(g.var())))
//   def lp(m, b, x):
//       z = (x - m) / b
//       return -mpmath.log(b) - z - mpmath.exp(-z)
//   for mu, beta in args:
//       for x in xs[(mu, beta)]:
//           m, b, xx = mpmath.mpf(mu), mpmath.mpf(beta), mpmath.mpf(x)
//           print("grad", mu, beta, x,
//                 repr(float(mpmath.diff(lambda t: lp(t, b, xx), m))),
//                 repr(float(mpmath.diff(lambda t: lp(m, t, xx), b))),
//                 repr(float(mpmath.diff(lambda t: lp(m, b, t), xx))))
//
// The model's MAP and MLE of mu (y = [1.2, 0.3, 2.5], beta = 1, mu ~ Normal(0, 10))
// solve d/dmu log p = 0, by mpmath at 30 digits:
//   y = [mpmath.mpf(v) for v in ("1.2", "0.3", "2.5")]
//   mpmath.findroot(lambda m: -m / 100 + sum(1 - mpmath.exp(m - v) for v in y), 1)
//     # MAP 0.978365311310414247102462457899
//   -mpmath.log(sum(mpmath.exp(-v) for v in y) / 3)
//     # MLE 0.981631858375197374603504816202 (closed form)
// (scipy.optimize.minimize_scalar on scipy's logpdf agrees to 1e-8.)
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "dist/family.hpp"
#include "family_cases.hpp"
#include "helpers.hpp"

namespace {

using namespace bayes;

using test::kInf;

const std::vector<test::Reference> kReferences = {
    {"lpdf", {1.5, 2.0}, {-1.0}, -2.933490138021787},
    {"cdf", {1.5, 2.0}, {-1.0}, 0.030490413463062215},
    {"lpdf", {1.5, 2.0}, {0.3}, -1.9152659809504544},
    {"cdf", {1.5, 2.0}, {0.3}, 0.16168281414512647},
    {"lpdf", {1.5, 2.0}, {4.0}, -2.2296519774201355},
    {"cdf", {1.5, 2.0}, {4.0}, 0.7508834766393949},
    {"lpdf", {1.5, 2.0}, {12.0}, -5.9483946989591265},
    {"cdf", {1.5, 2.0}, {12.0}, 0.9947662257740504},
    {"quantile", {1.5, 2.0}, {0.01}, -1.5543592516158018},
    {"quantile", {1.5, 2.0}, {0.5}, 2.233025841163329},
    {"quantile", {1.5, 2.0}, {0.9}, 6.000734654624891},
    {"mean", {1.5, 2.0}, {}, 2.6544313298030655},
    {"variance", {1.5, 2.0}, {}, 6.579736267392906},
    {"lpdf", {-3.0, 0.5}, {-4.5}, -16.392389742627724},
    {"cdf", {-3.0, 0.5}, {-4.5}, 1.8921786948382924e-09},
    {"lpdf", {-3.0, 0.5}, {-3.0}, -0.3068528194400547},
    {"cdf", {-3.0, 0.5}, {-3.0}, 0.3678794411714424},
    {"lpdf", {-3.0, 0.5}, {1.0}, -7.307188282067957},
    {"cdf", {-3.0, 0.5}, {1.0}, 0.9996645936333936},
    {"quantile", {-3.0, 0.5}, {0.01}, -3.7635898129039504},
    {"quantile", {-3.0, 0.5}, {0.5}, -2.816743539709168},
    {"quantile", {-3.0, 0.5}, {0.9}, -1.8748163363437773},
    {"mean", {-3.0, 0.5}, {}, -2.7113921675492336},
    {"variance", {-3.0, 0.5}, {}, 0.4112335167120566},
};

// mpmath's d/dmu, d/dbeta, d/dx at (mu, beta, x).
struct Gradient {
  double mu, beta, x, d_mu, d_beta, d_x;
};
const std::vector<Gradient> kGradients = {
    {1.5, 2.0, -1.0, -1.2451714787309207, 1.0564643484136509, 1.2451714787309207},
    {1.5, 2.0, 0.3, -0.4110594001952545, -0.2533643598828473, 0.4110594001952545},
    {1.5, 2.0, 4.0, 0.3567476015699049, -0.054065498037618814, -0.3567476015699049},
    {1.5, 2.0, 12.0, 0.4973762408004093, 2.1112252642021487, -0.4973762408004093},
    {-3.0, 0.5, -4.5, -38.171073846375336, 112.51322153912601, 38.171073846375336},
    {-3.0, 0.5, -3.0, 0.0, -2.0, 0.0},
    {-3.0, 0.5, 1.0, 1.999329074744195, 13.99463259795356, -1.999329074744195},
};

std::vector<test::GradPoint> gradient_points() {
  std::vector<test::GradPoint> out;
  for (const Gradient& g : kGradients) out.push_back({{g.mu, g.beta}, g.x});
  return out;
}

const bool registered = test::register_family_case({
    .name = "Gumbel",
    .params = {"mu", "beta"},
    .args = {1.5, 2.0},
    .outside = {},
    .references = kReferences,
    .inside = gradient_points(),
    .beyond = {{{1.5, 2.0}, kInf}, {{1.5, 2.0}, -kInf}},
});

const dist::Family& gumbel() {
  const dist::Family* f = dist::find("Gumbel");
  REQUIRE(f != nullptr);
  return *f;
}

bool close_rel(double actual, double expected, double rel) {
  if (expected == 0.0) return std::abs(actual) <= 1e-15;
  return std::abs(actual - expected) <= rel * std::abs(expected);
}

}  // namespace

TEST_CASE("Gumbel: every function agrees with scipy.stats.gumbel_r") {
  CHECK(registered);
  const dist::Family& f = gumbel();
  CHECK(f.support == dist::Domain::Real);
  CHECK_FALSE(f.discrete);
  for (const test::Reference& r : kReferences) {
    INFO(r.function << " at " << r.args[0] << ", " << r.args[1]);
    double got = 0;
    if (r.function == "lpdf") got = f.lpdf(r.args, r.x[0]);
    if (r.function == "cdf") got = f.cdf(r.args, r.x[0]);
    if (r.function == "quantile") got = f.quantile(r.args, r.x[0]);
    if (r.function == "mean") got = f.mean(r.args);
    if (r.function == "variance") got = f.variance(r.args);
    CHECK_MESSAGE(close_rel(got, r.expected, 1e-13), "got " << got << ", scipy " << r.expected);
  }
}

TEST_CASE("Gumbel: the gradient agrees with mpmath's derivatives") {
  const dist::Family& f = gumbel();
  for (const Gradient& g : kGradients) {
    INFO("mu " << g.mu << ", beta " << g.beta << ", x " << g.x);
    const std::vector<double> args{g.mu, g.beta};
    std::vector<double> d(2);
    double dx = 0;
    const double lp = f.lpdf_grad(args, g.x, d, dx, {});
    CHECK(lp == f.lpdf(args, g.x));
    CHECK(close_rel(d[0], g.d_mu, 1e-12));
    CHECK(close_rel(d[1], g.d_beta, 1e-12));
    CHECK(close_rel(dx, g.d_x, 1e-12));
  }
}

TEST_CASE("Gumbel: mode, support bounds, no streaming") {
  const dist::Family& f = gumbel();
  std::string note;
  const auto mode = f.mode(std::vector<double>{1.5, 2.0}, note);
  REQUIRE(mode.has_value());
  CHECK(*mode == 1.5);
  CHECK(note.empty());
  const dist::Bounds b = dist::support_bounds(f, std::vector<Value>(2));
  CHECK(b.lo == -kInf);
  CHECK(b.hi == kInf);
  CHECK_FALSE(f.streams());
}

TEST_CASE("Gumbel: a model using it, by both engines") {
  const std::string model = R"(param mu ~ Normal(0, 10)
data y = [1.2, 0.3, 2.5]
y ~ Gumbel(mu, 1)
print map(mu)
print mle(mu)
)";
  for (auto method : {answer::Method::Auto, answer::Method::Numeric}) {
    auto r = test::answers(model, method);
    REQUIRE(r.size() == 2);
    INFO(r[0].dump() << r[1].dump());
    CHECK(r[0]["value"].get<double>() == doctest::Approx(0.978365311310414247).epsilon(1e-9));
    CHECK(r[1]["value"].get<double>() == doctest::Approx(0.981631858375197374).epsilon(1e-9));
  }
}
