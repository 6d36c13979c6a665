// The NormalInverseGamma rule (src/conjugate/normal_inverse_gamma.cpp):
// hand-computed posteriors beyond the scipy fixtures, the three written forms
// agreeing, and the reasons it gives for models that must not match.
#include <doctest/doctest.h>

#include <boost/math/special_functions/gamma.hpp>
#include <cmath>
#include <numbers>

#include "answer/answer.hpp"
#include "conjugate/rule.hpp"
#include "helpers.hpp"
#include "rule_run.hpp"

using namespace bayes;
using json = nlohmann::ordered_json;

namespace bayes::conjugate {
std::optional<Solution> solve_normal_inverse_gamma(const Model&, const graph::FactorGraph&,
                                                   const graph::Component&, std::string&);
}  // namespace bayes::conjugate

namespace {

// The rule alone on the component of the parameter called `param`.
test::RuleRun nig_rule(const std::string& text, const std::string& param = "s2") {
  return test::rule(conjugate::solve_normal_inverse_gamma, text, param);
}

answer::Report nig_report(const std::string& text, answer::Method method = answer::Method::Auto) {
  auto r = test::run(text);
  REQUIRE_MESSAGE(r.compiled, r.errors());
  answer::Options opt;
  opt.method = method;
  return answer::answer_all(*r.compiled, opt);
}

double val(const json& j) { return j.get<double>(); }

bool has(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

bool explains(const answer::Report& r, const std::string& part) {
  for (const auto& line : r.explain)
    if (has(line, part)) return true;
  return false;
}

const char* kPrints =
    "print posterior(mu)\nprint map(mu)\nprint mle(mu)\nprint posterior(s2)\nprint map(s2)\n"
    "print mle(s2)\nprint predictive(x)\nprint evidence()\n";

// x = [1, 2, 3], prior NIG(m0 = 0, lambda = 1, alpha = 1, beta = 1), by hand
// (Murphy 2007, sec. 6):
//   N = 3, sum x = 6, x-bar = 2, S = sum (x - 2)^2 = 2
//   lambda' = 1 + 3 = 4, m0' = (1 * 0 + 6) / 4 = 1.5, alpha' = 1 + 3/2 = 2.5,
//   beta' = 1 + (2 + 1 * 3 * (2 - 0)^2 / 4) / 2 = 1 + 5/2 = 3.5
//   mu ~ StudentT(5, 1.5, sqrt(3.5 / (2.5 * 4)) = sqrt(0.35))
//   s2 ~ InverseGamma(2.5, 3.5): mean 3.5 / 1.5 = 7/3, mode 3.5 / 3.5 = 1
//   joint MAP: mu = 1.5; Prince: s2 = (sum (x - 1.5)^2 + 2 beta + lambda (0 - 1.5)^2) / (N + 3 + 2
//   alpha)
//             = (2.75 + 2 + 2.25) / 8 = 0.875 = beta' / (alpha' + 3/2) = 3.5 / 4
//   MLE: mu = 2, s2 = 2/3
//   predictive: StudentT(5, 1.5, sqrt(3.5 (1 + 1/4) / 2.5) = sqrt(1.75))
//   evidence: lgamma(2.5) - lgamma(1) + 1 log 1 - 2.5 log 3.5 + log(1/4) / 2 - 3/2 log(2 pi)
void check_by_hand(const std::vector<json>& r) {
  REQUIRE(r.size() == 8);
  CHECK(r[0]["family"] == "StudentT");
  CHECK(val(r[0]["params"]["nu"]) == doctest::Approx(5).epsilon(1e-12));
  CHECK(val(r[0]["params"]["mean"]) == doctest::Approx(1.5).epsilon(1e-12));
  CHECK(val(r[0]["params"]["scale"]) == doctest::Approx(std::sqrt(0.35)).epsilon(1e-12));
  CHECK(r[0]["joint"]["family"] == "NormalInverseGamma");
  CHECK(val(r[0]["joint"]["params"]["m0"]) == doctest::Approx(1.5).epsilon(1e-12));
  CHECK(val(r[0]["joint"]["params"]["lambda"]) == doctest::Approx(4).epsilon(1e-12));
  CHECK(val(r[0]["joint"]["params"]["alpha"]) == doctest::Approx(2.5).epsilon(1e-12));
  CHECK(val(r[0]["joint"]["params"]["beta"]) == doctest::Approx(3.5).epsilon(1e-12));
  CHECK(r[0]["joint"]["order"] == json::array({"mu", "s2"}));
  CHECK(val(r[1]["value"]) == doctest::Approx(1.5).epsilon(1e-12));
  CHECK(val(r[2]["value"]) == doctest::Approx(2).epsilon(1e-12));
  CHECK(r[3]["family"] == "InverseGamma");
  CHECK(val(r[3]["mean"]) == doctest::Approx(7.0 / 3).epsilon(1e-12));
  CHECK(val(r[3]["mode"]) == doctest::Approx(1).epsilon(1e-12));       // the marginal's mode
  CHECK(val(r[4]["value"]) == doctest::Approx(0.875).epsilon(1e-12));  // the joint mode's s2
  CHECK(val(r[5]["value"]) == doctest::Approx(2.0 / 3).epsilon(1e-12));
  CHECK(r[6]["family"] == "StudentT");
  CHECK(val(r[6]["params"]["scale"]) == doctest::Approx(std::sqrt(1.75)).epsilon(1e-12));
  double evidence = std::lgamma(2.5) - 2.5 * std::log(3.5) + 0.5 * std::log(0.25) -
                    1.5 * std::log(2 * std::numbers::pi);
  CHECK(val(r[7]["value"]) == doctest::Approx(evidence).epsilon(1e-12));
}

}  // namespace

TEST_CASE("NormalInverseGamma-Normal by hand, joint and hierarchical forms") {
  const std::string data = "data x = [1, 2, 3]\n";
  const std::string joint =
      data + "param mu, s2 ~ NormalInverseGamma(0, 1, 1, 1)\nx ~ Normal(mu, sqrt(s2))\n";
  const std::string hier =
      data +
      "param s2 ~ InverseGamma(1, 1)\nparam mu ~ Normal(0, sqrt(s2))\nx ~ Normal(mu, sqrt(s2))\n";
  // The same prior once more: the sd written as c * s2^(1/2) with c = 1 / sqrt(1).
  const std::string hier2 = data +
                            "param s2 ~ InverseGamma(1, 1)\nparam mu ~ Normal(0, s2 ^ 0.5 / "
                            "sqrt(1))\nx ~ Normal(mu, sqrt(s2))\n";
  for (const auto& text : {joint, hier, hier2}) {
    CAPTURE(text);
    auto rep = nig_report(text + kPrints);
    check_by_hand(bayes::report::to_json(rep));
    CHECK(bayes::report::to_json(rep)[0]["rule"] == "NormalInverseGamma-Normal");
    // Prince's MAP formula with the numbers put in.
    CHECK(explains(rep, "(N + 3 + 2 alpha) = (2.75 + 2 + 2.25) / (3 + 3 + 2) = 0.875"));
    CHECK(explains(rep, "m0' = (lambda m0 + sum x) / (lambda + N) = (1 * 0 + 6) / 4 = 1.5"));
  }
}

TEST_CASE("NormalInverseGamma-Normal: the MLE of s2 needs two observations") {
  auto r = bayes::report::to_json(
      nig_report("data x = [2.5]\nparam mu, s2 ~ NormalInverseGamma(0, 1, 2, 2)\nx ~ Normal(mu, "
                 "sqrt(s2))\n"
                 "print mle(mu)\nprint mle(s2)\nprint map(s2)\n"));
  CHECK(val(r[0]["value"]) == doctest::Approx(2.5));
  REQUIRE(r[1].contains("error"));
  CHECK(r[1]["error"] == "the MLE of s2 is 0 with one observation: the likelihood is unbounded");
  // beta' = 2 + (0 + 1 * 1 * 2.5^2 / 2) / 2 = 3.5625, alpha' = 2.5, MAP s2 = 3.5625 / 4
  CHECK(val(r[2]["value"]) == doctest::Approx(3.5625 / 4).epsilon(1e-12));
}

// y = [1, 2, 4] at x = [0, 1, 2], w | s2 ~ Normal(0, sqrt(s2)) (Lambda0 = I), s2 ~ InverseGamma(2,
// 1):
//   X^T X = [[3, 3], [3, 5]], X^T y = [7, 10]
//   Lambda' = [[4, 3], [3, 6]] (det 15), V' = [[6, -3], [-3, 4]] / 15
//   m0' = V' [7, 10] = [12/15, 19/15] = [0.8, 1.2666...]
//   alpha' = 2 + 3/2 = 3.5, beta' = 1 + (y^T y - m0'^T Lambda' m0') / 2 = 1 + (21 - 274/15) / 2 =
//   71/30 joint MAP s2 = beta' / (alpha' + 1 + 2/2) = (71/30) / 5.5 = 71/165 OLS: inverse([[3, 3],
//   [3, 5]]) [7, 10] = [5/6, 3/2], RSS = 1/36 + 1/9 + 1/36 = 1/6, s2 MLE = 1/18 predictive at row 1
//   (x = 0): StudentT(7, 0.8, sqrt(beta' / alpha' (1 + 6/15)))
TEST_CASE("NormalInverseGamma-LinearRegression by hand, vector and scalar weights") {
  const std::string data =
      "data one = [1, 1, 1]\ndata x = [0, 1, 2]\ndata y = [1, 2, 4]\n"
      "param s2 ~ InverseGamma(2, 1)\n";
  const std::string vector_form =
      data +
      "param w[2] ~ Normal(0, sqrt(s2))\n"
      "y ~ Normal(columns(one, x) * w, sqrt(s2))\n"
      "print posterior(w)\nprint map(w)\nprint mle(w)\nprint map(s2)\nprint mle(s2)\n"
      "print predictive(y)\nprint posterior(s2)\n";
  auto r = bayes::report::to_json(nig_report(vector_form));
  REQUIRE(r.size() == 7);
  CHECK(r[0]["rule"] == "NormalInverseGamma-LinearRegression");
  CHECK(r[0]["family"] == "StudentT");
  CHECK(val(r[0]["params"]["nu"]) == doctest::Approx(7));
  CHECK(val(r[0]["mean"][0]) == doctest::Approx(0.8).epsilon(1e-12));
  CHECK(val(r[0]["mean"][1]) == doctest::Approx(19.0 / 15).epsilon(1e-12));
  double beta = 71.0 / 30, alpha = 3.5;
  CHECK(val(r[0]["params"]["scale"][1]) ==
        doctest::Approx(std::sqrt(beta / alpha * 4 / 15)).epsilon(1e-12));
  CHECK(r[0]["interval"].size() == 2);
  CHECK(r[0]["joint"]["family"] == "MultiNormalInverseGamma");
  CHECK(val(r[0]["joint"]["params"]["beta"]) == doctest::Approx(beta).epsilon(1e-12));
  CHECK(val(r[0]["joint"]["params"]["Lambda"][0][1]) == doctest::Approx(3).epsilon(1e-12));
  CHECK(r[0]["joint"]["order"] == json::array({"w[1]", "w[2]", "s2"}));
  CHECK(val(r[1]["value"][1]) == doctest::Approx(19.0 / 15).epsilon(1e-12));
  CHECK(val(r[2]["value"][0]) == doctest::Approx(5.0 / 6).epsilon(1e-12));
  CHECK(val(r[2]["value"][1]) == doctest::Approx(1.5).epsilon(1e-12));
  CHECK(val(r[3]["value"]) == doctest::Approx(71.0 / 165).epsilon(1e-12));
  CHECK(val(r[4]["value"]) == doctest::Approx(1.0 / 18).epsilon(1e-12));
  CHECK(val(r[5]["params"]["mean"]) == doctest::Approx(0.8).epsilon(1e-12));
  CHECK(val(r[5]["params"]["scale"]) ==
        doctest::Approx(std::sqrt(beta / alpha * 1.4)).epsilon(1e-12));
  CHECK(val(r[6]["params"]["shape"]) == doctest::Approx(alpha));

  // The same model with two scalar weights: the same numbers, laid out (w0, w1, s2).
  const std::string scalar_form = data +
                                  "param w0 ~ Normal(0, sqrt(s2))\nparam w1 ~ Normal(0, sqrt(s2))\n"
                                  "y ~ Normal(w0 + w1 * x, sqrt(s2))\n"
                                  "print posterior(w1)\nprint map(s2)\nprint mle(w0)\n";
  auto s = bayes::report::to_json(nig_report(scalar_form));
  CHECK(val(s[0]["mean"]) == doctest::Approx(19.0 / 15).epsilon(1e-12));
  CHECK(s[0]["joint"]["order"] == json::array({"w0", "w1", "s2"}));
  CHECK(val(s[1]["value"]) == doctest::Approx(71.0 / 165).epsilon(1e-12));
  CHECK(val(s[2]["value"]) == doctest::Approx(5.0 / 6).epsilon(1e-12));
}

TEST_CASE("NormalInverseGamma: per-row sd multipliers weight the rows") {
  // y2 ~ Normal(mu, 2 * sqrt(s2)) counts as y2 / 2 ~ Normal(mu / 2, sqrt(s2)):
  // lambda' = 1 + 1 + 1/4, m0' = (0 + 1 + 3/4) / 2.25, alpha' = 1 + 1
  auto r = bayes::report::to_json(
      nig_report("data y1 = 1\ndata y2 = 3\nparam mu, s2 ~ NormalInverseGamma(0, 1, 1, 1)\n"
                 "y1 ~ Normal(mu, sqrt(s2))\ny2 ~ Normal(mu, 2 * sqrt(s2))\nprint "
                 "posterior(mu)\nprint predictive(y2)\n"));
  CHECK(val(r[0]["joint"]["params"]["lambda"]) == doctest::Approx(2.25).epsilon(1e-12));
  CHECK(val(r[0]["mean"]) == doctest::Approx(1.75 / 2.25).epsilon(1e-12));
  CHECK(val(r[0]["joint"]["params"]["alpha"]) == doctest::Approx(2));
  // beta' = 1 + (RSS + lambda (m0' - 0)^2) / 2 with RSS = (1 - m)^2 + (3 - m)^2 / 4
  double mm = 1.75 / 2.25, beta = 1 + ((1 - mm) * (1 - mm) + (3 - mm) * (3 - mm) / 4 + mm * mm) / 2;
  CHECK(val(r[0]["joint"]["params"]["beta"]) == doctest::Approx(beta).epsilon(1e-12));
  CHECK(val(r[1]["params"]["scale"]) ==
        doctest::Approx(std::sqrt(beta / 2 * (4 + 1 / 2.25))).epsilon(1e-12));
}

TEST_CASE("NormalInverseGamma rule: models it must not match, and why") {
  const std::string x = "data x = [1.2, 0.4, 2.2]\n";
  // Another prior family altogether: not this rule's business, no reason given.
  auto beta = nig_rule("data f = [1, 0]\nparam p ~ Beta(1, 1)\nf ~ Bernoulli(p)\n", "p");
  CHECK(!beta.sol);
  CHECK(beta.why.empty());
  // A known mean: the InverseGamma rule's case.
  auto known = nig_rule(x + "param s2 ~ InverseGamma(2, 2)\nx ~ Normal(1, sqrt(s2))\n");
  CHECK(!known.sol);
  CHECK(known.why.empty());

  // A prior argument that is a parameter.
  auto hyper = nig_rule(x +
                        "param s2 ~ InverseGamma(2, 2)\nparam m ~ Normal(0, 1)\n"
                        "param mu ~ Normal(m, sqrt(s2))\nx ~ Normal(mu, sqrt(s2))\n");
  CHECK(!hyper.sol);
  CHECK(hyper.why ==
        "'mu ~ Normal(m, sqrt(s2))': the prior of 'mu' has 'm' as an argument; the "
        "NormalInverseGamma rule "
        "needs its mean and its c in c * sqrt(s2) known");
  auto shape = nig_rule(x +
                        "param a ~ Gamma(2, 1)\nparam s2 ~ InverseGamma(a, 2)\n"
                        "param mu ~ Normal(0, sqrt(s2))\nx ~ Normal(mu, sqrt(s2))\n");
  CHECK(shape.why == "'s2 ~ InverseGamma(a, 2)': the prior of 's2' has parameters as arguments");
  auto joint_arg = nig_rule(x +
                            "param l ~ Gamma(2, 1)\nparam mu, s2 ~ NormalInverseGamma(0, l, 2, 2)\n"
                            "x ~ Normal(mu, sqrt(s2))\n");
  CHECK(joint_arg.why ==
        "'mu, s2 ~ NormalInverseGamma(0, l, 2, 2)': the prior of 's2' has parameters as arguments");

  // A likelihood of another family.
  auto student = nig_rule(
      x + "param mu, s2 ~ NormalInverseGamma(0, 1, 2, 2)\nx ~ StudentT(4, mu, sqrt(s2))\n");
  CHECK(student.why ==
        "'x ~ StudentT(4, mu, sqrt(s2))': a StudentT likelihood is not conjugate to the "
        "NormalInverseGamma "
        "prior on (mu, s2); it needs Normal observations");

  // The parameter inside an unsupported expression.
  auto nonlinear = nig_rule(
      x + "param mu, s2 ~ NormalInverseGamma(0, 1, 2, 2)\nx ~ Normal(exp(mu), sqrt(s2))\n");
  CHECK(nonlinear.why ==
        "'x ~ Normal(exp(mu), sqrt(s2))': the mean is not linear in (mu); the NormalInverseGamma "
        "rule needs "
        "mean = a + X * w with a and X known");
  auto as_sd = nig_rule(x + "param mu, s2 ~ NormalInverseGamma(0, 1, 2, 2)\nx ~ Normal(mu, s2)\n");
  CHECK(as_sd.why ==
        "'x ~ Normal(mu, s2)': the sd is c * s2^1, but s2 is a variance: the sd must be c * "
        "sqrt(s2)");
  auto in_mean = nig_rule(
      x + "param mu, s2 ~ NormalInverseGamma(0, 1, 2, 2)\nx ~ Normal(mu + s2, sqrt(s2))\n");
  CHECK(in_mean.why == "'x ~ Normal(mu + s2, sqrt(s2))': the mean involves the variance 's2'");

  // The semi-conjugate prior: mu's sd ignores s2.
  auto semi = nig_rule(
      x + "param s2 ~ InverseGamma(2, 2)\nparam mu ~ Normal(0, 10)\nx ~ Normal(mu, sqrt(s2))\n");
  CHECK(has(semi.why, "'mu ~ Normal(0, 10)': the prior sd of 'mu' does not scale with sqrt(s2)"));
  CHECK(has(semi.why, "only semi-conjugate"));
  // A known sd next to the unknown variance.
  auto known_sd = nig_rule(x +
                           "data z = 1\nparam mu, s2 ~ NormalInverseGamma(0, 1, 2, 2)\n"
                           "x ~ Normal(mu, sqrt(s2))\nz ~ Normal(mu, 2)\n");
  CHECK(has(known_sd.why, "'z ~ Normal(mu, 2)': the sd does not scale with sqrt(s2)"));
  // A prior of another family on a weight.
  auto cauchy = nig_rule(x +
                         "param s2 ~ InverseGamma(2, 2)\nparam mu ~ Cauchy(0, sqrt(s2))\n"
                         "x ~ Normal(mu, sqrt(s2))\n");
  CHECK(cauchy.why ==
        "'mu ~ Cauchy(0, sqrt(s2))': with the unknown variance 's2' the conjugate prior is "
        "mu ~ Normal(m0, c * sqrt(s2)), not Cauchy");

  // Under --method conjugate the model is refused with a reason, not solved.
  auto rep = nig_report(
      x + "param mu, s2 ~ NormalInverseGamma(0, 1, 2, 2)\nx ~ Normal(exp(mu), sqrt(s2))\n"
          "print posterior(mu)\n",
      answer::Method::Conjugate);
  REQUIRE(bayes::report::to_json(rep)[0].contains("error"));
  CHECK(has(bayes::report::to_json(rep)[0]["error"].get<std::string>(), "not conjugate"));
}

TEST_CASE("NormalInverseGamma: joint draws agree with the closed-form marginals") {
  // A condition on two parameters goes through the joint draws: w[2]'s
  // marginal is StudentT(7, 19/15, scale) and s2 > 0 always, so the
  // probability is 1/2. On w[2] alone it is exact, from the marginal's cdf.
  auto r = bayes::report::to_json(
      nig_report("data one = [1, 1, 1]\ndata x = [0, 1, 2]\ndata y = [1, 2, 4]\nparam s2 ~ "
                 "InverseGamma(2, 1)\n"
                 "param w[2] ~ Normal(0, sqrt(s2))\ny ~ Normal(columns(one, x) * w, sqrt(s2))\n"
                 "print prob(w[2] > 19 / 15 && s2 > 0)\nprint prob(s2 < 71 / 30 / 4.5)\n"
                 "print prob(w[2] > 19 / 15)\n"));
  REQUIRE(r[0].contains("mcse"));
  CHECK(std::fabs(val(r[0]["value"]) - 0.5) < 5 * val(r[0]["mcse"]));
  // P(s2 < x) for InverseGamma(alpha, beta) is Q(alpha, beta / x), here with x the marginal mode.
  CHECK(val(r[1]["value"]) == doctest::Approx(boost::math::gamma_q(3.5, 4.5)).epsilon(1e-9));
  CHECK(r[2]["method"] == "conjugate");
  CHECK(val(r[2]["value"]) == doctest::Approx(0.5).epsilon(1e-12));
}
