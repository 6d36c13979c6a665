// The Beta rule (src/conjugate/beta.cpp): every likelihood it takes combined
// on one probability, the boundaries, and the reasons it gives for models it
// must not match. Reference numbers: scipy 1.10 (stats.beta, stats.betabinom,
// special.betaln) and math.comb, as written beside each.
#include <doctest/doctest.h>

#include <cmath>

#include "answer/answer.hpp"
#include "conjugate/closed_form.hpp"
#include "dist/family.hpp"
#include "helpers.hpp"

using namespace bayes;
using json = nlohmann::ordered_json;

namespace {

using test::answers;

using test::num;

}  // namespace

TEST_CASE("Beta: Binomial, Bernoulli, Geometric and NegativeBinomial on one probability") {
  // successes: 3 + 5 (Binomial) + 2 (Bernoulli) + 2 (Geometric: one per
  // observation) + 3 (NegativeBinomial: r) = 15; failures: 7 + 7 + 1 + 2 + 4 = 21.
  auto r = answers(
      "data k = [3, 5]\ndata n = [10, 12]\nparam p ~ Beta(2, 3)\nk ~ Binomial(n, p)\n"
      "[1, 1, 0] ~ Bernoulli(p)\n[2, 0] ~ Geometric(p)\n4 ~ NegativeBinomial(3, p)\n"
      "print posterior(p)\nprint predictive(k)\nprint mle(p)\nprint evidence()\n"
      "print prob(p > 0.5)\nprint map(p)\n");
  CHECK(r[0]["family"] == "Beta");
  CHECK(num(r[0]["params"]["a"]) == 17);
  CHECK(num(r[0]["params"]["b"]) == 24);
  CHECK(num(r[0]["mean"]) == doctest::Approx(17.0 / 41).epsilon(1e-14));
  // scipy: beta(17, 24).interval(0.95)
  CHECK(num(r[0]["interval"][0]) == doctest::Approx(0.27042903126886286).epsilon(1e-10));
  CHECK(num(r[0]["interval"][1]) == doctest::Approx(0.5667329478067034).epsilon(1e-10));
  // scipy: betabinom(10, 17, 24).mean(), .std()
  CHECK(r[1]["family"] == "BetaBinomial");
  CHECK(num(r[1]["mean"]) == doctest::Approx(4.146341463414634).epsilon(1e-12));
  CHECK(num(r[1]["sd"]) == doctest::Approx(1.716748464705369).epsilon(1e-12));
  CHECK(num(r[2]["value"]) == doctest::Approx(15.0 / 36).epsilon(1e-14));
  // log C(10,3) + log C(12,5) + log C(6,4) + betaln(17, 24) - betaln(2, 3)
  CHECK(num(r[3]["value"]) == doctest::Approx(-11.387094055425667).epsilon(1e-12));
  CHECK(r[4]["method"] == "conjugate");
  CHECK(num(r[4]["value"]) == doctest::Approx(0.13409362552738457).epsilon(1e-10));
  CHECK(num(r[5]["value"]) == doctest::Approx(16.0 / 39).epsilon(1e-14));  // (a - 1) / (a + b - 2)
}

TEST_CASE("Beta: an MLE and MAP on the boundary are values, and say so") {
  // Three heads: the likelihood p^3 and the posterior Beta(4, 1) ~ p^3 are
  // largest at p = 1 itself (m / N = 1, the course's formula).
  auto r = answers(
      "data f = [1, 1, 1]\nparam p ~ Beta(1, 1)\nf ~ Bernoulli(p)\nprint mle(p)\nprint map(p)\n"
      "print posterior(p)\n");
  REQUIRE(r[0].contains("value"));
  CHECK(num(r[0]["value"]) == 1);
  CHECK(r[0]["note"] == "on the boundary p = 1 (every trial a success)");
  REQUIRE(r[1].contains("value"));
  CHECK(num(r[1]["value"]) == 1);
  CHECK(r[1]["note"] == "on the boundary p = 1");
  CHECK(num(r[2]["params"]["a"]) == 4);
  CHECK(num(r[2]["params"]["b"]) == 1);
  CHECK(num(r[2]["mode"]) == 1);
  // Where the density is unbounded at the end no value is the largest: refused.
  auto u = answers("data f = [1, 1, 1]\nparam p ~ Beta(1, 0.5)\nf ~ Bernoulli(p)\nprint map(p)\n");
  REQUIRE(u[0].contains("error"));
  CHECK(u[0]["error"] == "the MAP is on the boundary p = 1");
  // With a proper prior away from 0 and 1 the MAP is interior again.
  auto s = answers("data f = [1, 1, 1]\nparam p ~ Beta(2, 2)\nf ~ Bernoulli(p)\nprint map(p)\n");
  CHECK(num(s[0]["value"]) == doctest::Approx(4.0 / 5).epsilon(1e-14));
}

