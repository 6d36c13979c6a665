// Flat-prior Gaussian linear regressions (p(b, sigma) ~ 1 or p(b, s2) ~ 1)
// against the exact posteriors of tests/fixtures/regression: 26 models on
// public and generated data, each number computed by scipy from the closed
// form and checked there by quadrature (see that directory's README). Every
// model is run from its own file and data, as a user would.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>

#include "answer/answer.hpp"
#include "helpers.hpp"

using namespace bayes;
using json = nlohmann::ordered_json;

namespace {

const std::string kRegressionDir = std::string(BAYES_TEST_DIR) + "/fixtures/regression";

// The model's statements without its prints.
std::string without_prints(const std::string& text) {
  std::istringstream in(text);
  std::string out, line;
  while (std::getline(in, line))
    if (line.rfind("print", 0) != 0) out += line + "\n";
  return out;
}

// "b[2]" -> ("b", 1); "sigma" -> ("sigma", -1).
std::pair<std::string, int> split_key(const std::string& key) {
  auto open = key.find('[');
  if (open == std::string::npos) return {key, -1};
  return {key.substr(0, open), std::stoi(key.substr(open + 1)) - 1};
}

double element_of(const json& j, int i) {
  const json& e = i < 0 ? j : j[static_cast<std::size_t>(i)];
  return e.is_number() ? e.get<double>() : INFINITY;  // "inf" or "undefined"
}

// 1e-9 relative: the fixture's two routes agree to 6e-11, and the QR solution
// keeps Longley's nearly collinear design (scaled condition number 4e4) to it.
void check_close(double got, const json& want, double tol) {
  if (want.is_null()) {  // an infinite or undefined moment
    CHECK(!std::isfinite(got));
    return;
  }
  CHECK(got == doctest::Approx(want.get<double>()).epsilon(tol));
}

}  // namespace

TEST_CASE("flat-prior regressions: exact marginals and the joint mode against scipy") {
  const json cases = json::parse(test::read_file(kRegressionDir + "/regression_reference.json"));
  REQUIRE(cases.size() >= 20);
  for (const auto& c : cases) {
    const std::string name = c["name"];
    CAPTURE(name);
    const double tol = 1e-9;
    std::string text =
        without_prints(test::read_file(kRegressionDir + "/" + c["model"].get<std::string>()));
    std::vector<std::string> keys;
    for (auto it = c["params"].begin(); it != c["params"].end(); ++it) keys.push_back(it.key());
    std::vector<std::string> names;
    for (const auto& k : keys)
      if (std::find(names.begin(), names.end(), split_key(k).first) == names.end())
        names.push_back(split_key(k).first);
    for (const auto& n : names) text += "print posterior(" + n + ")\nprint map(" + n + ")\n";
    auto out = test::answers(text, answer::Method::Auto, kRegressionDir);
    for (const auto& key : keys) {
      CAPTURE(key);
      const auto parts = split_key(key);
      const std::string& base = parts.first;
      const int i = parts.second;
      const std::size_t at =
          2 * static_cast<std::size_t>(std::find(names.begin(), names.end(), base) - names.begin());
      const json& post = out[at];
      const json& map = out[at + 1];
      const json& want = c["params"][key];
      REQUIRE_FALSE(post.contains("error"));
      CHECK(post["method"] == "conjugate");
      const std::string family = post["family"];
      if (want.contains("posterior_of_sigma_squared")) {  // sigma = sqrt(InverseGamma)
        CHECK(family == "SqrtInverseGamma");
        const json& ig = want["posterior_of_sigma_squared"]["params"];
        CHECK(post["params"]["shape"].get<double>() == doctest::Approx(ig["shape"].get<double>()));
        CHECK(post["params"]["scale"].get<double>() ==
              doctest::Approx(ig["scale"].get<double>()).epsilon(tol));
      } else {
        CHECK(family == want["posterior"]["family"].get<std::string>());
      }
      check_close(element_of(post["mean"], i), want["mean"], tol);
      check_close(element_of(post["sd"], i), want["sd"], tol);
      const json& interval =
          i < 0 ? post["interval"] : post["interval"][static_cast<std::size_t>(i)];
      check_close(interval[0].get<double>(), want["q025"], tol);
      check_close(interval[1].get<double>(), want["q975"], tol);
      check_close(element_of(post["mode"], i), want["marginal_mode"], tol);
      check_close(element_of(map["value"], i), want["map"], tol);
    }
  }
}

