// The REPL: statements typed one at a time (or piped), each checked against
// everything accepted before it. A `print` answers at once; a definition of a
// name that exists replaces the old one in place, so printing again after
// `data flips = [...more...]` is the sequential-update lesson.
#pragma once

#include <istream>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "answer/answer.hpp"

namespace bayes::repl {

class Session {
 public:
  Session(std::ostream& out, std::ostream& err, answer::Options options = {}, bool color = false);

  // Runs one line (statements or a :command). Returns false when it failed;
  // the session is then as it was before the line.
  bool run_line(const std::string& line);
  // Loads a model file's statements (:load); prints its answers like a line would.
  bool load(const std::string& path);
  bool quit_requested() const { return quit_; }

  // Names for tab completion: defined names, distributions, built-ins, queries, commands.
  std::vector<std::string> completions() const;

  // Runs piped lines (no prompts) to the end of `in` or :quit, as run_line
  // would one at a time, but checking runs of lines that only define new
  // names together. Returns false when a line failed.
  bool run_piped(std::istream& in);

  // Whether the text so far leaves a bracket open (the line continues).
  static bool incomplete(const std::string& text);

  // How queries are answered (method, seed, the sampler's settings).
  answer::Options& options() { return options_; }

 private:
  struct Entry {
    std::string text;                  // the statement's source
    std::vector<std::string> defines;  // names it defines
  };
  std::vector<Entry> entries_;
  std::ostream& out_;
  std::ostream& err_;
  answer::Options options_;
  bool color_;
  bool quit_ = false;
  bool quiet_ = false;               // a batch being tried: errors are not printed
  std::vector<std::string> loaded_;  // model files read (:load): never written over by a plot
  std::string directory_;  // where relative data paths resolve: the last :load-ed file's folder

  bool command(const std::string& line);
  bool drop(const std::string& what);
  bool save(const std::string& path);
  bool appends_only(const std::string& text, std::set<std::string>& batch_names) const;
  bool run_appends(const std::vector<std::string>& lines, std::size_t from, std::size_t to);
  bool statements(const std::string& text, const std::string& source_name);
  std::string program_text(const std::vector<Entry>& entries) const;
};

// Runs the REPL on standard input: line editing, history and completion when
// it is a terminal; plain lines when piped. Returns the exit status (0 when
// every statement succeeded, 1 otherwise).
int run(const std::string& file, answer::Options options);

}  // namespace bayes::repl
