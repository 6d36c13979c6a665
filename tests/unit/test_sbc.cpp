// Simulation-based calibration of the sampler (Talts, Betancourt, Simpson,
// Vehtari & Gelman 2018), small version: parameters drawn from the prior,
// data from the likelihood, then the rank of each true value among thinned
// posterior draws; if the sampler is right the ranks are uniform. The full
// version, six models and more replications, is bench/sbc.py.
#include <boost/math/distributions/chi_squared.hpp>
#include <random>

#include "format/format.hpp"
#include "helpers.hpp"

namespace bayes {
namespace {

constexpr int kReplications = 80;
constexpr int kThin = 4;   // 4 chains x 100 draws, every 4th: 100 draws
constexpr int kBins = 10;  // ranks 0..100 in 10 bins (the last holds 90..100)

// The ranks of the true values among the thinned draws of each column.
std::vector<int> ranks(const std::string& text, const std::vector<double>& truth,
                       const std::vector<std::string>& columns, std::uint64_t seed) {
  auto r = test::run(text);
  REQUIRE_MESSAGE(r.compiled, r.errors());
  answer::Options opt;
  opt.method = answer::Method::Sample;
  opt.sample.chains = 4, opt.sample.warmup = 200, opt.sample.draws = 100;
  opt.sample.seed = opt.seed = seed;
  opt.draws_table = true;
  auto rep = answer::answer_all(*r.compiled, opt);
  REQUIRE(rep.draws);
  REQUIRE_MESSAGE(rep.draws->error.empty(), rep.draws->error);
  std::vector<int> out;
  for (std::size_t j = 0; j < columns.size(); ++j) {
    auto at = std::find(rep.draws->columns.begin(), rep.draws->columns.end(), columns[j]);
    REQUIRE(at != rep.draws->columns.end());
    auto col = static_cast<std::size_t>(at - rep.draws->columns.begin());
    int rank = 0;
    for (std::size_t k = 0; k < rep.draws->rows.size(); k += kThin)
      rank += rep.draws->rows[k][col] < truth[j] ? 1 : 0;
    out.push_back(rank);
  }
  return out;
}

// The p-value of Pearson's chi-squared test that the ranks are uniform over
// kBins bins.
double uniformity(const std::vector<int>& r) {
  std::vector<double> count(kBins, 0);
  for (int x : r) count[static_cast<std::size_t>(std::min(x / 10, kBins - 1))] += 1;
  // Bin 9 holds ranks 90..100: 11 of the 101 values.
  double stat = 0;
  for (int b = 0; b < kBins; ++b) {
    double expected = static_cast<double>(r.size()) * (b == kBins - 1 ? 11.0 : 10.0) / 101.0;
    stat += (count[static_cast<std::size_t>(b)] - expected) *
            (count[static_cast<std::size_t>(b)] - expected) / expected;
  }
  return boost::math::cdf(boost::math::complement(boost::math::chi_squared(kBins - 1), stat));
}

std::string list(const std::vector<double>& xs) {
  std::string s = "[";
  for (std::size_t i = 0; i < xs.size(); ++i) s += (i ? ", " : "") + format::shortest(xs[i]);
  return s + "]";
}

TEST_CASE("simulation-based calibration: a Normal with unknown mean and scale") {
  std::mt19937_64 rng(2018);
  std::normal_distribution<double> z(0, 1);
  std::vector<int> mu_ranks, s_ranks;
  for (int rep = 0; rep < kReplications; ++rep) {
    double mu = z(rng), s = std::abs(z(rng));  // Normal(0, 1), HalfNormal(1)
    std::vector<double> y(8);
    for (double& v : y) v = mu + s * z(rng);
    std::string text = "data y = " + list(y) +
                       "\nparam mu ~ Normal(0, 1)\nparam s ~ HalfNormal(1)\ny ~ Normal(mu, s)\n";
    auto r = ranks(text, {mu, s}, {"mu", "s"}, 1000 + static_cast<std::uint64_t>(rep));
    mu_ranks.push_back(r[0]), s_ranks.push_back(r[1]);
  }
  CHECK(uniformity(mu_ranks) > 0.001);
  CHECK(uniformity(s_ranks) > 0.001);
}

TEST_CASE("simulation-based calibration: a logistic regression") {
  std::mt19937_64 rng(2019);
  std::normal_distribution<double> z(0, 1);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<int> a_ranks, b_ranks;
  for (int rep = 0; rep < kReplications; ++rep) {
    double a = z(rng), b = z(rng);  // Normal(0, 1) each
    std::vector<double> x(20), y(20);
    for (std::size_t i = 0; i < x.size(); ++i) {
      x[i] = z(rng);
      y[i] = u(rng) < 1 / (1 + std::exp(-(a + b * x[i]))) ? 1 : 0;
    }
    std::string text = "data x = " + list(x) + "\ndata y = " + list(y) +
                       "\nparam a ~ Normal(0, 1)\nparam b ~ Normal(0, 1)\n"
                       "y ~ Bernoulli(logistic(a + b * x))\n";
    auto r = ranks(text, {a, b}, {"a", "b"}, 2000 + static_cast<std::uint64_t>(rep));
    a_ranks.push_back(r[0]), b_ranks.push_back(r[1]);
  }
  CHECK(uniformity(a_ranks) > 0.001);
  CHECK(uniformity(b_ranks) > 0.001);
}

// The test itself: ranks that are not uniform are caught (the sampler's draws
// shifted by half a posterior sd).
TEST_CASE("simulation-based calibration: the uniformity test rejects shifted ranks") {
  std::vector<int> skewed;
  for (int i = 0; i < kReplications; ++i) skewed.push_back(std::min(100, 30 + (i * 7) % 71));
  CHECK(uniformity(skewed) < 0.001);
}

}  // namespace
}  // namespace bayes
