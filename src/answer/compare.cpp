// Model comparison by the evidence of each model.
#include "answer/compare.hpp"

#include <algorithm>
#include <cmath>

namespace bayes::answer {

namespace {

using json = nlohmann::ordered_json;

// The evidence query alone, whatever the model prints.
json evidence_of(const Compiled& c, const Options& options) {
  Compiled only{c.program, c.model, c.graph};
  Query q;
  q.kind = QueryKind::Evidence;
  q.text = "evidence()";
  only.model.queries = {q};
  Report rep = answer_all(only, options);
  return rep.results.at(0);
}

// What two models must share to observe the same data: the number of
// observed values, their sum, sum of squares, least and greatest. (A column
// streamed into a summary is never stored, so the values themselves are not
// compared; values equal in these five are the same data but for a fluke.)
struct Fingerprint {
  std::size_t n = 0;
  double sum = 0, squares = 0, min = INFINITY, max = -INFINITY;

  void add(const Observation& o) {
    if (o.summary) {
      const data::Summary& s = *o.summary;
      n += s.n, sum += s.sum, squares += s.squares_about(0);
      min = std::min(min, s.min), max = std::max(max, s.max);
      return;
    }
    for (double x : o.value.data) {
      ++n, sum += x, squares += x * x;
      min = std::min(min, x), max = std::max(max, x);
    }
  }

  bool same(const Fingerprint& o) const {
    auto close = [](double a, double b) {
      return std::fabs(a - b) <= 1e-9 * std::max({1.0, std::fabs(a), std::fabs(b)});
    };
    return n == o.n && close(sum, o.sum) && close(squares, o.squares) && min == o.min &&
           max == o.max;
  }
};

Fingerprint observed(const Model& m) {
  Fingerprint f;
  for (const auto& o : m.observations) f.add(o);
  return f;
}

}  // namespace

std::string kass_raftery(double b) {
  if (b < 3.2) return "not worth more than a bare mention";
  if (b < 10) return "substantial";
  if (b < 100) return "strong";
  return "decisive";
}

json compare(const Compiled& a, const std::string& name_a, const Compiled& b,
             const std::string& name_b, const Options& options) {
  json out{{"models", json::array()}, {"warnings", json::array()}};
  double logs[2] = {NAN, NAN};
  std::string error;
  const Compiled* cs[2] = {&a, &b};
  const std::string* names[2] = {&name_a, &name_b};
  for (int i = 0; i < 2; ++i) {
    json e = evidence_of(*cs[i], options);
    json entry{{"file", *names[i]}};
    if (e.contains("error")) {
      entry["error"] = e["error"];
      if (error.empty()) error = *names[i] + ": " + e["error"].get<std::string>();
    } else {
      std::string method = e.value("method", "conjugate");
      entry["log_evidence"] = e["value"];
      entry["method"] = method;
      entry["exact"] = method != "laplace";
      if (e["value"].is_number()) logs[i] = e["value"].get<double>();
    }
    out["models"].push_back(entry);
  }
  auto da = observed(a.model), db = observed(b.model);
  if (!da.same(db)) {
    std::string how =
        da.n != db.n
            ? std::to_string(da.n) + " vs " + std::to_string(db.n) + " observed values"
            : "the same number of values, " + std::to_string(da.n) + ", but not the same values";
    out["warnings"].push_back("the two models do not observe the same data (" + how +
                              "): their evidences are not comparable");
  }
  if (!error.empty()) {
    out["error"] = error;
    return out;
  }
  if (!std::isfinite(logs[0]) || !std::isfinite(logs[1])) {
    out["error"] = "an evidence is not finite, so the Bayes factor is undefined";
    return out;
  }
  double lbf = logs[0] - logs[1];
  out["log_bayes_factor"] = lbf;
  double bf = std::exp(lbf);
  out["bayes_factor"] = std::isfinite(bf) ? json(bf) : json("inf");
  out["favours"] = lbf >= 0 ? name_a : name_b;
  out["strength"] = kass_raftery(std::exp(std::fabs(lbf)));
  out["exact"] = out["models"][0]["exact"].get<bool>() && out["models"][1]["exact"].get<bool>();
  return out;
}

}  // namespace bayes::answer
