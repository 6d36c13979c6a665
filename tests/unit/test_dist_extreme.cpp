// Beta(a, b) with a shape beyond 1e11, where Boost's incomplete beta is slow,
// throws or is wrong: the cdf and quantile of src/dist/beta.cpp's Normal
// (Edgeworth / Cornish-Fisher) and Gamma limits against mpmath's quadrature of
// the density at 90 digits (tests/fixtures/beta_extreme/, written by
// make_beta_extreme_reference.py beside it).
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "dist/family.hpp"
#include "helpers.hpp"

TEST_CASE("Beta with huge shapes: cdf and quantile agree with mpmath (fixture)") {
  const auto fixture = bayes::test::fixture_json("beta_extreme/beta_extreme_reference.json");
  const bayes::dist::Family& beta = bayes::test::family("Beta");
  std::size_t cdfs = 0, quantiles = 0;
  for (const auto& c : fixture["cases"]) {
    const double a = c["a"], b = c["b"];
    const std::vector<double> args{a, b};
    const double s = a + b, sd = std::sqrt(a / s * (b / s) / (s + 1));
    if (c.contains("cdf")) {
      const double x = c["x"], want = c["cdf"];
      CHECK_MESSAGE(std::abs(beta.cdf(args, x) - want) <= 1e-9,
                    "Beta(" << a << ", " << b << ") cdf at " << x << ": " << beta.cdf(args, x)
                            << ", want " << want);
      CHECK(std::abs(beta.ccdf(args, x) - (1 - want)) <= 1e-9);
      ++cdfs;
    } else {
      const double p = c["p"], want = c["quantile"];
      // To a billionth of a standard deviation, or to the double nearest.
      const double tolerance = std::max(1e-9 * sd, 4 * std::nextafter(want, 2.0) - 4 * want);
      CHECK_MESSAGE(std::abs(beta.quantile(args, p) - want) <= tolerance,
                    "Beta(" << a << ", " << b << ") quantile " << p << ": "
                            << beta.quantile(args, p) << ", want " << want << " (sd " << sd << ")");
      ++quantiles;
    }
  }
  CHECK(cdfs >= 40);
  CHECK(quantiles == 30);
}

TEST_CASE("Beta quantile at a level where Boost's inversion throws: the tail's leading term") {
  const bayes::dist::Family& beta = bayes::test::family("Beta");
  // Beta(4, 3): P(X <= x) ~ x^4 / (4 B(4, 3)) = 15 x^4 near 0 (B(4, 3) = 1/60,
  // by hand), so the 1e-300 quantile is (1e-300 / 15)^(1/4).
  const std::vector<double> b43{4.0, 3.0}, b34{3.0, 4.0};
  CHECK(beta.quantile(b43, 1e-300) == doctest::Approx(std::pow(1e-300 / 15, 0.25)).epsilon(1e-12));
  // Beta(3, 4): 20 x^3 near 0 (B(3, 4) = 1/60).
  CHECK(beta.quantile(b34, 1e-300) ==
        doctest::Approx(std::pow(1e-300 / 20, 1.0 / 3)).epsilon(1e-12));
}