TEST_CASE("flat-prior regressions: the numeric engine finds the same joint mode") {
  // The MAP of p(b, sigma) ~ 1 is the MLE: least squares and sqrt(RSS / n).
  const json cases = json::parse(test::read_file(kRegressionDir + "/regression_reference.json"));
  for (const std::string name : {"line", "stackloss", "earnings", "line_s2"}) {
    CAPTURE(name);
    const json* c = nullptr;
    for (const auto& x : cases)
      if (x["name"] == name) c = &x;
    REQUIRE(c);
    std::string text =
        without_prints(test::read_file(kRegressionDir + "/" + (*c)["model"].get<std::string>()));
    text += "print map()\n";
    auto a = test::answers(text, answer::Method::Auto, kRegressionDir);
    auto b = test::answers(text, answer::Method::Numeric, kRegressionDir);
    CHECK(a[0]["method"] == "conjugate");
    CHECK(b[0]["method"] != "conjugate");
    for (auto it = a[0]["value"].begin(); it != a[0]["value"].end(); ++it) {
      CAPTURE(it.key());
      const json& x = it.value();
      const json& y = b[0]["value"][it.key()];
      if (x.is_number()) {
        CHECK(y.get<double>() == doctest::Approx(x.get<double>()).epsilon(1e-6));
      } else {
        for (std::size_t k = 0; k < x.size(); ++k)
          CHECK(y[k].get<double>() == doctest::Approx(x[k].get<double>()).epsilon(1e-6));
      }
    }
  }
}

// Long Stan runs of the same models (make_stan_references.R: rstan 2.21, four
// chains, 10^4 to 10^5 draws each): bayes's exact answers lie within 3 Monte
// Carlo standard errors of Stan's means and 95% quantiles, and its sds within
// 2 % of Stan's (or 3 of their standard errors, where a heavy tail makes the
// sample sd converge slowly). A moment that does not exist is null there.
TEST_CASE("flat-prior regressions: exact answers against long Stan runs") {
  const json cases = json::parse(test::read_file(kRegressionDir + "/stan_reference.json"));
  REQUIRE(cases.size() >= 20);
  for (const auto& c : cases) {
    const std::string name = c["name"];
    CAPTURE(name);
    std::string text =
        without_prints(test::read_file(kRegressionDir + "/" + c["model"].get<std::string>()));
    std::vector<std::string> names;
    for (auto it = c["params"].begin(); it != c["params"].end(); ++it)
      if (std::find(names.begin(), names.end(), split_key(it.key()).first) == names.end())
        names.push_back(split_key(it.key()).first);
    for (const auto& n : names) text += "print posterior(" + n + ")\n";
    auto out = test::answers(text, answer::Method::Auto, kRegressionDir);
    for (auto it = c["params"].begin(); it != c["params"].end(); ++it) {
      CAPTURE(it.key());
      const auto parts = split_key(it.key());  // clang 14 cannot capture a structured binding
      const int i = parts.second;
      const auto at = static_cast<std::size_t>(std::find(names.begin(), names.end(), parts.first) -
                                               names.begin());
      const json& post = out[at];
      REQUIRE_FALSE(post.contains("error"));
      const json& stan = it.value();
      auto pick = [i](const json& v) { return v.is_array() ? test::num(v[i]) : test::num(v); };
      if (!stan["mean"].is_null())
        CHECK(std::fabs(pick(post["mean"]) - test::num(stan["mean"])) <=
              3 * test::num(stan["mcse_mean"]));
      if (!stan["sd"].is_null()) {
        const double got = pick(post["sd"]), want = test::num(stan["sd"]);
        CHECK((std::fabs(got - want) <= 0.02 * want ||
               std::fabs(got - want) <= 3 * test::num(stan["mcse_sd"])));
      }
      const json& interval = post["interval"];
      const json& ends = interval[0].is_array() ? interval[static_cast<std::size_t>(i)] : interval;
      CHECK(std::fabs(test::num(ends[0]) - test::num(stan["q025"])) <=
            3 * test::num(stan["mcse_q025"]));
      CHECK(std::fabs(test::num(ends[1]) - test::num(stan["q975"])) <=
            3 * test::num(stan["mcse_q975"]));
    }
  }
}
