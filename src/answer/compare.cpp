// Model comparison: receives compiled models, produces their evidences, ranking and Bayes factor.
#include "answer/compare.hpp"

#include <algorithm>
#include <cmath>
#include <variant>

namespace bayes::answer {

namespace {

// The evidence query alone, whatever the model prints; its derivation in
// `explain`.
Answer evidence_of(const Compiled& c, const Options& options, std::vector<std::string>& explain) {
  Compiled only{c.program, c.model, c.graph};
  Query q;
  q.kind = QueryKind::Evidence;
  q.text = "evidence()";
  only.model.queries = {q};
  Report rep = answer_all(only, options);
  explain = rep.explain;
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

Comparison compare(const std::vector<Candidate>& candidates, const Options& options) {
  Comparison out;
  for (const auto& c : candidates) {
    Comparison::Model entry;
    Answer e = evidence_of(*c.model, options, entry.explain);
    entry.file = c.name;
    if (const auto* f = std::get_if<Failure>(&e.body)) {
      entry.error = f->reason;
      if (out.error.empty()) out.error = c.name + ": " + f->reason;
    } else {
      const auto& ev = std::get<Evidence>(e.body);
      entry.log_evidence = ev.log_value;
      entry.method = e.method;
      entry.exact = e.method != "laplace" && e.method != "importance";
      entry.warning = ev.warning;
      out.exact = out.exact && entry.exact;
    }
    out.models.push_back(entry);
  }
  // Evidences of different data are not comparable: no verdict at all.
  if (candidates.empty()) return out;
  const Fingerprint first = observed(candidates[0].model->model);
  std::vector<std::string> differ;
  for (std::size_t i = 1; i < candidates.size(); ++i) {
    const Fingerprint other = observed(candidates[i].model->model);
    if (first.same(other)) continue;
    differ.push_back(candidates[i].name + " (" +
                     (first.n != other.n
                          ? std::to_string(other.n) + " observed value" +
                                (other.n == 1 ? "" : "s") + " against " + std::to_string(first.n)
                          : "as many values, " + std::to_string(first.n) + ", but not the same") +
                     ")");
  }
  if (!differ.empty()) {
    std::string list;
    for (std::size_t i = 0; i < differ.size(); ++i)
      list += (i == 0 ? "" : i + 1 == differ.size() ? " and " : ", ") + differ[i];
    out.error = list + (differ.size() == 1 ? " does" : " do") + " not observe the data " +
                candidates[0].name +
                " observes: evidences of different data are not comparable, so no model is "
                "favoured";
    return out;
  }
  if (!out.error.empty()) return out;
  for (const auto& m : out.models)
    if (!m.warning.empty()) {
      out.error = m.file + ": " + m.warning + "; no model is favoured on it";
      return out;
    }
  for (const auto& m : out.models)
    if (!std::isfinite(m.log_evidence)) {
      out.error = m.file + ": the evidence is not finite, so no Bayes factor is defined";
      return out;
    }
  // Ranked by evidence; probabilities by log-sum-exp about the best.
  out.ranking.resize(out.models.size());
  for (std::size_t i = 0; i < out.ranking.size(); ++i) out.ranking[i] = i;
  std::stable_sort(out.ranking.begin(), out.ranking.end(), [&](std::size_t a, std::size_t b) {
    return out.models[a].log_evidence > out.models[b].log_evidence;
  });
  const double best = out.models[out.ranking[0]].log_evidence;
  double total = 0;
  for (const auto& m : out.models) total += std::exp(m.log_evidence - best);
  for (auto& m : out.models) {
    m.log_factor_to_best = best - m.log_evidence;
    m.probability = std::exp(m.log_evidence - best) / total;
  }
  out.favours = out.models[out.ranking[0]].file;
  if (out.models.size() >= 2)
    out.strength = kass_raftery(std::exp(out.models[out.ranking[1]].log_factor_to_best));
  if (out.models.size() == 2) {
    out.log_bayes_factor = out.models[0].log_evidence - out.models[1].log_evidence;
    out.bayes_factor = std::exp(out.log_bayes_factor);
  }
  return out;
}

}  // namespace bayes::answer
