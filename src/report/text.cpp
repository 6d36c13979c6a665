// The human report: receives answers (answer::Report) and comparisons,
// produces aligned lines of text, and terminal plots.
#include "report/text.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "dist/family.hpp"
#include "format/format.hpp"
#include "report/plot_text.hpp"

namespace bayes::report {

using format::count;
using format::number;
using format::significant;

namespace {

using namespace answer;

std::string text(const Value& v);

// A location beside its spread, element by element (format::number_beside);
// as text(v) when their shapes differ.
std::string beside(const Value& v, const Value& spread) {
  if (v.size() != spread.size() || v.rank == Rank::Matrix) return text(v);
  if (v.is_scalar()) return format::number_beside(v[0], spread[0]);
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i)
    s += (i ? ", " : "") + format::number_beside(v[i], spread[i]);
  return s + "]";
}

// A long vector or matrix shows its first and last entries around "...",
// with the count: the JSON report has them all.
constexpr std::size_t kShownEntries = 20, kHeadEntries = 10, kTailEntries = 3;

// "[e0, e1, ..., e999] (1000 values)" from the text of each entry.
template <class Entry>
std::string elided(std::size_t n, Entry&& entry, const char* unit) {
  std::string s = "[";
  const bool cut = n > kShownEntries;
  for (std::size_t i = 0; i < n; ++i) {
    if (cut && i == kHeadEntries) {
      s += ", ...";
      i = n - kTailEntries;
    }
    s += (i ? ", " : "") + entry(i);
  }
  s += "]";
  if (cut) s += " (" + std::to_string(n) + " " + unit + ")";
  return s;
}

// A value as it reads: a number, "[a, b]" for a vector, "[[a, b], [c, d]]"
// for a matrix (row by row); "undefined" when unset.
std::string text(const Value& v) {
  if (v.is_scalar()) return number(v[0]);
  if (v.rank == Rank::Vector)
    return elided(
        v.size(), [&](std::size_t i) { return number(v[i]); }, "values");
  return elided(
      v.rows,
      [&](std::size_t r) {
        return elided(
            v.cols, [&](std::size_t c) { return number(v.at(r, c)); }, "columns");
      },
      "rows");
}

std::string text(const std::optional<Value>& v) { return v ? text(*v) : "undefined"; }

// An interval's ends ("[a, b]", or one pair per row for a vector's), each
// with the digits it takes to tell the two apart (format::interval_ends).
std::string interval_text(const Value& bounds) {
  auto pair = [](double lo, double hi) {
    auto ends = format::interval_ends(lo, hi);
    return "[" + ends.first + ", " + ends.second + "]";
  };
  if (bounds.rank == Rank::Vector && bounds.size() == 2) return pair(bounds[0], bounds[1]);
  if (bounds.rank == Rank::Matrix && bounds.cols == 2)
    return elided(
        bounds.rows, [&](std::size_t r) { return pair(bounds.at(r, 0), bounds.at(r, 1)); },
        "intervals");
  return text(bounds);
}

std::string interval_text(const std::optional<Value>& bounds) {
  return bounds ? interval_text(*bounds) : "undefined";
}

// "p = 0.6, q = 2".
std::string text(const Named& values) {
  std::string s;
  for (const auto& [name, v] : values) s += (s.empty() ? "" : ", ") + name + " = " + text(v);
  return s;
}

// How a Monte Carlo answer was drawn: from the posterior itself, or from the
// numeric engine's Laplace approximation to it.
std::string monte_carlo(const Draws& d) {
  return d.from == "the posterior" ? "monte-carlo" : "monte-carlo from " + d.from;
}

// The worst over the elements: the largest R-hat, the smallest ESS.
double worst(const Value& v, bool largest) {
  double w = largest ? -INFINITY : INFINITY;
  for (double x : v.data) {
    if (std::isnan(x)) return NAN;
    w = largest ? std::max(w, x) : std::min(w, x);
  }
  return w;
}

// "R-hat 1.002, ESS 1650 bulk / 1420 tail" (for a vector, its worst element).
std::string convergence_text(const Convergence& c) {
  bool vector = c.rhat.data.size() > 1;
  auto ess = [](double x) {
    return std::isnan(x) ? std::string("-") : std::to_string(std::lround(x));
  };
  if (c.khat)
    return "Pareto k-hat " + significant(*c.khat, 2) +
           (c.ess_bulk.data.empty() ? std::string() : ", ESS " + ess(worst(c.ess_bulk, false)));
  return std::string("R-hat ") + (vector ? "at most " : "") +
         (std::isnan(worst(c.rhat, true)) ? "-" : significant(worst(c.rhat, true), 4)) + ", ESS " +
         (vector ? "at least " : "") + ess(worst(c.ess_bulk, false)) + " bulk / " +
         ess(worst(c.ess_tail, false)) + " tail";
}

// Each warning of a sampled answer on its own line.
std::string warning_lines(const Convergence& c) {
  std::string s;
  for (const auto& w : c.warnings) s += "\n    warning: " + w;
  return s;
}

// "   [monte-carlo, 100000 draws, mcse 0.0015]"; from the sampler,
// "   [sampling, 4000 draws from 4 chains, mcse 0.002, R-hat 1.001, ESS ...]".
std::string draws_note(const Draws& d) {
  if (d.convergence) {
    std::string s = d.convergence->khat ? "   [importance, " + count(d.n) + " weighted draws"
                                        : "   [sampling, " + count(d.n) + " draws from " +
                                              std::to_string(d.convergence->chains) + " chains";
    if (d.mcse) s += ", mcse " + number(*d.mcse);
    if (!d.convergence->rhat.data.empty() || d.convergence->khat)
      s += ", " + convergence_text(*d.convergence);
    return s + "]" + warning_lines(*d.convergence);
  }
  std::string s = "   [" + monte_carlo(d) + ", " + count(d.n) + " draws";
  if (d.mcse) s += ", mcse " + number(*d.mcse);
  return s + "]";
}

int percent(double level) { return static_cast<int>(std::lround(level * 100)); }

// "Beta(a = 9, b = 5)": hyperparameters in the family's signature order, any
// others after them.
std::string family_text(const FamilyValue& f) {
  std::vector<const std::pair<std::string, Value>*> order;
  auto has = [&](const std::string& name) {
    return std::any_of(order.begin(), order.end(), [&](const auto* p) { return p->first == name; });
  };
  if (const dist::Family* family = f.family)
    for (const auto& p : family->params)
      for (const auto& nv : f.params)
        if (nv.first == p.name && !has(nv.first)) order.push_back(&nv);
  for (const auto& nv : f.params)
    if (!has(nv.first)) order.push_back(&nv);
  if (order.empty()) return f.name;  // no hyperparameters: "exact marginal, by quadrature"
  std::string s = f.name + "(";
  for (std::size_t i = 0; i < order.size(); ++i)
    s += (i ? ", " : "") + order[i]->first + " = " + text(order[i]->second);
  return s + ")";
}

// The name a vector answer's elements go by: "w" for posterior(w), map(w),
// mean(w), interval(w, 0.9) and w; "" for an expression.
std::string subject_name(const Answer& a) {
  std::string q = a.query;
  if (const auto open = q.find('('); open != std::string::npos && q.back() == ')') {
    q = q.substr(open + 1, q.size() - open - 2);
    if (const auto comma = q.find(','); comma != std::string::npos) q = q.substr(0, comma);
  }
  const bool name = !q.empty() && (std::isalpha(static_cast<unsigned char>(q[0])) || q[0] == '_') &&
                    std::all_of(q.begin(), q.end(), [](char c) {
                      return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
                    });
  return name ? q : "";
}

// "w[2]", with its category when the elements have one: "mu[2] B".
std::string element_name(const std::string& base, std::size_t i,
                         const std::vector<std::string>& labels) {
  std::string s = base + "[" + std::to_string(i + 1) + "]";
  if (i < labels.size()) s += " " + labels[i];
  return s;
}

// Display width of UTF-8 text (code points; the reports hold no wide glyphs).
std::size_t width_of(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// Rows of cells under a header, each column as wide as its widest cell:
// names left, numbers right (`right`), an interval left. A long table
// shows its first and last rows around "..." with the count.
constexpr std::size_t kAllRows = 50, kHeadRows = 20, kTailRows = 5;

void write_rows(std::ostream& out, const std::vector<std::string>& head,
                const std::vector<bool>& right, std::size_t n,
                const std::function<std::vector<std::string>(std::size_t)>& row) {
  std::vector<std::size_t> shown;
  for (std::size_t i = 0; i < n; ++i) {
    if (n > kAllRows && i == kHeadRows) i = n - kTailRows;
    shown.push_back(i);
  }
  std::vector<std::vector<std::string>> cells;
  for (auto i : shown) cells.push_back(row(i));
  std::vector<std::size_t> width(head.size());
  for (std::size_t c = 0; c < head.size(); ++c) {
    width[c] = width_of(head[c]);
    for (const auto& r : cells) width[c] = std::max(width[c], width_of(r[c]));
  }
  auto line = [&](const std::vector<std::string>& r) {
    std::string l = "    ";
    for (std::size_t c = 0; c < r.size(); ++c) {
      const std::string fill(width[c] - width_of(r[c]), ' ');
      l += (c ? "   " : "") + (right[c] ? fill + r[c] : r[c] + fill);
    }
    while (!l.empty() && l.back() == ' ') l.pop_back();
    out << l << '\n';
  };
  line(head);
  for (std::size_t k = 0; k < shown.size(); ++k) {
    if (k > 0 && shown[k] != shown[k - 1] + 1)
      out << "    ... (" << n << " rows in all; --json gives every one)\n";
    line(cells[k]);
  }
}

// A vector as named cells, "w[1] = 0.15   w[2] = 1.116", aligned and
// wrapped at 100 columns: for a vector too long for one line.
void write_named_grid(std::ostream& out, const std::string& base, const Value& v,
                      const std::vector<std::string>& labels) {
  std::vector<std::string> cells;
  const std::size_t n = v.size();
  std::vector<std::size_t> shown;
  for (std::size_t i = 0; i < n; ++i) {
    if (n > kAllRows && i == kHeadRows) i = n - kTailRows;
    shown.push_back(i);
  }
  std::size_t width = 0;
  for (auto i : shown) {
    cells.push_back(element_name(base, i, labels) + " = " + number(v[i]));
    width = std::max(width, width_of(cells.back()));
  }
  const std::size_t per_line = std::max<std::size_t>(1, (100 - 4 + 3) / (width + 3));
  std::string l;
  std::size_t on_line = 0;
  auto flush = [&] {
    while (!l.empty() && l.back() == ' ') l.pop_back();
    if (!l.empty()) out << "    " << l << '\n';
    l.clear(), on_line = 0;
  };
  for (std::size_t k = 0; k < shown.size(); ++k) {
    if (k > 0 && shown[k] != shown[k - 1] + 1) {
      flush();
      out << "    ... (" << n << " values in all; --json gives every one)\n";
    }
    l += cells[k] + std::string(width - width_of(cells[k]) + 3, ' ');
    if (++on_line == per_line) flush();
  }
  flush();
}

// Whether a vector is too long for one line after "QUERY = " (or would be
// elided there).
bool too_wide(const std::string& query, const Value& v) {
  return v.size() > kShownEntries || query.size() + 3 + text(v).size() > 100;
}

// One answer of the text report, after "QUERY".
struct Line {
  std::ostream& out;
  const Answer& a;
  bool color;

  void operator()(const Failure& f) {
    out << (a.query.empty() ? "" : a.query + ": ") << f.reason << '\n';
  }

  void operator()(const Plot& p) {
    if (p.data.file) {
      out << a.query << ": written to " << *p.data.file << "   [" << a.method << "]\n";
      return;
    }
    out << a.query << "   [" << a.method << "]\n";
    write_plot_text(out, p.data, color);
  }

  // A table of elements: name, then the columns.
  std::string interval_head(const std::optional<Interval>& i) const {
    return std::to_string(percent(i ? i->level : 0.95)) + "% interval";
  }
  std::string row_interval(const std::optional<Value>& bounds, std::size_t i) const {
    if (!bounds || bounds->rank != Rank::Matrix || bounds->cols != 2 || i >= bounds->rows)
      return "-";
    return interval_text(Value::vector({bounds->at(i, 0), bounds->at(i, 1)}));
  }
  static std::string at(const Value& v, std::size_t i) {
    return i < v.size() ? number(v[i]) : std::string("-");
  }
  static std::string at_beside(const Value& v, const Value& spread, std::size_t i) {
    return i < v.size() && i < spread.size() ? format::number_beside(v[i], spread[i]) : at(v, i);
  }
  static bool is_vector(const Value& v) { return v.rank == Rank::Vector && v.size() > 1; }

  // A discrete posterior: the most probable value, then the probabilities
  // (all of them up to 12 values, else the 10 most probable in order of
  // value and what the others hold together).
  void discrete(const Posterior& p) {
    const Value* probs = nullptr;
    const Value* values = nullptr;
    for (const auto& [name, v] : p.family.params) {
      if (name == "probs") probs = &v;
      if (name == "values") values = &v;
    }
    const std::size_t K = probs->size();
    auto value_of = [&](std::size_t k) { return values ? (*values)[k] : double(k + 1); };
    std::string header = family_text(p.family);
    if (header.size() > 60)
      header = p.family.name + " over " + std::to_string(K) + " values, " + number(value_of(0)) +
               " to " + number(value_of(K - 1));
    out << a.query << " = " << header << "   [" << a.method << ": " << p.rule << "]\n";
    if (p.mode)
      out << "    most probable " << number((*p.mode)[0]) << " (probability "
          << number((*probs)[static_cast<std::size_t>(
                 std::max_element(probs->data.begin(), probs->data.end()) - probs->data.begin())])
          << ")";
    else
      out << "    most probable: " << p.mode_note;
    if (!p.nominal) {
      out << "   mean " << beside(p.mean, p.sd) << "   sd " << text(p.sd);
      if (p.interval && p.interval->bounds)
        out << "   " << percent(p.interval->level) << "% interval "
            << interval_text(*p.interval->bounds);
    }
    out << '\n';
    std::vector<std::size_t> rows(K);
    for (std::size_t k = 0; k < K; ++k) rows[k] = k;
    double rest = 0;
    if (K > 12) {
      std::stable_sort(rows.begin(), rows.end(),
                       [&](auto x, auto y) { return (*probs)[x] > (*probs)[y]; });
      for (std::size_t k = 10; k < K; ++k) rest += (*probs)[rows[k]];
      rows.resize(10);
      std::sort(rows.begin(), rows.end());
    }
    const std::string name = subject_name(a).empty() ? "value" : subject_name(a);
    write_rows(out, {name, "probability"}, {true, true}, rows.size(), [&](std::size_t r) {
      return std::vector<std::string>{number(value_of(rows[r])), number((*probs)[rows[r]])};
    });
    if (K > 12)
      out << "    (the other " << K - 10 << " values: probability " << number(rest)
          << " together)\n";
    if (!p.approximate.empty()) out << "    approximate: " << p.approximate << '\n';
  }

  void operator()(const Posterior& p) {
    const bool discrete_family =
        (p.family.name == "Categorical" || p.family.name == "Discrete") && p.mean.is_scalar() &&
        std::any_of(p.family.params.begin(), p.family.params.end(),
                    [](const auto& nv) { return nv.first == "probs" && nv.second.size() > 0; });
    if (discrete_family) return discrete(p);
    std::string family = family_text(p.family);
    // A vector's table follows: a family too long for a line is named, its
    // parameters left to --json.
    if (is_vector(p.mean) && family.size() > 240)
      family = p.family.name + " over " + std::to_string(p.mean.size()) +
               " elements (its parameters in --json)";
    out << a.query << " = " << family << "   [" << a.method << ": " << p.rule << "]\n";
    if (is_vector(p.mean)) {
      const std::string base = subject_name(a);
      const auto* bounds = p.interval ? &p.interval->bounds : nullptr;
      write_rows(out, {"", "mean", "sd", "mode", interval_head(p.interval)},
                 {false, true, true, true, false}, p.mean.size(), [&](std::size_t i) {
                   return std::vector<std::string>{
                       element_name(base, i, a.labels), at_beside(p.mean, p.sd, i), at(p.sd, i),
                       p.mode ? at_beside(*p.mode, p.sd, i) : std::string("-"),
                       row_interval(bounds ? *bounds : std::nullopt, i)};
                 });
      if (!p.mode && !p.mode_note.empty()) out << "    mode: " << p.mode_note << '\n';
      if (!p.approximate.empty()) out << "    approximate: " << p.approximate << '\n';
      return;
    }
    out << "    mean " << beside(p.mean, p.sd) << "   sd " << text(p.sd) << "   mode "
        << (p.mode ? beside(*p.mode, p.sd) : p.mode_note);
    if (p.interval && p.interval->bounds)
      out << "   " << percent(p.interval->level) << "% interval "
          << interval_text(*p.interval->bounds);
    out << '\n';
    if (!p.approximate.empty()) out << "    approximate: " << p.approximate << '\n';
  }

  void operator()(const Predictive& p) {
    out << a.query << " = " << family_text(p.family) << '\n';
    // A new class label: its most probable value, not a mean of labels.
    const Value* probs = nullptr;
    for (const auto& [name, v] : p.family.params)
      if (name == "probs" && v.rank == Rank::Vector && v.size() > 0) probs = &v;
    if (p.family.name == "Categorical" && probs) {
      const auto top = std::max_element(probs->data.begin(), probs->data.end());
      out << "    most probable " << (top - probs->data.begin()) + 1 << " (probability "
          << number(*top) << ")";
      if (!p.note.empty()) out << "\n    " << p.note;
      out << '\n';
      return;
    }
    out << "    mean " << text(p.mean) << "   sd " << text(p.sd);
    if (!p.note.empty()) out << "\n    " << p.note;
    out << '\n';
  }

  void operator()(const Approximation& p) {
    out << a.query << " ~ Laplace approximation   [" << p.rule << "]\n";
    if (is_vector(p.mean)) {
      const std::string base = subject_name(a);
      write_rows(
          out, {"", "mean", "sd", "mode", interval_head(p.interval)},
          {false, true, true, true, false}, p.mean.size(), [&](std::size_t i) {
            return std::vector<std::string>{
                element_name(base, i, a.labels), at_beside(p.mean, p.sd, i), at(p.sd, i),
                at_beside(p.mode, p.sd, i),
                row_interval(p.interval ? std::optional<Value>(p.interval->bounds) : std::nullopt,
                             i)};
          });
      return;
    }
    // As an exact posterior's line: the mean (of the approximation, in the
    // original parameterisation), sd, mode (the MAP) and interval.
    out << "    mean " << beside(p.mean, p.sd) << "   sd " << text(p.sd) << "   mode "
        << beside(p.mode, p.sd);
    if (p.interval)
      out << "   " << percent(p.interval->level) << "% interval "
          << interval_text(p.interval->bounds);
    out << '\n';
  }

  void operator()(const SampledPosterior& p) {
    out << a.query << " ~ " << count(p.draws.n)
        << (a.method == "importance" ? " importance-weighted draws   [" : " posterior draws   [")
        << a.method << (p.rule.empty() ? "" : ": " + p.rule) << "]\n";
    if (is_vector(p.mean)) {
      // Per element as Stan prints them: mean and its Monte Carlo error, sd,
      // interval, R-hat and the effective sample sizes.
      const std::string base = subject_name(a);
      const Convergence* c = p.draws.convergence ? &*p.draws.convergence : nullptr;
      const bool chains = c && c->rhat.size() == p.mean.size();
      const bool ess = c && c->ess_bulk.size() == p.mean.size();
      std::vector<std::string> head = {"", "mean", "mcse", "sd", interval_head(p.interval)};
      std::vector<bool> right = {false, true, true, true, false};
      if (chains) head.push_back("R-hat"), right.push_back(true);
      if (ess) {
        head.insert(head.end(), {"ESS bulk", "ESS tail"});
        right.insert(right.end(), {true, true});
      }
      auto whole = [](const Value& v, std::size_t i) {
        return i < v.size() && !std::isnan(v[i]) ? std::to_string(std::lround(v[i]))
                                                 : std::string("-");
      };
      write_rows(out, head, right, p.mean.size(), [&](std::size_t i) {
        std::vector<std::string> r = {
            element_name(base, i, a.labels), at_beside(p.mean, p.sd, i), at(p.mcse_mean, i),
            at(p.sd, i),
            row_interval(p.interval ? std::optional<Value>(p.interval->bounds) : std::nullopt, i)};
        if (chains) r.push_back(i < c->rhat.size() ? significant(c->rhat[i], 4) : "-");
        if (ess) r.insert(r.end(), {whole(c->ess_bulk, i), whole(c->ess_tail, i)});
        return r;
      });
      if (c) {
        out << "    " << convergence_text(*c) << warning_lines(*c) << '\n';
      }
      return;
    }
    out << "    mean " << beside(p.mean, p.sd) << "   sd " << text(p.sd);
    if (p.interval)
      out << "   " << percent(p.interval->level) << "% interval "
          << interval_text(p.interval->bounds);
    out << '\n';
    out << "    mcse of the mean " << text(p.mcse_mean) << ", of the sd " << text(p.mcse_sd);
    if (p.draws.convergence) out << "   " << convergence_text(*p.draws.convergence);
    out << (p.draws.convergence ? warning_lines(*p.draws.convergence) : "") << '\n';
    if (!p.note.empty()) out << "    " << p.note << '\n';
  }

  void operator()(const DrawSummary& d) {
    out << a.query << ": mean " << number(d.mean) << "   sd " << number(d.sd) << "   "
        << percent(d.interval.level) << "% interval " << interval_text(d.interval.bounds) << "   ["
        << monte_carlo(d.draws) << ", " << count(d.draws.n) << " draws, mcse "
        << number(d.draws.mcse.value_or(NAN)) << "]\n";
    if (!d.note.empty()) out << "    " << d.note << '\n';
  }

  void operator()(const Estimate& e) {
    if (e.value && is_vector(*e.value) && too_wide(a.query, *e.value)) {
      out << a.query << " = (" << e.value->size() << " values)"
          << (e.draws                 ? draws_note(*e.draws)
              : a.method == "laplace" ? "   [from the Laplace approximation]"
                                      : "")
          << '\n';
      write_named_grid(out, subject_name(a), *e.value, a.labels);
      if (e.mcse_each && !e.mcse_each->data.empty())
        out << "    mcse at most "
            << number(*std::max_element(e.mcse_each->data.begin(), e.mcse_each->data.end()))
            << " (each element's in --json)\n";
      return;
    }
    out << a.query << " = " << text(e.value)
        << (e.draws                 ? draws_note(*e.draws)
            : a.method == "laplace" ? "   [from the Laplace approximation]"
                                    : "")
        << '\n';
    if (e.mcse_each) out << "    mcse " << text(*e.mcse_each) << '\n';
  }

  void operator()(const Point& p) {
    const auto* one = std::get_if<Value>(&p.value);
    if (one && is_vector(*one) && too_wide(a.query, *one)) {
      out << a.query << " = (" << one->size() << " values)";
      if (!p.at.empty()) out << "   [" << p.at << "]";
      if (!p.note.empty()) out << "   [" << p.note << "]";
      out << '\n';
      write_named_grid(out, subject_name(a), *one, a.labels);
      return;
    }
    out << a.query << " = " << (one ? text(*one) : text(std::get<Named>(p.value)));
    if (!p.at.empty()) out << "   [" << p.at << "]";  // a let at the parameters' mode
    if (!p.note.empty()) out << "   [" << p.note << "]";
    out << '\n';
  }

  void operator()(const Probability& p) {
    out << a.query << " = " << number(p.value);
    if (p.draws)
      out << draws_note(*p.draws);
    else if (a.method == "laplace")
      out << "   [from the Laplace approximation]";
    out << '\n';
  }

  void operator()(const Evidence& e) {
    out << a.query << " = " << number(e.log_value) << "   [log marginal likelihood, "
        << (a.method == "laplace"      ? "Laplace approximation"
            : a.method == "importance" ? "importance sampling, mcse " + number(e.error)
                                       : std::string("exact"))
        << "]\n";
    if (!e.warning.empty()) out << "    warning: " << e.warning << '\n';
  }

  void operator()(const Constant& c) { out << a.query << " = " << text(c.value) << '\n'; }
};

}  // namespace

void write_text(std::ostream& out, const answer::Report& rep, const PlotFiles& files, bool color) {
  for (std::size_t i = 0; i < rep.answers.size(); ++i) {
    const Answer& a = rep.answers[i];
    if (auto failed = files.failed.find(i); failed != files.failed.end())
      Line{out, a, color}(Failure{failed->second});
    else
      std::visit(Line{out, a, color}, a.body);
    if (!a.labels.empty() && !std::holds_alternative<Failure>(a.body)) {
      out << "    categories:";
      for (std::size_t k = 0; k < a.labels.size(); ++k)
        out << (k ? ", " : " ") << k + 1 << " = " << a.labels[k];
      out << '\n';
    }
  }
}

namespace {

std::string pad_to(const std::string& s, std::size_t w, bool right) {
  std::string fill(w > width_of(s) ? w - width_of(s) : 0, ' ');
  return right ? fill + s : s + fill;
}

}  // namespace

namespace {

// Element i of a vector (a number) or row i of a matrix (a vector); unset
// for a scalar or past the end.
std::optional<Value> element(const std::optional<Value>& v, std::size_t i) {
  if (!v || v->is_scalar()) return std::nullopt;
  if (v->rank == Rank::Vector) {
    if (i >= v->size()) return std::nullopt;
    return Value::scalar((*v)[i]);
  }
  if (i >= v->rows) return std::nullopt;
  std::vector<double> row(v->cols);
  for (std::size_t c = 0; c < v->cols; ++c) row[c] = v->at(i, c);
  return Value::vector(std::move(row));
}

// True when unset or an undefined (NaN) number: the table shows "-".
bool undefined(const std::optional<Value>& v) {
  return !v || (v->is_scalar() && std::isnan((*v)[0]));
}

}  // namespace

void write_table(std::ostream& out, const answer::Report& rep) {
  // Columns: parameter, method, posterior, mean, sd, mode, interval; R-hat
  // and bulk ESS when some parameter was sampled.
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> notes, errors;
  int pct = 95;
  bool any_sampled = false;
  for (const auto& a : rep.answers) {
    const std::string& name = a.subject.empty() ? a.query : a.subject;
    if (const auto* f = std::get_if<Failure>(&a.body)) {
      errors.push_back(name + ": " + f->reason);
      continue;
    }
    const auto* closed = std::get_if<Posterior>(&a.body);
    const auto* laplace = std::get_if<Approximation>(&a.body);
    const auto* sampled = std::get_if<SampledPosterior>(&a.body);
    if (!closed && !laplace && !sampled) continue;  // the default report holds posteriors only
    const std::string& rule = closed ? closed->rule : laplace ? laplace->rule : sampled->rule;
    if (!rule.empty()) {
      std::string line = a.method + ": " + rule;
      if (laplace) line += "; Normal on the unconstrained scale at the mode";
      if (std::find(notes.begin(), notes.end(), line) == notes.end()) notes.push_back(line);
    }
    const auto& interval = closed    ? closed->interval
                           : laplace ? laplace->interval
                                     : sampled->interval;
    if (interval) pct = percent(interval->level);
    const Value& mean = closed ? closed->mean : laplace ? laplace->mean : sampled->mean;
    const Value& sd = closed ? closed->sd : laplace ? laplace->sd : sampled->sd;
    std::optional<Value> mode = closed    ? closed->mode
                                : laplace ? std::optional<Value>(laplace->mode)
                                          : std::nullopt;
    std::optional<Value> bounds = interval ? interval->bounds : std::nullopt;
    bool vector = !mean.is_scalar();
    std::string family = laplace   ? "Laplace approximation"
                         : sampled ? "draws"
                         : vector  ? closed->family.name
                                   : family_text(closed->family);
    if (closed && !closed->mode) notes.push_back(name + ": mode " + closed->mode_note);
    const Convergence* conv =
        sampled && sampled->draws.convergence ? &*sampled->draws.convergence : nullptr;
    if (conv) {
      any_sampled = true;
      for (const auto& w : conv->warnings)
        if (std::find(notes.begin(), notes.end(), "warning: " + w) == notes.end())
          notes.push_back("warning: " + w);
    }
    std::size_t n = vector ? (mean.rank == Rank::Vector ? mean.size() : mean.rows) : 1;
    for (std::size_t i = 0; i < n; ++i) {
      auto at = [&](const std::optional<Value>& v) { return vector ? element(v, i) : v; };
      std::optional<Value> m = at(mode), iv = at(bounds);
      std::string rhat = "-", ess = "-";
      if (conv && i < conv->rhat.data.size()) {
        double r = conv->rhat.data[i], e = conv->ess_bulk.data[i];
        rhat = std::isnan(r) ? "-" : significant(r, 4);
        ess = std::isnan(e) ? "-" : std::to_string(std::lround(e));
      }
      rows.push_back({vector ? element_name(name, i, a.labels) : name, i == 0 ? a.method : "",
                      i == 0 ? family : "", text(at(mean)), text(at(sd)),
                      undefined(m) ? "-" : text(m), iv && !iv->is_scalar() ? text(*iv) : "-", rhat,
                      ess});
    }
  }
  std::vector<std::string> head = {
      "parameter", "method", "posterior", "mean", "sd", "mode", std::to_string(pct) + "% interval"};
  if (any_sampled) {
    head.push_back("R-hat");
    head.push_back("ESS");
  }
  for (auto& row : rows) row.resize(head.size());
  std::vector<std::size_t> w(head.size());
  for (std::size_t c = 0; c < head.size(); ++c) {
    w[c] = width_of(head[c]);
    for (const auto& row : rows) w[c] = std::max(w[c], width_of(row[c]));
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string s;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      bool right = (c >= 3 && c <= 5) || c >= 7;
      s += (c ? "  " : "") + pad_to(cells[c], w[c], right);
    }
    while (!s.empty() && s.back() == ' ') s.pop_back();
    out << s << '\n';
  };
  if (!rows.empty()) {
    line(head);
    for (const auto& row : rows) line(row);
  }
  for (const auto& e : errors) out << e << '\n';
  for (const auto& n : notes) out << "  " << n << '\n';
}