TEST_CASE("Beta: near misses say why the rule does not apply") {
  auto why = [](const std::string& text) {
    auto r = answers(text + "print map(p)\n", answer::Method::Conjugate);
    REQUIRE(r[0].contains("error"));
    return r[0]["error"].get<std::string>();
  };
  CHECK(why("data f = [1, 0]\nparam p ~ Beta(1, 1)\nf ~ Bernoulli(p^2)\n").find("not 'p' itself") !=
        std::string::npos);
  CHECK(why("data k = [3]\nparam p ~ Beta(1, 1)\nparam n ~ Poisson(10)\nk ~ Binomial(n, p)\n")
            .find("not conjugate") != std::string::npos);
  CHECK(why("data x = [0.3]\nparam p ~ Beta(1, 1)\nx ~ Normal(p, 1)\n").find("Normal") !=
        std::string::npos);
}

TEST_CASE("Beta: a predictive pmf's mode, cdf and quantiles, and a support too wide to sum") {
  // BetaBinomial(n, a, b) as beta.cpp gives it to from_pmf: its log pmf and
  // the ratio P(k) / P(k - 1) = (n - k + 1) / k * (k - 1 + a) / (n - k + b).
  const auto beta_binomial = [](double n, double a, double b) {
    auto lpmf = [n, a, b](double k) {
      if (k < 0 || k > n || k != std::floor(k)) return -HUGE_VAL;
      return std::lgamma(n + 1) - std::lgamma(k + 1) - std::lgamma(n - k + 1) +
             dist::log_beta(k + a, n - k + b) - dist::log_beta(a, b);
    };
    auto ratio = [n, a, b](double k) { return (n - k + 1) / k * ((k - 1 + a) / (n - k + b)); };
    return conjugate::from_pmf("BetaBinomial", {}, lpmf, ratio, n * a / (a + b), 1, n);
  };
  // scipy 1.10: betabinom(20, 9, 16): mode 7 (argmax of the pmf), cdf(7),
  // ppf(0.025) and ppf(0.975).
  auto bb = beta_binomial(20, 9, 16);
  CHECK(bb.mode.value()[0] == 7);
  CHECK(bb.cdf(7) == doctest::Approx(0.5577506968518087).epsilon(1e-12));
  CHECK(bb.quantile(0.025) == 2);
  CHECK(bb.quantile(0.975) == 13);
  // A pmf largest at 0 (Beta-Binomial(5, 1, 3)), and one at n (a = 3, b = 1).
  CHECK(beta_binomial(5, 1, 3).mode.value()[0] == 0);
  CHECK(beta_binomial(5, 3, 1).mode.value()[0] == 5);
  // 10^15 successes in 2 x 10^15 trials under Beta(1, 1): the predictive's
  // mode is n / 2 by symmetry (where differences of its log pmf, near 7e16,
  // are rounding); its quantiles would need 10^15 terms: NaN (not available),
  // never a partial sum.
  auto huge = beta_binomial(2e15, 1e15 + 1, 1e15 + 1);
  CHECK(huge.mode.value()[0] == doctest::Approx(1e15).epsilon(1e-12));
  CHECK(std::isnan(huge.quantile(0.5)));
  CHECK(std::isnan(huge.cdf(1e15)));
  // The whole model answers at once (it ran for ever when the mode was
  // searched one value at a time).
  auto r = answers(
      "param p ~ Beta(1, 1)\ndata k = 1000000000000000\nk ~ Binomial(2000000000000000, p)\n"
      "print mean(p)\nprint predictive(k)\n");
  CHECK(num(r[0]["value"]) == doctest::Approx(0.5).epsilon(1e-14));
}
