// The REPL.
#include "repl/repl.hpp"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "check/checker.hpp"
#include "diag/interrupt.hpp"
#include "expr/builtins.hpp"
#include "pipeline/pipeline.hpp"
#include "report/file.hpp"
#include "report/plot_svg.hpp"
#include "report/text.hpp"
#include "syntax/parser.hpp"

// libedit's readline interface (Debian's libedit-dev); not in the browser
// build, which has no terminal.
#if BAYES_LINE_EDITING
#include <editline/readline.h>
#endif

namespace bayes::repl {

namespace {

const char* kHelp =
    "Type statements of the language, one per line; 'print QUERY' answers at once,\n"
    "and so does a name or an expression alone ('p', 'a - b', 'p > 0.5').\n"
    "  data x = [1, 0, 1]          param p ~ Beta(1, 1)        x ~ Bernoulli(p)\n"
    "  print posterior(p)          print map(p)                print prob(p > 0.5)\n"
    "  plot p                      plot p to \"p.svg\"\n"
    "Defining a name again replaces it: re-enter 'data x = [...]' with more data and\n"
    "print again to see today's posterior become tomorrow's prior.\n"
    "Commands:\n"
    "  :help         this text\n"
    "  :load FILE    run a model file's statements\n"
    "  :model        the statements defined so far\n"
    "  :drop NAME    remove the statement that defines NAME (and NAME's observations);\n"
    "                ':drop y ~ Bernoulli(p)' removes that statement\n"
    "  :save FILE    write the statements (not the questions) as a model file\n"
    "  :graph        the factor graph (Graphviz DOT)\n"
    "  :reset        forget everything\n"
    "  :method NAME  how posteriors are found: auto, exact, conjugate, laplace,\n"
    "                numeric, importance or sample (as --method)\n"
    "  :seed N       the seed of Monte Carlo answers and the sampler\n"
    "  :chains N     the sampler's chains; :warmup N, :draws N its iterations per chain\n"
    "  :quit         leave (also Ctrl-D)\n"
    "Ctrl-C stops a long computation (the session stays) or clears the line.\n";

// Names a statement defines.
std::vector<std::string> defined_names(const ast::Stmt& s) {
  std::vector<std::string> out;
  std::visit(
      [&](const auto& n) {
        using T = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<T, ast::DataStmt>) {
          for (const auto& id : n.names) out.push_back(id.name);
        } else if constexpr (std::is_same_v<T, ast::ParamStmt>) {
          for (const auto& d : n.decls) out.push_back(d.name.name);
        } else if constexpr (std::is_same_v<T, ast::LetStmt>) {
          // One element (`let c[t] = ...`) continues a let, it does not replace it.
          if (!n.index) out.push_back(n.name.name);
        } else if constexpr (std::is_same_v<T, ast::FnStmt>) {
          out.push_back(n.name.name);
        } else if constexpr (std::is_same_v<T, ast::ForStmt>) {
          for (const auto& inner : n.body)
            for (auto& name : defined_names(inner)) out.push_back(std::move(name));
        }
      },
      s.node);
  return out;
}

bool is_query(const ast::Stmt& s) {
  return std::holds_alternative<ast::PrintStmt>(s.node) ||
         std::holds_alternative<ast::PlotStmt>(s.node);
}

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// The identifiers a statement's text uses (outside strings and comments).
std::set<std::string> identifiers_in(const std::string& text) {
  std::set<std::string> out;
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c == '"') {
      for (++i; i < text.size() && text[i] != '"'; ++i)
        if (text[i] == '\\') ++i;
      ++i;
    } else if (c == '#') {
      while (i < text.size() && text[i] != '\n') ++i;
    } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      std::size_t b = i;
      while (i < text.size() &&
             (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '_'))
        ++i;
      out.insert(text.substr(b, i - b));
    } else if (std::isdigit(static_cast<unsigned char>(c))) {  // 1e5 is a number, not 'e5'
      while (i < text.size() &&
             (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '.'))
        ++i;
    } else {
      ++i;
    }
  }
  return out;
}

