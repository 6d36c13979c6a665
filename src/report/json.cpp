// The JSON rendering: receives answers and comparisons, produces JSON objects.
#include "report/json.hpp"

#include <cmath>
#include <string>
#include <variant>

namespace bayes::report {

namespace {

// NaN is null (undefined), infinities are the strings "inf" and "-inf".
Json json_number(double x) {
  if (std::isnan(x)) return nullptr;
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  return x;
}

Json value(const Value& v) {
  if (v.is_scalar()) return json_number(v[0]);
  Json a = Json::array();
  if (v.rank == Rank::Vector) {
    for (double x : v.data) a.push_back(json_number(x));
    return a;
  }
  for (std::size_t r = 0; r < v.rows; ++r) {
    Json row = Json::array();
    for (std::size_t c = 0; c < v.cols; ++c) row.push_back(json_number(v.at(r, c)));
    a.push_back(row);
  }
  return a;
}

Json value(const std::optional<Value>& v) { return v ? value(*v) : Json(nullptr); }

Json named(const answer::Named& values) {
  Json out = Json::object();
  for (const auto& [name, v] : values) out[name] = value(v);
  return out;
}

void put_interval(Json& out, const answer::Interval& iv) {
  out["interval"] = value(iv.bounds);
  out["level"] = iv.level;
}

// A sampled answer's diagnostics (R-hat, ESS, divergences) and warnings.
void put_convergence(Json& out, const std::optional<answer::Convergence>& c) {
  if (!c) return;
  Json d = c->khat ? Json{{"khat", json_number(*c->khat)}}
                   : Json{{"chains", c->chains}, {"divergences", c->divergences}};
  if (!c->rhat.data.empty()) {
    if (!c->khat) d["rhat"] = value(c->rhat);
    d["ess_bulk"] = value(c->ess_bulk);
    d["ess_tail"] = value(c->ess_tail);
  }
  out["diagnostics"] = d;
  if (!c->warnings.empty()) out["warnings"] = c->warnings;
}

struct Body {
  Json& out;

  void operator()(const answer::Failure& f) { out["error"] = f.reason; }

  void operator()(const answer::Posterior& p) {
    out["rule"] = p.rule;
    if (p.relative_error) out["relative_error"] = *p.relative_error;
    out["family"] = p.family.name;
    out["params"] = named(p.family.params);
    out["mean"] = value(p.mean);
    out["sd"] = value(p.sd);
    if (p.mode)
      out["mode"] = value(*p.mode);
    else
      out["mode"] = nullptr, out["mode_note"] = p.mode_note;
    if (p.interval) put_interval(out, *p.interval);
    if (!p.approximate.empty()) out["approximate"] = p.approximate;
    if (p.joint)
      out["joint"] = Json{{"family", p.joint->family.name},
                          {"params", named(p.joint->family.params)},
                          {"order", p.joint->order}};
  }

  void operator()(const answer::Approximation& a) {
    out["rule"] = a.rule;
    out["mean"] = value(a.mean);
    out["sd"] = value(a.sd);
    out["mode"] = value(a.mode);
    if (a.interval) put_interval(out, *a.interval);
    out["note"] = a.note;
  }

  void operator()(const answer::SampledPosterior& p) {
    if (!p.rule.empty()) out["rule"] = p.rule;
    out["mean"] = value(p.mean);
    out["sd"] = value(p.sd);
    if (p.interval) put_interval(out, *p.interval);
    Json mcse{{"mean", value(p.mcse_mean)}, {"sd", value(p.mcse_sd)}};
    if (p.mcse_interval) mcse["interval"] = value(*p.mcse_interval);
    out["mcse"] = mcse;
    out["draws"] = p.draws.n;
    out["draws_from"] = p.draws.from;
    out["seed"] = p.draws.seed.value_or(0);
    put_convergence(out, p.draws.convergence);
    if (!p.note.empty()) out["note"] = p.note;
  }

  void operator()(const answer::DrawSummary& d) {
    out["draws"] = d.draws.n;
    out["draws_from"] = d.draws.from;
    out["seed"] = d.draws.seed.value_or(0);
    out["mean"] = json_number(d.mean);
    out["sd"] = json_number(d.sd);
    out["mcse"] = json_number(d.draws.mcse.value_or(NAN));
    put_interval(out, d.interval);
    if (!d.note.empty()) out["note"] = d.note;
  }

  void operator()(const answer::Predictive& p) {
    out["family"] = p.family.name;
    out["params"] = named(p.family.params);
    out["mean"] = value(p.mean);
    out["sd"] = value(p.sd);
    if (!p.note.empty()) out["note"] = p.note;
  }

  void operator()(const answer::Estimate& e) {
    out["value"] = value(e.value);
    if (e.level) out["level"] = *e.level;
    if (e.draws) {
      out["draws"] = e.draws->n;
      out["draws_from"] = e.draws->from;
      if (e.draws->mcse) out["mcse"] = json_number(*e.draws->mcse);
      if (e.mcse_each) out["mcse"] = value(*e.mcse_each);
      put_convergence(out, e.draws->convergence);
    }
  }

