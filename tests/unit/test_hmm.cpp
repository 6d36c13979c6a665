// Hidden Markov models (MarkovChain): the exact engine (forward-backward,
// Viterbi) against a brute force over all 3^7 paths, and the tape's forward
// algorithm (transitions and means unknown) against a hand-written numpy
// forward pass, with its gradient against finite differences
// (tests/fixtures/hmm/, made by make_hmm_reference.py).
#include <doctest/doctest.h>

#include <Eigen/Dense>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "helpers.hpp"
#include "numeric/tape.hpp"

namespace bayes {

TEST_CASE("hmm: known init and T, exact: evidence, marginals and the Viterbi path by brute force") {
  const auto ref = test::fixture_json("hmm/hmm_reference.json")["exact"];
  auto out = test::answers(ref["model"].get<std::string>() +
                           "print evidence()\nprint posterior(z)\nprint map(z)\n");
  CHECK(out[0]["method"] == "enumeration");
  CHECK(test::num(out[0]["value"]) ==
        doctest::Approx(test::num(ref["log_evidence"])).epsilon(1e-12));
  const auto& probs = out[1]["params"]["probs"];
  for (std::size_t t = 0; t < ref["marginals"].size(); ++t)
    for (std::size_t k = 0; k < 3; ++k)
      CHECK(test::num(probs[t][k]) ==
            doctest::Approx(test::num(ref["marginals"][t][k])).epsilon(1e-10));
  CHECK(out[2]["value"] == ref["viterbi"]);
}

TEST_CASE("hmm: unknown transitions and means, the forward algorithm on the tape") {
  const auto ref = test::fixture_json("hmm/hmm_reference.json")["unknown"];
  auto r = test::run(ref["model"].get<std::string>());
  REQUIRE_MESSAGE(r.compiled, r.errors());
  const Model& m = r.compiled->model;
  std::vector<std::size_t> marginal;
  for (std::size_t i = 0; i < m.params.size(); ++i)
    if (m.params[i].name == "z") marginal.push_back(i);
  std::string why;
  auto tape = test::whole_tape(m, why, marginal);
  REQUIRE_MESSAGE(tape, why);
  for (const auto& p : ref["points"]) {
    std::vector<Eigen::VectorXd> v(m.params.size());
    v[0] = Eigen::Vector2d(test::num(p["t1"][0]), test::num(p["t1"][1]));
    v[1] = Eigen::Vector2d(test::num(p["t2"][0]), test::num(p["t2"][1]));
    v[2] = Eigen::Vector2d(test::num(p["mu"][0]), test::num(p["mu"][1]));
    v[3] = Eigen::VectorXd::Constant(1, test::num(p["s"]));
    CHECK(tape->forward(v) == doctest::Approx(test::num(p["log_density"])).epsilon(1e-10));
    test::check_gradient(*tape, m, v);
  }
}

TEST_CASE("hmm: located errors") {
  auto first = [](const std::string& text) { return test::run(text).first_error(); };
  CHECK(
      test::contains(first("param z[3] ~ MarkovChain([0.5, 0.5], rows([0.9, 0.2], [0.5, 0.5]))\n"),
                     "row 1 of T: probs sum to 1.1, not 1"));
  CHECK(test::contains(first("param z[3] ~ MarkovChain([0.5, 0.5], rows([1, 0, 0], [0, 1, 0], "
                             "[0, 0, 1]))\n"),
                       "init has 2 states but T is 3x3"));
}

}  // namespace bayes
