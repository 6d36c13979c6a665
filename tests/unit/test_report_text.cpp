// The text report's layouts: vectors as a table of named elements, long
// vectors as a wrapped grid of named values, discrete posteriors as their
// probabilities.
#include <doctest/doctest.h>

#include <sstream>

#include "helpers.hpp"
#include "report/text.hpp"

using bayes::test::contains;

namespace {

std::string printed(const std::string& model,
                    bayes::answer::Method method = bayes::answer::Method::Auto) {
  std::ostringstream out;
  bayes::report::write_text(out, bayes::test::report(model, method), {}, false);
  return out.str();
}

}  // namespace

TEST_CASE("text report: a vector posterior is a table of its elements") {
  const std::string s = printed(
      "data rolls = [1, 2, 3, 4, 5, 6, 6, 6, 6]\nparam theta[6] ~ Dirichlet([1, 1, 1, 1, 1, 1])\n"
      "rolls ~ Categorical(theta)\nprint posterior(theta)\n");
  INFO(s);
  // Dirichlet(2, 2, 2, 2, 2, 5): means 2/15 and 5/15.
  CHECK(contains(s, "mean        sd     mode   95% interval\n"));
  CHECK(contains(s, "    theta[6]   0.3333    0.1179   0.4444   [0.1276, 0.581]\n"));
  CHECK(contains(s, "    theta[1]   0.1333"));
  CHECK(contains(s, "    theta[6]   0.3333"));
}

TEST_CASE("text report: a long vector is a wrapped grid of named values, its middle elided") {
  const std::string s = printed("param w[200] ~ Normal(0, 1)\nprint map(w)\n");
  INFO(s);
  CHECK(contains(s, "map(w) = (200 values)\n"));
  CHECK(contains(s, "    w[1] = 0   "));
  CHECK(contains(s, "w[200] = 0"));
  CHECK(contains(s, "... (200 values in all; --json gives every one)"));
  CHECK_FALSE(contains(s, "w[100] = "));
  for (std::istringstream lines(s); !lines.eof();) {
    std::string line;
    std::getline(lines, line);
    CHECK(line.size() <= 100);
  }
}

TEST_CASE("text report: a discrete posterior is its most probable value and its probabilities") {
  // A class label: no mean, the probabilities of both classes.
  const std::string label = printed(
      "data x = 0.5\nparam c ~ Categorical([0.7, 0.3])\nx ~ Normal([0.65, 0.42][c], 0.1)\n"
      "print posterior(c)\n");
  INFO(label);
  CHECK(contains(label, "most probable 1 (probability 0.5106)\n"));
  CHECK(contains(label, "    c   probability\n    1        0.5106\n    2        0.4894\n"));
  CHECK_FALSE(contains(label, "mean"));
  // A count over 30 values: its mean too, and the 10 most probable values
  // with what the other 20 hold together.
  const std::string count = printed(
      "param n ~ DiscreteUniform(1, 30)\nparam p ~ Beta(1, 1)\ndata k = [5, 7, 6]\n"
      "k ~ Binomial(n, p)\nprint posterior(n)\n");
  INFO(count);
  CHECK(contains(count, "posterior(n) = Categorical over 30 values, 1 to 30"));
  CHECK(contains(count, "most probable 7 (probability 0.153)   mean 13.88"));
  CHECK(contains(count, "(the other 20 values: probability 0.3008 together)"));
}

TEST_CASE("text report: a sampled vector has Stan's columns per element") {
  const std::string s = printed(
      "data y = [1.1, 2.3, 2.9]\nparam mu[2] ~ Normal(0, 10)\ny ~ Normal(mu[1] + mu[2], 1)\n"
      "print posterior(mu)\n",
      bayes::answer::Method::Sample);
  INFO(s);
  CHECK(contains(s, "mcse"));
  CHECK(contains(s, "R-hat   ESS bulk   ESS tail\n"));
  CHECK(contains(s, "    mu[1] "));
  CHECK(contains(s, "    mu[2] "));
}
