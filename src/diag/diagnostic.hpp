// Diagnostics: every error of every stage is a value (span, message, notes,
// suggestion), collected and printed by one function in the clang/rustc layout.
#pragma once

#include <cstddef>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace bayes {

// A source text with its name as the user gave it ("coin.model", "<repl>").
struct SourceFile {
  std::string name;
  std::string text;
  std::string directory;  // for resolving relative data paths; "" = current directory

  // The text of 1-based line `line`, without its end-of-line characters.
  std::string line_text(std::size_t line) const;
};

// A half-open byte range [begin, end) of a source with the 1-based line and
// column of its start.
struct Span {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::size_t line = 0;  // 0: no position (e.g. an error about the command line)
  std::size_t column = 0;
};

inline Span join(const Span& a, const Span& b) {
  if (a.line == 0) return b;
  if (b.line == 0) return a;
  Span s = a.begin <= b.begin ? a : b;
  s.end = a.end > b.end ? a.end : b.end;
  return s;
}

enum class Severity { Error, Warning, Note };

struct Diagnostic {
  Severity severity = Severity::Error;
  Span span;
  std::string message;
  std::vector<std::string> notes;  // printed as "= note: ..."
  std::string suggestion;          // the name a did-you-mean proposes; the message says it
};

// Proposes `name` for a misspelt one: sets d.suggestion and ends the message
// with " (did you mean 'name'?)", the form LANGUAGE.md shows. Nothing when
// name is empty.
void suggest(Diagnostic& d, const std::string& name);

class Diagnostics {
 public:
  Diagnostic& error(Span span, std::string message);
  Diagnostic& warning(Span span, std::string message);
  void add(Diagnostic d) { list_.push_back(std::move(d)); }
  bool has_errors() const;
  std::size_t error_count() const;
  const std::vector<Diagnostic>& list() const { return list_; }
  Diagnostic& at(std::size_t i) { return list_.at(i); }
  void clear() { list_.clear(); }

 private:
  std::vector<Diagnostic> list_;
};

// Prints one diagnostic:
//   coin.model:3:11: error: unknown distribution 'Betta' (did you mean 'Beta'?)
//       3 | param p ~ Betta(2, 2)
//         |           ^~~~~
//         = note: ...
void print(std::ostream& out, const SourceFile& file, const Diagnostic& d, bool color = false);
void print_all(std::ostream& out, const SourceFile& file, const Diagnostics& ds,
               bool color = false);

// The closest of `candidates` to `name` by edit distance, or "" when none is
// close enough to suggest.
std::string closest_name(const std::string& name, const std::vector<std::string>& candidates);

}  // namespace bayes
