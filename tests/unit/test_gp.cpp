// Gaussian processes: MultiNormal with a covariance built from parameters
// (cov_exp_quad, diag, rep of a parameter): the log density at given
// hyperparameters and the MAP against scipy (tests/fixtures/gp/, made by
// make_gp_reference.py), the tape's gradient against finite differences, a
// latent GP (the outcome a parameter), and cov_exp_quad, diag and cholesky
// as values against a hand computation.
#include <doctest/doctest.h>

#include <Eigen/Dense>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "density/log_density.hpp"
#include "helpers.hpp"
#include "numeric/tape.hpp"

namespace bayes {

TEST_CASE("gp: a GP regression's log density, gradient and MAP against scipy") {
  const auto ref = test::fixture_json("gp/gp_reference.json");
  const std::string text = ref["model"];
  auto r = test::run(text);
  REQUIRE_MESSAGE(r.compiled, r.errors());
  const Model& m = r.compiled->model;
  std::string why;
  auto tape = test::whole_tape(m, why);
  REQUIRE_MESSAGE(tape, why);
  for (const auto& point : ref["points"]) {
    std::vector<Eigen::VectorXd> v(m.params.size());
    std::vector<Value> pv(m.params.size());
    for (std::size_t k = 0; k < 3; ++k) {
      const double x = point["values"][k];
      v[k] = Eigen::VectorXd::Constant(1, x);
      pv[k] = Value::scalar(x);
    }
    const double want = point["log_density"];
    CHECK(tape->forward(v) == doctest::Approx(want).epsilon(1e-10));
    CHECK(test::density_sum(m, pv) == doctest::Approx(want).epsilon(1e-10));
    test::check_gradient(*tape, m, v);
  }
  auto out = test::answers(text + "print map()\n");
  for (std::size_t k = 0; k < 3; ++k) {
    const std::string p = ref["params"][k];
    INFO(p);
    CHECK(test::num(out[0]["value"][p]) == doctest::Approx(test::num(ref["map"][k])).epsilon(1e-6));
  }
}

TEST_CASE("gp: a latent GP (the outcome a parameter) has the gradient of its log density") {
  auto r = test::run(R"(data x = [0.5, 1.7, 2.2, 3.9]
param rho ~ InverseGamma(5, 5)
param alpha ~ HalfNormal(2)
param f[4] ~ MultiNormal(rep(0, 4), cov_exp_quad(x, alpha, rho) + diag(rep(1e-6, 4)))
data k = [1, 3, 2, 6]
k ~ Poisson(exp(f))
)");
  REQUIRE_MESSAGE(r.compiled, r.errors());
  std::string why;
  auto tape = test::whole_tape(r.compiled->model, why);
  REQUIRE_MESSAGE(tape, why);
  std::vector<Eigen::VectorXd> v = {Eigen::VectorXd::Constant(1, 1.2),
                                    Eigen::VectorXd::Constant(1, 0.9),
                                    Eigen::Vector4d(0.1, 0.8, 0.5, 1.6)};
  test::check_gradient(*tape, r.compiled->model, v);
}

TEST_CASE("gp: cov_exp_quad, diag and cholesky as values") {
  auto out = test::answers(R"(data x = [0, 1, 3]
print cov_exp_quad(x, 2, 1.5)
print diag([1, 2])
print cholesky(columns([4, 2], [2, 3]))
)");
  // alpha^2 exp(-d^2 / (2 rho^2)): 4 exp(-1 / 4.5) between 0 and 1.
  CHECK(test::num(out[0]["value"][0][1]) == doctest::Approx(4 * std::exp(-1 / 4.5)).epsilon(1e-14));
  CHECK(test::num(out[0]["value"][2][0]) == doctest::Approx(4 * std::exp(-9 / 4.5)).epsilon(1e-14));
  CHECK(out[1]["value"] == nlohmann::ordered_json::parse("[[1, 0], [0, 2]]"));
  // [[4, 2], [2, 3]] = L L' with L = [[2, 0], [1, sqrt(2)]].
  CHECK(test::num(out[2]["value"][0][0]) == 2);
  CHECK(test::num(out[2]["value"][0][1]) == 0);
  CHECK(test::num(out[2]["value"][1][0]) == 1);
  CHECK(test::num(out[2]["value"][1][1]) == doctest::Approx(std::sqrt(2.0)).epsilon(1e-15));
}

}  // namespace bayes