// Whether a statement is an observation of the data `name` (`name ~ ...`,
// `name[i] ~ ...`).
bool observes(const std::string& text, const std::string& name) {
  Diagnostics diags;
  auto program = syntax::parse_program(SourceFile{"<repl>", text, ""}, diags);
  if (!program || program->stmts.size() != 1) return false;
  const auto* o = std::get_if<ast::ObserveStmt>(&program->stmts[0].node);
  if (!o) return false;
  const ast::Expr* lhs = o->lhs.get();
  if (const auto* ix = ast::as<ast::Index>(*lhs)) lhs = ix->base.get();
  const auto* n = ast::as<ast::Name>(*lhs);
  return n && n->id == name;
}

// Whitespace runs as one space, none at the ends: how a statement is shown.
std::string squeeze(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// A statement without its spaces (but those inside strings) and comments:
// how statements are matched ("y~Bernoulli(p)" is "y ~ Bernoulli(p)").
std::string bare(const std::string& s) {
  std::string out;
  bool in_string = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < s.size())
        out += s[++i];
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true, out += c;
    } else if (c == '#') {
      while (i < s.size() && s[i] != '\n') ++i;
    } else if (!std::isspace(static_cast<unsigned char>(c))) {
      out += c;
    }
  }
  return out;
}

// A string literal of the language for `s`.
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

Session::Session(std::ostream& out, std::ostream& err, answer::Options options, bool color)
    : out_(out), err_(err), options_(options), color_(color) {}

bool Session::incomplete(const std::string& text) {
  int depth = 0;
  bool in_string = false;
  char last = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '#') {
      while (i < text.size() && text[i] != '\n') ++i;
      continue;
    }
    if (c == '"')
      in_string = true;
    else if (c == '(' || c == '[' || c == '{')  // a loop's body continues too
      ++depth;
    else if (c == ')' || c == ']' || c == '}')
      --depth;
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') last = c;
  }
  if (depth > 0) return true;
  return last == '+' || last == '-' || last == '*' || last == '/' || last == '^' || last == ',' ||
         last == '&' || last == '|';
}

std::string Session::program_text(const std::vector<Entry>& entries) const {
  std::string text;
  for (const auto& e : entries) text += e.text + "\n";
  return text;
}

bool Session::run_line(const std::string& typed) {
  // Line ends as a file's are read: CRLF (a file saved on Windows and piped
  // in) and a lone CR end lines.
  std::string line = typed;
  for (std::size_t i = 0; i < line.size(); ++i)
    if (line[i] == '\r') {
      if (i + 1 < line.size() && line[i + 1] == '\n')
        line.erase(i, 1);
      else
        line[i] = '\n';
    }
  std::string t = trim(line);
  if (t.empty()) return true;
  // Nothing a line does may end the session: an exception from deep inside
  // (out of memory on a huge model, say) is reported and the line undone.
  auto saved = entries_;
  interrupt_requested = false;
  try {
    if (t[0] == ':') return command(t);
    // A name or an expression alone is a question: 'p' prints p's posterior.
    Diagnostics probe;
    if (!syntax::parse_program(SourceFile{"<repl>", line, directory_}, probe)) {
      Diagnostics as_print;
      auto program =
          syntax::parse_program(SourceFile{"<repl>", "print " + t, directory_}, as_print);
      if (program && program->stmts.size() == 1 && is_query(program->stmts[0])) {
        if (statements("print " + t, "<repl>")) return true;
        if (!quiet_) err_ << "(the line was read as the question 'print " << t << "')\n";
        return false;
      }
    }
    return statements(line, "<repl>");
  } catch (const Interrupted&) {
    interrupt_requested = false;
    err_ << "interrupted; the session is as it was before this line\n";
  } catch (const std::bad_alloc&) {
    err_ << "error: out of memory (the model or its data is too large); the session is as it "
            "was before this line\n";
  } catch (const std::exception& e) {
    err_ << "error: " << e.what() << "; the session is as it was before this line\n";
  }
  entries_ = std::move(saved);
  return false;
}

