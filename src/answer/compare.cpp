// Model comparison: receives two compiled models, produces their evidences and Bayes factor.
#include "answer/compare.hpp"

#include <algorithm>
#include <cmath>
#include <variant>

namespace bayes::answer {

namespace {

// The evidence query alone, whatever the model prints.
Answer evidence_of(const Compiled& c, const Options& options) {
  Compiled only{c.program, c.model, c.graph};
  Query q;
  q.kind = QueryKind::Evidence;
  q.text = "evidence()";
  only.model.queries = {q};
  Report rep = answer_all(only, options);
  return rep.answers.at(0);
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

Comparison compare(const Compiled& a, const std::string& name_a, const Compiled& b,
                   const std::string& name_b, const Options& options) {
  Comparison out;
  const Compiled* cs[2] = {&a, &b};
  const std::string* names[2] = {&name_a, &name_b};
  for (int i = 0; i < 2; ++i) {
    Answer e = evidence_of(*cs[i], options);
    Comparison::Model entry;
    entry.file = *names[i];
    if (const auto* f = std::get_if<Failure>(&e.body)) {
      entry.error = f->reason;
      if (out.error.empty()) out.error = *names[i] + ": " + f->reason;
    } else {
      entry.log_evidence = std::get<Evidence>(e.body).log_value;
      entry.method = e.method;
      entry.exact = e.method != "laplace";
    }
    out.models.push_back(entry);
  }
  auto da = observed(a.model), db = observed(b.model);
  if (!da.same(db)) {
    std::string how =
        da.n != db.n
            ? std::to_string(da.n) + " vs " + std::to_string(db.n) + " observed values"
            : "the same number of values, " + std::to_string(da.n) + ", but not the same values";
    out.warnings.push_back("the two models do not observe the same data (" + how +
                           "): their evidences are not comparable");
  }
  if (!out.error.empty()) return out;
  double la = out.models[0].log_evidence, lb = out.models[1].log_evidence;
  if (!std::isfinite(la) || !std::isfinite(lb)) {
    out.error = "an evidence is not finite, so the Bayes factor is undefined";
    return out;
  }
  out.log_bayes_factor = la - lb;
  out.bayes_factor = std::exp(out.log_bayes_factor);
  out.favours = out.log_bayes_factor >= 0 ? name_a : name_b;
  out.strength = kass_raftery(std::exp(std::fabs(out.log_bayes_factor)));
  out.exact = out.models[0].exact && out.models[1].exact;
  return out;
}

}  // namespace bayes::answer
