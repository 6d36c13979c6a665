// Bounded priors, truncated likelihoods T[L, U], `factor` terms and the
// lpdf / lcdf / lccdf functions: log densities, a posterior, MAPs and an
// enumeration against scipy (tests/fixtures/truncation/, made by
// make_truncation_reference.py), and the tape's gradients against finite
// differences of its own log density.
#include <doctest/doctest.h>

#include <Eigen/Dense>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "conjugate/rule.hpp"
#include "density/log_density.hpp"
#include "helpers.hpp"
#include "numeric/tape.hpp"

namespace bayes {

namespace {

using json = nlohmann::ordered_json;
using Eigen::VectorXd;

std::size_t param_index(const Model& m, const std::string& name) {
  for (std::size_t i = 0; i < m.params.size(); ++i)
    if (m.params[i].name == name) return i;
  FAIL("no parameter " << name);
  return 0;
}

const json& reference() {
  static const json j = test::fixture_json("truncation/truncation_reference.json");
  return j;
}

}  // namespace

TEST_CASE("truncation: log densities against scipy, through the tape and through src/density") {
  for (const auto& c : reference()["log_density"]) {
    const std::string name = c["name"];
    INFO(name);
    auto r = test::run(c["model"].get<std::string>());
    REQUIRE_MESSAGE(r.compiled, r.errors());
    const Model& m = r.compiled->model;
    std::vector<Value> pv(m.params.size());
    std::vector<VectorXd> tv(m.params.size());
    for (const auto& [p, x] : c["values"].items()) {
      const std::size_t i = param_index(m, p);
      pv[i] = Value::scalar(x.get<double>());
      tv[i] = VectorXd::Constant(1, x.get<double>());
    }
    const double want = c["log_density"];
    CHECK(test::density_sum(m, pv) == doctest::Approx(want).epsilon(1e-10));
    std::string why;
    auto tape = test::whole_tape(m, why);
    REQUIRE_MESSAGE(tape, why);
    CHECK(tape->forward(tv) == doctest::Approx(want).epsilon(1e-10));

    test::check_gradient(*tape, m, tv);
  }
}

TEST_CASE("truncation: a half-Student-t scale is integrated exactly (quadrature)") {
  const json& want = reference()["half_t_posterior"];
  auto out = test::answers(R"(data y = [1.2, -0.3, 2.1, 0.8, 1.5, -1.1, 0.4]
param mu ~ Normal(0, 10)
param s > 0 ~ StudentT(3, 0, 2)
y ~ Normal(mu, s)
print mean(s)
print sd(s)
print evidence()
)");
  CHECK(out[0]["method"] == "quadrature");
  CHECK(test::num(out[0]["value"]) == doctest::Approx(test::num(want["mean_s"])).epsilon(1e-7));
  CHECK(test::num(out[1]["value"]) == doctest::Approx(test::num(want["sd_s"])).epsilon(1e-7));
  CHECK(test::num(out[2]["value"]) ==
        doctest::Approx(test::num(want["log_evidence"])).epsilon(1e-8));
}

TEST_CASE("truncation: MAPs of a truncated likelihood and of censored times") {
  const json& ref = reference();
  auto trunc = test::answers(R"(data y = [0.5, 1.2, 0.1, 2.3, 0.9, 0.3]
param mu ~ Normal(0, 5)
param s ~ HalfNormal(2)
y ~ Normal(mu, s) T[0, ]
print map(mu)
print map(s)
)");
  CHECK(test::num(trunc[0]["value"]) ==
        doctest::Approx(test::num(ref["truncated_likelihood_map"]["mu"])).epsilon(1e-6));
  CHECK(test::num(trunc[1]["value"]) ==
        doctest::Approx(test::num(ref["truncated_likelihood_map"]["s"])).epsilon(1e-6));
  auto censored = test::answers(R"(data t = [2.1, 0.7, 3.3, 1.2, 0.4]
data tc = [5.0, 5.0, 5.0]
param lam ~ Gamma(2, 1)
t ~ Exponential(lam)
factor sum(lccdf(Exponential(lam), tc))
print map(lam)
)");
  CHECK(test::num(censored[0]["value"]) ==
        doctest::Approx(test::num(ref["censored_map"])).epsilon(1e-6));
}

TEST_CASE(
    "truncation: a discrete prior cut to 1..29 is enumerated, its normaliser in the evidence") {
  const json& want = reference()["truncated_poisson"];
  auto out = test::answers(R"(param n in (0, 30) ~ Poisson(3)
data k = [2, 3, 1]
k ~ Binomial(n, 0.5)
print mean(n)
print prob(n == 3)
print evidence()
)");
  CHECK(out[0]["method"] == "enumeration");
  CHECK(test::num(out[0]["value"]) == doctest::Approx(test::num(want["mean_n"])).epsilon(1e-10));
  CHECK(test::num(out[1]["value"]) == doctest::Approx(test::num(want["p_n_3"])).epsilon(1e-10));
  CHECK(test::num(out[2]["value"]) ==
        doctest::Approx(test::num(want["log_evidence"])).epsilon(1e-10));
}

TEST_CASE(
    "truncation: bounds that hold the whole support change nothing; Normal(0, s) > 0 is "
    "HalfNormal(s)") {
  auto plain = test::run("param p in (0, 1) ~ Beta(2, 3)\nparam s > 0 ~ Gamma(2, 1)\n");
  REQUIRE_MESSAGE(plain.compiled, plain.errors());
  for (const auto& pr : plain.compiled->model.priors) CHECK_FALSE(pr.truncation.on);
  auto half = test::run("param s > 0 ~ Normal(0, 3)\nparam c > 0 ~ Cauchy(0, 2)\n");
  REQUIRE_MESSAGE(half.compiled, half.errors());
  CHECK(half.compiled->model.priors[0].family == &dist::half_normal_family());
  CHECK(half.compiled->model.priors[1].family == &dist::half_cauchy_family());
  // A conjugate rule still fires where the bounds cut nothing.
  auto out = test::answers(
      "param p in (0, 1) ~ Beta(2, 3)\ndata y = [1, 0, 1]\n"
      "y ~ Bernoulli(p)\nprint mean(p)\n");
  CHECK(out[0]["method"] == "conjugate");
  CHECK(test::num(out[0]["value"]) == doctest::Approx(4.0 / 8.0).epsilon(1e-12));
}

TEST_CASE("truncation: a likelihood's bound that is a parameter (scipy's MAP; 0 outside)") {
  const std::string model =
      "data y = [1.2, 0.7, 2.5, 1.9, 0.3]\nparam mu ~ Normal(0, 10)\n"
      "param L ~ Normal(-1, 0.5)\ny ~ Normal(mu, 1) T[L, ]\n";
  const json& want = reference()["truncation_bound_map"];
  auto out = test::answers(model + "print map(mu)\nprint map(L)\n");
  CHECK(test::num(out[0]["value"]) == doctest::Approx(test::num(want["mu"])).epsilon(1e-6));
  CHECK(test::num(out[1]["value"]) == doctest::Approx(test::num(want["L"])).epsilon(1e-6));
  // A bound above an observed value leaves it outside: density 0, on the
  // tape and in src/density alike.
  auto r = test::run(model);
  REQUIRE_MESSAGE(r.compiled, r.errors());
  const Model& m = r.compiled->model;
  std::vector<Value> pv(m.params.size());
  std::vector<VectorXd> tv(m.params.size());
  pv[param_index(m, "mu")] = Value::scalar(1.0);
  tv[param_index(m, "mu")] = VectorXd::Constant(1, 1.0);
  pv[param_index(m, "L")] = Value::scalar(0.5);  // above 0.3
  tv[param_index(m, "L")] = VectorXd::Constant(1, 0.5);
  CHECK(test::density_sum(m, pv) == -INFINITY);
  std::string why;
  auto tape = test::whole_tape(m, why);
  REQUIRE_MESSAGE(tape, why);
  CHECK(tape->forward(tv) == -INFINITY);
  // The statement reads as written.
  CHECK(m.observations[0].text == "y ~ Normal(mu, 1) T[L, inf]");
  // An upper bound of parameters, and both.
  CHECK(test::run("data y = [1, 2]\nparam U ~ Normal(5, 1)\ny ~ Normal(0, 1) T[, U]\n")
            .errors()
            .empty());
  CHECK(test::run("data y = [1, 2]\nparam L ~ Normal(-1, 1)\nparam U ~ Normal(5, 1)\n"
                  "y ~ Normal(0, 1) T[L, U + 1]\n")
            .errors()
            .empty());
  // A discrete parameter as a bound is refused at its place.
  auto discrete = test::run("data y = [1, 2]\nparam k ~ Poisson(2)\ny ~ Normal(0, 1) T[k, ]\n");
  CHECK(test::contains(discrete.first_error(), "'k' is discrete"));
}

TEST_CASE("factor: censored times read by the Gamma rule match scipy's quadrature") {
  const json& want = reference()["censored_posterior"];
  const std::string model = R"(data t = [2.1, 0.7, 3.3, 1.2, 0.4]
data tc = [5.0, 5.0, 5.0]
param lam ~ Gamma(2, 1)
t ~ Exponential(lam)
factor sum(lccdf(Exponential(lam), tc))
print posterior(lam)
print evidence()
print map(lam)
)";
  auto out = test::answers(model);
  REQUIRE(out[0]["method"] == "conjugate");
  CHECK(out[0]["rule"] == "Gamma-Exponential+factor");
  CHECK(out[0]["family"] == "Gamma");
  CHECK(test::num(out[0]["mean"]) == doctest::Approx(test::num(want["mean"])).epsilon(1e-10));
  CHECK(test::num(out[0]["sd"]) == doctest::Approx(test::num(want["sd"])).epsilon(1e-9));
  CHECK(test::num(out[0]["interval"][0]) == doctest::Approx(test::num(want["q025"])).epsilon(1e-8));
  CHECK(test::num(out[0]["interval"][1]) == doctest::Approx(test::num(want["q975"])).epsilon(1e-8));
  CHECK(test::num(out[1]["value"]) ==
        doctest::Approx(test::num(want["log_evidence"])).epsilon(1e-10));
  // The numeric engine finds the same mode.
  auto numeric = test::answers(model, answer::Method::Numeric);
  CHECK(test::num(numeric[2]["value"]) ==
        doctest::Approx(test::num(out[2]["value"])).epsilon(1e-6));