bool Session::command(const std::string& line) {
  std::istringstream in(line);
  std::string cmd, arg;
  in >> cmd;
  std::getline(in, arg);
  arg = trim(arg);
  if (cmd == ":help" || cmd == ":h" || cmd == ":?") {
    out_ << kHelp;
    return true;
  }
  if (cmd == ":method") {
    auto m = answer::method_named(arg);
    if (!m) {
      std::string all;
      for (const auto& n : answer::method_names()) all += (all.empty() ? "" : ", ") + n;
      err_ << "error: :method takes one of " << all << (arg.empty() ? "" : ", not '" + arg + "'")
           << '\n';
      return false;
    }
    options_.method = *m;
    out_ << "(method " << arg << ")\n";
    return true;
  }
  if (cmd == ":seed" || cmd == ":chains" || cmd == ":warmup" || cmd == ":draws") {
    // A whole number in range, or an error that says which.
    const unsigned long long lo = cmd == ":chains" ? 1 : cmd == ":draws" ? 4 : 0;
    const unsigned long long hi = cmd == ":seed"     ? 18446744073709551615ULL
                                  : cmd == ":chains" ? 64
                                                     : 10000000;
    std::size_t used = 0;
    unsigned long long n = 0;
    bool ok = !arg.empty() && arg.find_first_not_of("0123456789") == std::string::npos;
    try {
      if (ok) n = std::stoull(arg, &used);
    } catch (const std::exception&) {
      ok = false;
    }
    if (!ok || used != arg.size() || n < lo || n > hi) {
      err_ << "error: " << cmd << " takes a whole number from " << lo << " to " << hi
           << (arg.empty() ? "" : ", not '" + arg + "'") << '\n';
      return false;
    }
    if (cmd == ":seed") options_.seed = options_.numeric.seed = options_.sample.seed = n;
    if (cmd == ":chains") options_.sample.chains = n;
    if (cmd == ":warmup") options_.sample.warmup = n;
    if (cmd == ":draws") options_.sample.draws = n;
    out_ << "(" << cmd.substr(1) << " " << n << ")\n";
    return true;
  }
  if (cmd == ":quit" || cmd == ":q" || cmd == ":exit") {
    quit_ = true;
    return true;
  }
  if (cmd == ":reset") {
    entries_.clear();
    out_ << "(everything forgotten)\n";
    return true;
  }
  if (cmd == ":model") {
    if (entries_.empty()) out_ << "(nothing defined yet)\n";
    for (const auto& e : entries_) out_ << e.text << '\n';
    return true;
  }
  if (cmd == ":graph") {
    Diagnostics diags;
    auto c = compile(SourceFile{"<repl>", program_text(entries_), directory_}, diags);
    if (!c) {
      err_ << "error: the model does not check";
      if (!diags.list().empty()) err_ << " (" << diags.list().front().message << ")";
      err_ << '\n';
      return false;
    }
    graph::write_dot(out_, c->graph);
    return true;
  }
  if (cmd == ":drop") return drop(arg);
  if (cmd == ":save") {
    if (arg.empty()) {
      err_ << "error: :save needs a file name\n";
      return false;
    }
    return save(arg);
  }
  if (cmd == ":load") {
    if (arg.empty()) {
      err_ << "error: :load needs a file name\n";
      return false;
    }
    return load(arg);
  }
  std::vector<std::string> commands = {":help",   ":load",  ":model",  ":drop", ":save",
                                       ":graph",  ":reset", ":method", ":seed", ":chains",
                                       ":warmup", ":draws", ":quit"};
  std::string near = closest_name(cmd, commands);
  err_ << "error: unknown command '" << cmd << "'"
       << (near.empty() ? "" : " (did you mean '" + near + "'?)") << "; :help lists them\n";
  return false;
}

