// Unit tests of src/dist/random: each generator's draws against the exact
// distribution (Boost.Math's cdf), by the Kolmogorov-Smirnov distance for the
// continuous ones and by a chi-square over the probable values for the
// discrete ones, on each algorithm's branches (Gamma below and above shape 1,
// Poisson below and above mean 12, Binomial by inversion and by BTRS); and
// the property they exist for: the draws are fixed by the Mersenne Twister's
// standard stream alone.
#include <doctest/doctest.h>

#include <algorithm>
#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/gamma.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/poisson.hpp>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <vector>

#include "dist/random.hpp"

namespace {

using bayes::dist::Rng;
namespace random = bayes::dist::random;

constexpr int kDraws = 100000;

// The largest gap between the draws' empirical cdf and the exact one.
double ks_distance(std::vector<double> xs, const std::function<double(double)>& cdf) {
  std::sort(xs.begin(), xs.end());
  double worst = 0;
  const auto n = static_cast<double>(xs.size());
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const double f = cdf(xs[i]);
    worst = std::max({worst, std::fabs(f - static_cast<double>(i) / n),
                      std::fabs(static_cast<double>(i + 1) / n - f)});
  }
  return worst;
}

// The tests' level is 0.01 %: about thirty tests run, each deterministic for
// its seed, and a wrong algorithm misses by far more at 10^5 draws.
// sqrt(-log(0.0001 / 2) / 2) / sqrt(n): the Kolmogorov-Smirnov critical value.
double ks_limit(std::size_t n) { return 2.23 / std::sqrt(static_cast<double>(n)); }
const double kKsLimit = ks_limit(kDraws);

// Pearson's chi-square of counts against the pmf: a cell per value in
// [lo, hi] with an expected count of at least 5, and one for all the rest;
// returned with its degrees of freedom.
std::pair<double, int> chi_square(const std::vector<long long>& draws,
                                  const std::function<double(long long)>& pmf, long long lo,
                                  long long hi) {
  std::map<long long, double> seen;
  for (long long k : draws) ++seen[k];
  const auto n = static_cast<double>(draws.size());
  double stat = 0, rest_expected = n, rest_seen = n;
  int cells = 0;
  for (long long k = lo; k <= hi; ++k) {
    const double expected = n * pmf(k);
    if (expected < 5) continue;
    const double got = seen.count(k) ? seen[k] : 0.0;
    stat += (got - expected) * (got - expected) / expected;
    rest_expected -= expected, rest_seen -= got;
    ++cells;
  }
  if (rest_expected >= 5) {
    stat += (rest_seen - rest_expected) * (rest_seen - rest_expected) / rest_expected;
    ++cells;
  }
  return {stat, cells - 1};
}

// The 0.01 % point of a chi-square with df degrees of freedom (Wilson-Hilferty).
double chi_square_limit(int df) {
  const double d = df, z = 3.719;
  const double t = 1 - 2 / (9 * d) + z * std::sqrt(2 / (9 * d));
  return d * t * t * t;
}

}  // namespace

TEST_CASE("random::normal and random::exponential follow their distributions") {
  Rng rng(11);
  std::vector<double> xs(kDraws);
  for (double& x : xs) x = random::normal(rng);
  boost::math::normal_distribution<> n01;
  CHECK(ks_distance(xs, [&](double x) { return boost::math::cdf(n01, x); }) < kKsLimit);
  for (double& x : xs) x = random::exponential(rng);
  CHECK(ks_distance(xs, [](double x) { return -std::expm1(-x); }) < kKsLimit);
  for (double& x : xs) {
    x = random::uniform_open(rng);
    REQUIRE(x > 0.0);
    REQUIRE(x < 1.0);
  }
  CHECK(ks_distance(xs, [](double x) { return x; }) < kKsLimit);
}

TEST_CASE("random::gamma follows Gamma(shape, 1) on both branches") {
  Rng rng(12);
  // 20 000 draws a shape: Boost's Gamma cdf is costly under the sanitizers.
  for (double shape : {0.05, 0.5, 1.0, 2.5, 40.0, 1e4}) {
    CAPTURE(shape);
    std::vector<double> xs(20000);
    for (double& x : xs) x = random::gamma(rng, shape);
    boost::math::gamma_distribution<> g(shape, 1.0);
    CHECK(ks_distance(xs, [&](double x) { return boost::math::cdf(g, x); }) < ks_limit(xs.size()));
  }
}

