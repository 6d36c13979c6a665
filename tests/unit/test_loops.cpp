// `for i in 1:N { ... }` loops: a loop-written model and its vectorised twin
// give the same answers, number for number, under every conjugate rule, the
// quadrature engine and the sampler; what would not vectorise is a located
// error.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "helpers.hpp"

namespace bayes {

namespace {

struct Twin {
  const char* rule;
  std::string loop, vectorised, queries;
};

// Every answer of both programs, the query text left out.
void same_answers(const Twin& t, answer::Method method = answer::Method::Auto) {
  INFO(t.rule);
  auto a = test::answers(t.loop + t.queries, method);
  auto b = test::answers(t.vectorised + t.queries, method);
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    a[i].erase("query"), b[i].erase("query");
    CHECK(a[i].dump() == b[i].dump());
    CHECK_FALSE(a[i].contains("error"));
  }
}

}  // namespace

TEST_CASE("loops: a loop over the data is its vectorised statement, under every conjugate rule") {
  const std::vector<Twin> twins = {
      {"Beta-Bernoulli",
       "data N = 6\ndata y = [1, 0, 1, 1, 0, 1]\nparam p ~ Beta(2, 2)\n"
       "for i in 1:N { y[i] ~ Bernoulli(p) }\n",
       "data N = 6\ndata y = [1, 0, 1, 1, 0, 1]\nparam p ~ Beta(2, 2)\ny ~ Bernoulli(p)\n",
       "print posterior(p)\nprint evidence()\nprint predictive(y)\nprint mle(p)\n"},
      {"Beta-Binomial",
       "data n = [10, 12, 8]\ndata k = [3, 5, 2]\nparam p ~ Beta(1, 1)\n"
       "for i in 1:3 { k[i] ~ Binomial(n[i], p) }\n",
       "data n = [10, 12, 8]\ndata k = [3, 5, 2]\nparam p ~ Beta(1, 1)\nk ~ Binomial(n, p)\n",
       "print posterior(p)\nprint evidence()\n"},
      {"Gamma-Poisson",
       "data y = [3, 5, 4, 6]\ndata t = [1, 2, 1, 2]\nparam lam ~ Gamma(2, 1)\n"
       "for i in 1:4 {\n  y[i] ~ Poisson(lam * t[i])\n}\n",
       "data y = [3, 5, 4, 6]\ndata t = [1, 2, 1, 2]\nparam lam ~ Gamma(2, 1)\n"
       "y ~ Poisson(lam * t)\n",
       "print posterior(lam)\nprint evidence()\n"},
      {"Gamma rates by group",
       "data g = [1, 2, 1, 2, 2]\ndata y = [3, 5, 4, 6, 7]\nparam lam[2] ~ Gamma(2, 1)\n"
       "for i in 1:5 { y[i] ~ Poisson(lam[g[i]]) }\n",
       "data g = [1, 2, 1, 2, 2]\ndata y = [3, 5, 4, 6, 7]\nparam lam[2] ~ Gamma(2, 1)\n"
       "y ~ Poisson(lam[g])\n",
       "print posterior(lam)\nprint mean(lam[2])\n"},
      {"Exponential-Gamma",
       "data t = [2.1, 0.7, 3.3]\nparam r ~ Gamma(1, 1)\nfor i in 1:3 { t[i] ~ Exponential(r) }\n",
       "data t = [2.1, 0.7, 3.3]\nparam r ~ Gamma(1, 1)\nt ~ Exponential(r)\n",
       "print posterior(r)\n"},
      {"Normal-InverseGamma (known mean)",
       "data y = [1.2, 0.3, -0.8, 2.2]\nparam v ~ InverseGamma(2, 1)\n"
       "for i in 1:4 { y[i] ~ Normal(0, sqrt(v)) }\n",
       "data y = [1.2, 0.3, -0.8, 2.2]\nparam v ~ InverseGamma(2, 1)\ny ~ Normal(0, sqrt(v))\n",
       "print posterior(v)\nprint evidence()\n"},
      {"NormalInverseGamma",
       "data y = [1.2, 0.3, -0.8, 2.2]\nparam mu, s2 ~ NormalInverseGamma(0, 1, 2, 2)\n"
       "for i in 1:4 { y[i] ~ Normal(mu, sqrt(s2)) }\n",
       "data y = [1.2, 0.3, -0.8, 2.2]\nparam mu, s2 ~ NormalInverseGamma(0, 1, 2, 2)\n"
       "y ~ Normal(mu, sqrt(s2))\n",
       "print posterior(mu)\nprint posterior(s2)\nprint evidence()\n"},
      {"Gaussian linear (regression)",
       "data x = [1, 2, 3, 4, 5]\ndata y = [1.1, 2.3, 2.9, 4.2, 5.1]\n"
       "param a ~ Normal(0, 10)\nparam b ~ Normal(0, 10)\n"
       "for i in 1:5 { y[i] ~ Normal(a + b * x[i], 0.5) }\n",
       "data x = [1, 2, 3, 4, 5]\ndata y = [1.1, 2.3, 2.9, 4.2, 5.1]\n"
       "param a ~ Normal(0, 10)\nparam b ~ Normal(0, 10)\ny ~ Normal(a + b * x, 0.5)\n",
       "print posterior(b)\nprint map()\nprint evidence()\n"},
      {"flat-prior regression",
       "data x = [1, 2, 3, 4, 5, 6]\ndata y = [1.1, 2.3, 2.9, 4.2, 5.1, 5.8]\n"
       "param a\nparam b\nparam s > 0\nfor i in 1:6 { y[i] ~ Normal(a + b * x[i], s) }\n",
       "data x = [1, 2, 3, 4, 5, 6]\ndata y = [1.1, 2.3, 2.9, 4.2, 5.1, 5.8]\n"
       "param a\nparam b\nparam s > 0\ny ~ Normal(a + b * x, s)\n",
       "print posterior(s)\nprint posterior(b)\n"},
      {"Dirichlet-Categorical",
       "data z = [1, 3, 3, 2, 1, 3]\nparam th ~ Dirichlet([1, 1, 1])\n"
       "for i in 1:6 { z[i] ~ Categorical(th) }\n",
       "data z = [1, 3, 3, 2, 1, 3]\nparam th ~ Dirichlet([1, 1, 1])\nz ~ Categorical(th)\n",
       "print posterior(th)\nprint evidence()\n"},
      {"Pareto-Uniform",
       "data x = [3.1, 7.4, 5.2]\nparam th ~ Pareto(1, 2)\n"
       "for i in 1:3 { x[i] ~ Uniform(0, th) }\n",
       "data x = [3.1, 7.4, 5.2]\nparam th ~ Pareto(1, 2)\nx ~ Uniform(0, th)\n",
       "print posterior(th)\nprint evidence()\n"},
  };
  for (const auto& t : twins) same_answers(t);
}

