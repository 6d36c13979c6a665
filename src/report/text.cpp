// The human report.
#include "report/text.hpp"

#include <cmath>
#include <cstdio>
#include <string>

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
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

namespace {

std::string family_text(const json& r) {
  std::string s = r["family"].get<std::string>() + "(";
  bool first = true;
  for (auto it = r["params"].begin(); it != r["params"].end(); ++it) {
    s += (first ? "" : ", ") + it.key() + " = " + format_number(it.value());
    first = false;
  }
  return s + ")";
}

}  // namespace

void write_text(std::ostream& out, const std::vector<json>& results) {
  for (const auto& r : results) {
    const std::string q = r["query"].get<std::string>();
    if (r.contains("error")) {
      out << q << ": " << r["error"].get<std::string>() << '\n';
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
      out << q << " ~ Laplace approximation at the mode   [" << r.value("rule", "numeric") << "]\n";
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
          << "   " << pct << "% interval " << format_number(r["interval"]) << "   [monte-carlo, "
          << format_number(r.value("draws", json())) << " draws, mcse "
          << format_number(r.value("mcse", json())) << "]\n";
      continue;
    }
    out << q << " = " << format_number(r["value"]);
    if (r.contains("mcse"))
      out << "   [monte-carlo, " << format_number(r.value("draws", json())) << " draws, mcse "
          << format_number(r["mcse"]) << "]";
    else if (q == "evidence()")
      out << "   [log marginal likelihood, "
          << (method == "laplace" ? "Laplace approximation" : "exact") << "]";
    out << '\n';
  }
}

}  // namespace bayes::report