TEST_CASE("random::poisson follows Poisson(mean) on both branches") {
  Rng rng(13);
  for (double mean : {0.0, 0.3, 4.2, 11.9, 12.0, 50.0, 1e4}) {
    CAPTURE(mean);
    std::vector<long long> ks(kDraws);
    for (auto& k : ks) k = random::poisson(rng, mean);
    if (mean == 0.0) {
      CHECK(std::all_of(ks.begin(), ks.end(), [](long long k) { return k == 0; }));
      continue;
    }
    boost::math::poisson_distribution<> p(mean);
    auto lo = static_cast<long long>(std::max(0.0, mean - 8 * std::sqrt(mean)));
    auto hi = static_cast<long long>(mean + 8 * std::sqrt(mean) + 10);
    auto [stat, df] = chi_square(
        ks, [&](long long k) { return boost::math::pdf(p, static_cast<double>(k)); }, lo, hi);
    CHECK(stat < chi_square_limit(df));
  }
}

TEST_CASE("random::binomial follows Binomial(n, p) by inversion and by BTRS") {
  Rng rng(14);
  struct Case {
    long long n;
    double p;
  };
  for (Case c : {Case{10, 0.3}, Case{12, 0.9}, Case{100, 0.1}, Case{1000, 0.5}, Case{50, 0.95},
                 Case{1000000, 0.02}}) {
    CAPTURE(c.n);
    CAPTURE(c.p);
    std::vector<long long> ks(kDraws);
    for (auto& k : ks) k = random::binomial(rng, c.n, c.p);
    REQUIRE(std::all_of(ks.begin(), ks.end(), [&](long long k) { return k >= 0 && k <= c.n; }));
    boost::math::binomial_distribution<> b(static_cast<double>(c.n), c.p);
    const double mean = static_cast<double>(c.n) * c.p, sd = std::sqrt(mean * (1 - c.p));
    auto lo = static_cast<long long>(std::max(0.0, mean - 8 * sd));
    auto hi = static_cast<long long>(std::min(static_cast<double>(c.n), mean + 8 * sd + 2));
    auto [stat, df] = chi_square(
        ks, [&](long long k) { return boost::math::pdf(b, static_cast<double>(k)); }, lo, hi);
    CHECK(stat < chi_square_limit(df));
  }
  CHECK(random::binomial(rng, 7, 0.0) == 0);
  CHECK(random::binomial(rng, 7, 1.0) == 7);
}

TEST_CASE("random::uniform_int and random::discrete give each value its probability") {
  Rng rng(15);
  std::vector<long long> ks(kDraws);
  for (auto& k : ks) k = random::uniform_int(rng, -3, 6);
  auto [stat, df] = chi_square(
      ks, [](long long) { return 0.1; }, -3, 6);
  CHECK(df == 9);
  CHECK(stat < chi_square_limit(df));
  // The whole 64-bit range, and a range of one.
  CHECK(random::uniform_int(rng, 5, 5) == 5);
  (void)random::uniform_int(rng, std::numeric_limits<long long>::min(),
                            std::numeric_limits<long long>::max());

  const std::vector<double> weights{0.5, 0.0, 2.0, 1.5};
  for (auto& k : ks) k = static_cast<long long>(random::discrete(rng, weights));
  CHECK(std::none_of(ks.begin(), ks.end(), [](long long k) { return k == 1; }));  // weight 0
  auto [stat2, df2] = chi_square(
      ks, [&](long long k) { return weights[static_cast<std::size_t>(k)] / 4.0; }, 0, 3);
  CHECK(stat2 < chi_square_limit(df2));
  const std::vector<double> sums = random::cumulative(weights);
  CHECK(sums.back() == doctest::Approx(4.0));
}

TEST_CASE("random draws depend on the seed's standard stream alone") {
  // std::mt19937_64's 10000th output is fixed by the C++ standard; the
  // generators read nothing else, so these values are the same with every
  // compiler and library (the browser build compares its answers with the
  // native build's byte for byte).
  Rng rng(5489);
  rng.discard(9999);
  CHECK(rng() == 9981545732273789042ULL);
  Rng a(42), b(42);
  for (int i = 0; i < 1000; ++i) {
    REQUIRE(random::normal(a) == random::normal(b));
    REQUIRE(random::gamma(a, 0.7) == random::gamma(b, 0.7));
    REQUIRE(random::poisson(a, 30.0) == random::poisson(b, 30.0));
  }
}