// :drop NAME removes the statement defining NAME, with the observations of
// NAME; any other statement that uses NAME must be dropped first. :drop
// followed by a statement's text removes that statement.
bool Session::drop(const std::string& what) {
  if (what.empty()) {
    err_ << "error: :drop needs a name (or a statement's text, as :model shows it)\n";
    return false;
  }
  std::vector<Entry> kept;
  std::vector<std::string> dropped;
  const bool is_name = identifiers_in(what) == std::set<std::string>{what} &&
                       what.find_first_of(" \t") == std::string::npos;
  if (is_name) {
    auto defines = [&](const Entry& e) {
      return std::find(e.defines.begin(), e.defines.end(), what) != e.defines.end();
    };
    if (std::none_of(entries_.begin(), entries_.end(), defines)) {
      std::vector<std::string> names;
      for (const auto& e : entries_) names.insert(names.end(), e.defines.begin(), e.defines.end());
      std::string near = closest_name(what, names);
      err_ << "error: no statement defines '" << what << "'"
           << (near.empty() ? "" : " (did you mean '" + near + "'?)") << "; :model lists them\n";
      return false;
    }
    std::vector<std::string> users;
    for (const auto& e : entries_) {
      if (defines(e) || observes(e.text, what)) {
        dropped.push_back(e.text);
        continue;
      }
      if (identifiers_in(e.text).count(what)) users.push_back(e.text);
      kept.push_back(e);
    }
    if (!users.empty()) {
      err_ << "error: cannot drop '" << what << "': ";
      for (std::size_t i = 0; i < users.size(); ++i)
        err_ << (i ? ", " : "") << "'" << squeeze(users[i]) << "'";
      err_ << (users.size() == 1 ? " uses" : " use") << " it (drop "
           << (users.size() == 1 ? "that" : "those") << " first)\n";
      return false;
    }
  } else {
    bool found = false;
    for (const auto& e : entries_) {
      if (!found && bare(e.text) == bare(what)) {
        found = true;
        dropped.push_back(e.text);
        continue;
      }
      kept.push_back(e);
    }
    if (!found) {
      err_ << "error: no statement reads '" << squeeze(what)
           << "'; :model lists them (or :drop NAME)\n";
      return false;
    }
  }
  // What is left must still check: a definition others use stays.
  Diagnostics diags;
  if (!compile(SourceFile{"<repl>", program_text(kept), directory_}, diags)) {
    err_ << "error: cannot drop '" << squeeze(what) << "': the statements left do not check";
    if (!diags.list().empty()) err_ << " (" << diags.list().front().message << ")";
    err_ << '\n';
    return false;
  }
  entries_ = std::move(kept);
  for (const auto& d : dropped) out_ << "(dropped '" << squeeze(d) << "')\n";
  return true;
}

// :save FILE writes the statements as a model file; data files named by a
// relative path are named relative to the saved file.
bool Session::save(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path target = fs::absolute(path, ec);
  const fs::path from = fs::absolute(directory_.empty() ? fs::path(".") : fs::path(directory_), ec);
  std::string text = "# Saved from a bayes REPL session.\n";
  for (const auto& e : entries_) {
    std::string stmt = e.text;
    Diagnostics diags;
    auto program = syntax::parse_program(SourceFile{"<repl>", stmt, directory_}, diags);
    if (program && program->stmts.size() == 1)
      if (const auto* d = std::get_if<ast::DataStmt>(&program->stmts[0].node);
          d && d->file && fs::path(*d->file).is_relative() && *d->file != "-") {
        const fs::path file = (from / *d->file).lexically_normal();
        const fs::path rel = file.lexically_relative(target.parent_path());
        // Beside or below the saved file, or one folder up: relative; else the
        // absolute path ("../../work/..." reads worse than "/work/...").
        const bool near = !rel.empty() && rel.string().rfind("../..", 0) != 0;
        stmt = stmt.substr(0, d->file_span.begin) + quoted(near ? rel.string() : file.string()) +
               stmt.substr(d->file_span.end);
      }
    text += stmt + "\n";
  }
  std::string error;
  if (!report::write_file(path, text, error)) {
    err_ << "error: " << error << '\n';
    return false;
  }
  out_ << "(saved " << entries_.size() << (entries_.size() == 1 ? " statement" : " statements")
       << " to " << path << ")\n";
  return true;
}

bool Session::load(const std::string& path) {
  std::string error;
  auto src = read_source(path, error);
  if (!src) {
    err_ << "error: " << error << '\n';
    return false;
  }
  directory_ = src->directory;
  loaded_.push_back(path);
  return statements(src->text, path);
}