  // Sums, multiples, log(c lam), c lam and the Poisson's lpdf are of the same
  // form: Gamma(2 + 3 + 3 + 3, 1 + 6.1 + 2 + 6) (by hand).
  auto mixed = test::answers(R"(data t = [2.1, 0.7, 3.3]
param lam ~ Gamma(2, 1)
t ~ Exponential(lam)
factor 3 * log(lam) - 2 * lam + lpdf(Poisson(2 * lam), [1, 0, 2])
print posterior(lam)
)");
  REQUIRE(mixed[0]["method"] == "conjugate");
  CHECK(test::num(mixed[0]["params"]["shape"]) == doctest::Approx(11).epsilon(1e-14));
  CHECK(test::num(mixed[0]["params"]["rate"]) == doctest::Approx(15.1).epsilon(1e-14));

  // A count that is not whole is no Poisson term (its mass is 0), and a term
  // of another form is none either: the rule says so, and the component goes
  // to the other engines.
  for (const char* term : {"lpdf(Poisson(lam), 1.5)", "lcdf(Exponential(lam), 1)"}) {
    INFO(term);
    auto r = test::run(std::string("data t = [2.1, 0.7, 3.3]\nparam lam ~ Gamma(2, 1)\n"
                                   "t ~ Exponential(lam)\nfactor ") +
                       term + "\n");
    REQUIRE_MESSAGE(r.compiled, r.errors());
    const auto& g = r.compiled->graph;
    std::string why;
    CHECK_FALSE(conjugate::solve_component(r.compiled->model, g, g.components[0], why));
    CHECK(test::contains(why, "the Gamma rule takes a factor of the form"));
  }
}

