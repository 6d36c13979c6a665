// The numeric engine against independent references on real data
// (tests/fixtures/numeric/make_numeric_fixtures.py; README there):
// - MAP under Normal(0, tau) priors on the diabetes data = scikit-learn's
//   Ridge(alpha = sigma^2 / tau^2), and the MLE = ordinary least squares;
// - MAP under Laplace(0, b) priors = Lasso(alpha = sigma^2 / (N b)), with
//   exactly 0.0 wherever the lasso has a zero;
// - logistic regression MAP and MLE = scipy.optimize on the exact negative
//   log posterior / likelihood;
// - separable logistic data (complete, quasi-complete, all heads on the logit
//   scale): the MLE does not exist, and the answer says so; an all-heads MLE
//   of p in (0, 1) is on the boundary, and the answer says so.
// The models read CSV files that live beside the fixture, so they are
// compiled with tests/fixtures/numeric as their directory.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "answer/answer.hpp"
#include "helpers.hpp"

using json = nlohmann::ordered_json;

namespace {

// |got - want| <= kNumericTol * max(1, |want|): 1e-6 relative, 1e-6 absolute for
// coefficients near 0.
constexpr double kNumericTol = 1e-6;

const std::string& fixture_dir() {
  static const std::string dir = std::string(BAYES_TEST_DIR) + "/fixtures/numeric";
  return dir;
}

const json& numeric_fixtures() {
  static const json cases = [] {
    std::ifstream in(fixture_dir() + "/numeric_reference.json");
    REQUIRE_MESSAGE(in, "cannot open " << fixture_dir() << "/numeric_reference.json");
    return json::parse(in);
  }();
  return cases;
}

std::vector<json> cases_of(const std::string& kind) {
  std::vector<json> out;
  for (const auto& c : numeric_fixtures())
    if (c["kind"] == kind) out.push_back(c);
  REQUIRE_MESSAGE(!out.empty(), "no fixture of kind " << kind);
  return out;
}

// Runs the case's model with one print per check; one answer per check.
std::vector<json> case_answers(const json& c, bayes::answer::Method method) {
  const std::string name = c["name"];
  std::string text = c["model"];
  for (const auto& k : c["checks"]) text += "print " + k["query"].get<std::string>() + "\n";
  auto r = bayes::test::run(text, fixture_dir());
  CHECK_MESSAGE(r.compiled, name << ": the model does not compile:\n" << r.errors());
  if (!r.compiled) return std::vector<json>(c["checks"].size(), json{{"error", "did not compile"}});
  bayes::answer::Options opt;
  opt.method = method;
  auto results = bayes::report::to_json(bayes::answer::answer_all(*r.compiled, opt));
  CHECK_MESSAGE(results.size() == c["checks"].size(), name << ": " << results.size() << " answers");
  results.resize(c["checks"].size(), json{{"error", "no answer"}});
  return results;
}

// Compares numbers, arrays and objects of numbers elementwise; returns the
// largest relative difference seen (for the failure messages).
double compare(const std::string& what, const json& got, const json& want) {
  if (want.is_object()) {
    double worst = 0;
    for (auto it = want.begin(); it != want.end(); ++it) {
      CHECK_MESSAGE(got.contains(it.key()), what << " lacks '" << it.key() << "': " << got.dump());
      if (got.contains(it.key()))
        worst = std::max(worst, compare(what + "." + it.key(), got[it.key()], it.value()));
    }
    return worst;
  }
  if (want.is_array()) {
    CHECK_MESSAGE((got.is_array() && got.size() == want.size()),
                  what << ": got " << got.dump() << ", want " << want.dump());
    if (!got.is_array() || got.size() != want.size()) return INFINITY;
    double worst = 0;
    for (std::size_t i = 0; i < want.size(); ++i)
      worst = std::max(worst, compare(what + "[" + std::to_string(i + 1) + "]", got[i], want[i]));
    return worst;
  }
  CHECK_MESSAGE(got.is_number(), what << ": got " << got.dump() << ", want " << want.dump());
  if (!got.is_number()) return INFINITY;
  double g = got.get<double>(), w = want.get<double>();
  double rel = std::fabs(g - w) / std::max(1.0, std::fabs(w));
  CHECK_MESSAGE(rel <= kNumericTol, what << ": got " << std::setprecision(17) << g << ", want " << w
                                         << " (relative difference " << std::setprecision(3) << rel
                                         << ")");
  return rel;
}

std::string method_name(bayes::answer::Method m) {
  return m == bayes::answer::Method::Numeric ? "--method numeric" : "--method auto";
}

// Every check of a case: values to kNumericTol, expected errors by their text.
void check_case(const json& c, bayes::answer::Method method = bayes::answer::Method::Auto) {
  const std::string name = c["name"].get<std::string>() + " (" + method_name(method) + ")";
  INFO("case " << name);
  auto res = case_answers(c, method);
  for (std::size_t i = 0; i < res.size(); ++i) {
    const json& k = c["checks"][i];
    const json& r = res[i];
    const std::string what = name + ": " + k["query"].get<std::string>();
    if (k.contains("error_contains")) {
      // An error, or a value whose note qualifies it (a mode on the boundary
      // of the support, where the value exists) and says the same.
      const std::string want = k["error_contains"];
      const char* key = r.contains("note") ? "note" : "error";
      CHECK_MESSAGE(r.contains(key),
                    what << " should be an error containing '" << want << "', got " << r.dump());
      if (r.contains(key))
        CHECK_MESSAGE(r[key].get<std::string>().find(want) != std::string::npos,
                      what << ": " << key << " '" << r[key].get<std::string>() << "' does not say '"
                           << want << "'");
      continue;
    }
    CHECK_MESSAGE(!r.contains("error"), what << ": " << r.dump());
    if (r.contains("error")) continue;
    CHECK_MESSAGE(r.contains("value"), what << ": no value in " << r.dump());
    if (!r.contains("value")) continue;
    compare(what, r["value"], k["value"]);
  }
}

// Lasso zeros: exactly 0.0 in bayes's MAP wherever the reference has a zero,
// and nonzero wherever the reference is nonzero.
void check_zeros(const json& c) {
  const std::string name = c["name"];
  INFO("case " << name);
  auto res = case_answers(c, bayes::answer::Method::Auto);
  for (std::size_t i = 0; i < res.size(); ++i) {
    if (c["checks"][i]["query"] != "map()") continue;
    const json& r = res[i];
    CHECK_MESSAGE(r.contains("value"), name << ": map() has no value: " << r.dump());
    if (!r.contains("value")) continue;
    for (auto it = c["zeros"].begin(); it != c["zeros"].end(); ++it) {
      const json& got = r["value"][it.key()];
      const json& want = c["checks"][i]["value"][it.key()];
      CHECK_MESSAGE((got.is_array() && got.size() == want.size()), name << ": " << got.dump());
      if (!got.is_array() || got.size() != want.size()) continue;
      std::vector<bool> zero(want.size(), false);
      for (const auto& j : it.value()) zero.at(j.get<std::size_t>() - 1) = true;
      std::ostringstream pattern_got, pattern_want;
      for (std::size_t j = 0; j < want.size(); ++j) {
        pattern_got << (got[j].get<double>() == 0.0 ? '0' : 'x');
        pattern_want << (zero[j] ? '0' : 'x');
      }
      for (std::size_t j = 0; j < want.size(); ++j) {
        double g = got[j].get<double>();
        if (zero[j])
          CHECK_MESSAGE(g == 0.0, name << ": " << it.key() << "[" << j + 1
                                       << "] = " << std::setprecision(17) << g
                                       << " should be exactly 0 (lasso zero); zero pattern got "
                                       << pattern_got.str() << ", want " << pattern_want.str());
        else
          CHECK_MESSAGE(g != 0.0, name << ": " << it.key() << "[" << j + 1
                                       << "] is 0, the lasso's is " << want[j].get<double>()
                                       << "; zero pattern got " << pattern_got.str() << ", want "
                                       << pattern_want.str());
      }
    }
  }
}

}  // namespace