  void operator()(const answer::Point& p) {
    if (const auto* one = std::get_if<Value>(&p.value))
      out["value"] = value(*one);
    else
      out["value"] = named(std::get<answer::Named>(p.value));
    if (!p.at.empty()) out["at"] = p.at;
    if (!p.note.empty()) out["note"] = p.note;
  }

  void operator()(const answer::Probability& p) {
    out["value"] = json_number(p.value);
    if (p.draws) {
      out["mcse"] = json_number(p.draws->mcse.value_or(NAN));
      out["draws"] = p.draws->n;
      out["draws_from"] = p.draws->from;
      out["seed"] = p.draws->seed.value_or(0);
      put_convergence(out, p.draws->convergence);
    }
  }

  void operator()(const answer::Evidence& e) {
    out["value"] = json_number(e.log_value);
    if (e.error > 0) out["mcse"] = e.error;
    if (!e.warning.empty()) out["warning"] = e.warning;
  }

  void operator()(const answer::Constant& c) { out["value"] = value(c.value); }

  // A summary of the grid; the curves themselves are drawn, not printed.
  void operator()(const answer::Plot& p) {
    const answer::PlotData& d = p.data;
    Json summary{{"kind", d.discrete ? "bars" : "density"},
                 {"range", Json::array({json_number(d.lo), json_number(d.hi)})},
                 {"points", d.x.size()},
                 {"posterior_mass", json_number(d.posterior_mass)},
                 {"prior", d.prior_label},
                 {"likelihood", d.likelihood_label},
                 {"posterior", d.posterior_label},
                 {"map", d.map ? json_number(*d.map) : Json()},
                 {"mle", d.mle ? json_number(*d.mle) : Json()}};
    if (!d.notes.empty()) summary["notes"] = d.notes;
    out["plot"] = summary;
    if (d.file) out["file"] = *d.file;
  }
};

Json error(const std::string& query, const std::string& why) {
  Json out = Json::object();
  if (!query.empty()) out["query"] = query;
  out["error"] = why;
  return out;
}

}  // namespace

Json to_json(const answer::Answer& a) {
  if (const auto* f = std::get_if<answer::Failure>(&a.body)) return error(a.query, f->reason);
  Json out{{"query", a.query}};
  if (!std::holds_alternative<answer::Constant>(a.body)) out["method"] = a.method;
  std::visit(Body{out}, a.body);
  if (!a.labels.empty()) out["labels"] = a.labels;
  return out;
}

std::vector<Json> to_json(const answer::Report& rep, const PlotFiles& files) {
  std::vector<Json> out;
  for (std::size_t i = 0; i < rep.answers.size(); ++i) {
    auto failed = files.failed.find(i);
    out.push_back(failed == files.failed.end() ? to_json(rep.answers[i])
                                               : error(rep.answers[i].query, failed->second));
  }
  return out;
}

Json to_json(const answer::Comparison& c) {
  Json out{{"models", Json::array()}, {"warnings", c.warnings}};
  for (const auto& m : c.models) {
    Json entry{{"file", m.file}};
    if (!m.error.empty()) {
      entry["error"] = m.error;
    } else {
      entry["log_evidence"] = json_number(m.log_evidence);
      entry["method"] = m.method;
      entry["exact"] = m.exact;
      if (!std::isnan(m.probability)) {
        entry["probability"] = m.probability;
        entry["log_bayes_factor_to_best"] = m.log_factor_to_best;
      }
    }
    out["models"].push_back(entry);
  }
  if (!c.error.empty()) {
    out["error"] = c.error;
    return out;
  }
  Json ranking = Json::array();
  for (auto i : c.ranking) ranking.push_back(c.models[i].file);
  out["ranking"] = ranking;
  if (!std::isnan(c.log_bayes_factor)) {
    out["log_bayes_factor"] = c.log_bayes_factor;
    out["bayes_factor"] = std::isfinite(c.bayes_factor) ? Json(c.bayes_factor) : Json("inf");
  }
  out["favours"] = c.favours;
  out["strength"] = c.strength;
  out["exact"] = c.exact;
  return out;
}

void append_diagnostics(Json& out, const SourceFile& file, const std::vector<Diagnostic>& list) {
  for (const auto& d : list) {
    const char* severity = d.severity == Severity::Error     ? "error"
                           : d.severity == Severity::Warning ? "warning"
                                                             : "note";
    out.push_back(Json{{"file", file.name},
                       {"line", d.span.line},
                       {"column", d.span.column},
                       {"severity", severity},
                       {"message", d.message},
                       {"notes", d.notes}});
  }
}

std::string dump(const Json& doc) {
  return doc.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace bayes::report