bool Session::statements(const std::string& text, const std::string& source_name) {
  // Parse what was typed on its own first: syntax errors point into it.
  SourceFile typed{source_name, text, directory_};
  Diagnostics diags;
  auto program = syntax::parse_program(typed, diags);
  if (!program) {
    if (!quiet_) print_all(err_, typed, diags, color_);
    return false;
  }
  // Definitions replace earlier ones of the same name, in place; queries run now.
  std::vector<Entry> entries = entries_;
  std::vector<std::size_t> typed_entry(program->stmts.size(), SIZE_MAX);
  std::vector<std::string> queries;
  std::vector<std::size_t> query_stmt;
  for (std::size_t i = 0; i < program->stmts.size(); ++i) {
    const auto& s = program->stmts[i];
    std::string stmt_text = text.substr(s.span.begin, s.span.end - s.span.begin);
    if (is_query(s)) {
      queries.push_back(stmt_text);
      query_stmt.push_back(i);
      continue;
    }
    Entry e{stmt_text, defined_names(s)};
    auto old = std::find_if(entries.begin(), entries.end(), [&](const Entry& x) {
      for (const auto& n : e.defines)
        if (std::find(x.defines.begin(), x.defines.end(), n) != x.defines.end()) return true;
      return false;
    });
    // A statement typed again as it stands (an observation defines no name)
    // is the same statement, not a second copy of its data.
    if (e.defines.empty())
      old = std::find_if(entries.begin(), entries.end(), [&](const Entry& x) {
        return x.defines.empty() && bare(x.text) == bare(e.text);
      });
    if (old != entries.end()) {
      *old = e;
      typed_entry[i] = static_cast<std::size_t>(old - entries.begin());
    } else {
      entries.push_back(e);
      typed_entry[i] = entries.size() - 1;
    }
  }
  // Check everything together: the stored statements, then this line's queries.
  std::string combined;
  std::vector<std::size_t> first_line;  // per entry, then per query
  std::size_t line = 1;
  auto append = [&](const std::string& s) {
    first_line.push_back(line);
    combined += s + "\n";
    line += static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')) + 1;
  };
  for (const auto& e : entries) append(e.text);
  for (const auto& q : queries) append(q);
  SourceFile whole{source_name, combined, directory_};
  Diagnostics cdiags;
  auto compiled = compile(whole, cdiags);
  if (!compiled && quiet_) return false;
  if (!compiled) {
    // Show each error against the statement it is in, numbered as typed.
    for (auto d : cdiags.list()) {
      std::size_t k = 0;
      while (k + 1 < first_line.size() && first_line[k + 1] <= d.span.line) ++k;
      std::string stmt = k < entries.size() ? entries[k].text : queries[k - entries.size()];
      // Where this statement sits in what was typed, when it was typed now.
      std::size_t base_line = 1, base_column = 1;
      bool typed_now = false;
      for (std::size_t i = 0; i < program->stmts.size(); ++i) {
        bool match = (k < entries.size() && typed_entry[i] == k) ||
                     (k >= entries.size() &&
                      std::find(query_stmt.begin(), query_stmt.end(), i) - query_stmt.begin() ==
                          static_cast<std::ptrdiff_t>(k - entries.size()));
        if (match) {
          base_line = program->stmts[i].span.line, base_column = program->stmts[i].span.column;
          typed_now = true;
        }
      }
      if (typed_now) {
        // On the statement's first line its columns start where it was typed
        // (after `;` and what came before it).
        if (d.span.line == first_line[k]) d.span.column += base_column - 1;
        d.span.line = d.span.line - first_line[k] + base_line;
        print(err_, typed, d, color_);
      } else {
        d.span.line = d.span.line - first_line[k] + 1;
        d.notes.push_back("in the earlier statement '" + stmt + "'");
        print(err_, SourceFile{"<model>", stmt, directory_}, d, color_);
      }
    }
    return false;
  }
  entries_ = std::move(entries);
  if (queries.empty()) return true;
  answer::Report rep = answer::answer_all(*compiled, options_);
  std::vector<std::string> inputs = loaded_;  // never written over by a plot
  for (const auto& d : compiled->model.data)
    if (!d.path.empty()) inputs.push_back(d.path);
  report::PlotFiles files =
      report::write_plot_files(rep, directory_, inputs);  // a failure reads as the plot's error
  report::write_text(out_, rep, files, color_);
  return rep.status == 0 && files.status() == 0;
}

