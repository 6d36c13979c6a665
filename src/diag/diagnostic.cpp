// Diagnostics: collection and the one printer every stage's errors go through.
#include "diag/diagnostic.hpp"

#include <algorithm>

namespace bayes {

std::string SourceFile::line_text(std::size_t line) const {
  std::size_t start = 0;
  for (std::size_t l = 1; l < line; ++l) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string::npos) return "";
    start = nl + 1;
  }
  std::size_t end = text.find('\n', start);
  if (end == std::string::npos) end = text.size();
  std::string s = text.substr(start, end - start);
  if (!s.empty() && s.back() == '\r') s.pop_back();
  return s;
}

Diagnostic& Diagnostics::error(Span span, std::string message) {
  list_.push_back(Diagnostic{Severity::Error, span, std::move(message), {}, {}});
  return list_.back();
}

Diagnostic& Diagnostics::warning(Span span, std::string message) {
  list_.push_back(Diagnostic{Severity::Warning, span, std::move(message), {}, {}});
  return list_.back();
}

void suggest(Diagnostic& d, const std::string& name) {
  if (name.empty()) return;
  d.suggestion = name;
  d.message += " (did you mean '" + name + "'?)";
}

bool Diagnostics::has_errors() const { return error_count() > 0; }

std::size_t Diagnostics::error_count() const {
  return static_cast<std::size_t>(
      std::count_if(list_.begin(), list_.end(),
                    [](const Diagnostic& d) { return d.severity == Severity::Error; }));
}

namespace {

const char* severity_name(Severity s) {
  switch (s) {
    case Severity::Error:
      return "error";
    case Severity::Warning:
      return "warning";
    case Severity::Note:
      return "note";
  }
  return "error";
}

// Tabs in the source line become one space so the caret lines up.
std::string detab(std::string s) {
  std::replace(s.begin(), s.end(), '\t', ' ');
  return s;
}

}  // namespace

void print(std::ostream& out, const SourceFile& file, const Diagnostic& d, bool color) {
  const char* bold = color ? "\033[1m" : "";
  const char* red = color ? "\033[1;31m" : "";
  const char* green = color ? "\033[1;32m" : "";
  const char* reset = color ? "\033[0m" : "";
  out << bold << file.name;
  if (d.span.line > 0) out << ':' << d.span.line << ':' << d.span.column;
  out << ": " << reset << red << severity_name(d.severity) << ": " << reset << bold << d.message
      << reset << '\n';
  if (d.span.line > 0) {
    std::string text = detab(file.line_text(d.span.line));
    std::string number = std::to_string(d.span.line);
    std::string gutter(number.size(), ' ');
    out << ' ' << number << " | " << text << '\n';
    std::size_t col = d.span.column > 0 ? d.span.column - 1 : 0;
    if (col > text.size()) col = text.size();
    std::size_t width = d.span.end > d.span.begin ? d.span.end - d.span.begin : 1;
    if (col + width > text.size()) width = text.size() > col ? text.size() - col : 1;
    out << ' ' << gutter << " | " << std::string(col, ' ') << green << '^'
        << std::string(width > 1 ? width - 1 : 0, '~') << reset << '\n';
    for (const auto& n : d.notes) out << ' ' << gutter << " = note: " << n << '\n';
  } else {
    for (const auto& n : d.notes) out << "  = note: " << n << '\n';
  }
}

void print_all(std::ostream& out, const SourceFile& file, const Diagnostics& ds, bool color) {
  for (const auto& d : ds.list()) print(out, file, d, color);
}

namespace {

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      char x = static_cast<char>(std::tolower(static_cast<unsigned char>(a[i - 1])));
      char y = static_cast<char>(std::tolower(static_cast<unsigned char>(b[j - 1])));
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x == y ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

std::string closest_name(const std::string& name, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_d = std::string::npos;
  for (const auto& c : candidates) {
    std::size_t d = edit_distance(name, c);
    if (d < best_d) best_d = d, best = c;
  }
  // Close enough: one edit in three characters, so short names ('s', 'mu')
  // are only matched when they differ in case.
  std::size_t limit = std::max(name.size(), best.size()) / 3;
  return best_d <= limit ? best : "";
}

}  // namespace bayes
