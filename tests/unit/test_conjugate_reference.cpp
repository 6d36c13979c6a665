// Every closed-form answer against independent reference values computed with
// scipy (tests/fixtures/conjugate/make_conjugate_fixtures.py): posterior
// family and hyperparameters, mean, sd, mode, interval, MLE, predictive,
// evidence and prob, for every conjugate rule and for exact enumeration.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "answer/answer.hpp"
#include "helpers.hpp"

using json = nlohmann::ordered_json;

namespace {

#define EXPECT_OR_RETURN(cond) \
  do {                         \
    CHECK(cond);               \
    if (!(cond)) return;       \
  } while (0)

constexpr double kTol = 1e-9;       // closed-form values
constexpr double kQuantTol = 1e-7;  // through quantile / cdf functions

json fixtures() {
  std::ifstream in(std::string(BAYES_TEST_DIR) + "/fixtures/conjugate/conjugate_reference.json");
  REQUIRE(in);
  return json::parse(in);
}

bool within(double got, double want, double tol) {
  if (std::isinf(want)) return got == want;
  return std::fabs(got - want) <= tol * std::max(1.0, std::fabs(want));
}

// Compares a number, or arrays / objects of numbers, elementwise.
void expect_close(const json& got, const json& want, double tol, const std::string& what) {
  INFO(what << ": got " << got.dump() << ", want " << want.dump());
  if (want.is_null()) {
    CHECK(got.is_null());
    return;
  }
  if (want.is_array()) {
    EXPECT_OR_RETURN(got.is_array());
    EXPECT_OR_RETURN(got.size() == want.size());
    for (std::size_t i = 0; i < want.size(); ++i)
      expect_close(got[i], want[i], tol, what + "[" + std::to_string(i) + "]");
    return;
  }
  if (want.is_object()) {
    EXPECT_OR_RETURN(got.is_object());
    for (auto it = want.begin(); it != want.end(); ++it) {
      CHECK_MESSAGE(got.contains(it.key()), what << " lacks " << it.key());
      if (!got.contains(it.key())) continue;
      expect_close(got[it.key()], it.value(), tol, what + "." + it.key());
    }
    return;
  }
  if (want.is_string()) {
    CHECK(got == want);
    return;
  }
  EXPECT_OR_RETURN(got.is_number());
  CHECK(within(got.get<double>(), want.get<double>(), tol));
}

struct Run {
  std::vector<json> results;
  const json& at(std::size_t i) const { return results.at(i); }
};

Run run_case(const json& c, const std::vector<std::string>& prints,
             bayes::answer::Method method = bayes::answer::Method::Auto) {
  std::string text = c["model"].get<std::string>();
  for (const auto& p : prints) text += "print " + p + "\n";
  auto r = bayes::test::run(text);
  CHECK_MESSAGE(r.compiled, c["name"].get<std::string>() << ":\n" << r.errors());
  if (!r.compiled) return Run{std::vector<json>(prints.size(), json{{"error", "did not compile"}})};
  bayes::answer::Options opt;
  opt.method = method;
  opt.numeric.restarts = 2;
  auto rep = bayes::answer::answer_all(*r.compiled, opt);
  return Run{bayes::report::to_json(rep)};
}

// Failures are CHECKs, not REQUIREs, so one case's failure does not hide the next's.
bool no_error(const json& r) {
  CHECK_MESSAGE(!r.contains("error"), r.dump());
  return !r.contains("error");
}

// "w[1]" -> ("w", 0); "p" -> ("p", npos)
std::pair<std::string, std::size_t> element(const std::string& key) {
  std::smatch m;
  static const std::regex re(R"((\w+)\[(\d+)\])");
  if (std::regex_match(key, m, re)) return {m[1], std::stoul(m[2]) - 1};
  return {key, std::string::npos};
}

json pick(const json& v, std::size_t i) { return i == std::string::npos ? v : v.at(i); }

void check_predictive(const json& c, const json& got) {
  const json& want = c["predictive"];
  if (!no_error(got)) return;
  CHECK(got["family"] == want["family"]);
  // Per-observation predictives list a value per row; bayes reports the first row's.
  bool per_row = want.value("per_observation", false);
  for (auto it = want["params"].begin(); it != want["params"].end(); ++it) {
    json w = it.value();
    if (per_row && w.is_array() && !got["params"][it.key()].is_array()) w = w[0];
    expect_close(got["params"][it.key()], w, kTol, "predictive." + it.key());
  }
  for (const char* k : {"mean", "sd"}) {
    if (!want.contains(k) || want[k].is_null()) continue;
    json w = want[k];
    if (per_row && w.is_array() && !got[k].is_array()) w = w[0];
    expect_close(got[k], w, kTol, std::string("predictive.") + k);
  }
}

void check_single(const json& c) {
  const std::string p = c["param"];
  const std::string data = c["predictive"]["data"];
  Run r = run_case(
      c, {"posterior(" + p + ")", "map(" + p + ")", "mle(" + p + ")", "predictive(" + data + ")",
          "evidence()", "prob(" + c["prob"]["cond"].get<std::string>() + ")"});
  const json& post = r.at(0);
  if (!no_error(post)) return;
  CHECK(post["method"] == c["method"]);
  CHECK(post["family"] == c["posterior"]["family"]);
  expect_close(post["params"], c["posterior"]["params"], kTol, "posterior params");
  expect_close(post["mean"], c["mean"], kTol, "mean");
  expect_close(post["sd"], c["sd"], kTol, "sd");
  if (c["mode"].is_null()) {
    CHECK(post["mode"].is_null());
    CHECK(r.at(1).contains("error"));
  } else {
    expect_close(post["mode"], c["mode"], kTol, "mode");
    if (no_error(r.at(1))) expect_close(r.at(1)["value"], c["mode"], kTol, "map");
  }
  expect_close(post["interval"], c["interval95"], kQuantTol, "interval95");
  if (c["mle"].is_null()) {  // none, or on the boundary of the support (a value with a note)
    CHECK((r.at(2).contains("error") ||
           (r.at(2).contains("note") &&
            r.at(2)["note"].get<std::string>().find("on the boundary") != std::string::npos)));
  } else {
    if (no_error(r.at(2))) expect_close(r.at(2)["value"], c["mle"], kTol, "mle");
  }
  check_predictive(c, r.at(3));
  if (no_error(r.at(4))) expect_close(r.at(4)["value"], c["evidence"], kTol, "evidence");
  const json& pr = r.at(5);
  if (!no_error(pr)) return;
  if (pr.contains("mcse"))
    CHECK(std::fabs(pr["value"].get<double>() - c["prob"]["value"].get<double>()) <=
          4 * pr["mcse"].get<double>() + 1e-12);
  else
    expect_close(pr["value"], c["prob"]["value"], kQuantTol, "prob");
}

void check_joint(const json& c) {
  std::vector<std::string> names = c["param"];
  std::vector<std::string> prints;
  for (const auto& n : names) {
    prints.push_back("posterior(" + n + ")");
    prints.push_back("map(" + n + ")");
    prints.push_back("mle(" + n + ")");
  }
  const std::string data = c["predictive"]["data"];
  prints.push_back("predictive(" + data + ")");
  prints.push_back("evidence()");
  prints.push_back("prob(" + c["prob"]["cond"].get<std::string>() + ")");
  Run r = run_case(c, prints);
  for (std::size_t i = 0; i < names.size(); ++i) {
    const json& post = r.at(3 * i);
    if (!no_error(post)) return;
    const std::string& n = names[i];
    expect_close(post["mean"], c["mean"][n], kTol, n + " mean");
    expect_close(post["sd"], c["sd"][n], kTol, n + " sd");
    expect_close(post["interval"], c["interval95"][n], kQuantTol, n + " interval95");
    if (no_error(r.at(3 * i + 1)))
      expect_close(r.at(3 * i + 1)["value"], c["mode"][n], kTol, n + " map (joint mode)");
    if (no_error(r.at(3 * i + 2)))
      expect_close(r.at(3 * i + 2)["value"], c["mle"][n], kTol, n + " mle");
    // The joint posterior, reported beside each marginal.
    CHECK_MESSAGE(post.contains("joint"), post.dump());
    if (!post.contains("joint")) continue;
    CHECK(post["joint"]["family"] == c["posterior"]["family"]);
    expect_close(post["joint"]["params"], c["posterior"]["params"], kTol, "joint params");
  }
  // Marginals keyed by name or by element ("w[1]").
  if (c.contains("marginals")) {
    for (auto it = c["marginals"].begin(); it != c["marginals"].end(); ++it) {
      auto [name, idx] = element(it.key());
      auto pos = std::find(names.begin(), names.end(), name) - names.begin();
      const json& post = r.at(3 * static_cast<std::size_t>(pos));
      const json& want = it.value();
      if (idx == std::string::npos) {
        CHECK(post["family"] == want["family"]);
        expect_close(post["params"], want["params"], kTol, it.key() + " marginal params");
        if (want.contains("mode"))
          expect_close(post["mode"], want["mode"], kTol, it.key() + " marginal mode");
      } else {
        expect_close(pick(post["mean"], idx), want["params"]["mean"], kTol,
                     it.key() + " marginal mean");
        expect_close(pick(post["sd"], idx), want["params"]["sd"], kTol, it.key() + " marginal sd");
      }
    }
  }
  std::size_t k = 3 * names.size();
  check_predictive(c, r.at(k));
  if (no_error(r.at(k + 1))) expect_close(r.at(k + 1)["value"], c["evidence"], kTol, "evidence");
  const json& pr = r.at(k + 2);
  if (!no_error(pr)) return;
  if (pr.contains("mcse"))
    CHECK(std::fabs(pr["value"].get<double>() - c["prob"]["value"].get<double>()) <=
          4 * pr["mcse"].get<double>() + 1e-12);
  else
    expect_close(pr["value"], c["prob"]["value"], kQuantTol, "prob");
}

}  // namespace