// A piped line that only defines names not defined before (nor earlier in
// the batch): no query, no command, no replacement.
bool Session::appends_only(const std::string& text, std::set<std::string>& batch_names) const {
  const std::string t = trim(text);
  if (t.empty() || t[0] == ':') return false;
  SourceFile typed{"<repl>", text, directory_};
  Diagnostics diags;
  auto program = syntax::parse_program(typed, diags);
  if (!program || program->stmts.empty()) return false;
  std::vector<std::string> names;
  for (const auto& s : program->stmts) {
    if (is_query(s)) return false;
    auto defined = defined_names(s);
    if (defined.empty()) continue;  // an observation, a factor
    for (auto& n : defined) names.push_back(std::move(n));
  }
  for (const auto& n : names) {
    if (batch_names.count(n)) return false;
    for (const auto& e : entries_)
      if (std::find(e.defines.begin(), e.defines.end(), n) != e.defines.end()) return false;
  }
  batch_names.insert(names.begin(), names.end());
  return true;
}

// Lines that only append are checked together: when they check, each would
// have checked on its own (a statement is checked against those before it
// only, and each line's are a prefix of the whole), and they print nothing.
// When they do not, each half is tried the same way, down to single lines
// run as typed (which print their errors).
bool Session::run_appends(const std::vector<std::string>& lines, std::size_t from, std::size_t to) {
  if (to - from == 1) return run_line(lines[from]);
  std::string joined;
  for (std::size_t i = from; i < to; ++i) joined += lines[i] + "\n";
  quiet_ = true;
  bool ok = false;
  try {
    ok = statements(joined, "<repl>");
  } catch (...) {
    ok = false;
  }
  quiet_ = false;
  if (ok) return true;
  const std::size_t mid = from + (to - from) / 2;
  const bool first = run_appends(lines, from, mid);
  return run_appends(lines, mid, to) && first;
}

bool Session::run_piped(std::istream& in) {
  bool all_ok = true;
  std::vector<std::string> batch;
  std::set<std::string> batch_names;
  auto flush = [&] {
    if (!batch.empty()) all_ok = run_appends(batch, 0, batch.size()) && all_ok;
    batch.clear();
    batch_names.clear();
  };
  auto submit = [&](const std::string& text) {
    if (appends_only(text, batch_names)) {
      batch.push_back(text);
      return;
    }
    flush();
    all_ok = run_line(text) && all_ok;
  };
  // A bracket left open continues the statement.
  std::string line, pending;
  while (!quit_ && std::getline(in, line)) {
    pending += (pending.empty() ? "" : "\n") + line;
    if (incomplete(pending)) continue;
    submit(pending);
    pending.clear();
  }
  if (!quit_ && !pending.empty()) submit(pending);
  flush();
  return all_ok;
}

