// The checker's data binding: `data` statements -> the model's data
// variables, inline or from CSV columns, kept in memory or summarised; and
// materialise, which reads a summarised column after all.
#include "check/data_binding.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <type_traits>
#include <variant>

#include "check/checker.hpp"
#include "check/common.hpp"
#include "data/csv.hpp"
#include "data/json_data.hpp"
#include "data/text_columns.hpp"

namespace bayes::check {

namespace {

// Whether a column observed through f can be read as a data::Summary, and
// whether the summary must keep the distinct values: the family says.
bool streams(const dist::Family* f) { return f && f->streams(); }
bool needs_counts(const dist::Family* f) { return f && f->streaming.distinct; }

// The names one statement reads, except an observation's whole left side
// (returned in `observed` with the observing family when that family streams)
// and the data name of predictive(y).
void names_read(const ast::Stmt& stmt, std::set<std::string>& other, Streamable& observed) {
  auto all = [&](const auto& exprs) {
    for (const auto& x : exprs)
      if (x) names_in(*x, other);
  };
  std::visit(
      [&](const auto& st) {
        using T = std::decay_t<decltype(st)>;
        if constexpr (std::is_same_v<T, ast::DataStmt>) {
          if (st.value) names_in(*st.value, other);
        } else if constexpr (std::is_same_v<T, ast::ParamStmt>) {
          for (const auto& d : st.decls)
            if (d.size) names_in(*d.size, other);
          if (st.prior) all(st.prior->args);
          if (st.lower) names_in(*st.lower, other);
          if (st.upper) names_in(*st.upper, other);
        } else if constexpr (std::is_same_v<T, ast::LetStmt>) {
          names_in(*st.value, other);
          if (st.index) names_in(*st.index, other);
        } else if constexpr (std::is_same_v<T, ast::ObserveStmt>) {
          const auto* name = ast::as<ast::Name>(*st.lhs);
          const dist::Family* family = dist::find(st.dist.name.name);
          if (st.truncation) {
            if (st.truncation->lower) names_in(*st.truncation->lower, other);
            if (st.truncation->upper) names_in(*st.truncation->upper, other);
          }
          if (name && streams(family) && !st.truncation)
            observed[name->id].push_back(family);
          else
            names_in(*st.lhs, other);
          all(st.dist.args);
        } else if constexpr (std::is_same_v<T, ast::FnStmt>) {
          names_in(*st.body, other);
        } else if constexpr (std::is_same_v<T, ast::PrintStmt>) {
          const auto* call = ast::as<ast::Call>(*st.query);
          bool predictive = call && call->callee.name == "predictive" && call->args.size() == 1 &&
                            ast::as<ast::Name>(*call->args[0]);
          if (!predictive) names_in(*st.query, other);
        } else if constexpr (std::is_same_v<T, ast::PlotStmt>) {
          names_in(*st.target, other);
        } else if constexpr (std::is_same_v<T, ast::FactorStmt>) {
          names_in(*st.value, other);
        } else if constexpr (std::is_same_v<T, ast::ForStmt>) {
          names_in(*st.from, other), names_in(*st.to, other);
          for (const auto& inner : st.body) names_read(inner, other, observed);
        }
      },
      stmt.node);
}

void add_data(const ast::Ident& id, Value v, const std::string& file, Scope& scope, Model& model,
              Diagnostics& diags, const data::Columns* csv = nullptr, std::size_t column = 0) {
  if (!scope.declare(id, SymKind::Data, model.data.size(), diags)) return;
  DataVar d;
  d.name = id.name;
  d.value = std::move(v);
  d.span = id.span;
  d.file = file;
  if (csv) {
    d.csv_lines = csv->lines;
    d.csv_field = csv->fields.at(column);
  }
  model.data.push_back(std::move(d));
}

// "log(-1) is not a number (NaN)", "element 2 of [1, 1 / 0] is infinite".
std::string not_finite(const ast::Expr& e, const Value& v, std::size_t i) {
  std::string text = ast::to_source(e);
  if (text.size() > 40) text = "its value";
  std::string what = v.is_scalar() ? text : "element " + std::to_string(i + 1) + " of " + text;
  return what + (std::isnan(v[i]) ? " is not a number (NaN)" : " is infinite");
}

// A CSV error as a message at the file (or at the column's name in the statement).
void report_csv_error(const ast::DataStmt& s, const data::CsvError& err, Scope& scope,
                      Diagnostics& diags) {
  for (const auto& id : s.names) scope.declare_bad(id, SymKind::Data);
  std::string where = *s.file;
  if (err.row) where += ":" + std::to_string(err.row);
  if (err.column) where += ":" + std::to_string(err.column);
  std::string col = err.column_name.empty() ||
                            err.message.find('\'' + err.column_name + '\'') != std::string::npos
                        ? ""
                        : " (column '" + err.column_name + "')";
  Span span = s.file_span;
  if (err.row == 0 && err.column == 0 && !err.column_name.empty()) {
    for (const auto& id : s.names)
      if (id.name == err.column_name) span = id.span;
  }
  diags.error(span, where + ": " + err.message + col);
}

void report_no_rows(const ast::DataStmt& s, Scope& scope, Diagnostics& diags) {
  for (const auto& id : s.names) scope.declare_bad(id, SymKind::Data);
  diags.error(s.file_span, *s.file + ": the file has a header but no rows");
}

// A summarised column as a data variable whose values are not in memory.
void add_summarised(const ast::Ident& id, const ast::DataStmt& s, const std::string& path,
                    const data::Summaries& sums, std::size_t i,
                    const std::vector<const dist::Family*>& families, Scope& scope, Model& model,
                    Diagnostics& diags) {
  const data::Summary& su = sums.columns[i];
  if (!scope.declare(id, SymKind::Data, model.data.size(), diags)) return;
  DataVar d;
  d.name = id.name;
  d.value = Value{Rank::Vector, su.integer, su.n, 1, {}};
  d.span = id.span;
  d.file = *s.file;
  d.path = path;
  d.csv_lines = sums.lines;
  d.csv_field = sums.fields[i];
  d.summary = std::make_shared<data::Summary>(su);
  bool counts = false;
  for (const auto* f : families) counts = counts || needs_counts(f);
  model.data.push_back(std::move(d));
  if (counts && !su.counts_complete) keep_in_memory(model, model.data.size() - 1, id.span, diags);
}

}  // namespace

Streamable streamable_columns(const ast::Program& program) {
  std::set<std::string> other;
  Streamable observed, out;
  for (const auto& stmt : program.stmts) names_read(stmt, other, observed);
  for (auto& [name, families] : observed)
    if (!other.count(name)) out[name] = std::move(families);
  return out;
}

void bind_inline(const ast::DataStmt& s, Typer& typer, Scope& scope, Model& model,
                 Diagnostics& diags) {
  const ast::Ident& id = s.names.front();
  ir::NodePtr n;
  try {
    n = typer.data_expr(*s.value, "a data value");
  } catch (const Poisoned&) {
    scope.declare_bad(id, SymKind::Data);
    throw;
  }
  // A condition is not data: `data b = 1 < 2` would be an indicator 1 or 0
  // that arithmetic then refuses (conditions are only for prob(...)).
  if (!n->type.numeric()) {
    scope.declare_bad(id, SymKind::Data);
    fail(diags, s.value->span, "a data value must be a number, not a condition");
  }
  Value v = typer.value_of(*n);
  for (std::size_t i = 0; i < v.size(); ++i)
    if (!std::isfinite(v[i])) {
      scope.declare_bad(id, SymKind::Data);
      fail(diags, s.value->span, "data must be finite, but " + not_finite(*s.value, v, i));
    }
  add_data(id, std::move(v), "", scope, model, diags);
}

// Whether the first cell of the column is text (not a number): then the
// column is a category column.
bool first_cell_is_text(const std::string& path, const std::string& name) {
  std::vector<std::string> one{name};
  auto result = data::read_text_columns(path, one);
  const auto* cols = std::get_if<std::vector<data::TextColumn>>(&result);
  if (!cols || cols->front().labels.empty()) return false;
  const std::string& first = cols->front().labels.front();
  char* end = nullptr;
  std::strtod(first.c_str(), &end);
  return end == first.c_str() || *end != '\0';
}

// `data N, y from "file.json"`: named entries of a JSON object, read whole.
void bind_json(const ast::DataStmt& s, const std::filesystem::path& path, Scope& scope,
               Model& model, Diagnostics& diags) {
  std::vector<std::string> names;
  for (const auto& id : s.names) names.push_back(id.name);
  auto result = data::read_json(path.string(), names);
  if (auto* err = std::get_if<data::CsvError>(&result))
    return report_csv_error(s, *err, scope, diags);
  auto& values = std::get<std::map<std::string, Value>>(result);
  for (const auto& id : s.names) {
    add_data(id, std::move(values.at(id.name)), *s.file, scope, model, diags);
    if (!model.data.empty() && model.data.back().name == id.name)
      model.data.back().path = path.string();
  }
}

void bind_csv(const ast::DataStmt& s, const std::string& directory, const Streamable& streamable,
              Scope& scope, Model& model, Diagnostics& diags) {
  std::filesystem::path path(*s.file);
  if (path.is_relative() && !directory.empty()) path = std::filesystem::path(directory) / path;
  if (data::is_json_path(path.string())) return bind_json(s, path, scope, model, diags);
  std::vector<std::string> kept, summarised;
  for (const auto& id : s.names) (streamable.count(id.name) ? summarised : kept).push_back(id.name);
  // When some columns of the file are kept, all are: the file is read
  // anyway, and an engine that is not a streaming rule (the numeric one,
  // for a regression's outcome) would read it again for the summarised ones.
  if (!kept.empty() && !summarised.empty()) {
    kept.insert(kept.end(), summarised.begin(), summarised.end());
    summarised.clear();
  }
  // A column whose first cell is text is a category column: read apart,
  // coded 1..K in order of first appearance (a number column with text
  // further down stays an error at its cell).
  std::vector<std::string> text_names;
  std::vector<data::TextColumn> text_cols;
  std::optional<data::Columns> cols;
  while (!kept.empty()) {
    auto result = data::read_columns(path.string(), kept);
    if (auto* err = std::get_if<data::CsvError>(&result)) {
      const bool not_number = err->message.find("is not a number") != std::string::npos;
      if (not_number && first_cell_is_text(path.string(), err->column_name)) {
        text_names.push_back(err->column_name);
        kept.erase(std::find(kept.begin(), kept.end(), err->column_name));
        summarised.erase(std::remove(summarised.begin(), summarised.end(), err->column_name),
                         summarised.end());
        continue;
      }
      return report_csv_error(s, *err, scope, diags);
    }
    cols = std::move(std::get<data::Columns>(result));
    if (cols->rows == 0) return report_no_rows(s, scope, diags);
    break;
  }
  // A summarised column that is text (only ever observed): a category column too.
  for (auto it = summarised.begin(); it != summarised.end();)
    if (first_cell_is_text(path.string(), *it)) {
      text_names.push_back(*it);
      it = summarised.erase(it);
    } else {
      ++it;
    }
  if (!text_names.empty()) {
    auto result = data::read_text_columns(path.string(), text_names);
    if (auto* err = std::get_if<data::CsvError>(&result))
      return report_csv_error(s, *err, scope, diags);
    text_cols = std::move(std::get<std::vector<data::TextColumn>>(result));
  }
  std::optional<data::Summaries> sums;
  if (!summarised.empty()) {
    auto result = data::read_summaries(path.string(), summarised);
    if (auto* err = std::get_if<data::CsvError>(&result))
      return report_csv_error(s, *err, scope, diags);
    sums = std::move(std::get<data::Summaries>(result));
    if (sums->rows == 0) return report_no_rows(s, scope, diags);
  }
  for (const auto& id : s.names) {
    if (auto t = std::find(text_names.begin(), text_names.end(), id.name); t != text_names.end()) {
      data::TextColumn& col = text_cols[static_cast<std::size_t>(t - text_names.begin())];
      add_data(id, Value::vector(std::move(col.codes), true), *s.file, scope, model, diags);
      if (!model.data.empty() && model.data.back().name == id.name) {
        model.data.back().labels = std::move(col.labels);
        model.data.back().path = path.string();
      }
      continue;
    }
    auto k = std::find(kept.begin(), kept.end(), id.name);
    if (k != kept.end()) {
      auto i = static_cast<std::size_t>(k - kept.begin());
      add_data(id, Value::vector(std::move(cols->values[i]), cols->integer[i]), *s.file, scope,
               model, diags, &*cols, i);
      if (!model.data.empty() && model.data.back().name == id.name)
        model.data.back().path = path.string();
      continue;
    }
    auto i = static_cast<std::size_t>(std::find(summarised.begin(), summarised.end(), id.name) -
                                      summarised.begin());
    add_summarised(id, s, path.string(), *sums, i, streamable.at(id.name), scope, model, diags);
  }
}

void keep_in_memory(Model& model, std::size_t index, Span span, Diagnostics& diags) {
  std::string error;
  if (!materialise(model, index, error)) fail(diags, span, model.data[index].file + ": " + error);
}

bool materialise(Model& model, std::size_t data_index, std::string& error) {
  DataVar& d = model.data.at(data_index);
  if (!d.summary) return true;
  std::vector<std::string> names{d.name};
  auto read = data::read_columns(d.path, names);
  if (auto* err = std::get_if<data::CsvError>(&read)) {
    error = err->message;
    return false;
  }
  auto& cols = std::get<data::Columns>(read);
  if (cols.rows != d.value.rows) {
    error = "the file changed while bayes was reading it";
    return false;
  }
  d.value = Value::vector(std::move(cols.values[0]), cols.integer[0]);
  d.summary.reset();
  for (auto& o : model.observations)
    if (o.summary && o.lhs->op == ir::Op::Data && o.lhs->ref == data_index) {
      o.value = d.value;
      o.summary.reset();
    }
  return true;
}

}  // namespace bayes::check