TEST_CASE("numeric reference: the fixture file is complete") {
  const json& cs = numeric_fixtures();
  CHECK(cs.is_array());
  for (const char* kind : {"ridge", "lasso", "logistic", "logistic_separable", "boundary"})
    CHECK(!cases_of(kind).empty());
  std::size_t with_zeros = 0;
  for (const auto& c : cases_of("lasso")) with_zeros += c["zeros"]["w"].size() >= 3 ? 1 : 0;
  CHECK_MESSAGE(with_zeros >= 1, "some lasso case must have several exact zeros");
}

TEST_CASE(
    "numeric reference: Normal priors on the diabetes data give sklearn's Ridge; the MLE is OLS") {
  for (const auto& c : cases_of("ridge")) {
    check_case(c, bayes::answer::Method::Auto);
    // The same through the numeric engine, whatever Auto chooses.
    check_case(c, bayes::answer::Method::Numeric);
  }
}

TEST_CASE("numeric reference: Laplace priors on the diabetes data give sklearn's Lasso") {
  for (const auto& c : cases_of("lasso")) check_case(c);
}

TEST_CASE("numeric reference: the Laplace-prior MAP has exact zeros where the lasso has them") {
  for (const auto& c : cases_of("lasso")) check_zeros(c);
}

TEST_CASE("numeric reference: logistic regression MAP and MLE match scipy") {
  for (const auto& c : cases_of("logistic")) check_case(c);
}

TEST_CASE(
    "numeric reference: separable logistic data: no MLE (the MAP exists with proper priors)") {
  for (const auto& c : cases_of("logistic_separable")) check_case(c);
}

TEST_CASE("numeric reference: an MLE on the boundary of an open support is reported as such") {
  for (const auto& c : cases_of("boundary")) check_case(c);
}