std::vector<std::string> Session::completions() const {
  std::vector<std::string> out = {":method", ":seed", ":chains", ":warmup", ":draws", ":drop",
                                  ":save",   ":help", ":load",   ":model",  ":graph", ":reset",
                                  ":quit",   "data",  "param",   "let",     "print",  "plot",
                                  "fn",      "from",  "to",      "in"};
  for (const auto& q : check::query_names()) out.push_back(q);
  for (const auto* f : dist::all()) out.emplace_back(f->name);
  for (const auto& b : all_builtins()) out.emplace_back(b.name);
  for (const auto& e : entries_)
    for (const auto& n : e.defines) out.push_back(n);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

#if BAYES_LINE_EDITING
namespace {

Session* g_session = nullptr;
std::vector<std::string> g_matches;

char* completion_generator(const char* text, int state) {
  if (state == 0) {
    g_matches.clear();
    std::string prefix(text);
    for (const auto& c : g_session->completions())
      if (c.rfind(prefix, 0) == 0) g_matches.push_back(c);
  }
  if (static_cast<std::size_t>(state) >= g_matches.size()) return nullptr;
  return strdup(g_matches[static_cast<std::size_t>(state)].c_str());
}

char** complete(const char* text, int start, int) {
  rl_attempted_completion_over = 1;
  // After :load or :save, file names (libedit's own completer: directories
  // end with '/', a file with a space).
  const std::string before(rl_line_buffer, rl_line_buffer + std::max(start, 0));
  if (before.rfind(":load ", 0) == 0 || before.rfind(":save ", 0) == 0) {
    rl_filename_completion_desired = 1;
    return rl_completion_matches(text, rl_filename_completion_function);
  }
  // A space after a command or a keyword; none after a name, so that
  // "posteri<TAB>(p)" reads "posterior(p)".
  static const std::vector<std::string> spaced = {"data", "param", "let",  "print",
                                                  "plot", "fn",    "from", "to"};
  std::string t(text);
  bool space =
      t.rfind(':', 0) == 0 || std::any_of(spaced.begin(), spaced.end(),
                                          [&](const std::string& k) { return k.rfind(t, 0) == 0; });
  rl_completion_append_character = space ? ' ' : '\0';
  return rl_completion_matches(text, completion_generator);
}

// One key from the terminal for libedit, waiting in slices of 100 ms so that
// a Ctrl-C (the flag set by the SIGINT handler) ends the line being typed:
// a newline is returned, and the caller drops the line.
int read_key(FILE*) {
  for (;;) {
    if (interrupt_requested) return '\n';
    pollfd p{STDIN_FILENO, POLLIN, 0};
    int ready = poll(&p, 1, 100);
    if (ready < 0 && errno != EINTR) return EOF;
    if (ready <= 0) continue;
    unsigned char c;
    ssize_t n = read(STDIN_FILENO, &c, 1);
    if (n == 1) return c;
    if (n == 0 || errno != EINTR) return EOF;
  }
}

std::string history_path() {
  const char* home = std::getenv("HOME");
  return home ? std::string(home) + "/.bayes_history" : "";
}

}  // namespace

#endif

int run(const std::string& file, answer::Options options) {
#if BAYES_LINE_EDITING
  bool tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
#else
  bool tty = false;  // the browser build: lines, never a terminal
#endif
  Session session(std::cout, std::cerr, options, tty && std::getenv("NO_COLOR") == nullptr);
  bool all_ok = true;
  if (!file.empty()) all_ok = session.load(file) && all_ok;
#if BAYES_LINE_EDITING
  if (!tty) {
#endif
    // Piped: the same statements, no prompts.
    all_ok = session.run_piped(std::cin) && all_ok;
    return all_ok ? 0 : 1;
#if BAYES_LINE_EDITING
  }
  g_session = &session;
  // Ctrl-C stops a running computation (the session stays) and, at the
  // prompt, abandons the line being typed.
  struct sigaction on_interrupt {};
  on_interrupt.sa_handler = [](int) { interrupt_requested = true; };
  sigemptyset(&on_interrupt.sa_mask);
  sigaction(SIGINT, &on_interrupt, nullptr);
  // libedit leaves the signal to us, and reads keys through read_key: a
  // Ctrl-C at the prompt ends the line at once (it is then dropped), whichever
  // thread the signal reached.
  rl_catch_signals = 0;
  rl_getc_function = read_key;
  session.options().sample.progress = [](double f) {
    report::write_progress(std::cerr, "sampling", f);
  };
  rl_attempted_completion_function = complete;
  std::string hist = history_path();
  if (!hist.empty()) read_history(hist.c_str());
  std::cout << "bayes " << BAYES_VERSION << " — :help for help, :quit to leave\n";
  std::string pending;
  while (!session.quit_requested()) {
    interrupt_requested = false;
    char* raw = readline(pending.empty() ? "bayes> " : "  ...> ");
    if (interrupt_requested) {  // Ctrl-C at the prompt: a fresh line
      free(raw);
      std::cout << '\n';
      pending.clear();
      continue;
    }
    if (!raw) {
      std::cout << '\n';
      break;
    }
    std::string line(raw);
    free(raw);
    pending += (pending.empty() ? "" : "\n") + line;
    if (Session::incomplete(pending)) continue;
    if (!trim(pending).empty()) add_history(pending.c_str());
    session.run_line(pending);
    pending.clear();
  }
  if (!hist.empty()) write_history(hist.c_str());
  return 0;
#endif
}

}  // namespace bayes::repl