// The numeric engine must reproduce every closed-form mode (to 1e-6 relative):
// this is how the two engines check each other.
void check_numeric_mode(const json& c) {
  if (c["method"] != "conjugate") return;
  std::vector<std::string> names;
  if (c["param"].is_array())
    names = c["param"].get<std::vector<std::string>>();
  else
    names.push_back(c["param"]);
  std::vector<std::string> prints;
  for (const auto& n : names) prints.push_back("map(" + n + ")");
  Run r = run_case(c, prints, bayes::answer::Method::Numeric);
  for (std::size_t i = 0; i < names.size(); ++i) {
    json want = c["param"].is_array() ? c["mode"][names[i]] : c["mode"];
    if (want.is_null()) {
      CHECK_MESSAGE(r.at(i).contains("error"),
                    "numeric MAP of " << names[i] << " should not exist: " << r.at(i).dump());
      continue;
    }
    if (!no_error(r.at(i))) continue;
    CHECK(r.at(i)["method"] == "numeric");
    expect_close(r.at(i)["value"], want, 1e-6, "numeric map(" + names[i] + ")");
  }
}

TEST_CASE("the numeric engine reproduces every closed-form mode") {
  json cases = fixtures();
  for (const auto& c : cases) {
    SUBCASE(c["name"].get<std::string>().c_str()) { check_numeric_mode(c); }
  }
}

TEST_CASE("closed forms agree with scipy for every conjugate rule") {
  json cases = fixtures();
  CHECK(cases.size() >= 50);
  for (const auto& c : cases) {
    SUBCASE(c["name"].get<std::string>().c_str()) {
      if (c["param"].is_array())
        check_joint(c);
      else
        check_single(c);
    }
  }
}