TEST_CASE("loops: elements declared in a loop (eight schools, non-centred), nested loops") {
  same_answers({"eight schools",
                R"(data J = 8
data y = [28, 8, -3, 7, -1, 1, 18, 12]
data sigma = [15, 10, 16, 11, 9, 11, 10, 18]
param mu ~ Normal(0, 5)
param tau > 0 ~ Cauchy(0, 5)
for j in 1:J {
  param eta[j] ~ Normal(0, 1)
  let theta[j] = mu + tau * eta[j]
  y[j] ~ Normal(theta[j], sigma[j])
}
)",
                R"(data J = 8
data y = [28, 8, -3, 7, -1, 1, 18, 12]
data sigma = [15, 10, 16, 11, 9, 11, 10, 18]
param mu ~ Normal(0, 5)
param tau > 0 ~ Cauchy(0, 5)
param eta[J] ~ Normal(0, 1)
let theta = mu + tau * eta
y ~ Normal(theta, sigma)
)",
                "print mean(tau)\nprint interval(mu)\n"});
  // A two-way table: y[i, j] ~ Normal(r[i] + c[j], 1), nested loops over a matrix.
  same_answers({"nested loops",
                R"(data Y = columns([1.0, 2.1, 0.4], [1.5, 2.9, 1.2])
param r[3] ~ Normal(0, 5)
param c[2] ~ Normal(0, 5)
for i in 1:3 {
  for j in 1:2 {
    Y[i, j] ~ Normal(r[i] + c[j], 1)
  }
}
)",
                R"(data Y = columns([1.0, 2.1, 0.4], [1.5, 2.9, 1.2])
param r[3] ~ Normal(0, 5)
param c[2] ~ Normal(0, 5)
data row = [1, 1, 2, 2, 3, 3]
data col = [1, 2, 1, 2, 1, 2]
[1.0, 1.5, 2.1, 2.9, 0.4, 1.2] ~ Normal(r[row] + c[col], 1)
)",
                "print posterior(r)\nprint mean(c[2])\n"});
  // factor in a loop adds each iteration's value.
  same_answers({"factor",
                "data t = [2.1, 0.7, 3.3]\nparam lam ~ Gamma(2, 1)\n"
                "for i in 1:3 { factor lccdf(Exponential(lam), t[i]) }\n",
                "data t = [2.1, 0.7, 3.3]\nparam lam ~ Gamma(2, 1)\n"
                "factor lccdf(Exponential(lam), t)\n",
                "print map(lam)\n"},
               answer::Method::Numeric);
}

TEST_CASE("loops: located errors") {
  auto first = [](const std::string& text) { return test::run(text).first_error(); };
  CHECK(first("param mu ~ Normal(0, 1)\ndata y = [1, 2]\nfor i in 1:2 { y ~ Normal(mu, 1) }\n") ==
        "3:16: this observation does not depend on 'i': inside the loop it would count 2 times; "
        "move it out of the loop");
  CHECK(test::contains(first("param mu ~ Normal(0, 1)\ndata y = [1, 2]\n"
                             "for i in 1:2 { y[i] ~ Normal(mu + sum(y[i]), 1) }\n"),
                       "3:35: 'sum' of an expression of the loop's variable would reduce"));
  CHECK(test::contains(first("for i in 1:2 { print i }\n"), "print statements go outside loops"));
  CHECK(test::contains(first("data i = 1\nfor i in 1:2 { }\n"), "'i' is already defined"));
  CHECK(test::contains(first("for i in 3:2 { }\n"), "the range 3:2 is empty"));
  CHECK(test::contains(first("param mu ~ Normal(0, 1)\nfor i in 2:3 { let v[i] = mu * i }\n"),
                       "the first is v[1], not v[2] (the loop must run from 1)"));
  CHECK(test::contains(first("for i in 1:2 { param z[3] ~ Normal(0, 1) }\n"),
                       "declares one element of 'z' for each i"));
  // An index out of range inside a loop is reported where it is written.
  CHECK(first("data y = [1, 2, 3]\ndata x = [1, 2]\nparam mu ~ Normal(0, 1)\n"
              "for i in 1:3 {\n  y[i] ~ Normal(mu * x[i], 1)\n}\n") ==
        "5:24: index 3 of 'x' is out of range 1..2");
  auto parse = test::parse("for i in 1:2 { let v[i] = i\n");
  CHECK(test::contains(parse.first_error(), "expected '}' to close the loop's body"));
  auto in = test::parse("for i 1:2 { }\n");
  CHECK(test::contains(in.first_error(), "expected 'in'"));
}

}  // namespace bayes