void write_report(std::ostream& out, const answer::Report& rep, const PlotFiles& files,
                  bool color) {
  if (rep.default_report)
    write_table(out, rep);
  else
    write_text(out, rep, files, color);
}

void write_compare(std::ostream& out, const answer::Comparison& c) {
  const bool ranked = !c.ranking.empty();
  std::size_t width = std::string("model").size();
  for (const auto& m : c.models) width = std::max(width, m.file.size());
  auto pad = [](std::string s, std::size_t w) { return s + std::string(w - s.size(), ' '); };
  auto right = [](const std::string& s, std::size_t w) {
    return std::string(s.size() < w ? w - s.size() : 0, ' ') + s;
  };
  // Best first when ranked, else as given.
  std::vector<std::size_t> order = c.ranking;
  if (!ranked)
    for (std::size_t i = 0; i < c.models.size(); ++i) order.push_back(i);
  out << pad("model", width) << "   log evidence" << (ranked ? "   P(model | D)   best : this" : "")
      << "   method\n";
  for (auto i : order) {
    const auto& m = c.models[i];
    out << pad(m.file, width) << "   ";
    if (!m.error.empty()) {
      out << m.error << '\n';
      continue;
    }
    out << right(number(m.log_evidence), 12) << "   ";
    if (ranked) {
      const double factor = std::exp(m.log_factor_to_best);
      out << right(significant(m.probability, 4), 12) << "   "
          << right(std::isfinite(factor) ? significant(factor, 4) : "inf", 11) << "   ";
    }
    out << (m.exact                    ? "exact (" + m.method + ")"
            : m.method == "importance" ? std::string("importance sampling")
            : m.warning.empty()        ? std::string("Laplace approximation")
                                       : std::string("Laplace approximation, unchecked"))
        << '\n';
  }
  if (!c.error.empty()) {
    out << "\nno verdict: " << c.error << '\n';
    return;
  }
  if (c.models.size() < 2) return;
  out << "\n";
  if (c.models.size() == 2) {
    const std::string& a = c.models[0].file;
    const std::string& b = c.models[1].file;
    out << "log Bayes factor  " << number(c.log_bayes_factor) << "   = log p(D | " << a
        << ") - log p(D | " << b << ")\n";
    out << "Bayes factor      " << (std::isfinite(c.bayes_factor) ? number(c.bayes_factor) : "inf");
    if (!c.exact) out << "   (Laplace approximation)";
    out << '\n';
  }
  const auto& second = c.models[c.ranking[1]];
  if (second.log_factor_to_best == 0)
    out << "reading           " << c.favours << " and " << second.file
        << " are equally supported by the data\n";
  else
    out << "reading           " << significant(std::exp(second.log_factor_to_best), 4)
        << " to 1 in favour of " << c.favours
        << (c.models.size() > 2 ? " over the runner-up " + second.file : "") << ": " << c.strength
        << " (Kass & Raftery 1995)\n";
  out << "                  P(model | D) with every model equally likely a priori"
      << (c.exact ? "" : "; a Laplace evidence is approximate, and so are these") << '\n';
}

void write_progress(std::ostream& out, const std::string& what, double fraction) {
  if (fraction < 0) {
    out << "\r\033[K" << std::flush;
    return;
  }
  const int width = 30;
  const int filled = std::clamp(static_cast<int>(fraction * width), 0, width);
  out << '\r' << what << " [" << std::string(static_cast<std::size_t>(filled), '#')
      << std::string(static_cast<std::size_t>(width - filled), '.') << "] "
      << static_cast<int>(std::lround(fraction * 100)) << '%' << std::flush;
}

}  // namespace bayes::report
