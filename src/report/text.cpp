// The human report.
#include "report/text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "dist/family.hpp"
#include "report/plot_text.hpp"

namespace bayes::report {

using json = nlohmann::ordered_json;

std::string format_number(const json& x) {
  if (x.is_null()) return "undefined";
  if (x.is_string()) return x.get<std::string>();
  if (x.is_array()) {
    std::string s = "[";
    for (std::size_t i = 0; i < x.size(); ++i) s += (i ? ", " : "") + format_number(x[i]);
    return s + "]";
  }
  if (x.is_object()) {
    std::string s;
    for (auto it = x.begin(); it != x.end(); ++it)
      s += (s.empty() ? "" : ", ") + it.key() + " = " + format_number(it.value());
    return s;
  }
  double v = x.get<double>();
  if (x.is_number_integer()) return std::to_string(x.get<long long>());
  if (v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<long long>(v));
  char buf[32];
  // 4 significant digits; from 1e4 to 1e6 as a whole number ("12346", not
  // "1.235e+04"), which reads more easily.
  if (std::fabs(v) >= 1e4 && std::fabs(v) < 1e6)
    std::snprintf(buf, sizeof buf, "%.0f", v);
  else
    std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

namespace {

// How a Monte Carlo answer was drawn: from the posterior itself, or from the
// numeric engine's Laplace approximation to it.
std::string monte_carlo(const json& r) {
  std::string from = r.value("draws_from", "the posterior");
  return from == "the posterior" ? "monte-carlo" : "monte-carlo from " + from;
}

// "Beta(a = 9, b = 5)": hyperparameters in the family's signature order (JSON
// objects keep their keys sorted), any others after them.
std::string family_text(const json& r) {
  const std::string family = r["family"].get<std::string>();
  const json& params = r["params"];
  std::vector<std::string> keys;
  if (const dist::Family* f = dist::find(family))
    for (const auto& p : f->params)
      if (params.contains(std::string(p.name))) keys.emplace_back(p.name);
  for (auto it = params.begin(); it != params.end(); ++it)
    if (std::find(keys.begin(), keys.end(), it.key()) == keys.end()) keys.push_back(it.key());
  std::string s = family + "(";
  for (std::size_t i = 0; i < keys.size(); ++i)
    s += (i ? ", " : "") + keys[i] + " = " + format_number(params[keys[i]]);
  return s + ")";
}

}  // namespace

void write_text(std::ostream& out, const std::vector<json>& results,
                const std::vector<answer::PlotData>& plots, bool color) {
  std::size_t plot_index = 0;
  for (const auto& r : results) {
    const std::string q = r["query"].get<std::string>();
    if (r.contains("error")) {
      out << q << ": " << r["error"].get<std::string>() << '\n';
      continue;
    }
    if (r.contains("plot")) {
      const answer::PlotData* d = plot_index < plots.size() ? &plots[plot_index] : nullptr;
      ++plot_index;
      if (r.contains("file")) {
        out << q << ": written to " << r["file"].get<std::string>() << "   ["
            << r.value("method", "") << "]\n";
      } else if (d) {
        out << q << "   [" << r.value("method", "") << "]\n";
        write_plot_text(out, *d, color);
      }
      continue;
    }
    const std::string method = r.value("method", "");
    if (r.contains("family")) {
      out << q << " = " << family_text(r);
      if (r.contains("rule"))
        out << "   [" << method << ": " << r["rule"].get<std::string>() << "]";
      out << '\n';
      out << "    mean " << format_number(r["mean"]) << "   sd " << format_number(r["sd"]);
      if (r.contains("mode")) {
        out << "   mode "
            << (r["mode"].is_null() ? r.value("mode_note", "undefined") : format_number(r["mode"]));
      }
      if (r.contains("interval") && !r["interval"].is_null()) {
        int pct = static_cast<int>(std::lround(r.value("level", 0.95) * 100));
        out << "   " << pct << "% interval " << format_number(r["interval"]);
      }
      if (r.contains("note")) out << "\n    " << r["note"].get<std::string>();
      out << '\n';
      continue;
    }
    if (method == "laplace" && r.contains("mode")) {  // a Laplace approximation at the numeric mode
      out << q << " ~ Laplace approximation   [" << r.value("rule", "numeric") << "]\n";
      out << "    mode " << format_number(r["mode"]) << "   sd " << format_number(r["sd"]);
      if (r.contains("interval")) {
        int pct = static_cast<int>(std::lround(r.value("level", 0.95) * 100));
        out << "   " << pct << "% interval " << format_number(r["interval"]);
      }
      out << '\n';
      continue;
    }
    if (r.contains("interval") && !r.contains("value")) {  // a let, from draws
      int pct = static_cast<int>(std::lround(r.value("level", 0.95) * 100));
      out << q << ": mean " << format_number(r["mean"]) << "   sd " << format_number(r["sd"])
          << "   " << pct << "% interval " << format_number(r["interval"]) << "   ["
          << monte_carlo(r) << ", " << format_number(r.value("draws", json())) << " draws, mcse "
          << format_number(r.value("mcse", json())) << "]\n";
      continue;
    }
    out << q << " = " << format_number(r["value"]);
    if (r.contains("mcse"))
      out << "   [" << monte_carlo(r) << ", " << format_number(r.value("draws", json()))
          << " draws, mcse " << format_number(r["mcse"]) << "]";
    else if (r.contains("draws"))
      out << "   [" << monte_carlo(r) << ", " << format_number(r["draws"]) << " draws]";
    else if (q.rfind("prob(", 0) == 0 && r.value("method", "") == "laplace")
      out << "   [from the Laplace approximation]";
    else if (r.contains("at"))  // map(let): the let at the parameters' mode
      out << "   [" << r["at"].get<std::string>() << "]";
    else if (q == "evidence()")
      out << "   [log marginal likelihood, "
          << (method == "laplace" ? "Laplace approximation" : "exact") << "]";
    out << '\n';
  }
}

namespace {

// Display width of UTF-8 text (code points; the table holds no wide glyphs).
std::size_t width_of(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string pad_to(const std::string& s, std::size_t w, bool right) {
  std::string fill(w > width_of(s) ? w - width_of(s) : 0, ' ');
  return right ? fill + s : s + fill;
}

}  // namespace

void write_table(std::ostream& out, const std::vector<json>& results) {
  // Columns: parameter, method, posterior, mean, sd, mode, interval.
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> notes, errors;
  int pct = 95;
  for (const auto& r : results) {
    std::string q = r["query"].get<std::string>();
    std::string name = q;
    if (name.starts_with("posterior(") && name.ends_with(")"))
      name = name.substr(10, name.size() - 11);
    if (r.contains("error")) {
      errors.push_back(name + ": " + r["error"].get<std::string>());
      continue;
    }
    std::string method = r.value("method", "");
    bool laplace = method == "laplace";
    std::string rule = r.value("rule", "");
    if (!rule.empty()) {
      std::string line = method + ": " + rule;
      if (laplace) line += "; Normal on the unconstrained scale at the mode";
      if (std::find(notes.begin(), notes.end(), line) == notes.end()) notes.push_back(line);
    }
    if (r.contains("level")) pct = static_cast<int>(std::lround(r["level"].get<double>() * 100));
    const json& mean = r["mean"];
    bool vector = mean.is_array();
    std::string family = laplace                 ? "Laplace approximation"
                         : !r.contains("family") ? ""
                         : vector                ? r["family"].get<std::string>()
                                                 : family_text(r);
    if (r.contains("mode") && r["mode"].is_null() && r.contains("mode_note"))
      notes.push_back(name + ": mode " + r["mode_note"].get<std::string>());
    std::size_t n = vector ? mean.size() : 1;
    for (std::size_t i = 0; i < n; ++i) {
      auto at = [&](const char* key) -> json {
        if (!r.contains(key) || r[key].is_null()) return nullptr;
        const json& v = r[key];
        if (!vector) return v;
        return v.is_array() && i < v.size() ? v[i] : json(nullptr);
      };
      json mode = at("mode"), iv = at("interval");
      rows.push_back({vector ? name + "[" + std::to_string(i + 1) + "]" : name,
                      i == 0 ? method : "", i == 0 ? family : "", format_number(at("mean")),
                      format_number(at("sd")), mode.is_null() ? "-" : format_number(mode),
                      iv.is_array() ? format_number(iv) : "-"});
    }
  }
  std::vector<std::string> head = {
      "parameter", "method", "posterior", "mean", "sd", "mode", std::to_string(pct) + "% interval"};
  std::vector<std::size_t> w(head.size());
  for (std::size_t c = 0; c < head.size(); ++c) {
    w[c] = width_of(head[c]);
    for (const auto& row : rows) w[c] = std::max(w[c], width_of(row[c]));
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string s;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      bool right = c >= 3 && c <= 5;
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

void write_report(std::ostream& out, const answer::Report& rep, bool color) {
  if (rep.default_report)
    write_table(out, rep.results);
  else
    write_text(out, rep.results, rep.plots, color);
}

void write_compare(std::ostream& out, const json& c) {
  const json& models = c["models"];
  std::size_t width = std::string("model").size();
  for (const auto& m : models) width = std::max(width, m["file"].get<std::string>().size());
  auto pad = [](std::string s, std::size_t w) { return s + std::string(w - s.size(), ' '); };
  out << pad("model", width) << "   log evidence   method\n";
  for (const auto& m : models) {
    out << pad(m["file"].get<std::string>(), width) << "   ";
    if (m.contains("error")) {
      out << m["error"].get<std::string>() << '\n';
      continue;
    }
    std::string v = format_number(m["log_evidence"]);
    out << std::string(v.size() < 12 ? 12 - v.size() : 0, ' ') << v << "   "
        << (m.value("exact", true) ? "exact (" + m.value("method", "") + ")"
                                   : std::string("Laplace approximation"))
        << '\n';
  }
  if (c.contains("error")) return;
  const std::string a = models[0]["file"].get<std::string>();
  const std::string b = models[1]["file"].get<std::string>();
  double lbf = c["log_bayes_factor"].get<double>();
  out << "\nlog Bayes factor  " << format_number(lbf) << "   = log p(D | " << a << ") - log p(D | "
      << b << ")\n";
  out << "Bayes factor      " << format_number(c["bayes_factor"]);
  if (!c.value("exact", true)) out << "   (Laplace approximation)";
  out << '\n';
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", std::exp(std::fabs(lbf)));
  out << "reading           " << buf << " to 1 in favour of " << c["favours"].get<std::string>()
      << ": " << c["strength"].get<std::string>() << " (Kass & Raftery 1995)\n";
}

}  // namespace bayes::report