TEST_CASE("truncation: located errors") {
  auto outside = test::run(
      "data y = [0.5, -0.2]\nparam mu ~ Normal(0, 1)\n"
      "y ~ Normal(mu, 1) T[0, ]\n");
  CHECK(test::contains(outside.first_error(), "outside the truncation T[0, inf]"));
  auto empty = test::run("param x > 2 ~ Uniform(0, 1)\n");
  CHECK(test::contains(empty.first_error(), "keeps no probability inside its bounds"));
  // Far in a Normal's tail the mass underflows a double but its log does not.
  CHECK(test::run("param x > 40 ~ Normal(0, 1)\n").errors().empty());
  auto vector_family = test::run("param w[2] > 0 ~ Dirichlet([1, 1])\n");
  CHECK(test::contains(vector_family.first_error(), "bounds apply to a family of one number"));
  auto no_dist = test::run("param a ~ Normal(0, 1)\nfactor lpdf(3, a)\n");
  CHECK(test::contains(no_dist.first_error(), "must be a distribution"));
  auto vector_term = test::run("param a ~ Normal(0, 1)\nfactor [a, a]\n");
  CHECK(test::contains(vector_term.first_error(), "adds one number"));
  auto data_term = test::run("param a ~ Normal(0, 1)\nfactor lpdf(Normal(0, 1), 2)\n");
  CHECK(test::contains(data_term.first_error(), "of data alone is a constant"));
}

}  // namespace bayes

