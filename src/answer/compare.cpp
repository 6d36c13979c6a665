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

// Every observed value, sorted: two models observe the same data when these
// are equal, however the statements group or name them.
std::vector<double> observed(const Model& m) {
  std::vector<double> out;
  for (const auto& o : m.observations)
    out.insert(out.end(), o.value.data.begin(), o.value.data.end());
  std::sort(out.begin(), out.end());
  return out;
}

std::size_t count(const std::vector<double>& xs) { return xs.size(); }

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
  if (da != db) {
    std::string how =
        count(da) != count(db)
            ? std::to_string(count(da)) + " vs " + std::to_string(count(db)) + " observed values"
            : "the same number of values, " + std::to_string(count(da)) +
                  ", but not the same values";
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
