// Discrete unknowns summed out inside the numeric engine's density when no
// exact engine takes the component: a DiscreteUniform change point among
// rates with LogNormal priors. Checked by hand: the label's probabilities are
// p(s | rates at the MAP, y), and the answer says that they are conditional.
#include <doctest/doctest.h>

#include <cmath>
#include <sstream>

#include "helpers.hpp"
#include "report/text.hpp"

namespace {

using bayes::test::num;

const std::string kChangePoint =
    "data y = [1, 0, 2, 1, 0, 1, 4, 3, 5, 2, 4, 3]\n"
    "data t = seq(1, 12)\n"
    "param s ~ DiscreteUniform(2, 12)\n"
    "param early ~ LogNormal(0, 1)\n"
    "param late ~ LogNormal(0, 1)\n"
    "let after = min(max(t - s + 1, 0), 1)\n"
    "y ~ Poisson(early * (1 - after) + late * after)\n";

}  // namespace

TEST_CASE("numeric labels: a DiscreteUniform change point summed out, conditional at the MAP") {
  auto r = bayes::test::answers(kChangePoint + "print posterior(s)\nprint map()\n",
                                bayes::answer::Method::Laplace);
  REQUIRE(r.size() == 2);
  CHECK(r[0]["method"] == "numeric");
  CHECK(r[0]["family"] == "Discrete");
  CHECK(r[0]["params"]["values"].size() == 11);
  CHECK(bayes::test::contains(r[0].value("approximate", ""),
                              "given the other parameters at their MAP"));
  const double e = num(r[1]["value"]["early"]), l = num(r[1]["value"]["late"]);
  const double y[] = {1, 0, 2, 1, 0, 1, 4, 3, 5, 2, 4, 3};
  // p(s | e, l, y) is proportional to prod_t Poisson(y_t | t < s ? e : l), the prior being flat.
  std::vector<double> lp;
  double top = -INFINITY;
  for (int s = 2; s <= 12; ++s) {
    double sum = 0;
    for (int t = 1; t <= 12; ++t) {
      const double rate = t < s ? e : l;
      sum += y[t - 1] * std::log(rate) - rate;
    }
    lp.push_back(sum), top = std::max(top, sum);
  }
  double z = 0;
  for (double v : lp) z += std::exp(v - top);
  for (std::size_t k = 0; k < lp.size(); ++k)
    CHECK(num(r[0]["params"]["probs"][k]) ==
          doctest::Approx(std::exp(lp[k] - top) / z).epsilon(1e-9));
  // The joint mode's label is the most probable one given the rates there.
  const auto best = std::max_element(lp.begin(), lp.end()) - lp.begin();
  CHECK(num(r[1]["value"]["s"]) == doctest::Approx(2 + static_cast<double>(best)));
}

TEST_CASE("numeric labels: the text report says what is approximate") {
  std::ostringstream out;
  bayes::report::write_text(
      out, bayes::test::report(kChangePoint + "print posterior(s)\nprint mean(late)\n",
                               bayes::answer::Method::Laplace));
  const std::string text = out.str();
  CHECK(bayes::test::contains(
      text, "approximate: the probabilities of s given the other parameters at their MAP"));
  CHECK(bayes::test::contains(text, "mean(late) = "));
  CHECK(bayes::test::contains(text, "[from the Laplace approximation]"));
}