namespace bayes {

TEST_CASE("bounds of other parameters: uniform on a triangle, flat and truncated (by hand)") {
  // Flat: p(a, b) = 1 on 0 < b < a < 1, so a has density 2a: E a = 2/3, E b = 1/3.
  auto flat = test::answers(
      "param a in (0, 1)\nparam b in (0, a)\nfactor 0 * a\n"
      "print mean(a)\nprint mean(b)\n",
      answer::Method::Sample);
  // Truncated: b | a ~ Uniform(0, 1) cut to (0, a) is Uniform(0, a) (its
  // normaliser 1 / a depends on a), a ~ Uniform(0, 1): E a = 1/2, E b = 1/4.
  auto cut = test::answers(
      "param a ~ Uniform(0, 1)\nparam b in (0, a) ~ Uniform(0, 1)\n"
      "print mean(a)\nprint mean(b)\n",
      answer::Method::Sample);
  const double want[2][2] = {{2.0 / 3, 1.0 / 3}, {0.5, 0.25}};
  int row = 0;
  for (const auto* out : {&flat, &cut}) {
    for (int k = 0; k < 2; ++k) {
      const auto& a = (*out)[static_cast<std::size_t>(k)];
      INFO(a.dump());
      CHECK(a["method"] == "sampling");
      CHECK(std::fabs(test::num(a["value"]) - want[row][k]) < 4 * test::num(a["mcse"]));
    }
    ++row;
  }
}

TEST_CASE("bounds of other parameters: GARCH(1,1) with beta1 < 1 - alpha1 has scipy's MAP") {
  const json ref = test::fixture_json("recursion/recursion_reference.json");
  const json& garch = ref["models"][1];
  std::string text = garch["model"];
  const std::string from = "param beta1 in (0, 1)", to = "param beta1 in (0, 1 - alpha1)";
  REQUIRE(text.find(from) != std::string::npos);
  text.replace(text.find(from), from.size(), to);
  auto out = test::answers(text + "print map()\n");
  for (std::size_t k = 0; k < 4; ++k) {
    const std::string p = garch["params"][k];
    CHECK(test::num(out[0]["value"][p]) ==
          doctest::Approx(test::num(garch["map"][k])).epsilon(1e-6));
  }
}

}  // namespace bayes

namespace bayes {

TEST_CASE("factor: a model whose only likelihood is a factor term is answered (regression)") {
  // p(m) ~ Normal(0, 1) exp(-m^2): Normal(0, 1 / sqrt(3)), mode 0, mean 0.
  auto out = test::answers(
      "param m ~ Normal(0, 1)\nfactor -square(m)\nprint map(m)\n"
      "print mean(m)\n");
  CHECK(std::fabs(test::num(out[0]["value"])) < 1e-6);
  CHECK(std::fabs(test::num(out[1]["value"])) < 4 * test::num(out[1]["mcse"]));
}

}  // namespace bayes
