// The checker's data binding (internal to src/check/): receives `data`
// statements; produces the model's data variables, from an inline value or
// from the columns of a CSV file, read into memory or, for columns that only
// streaming observations read, summarised in one pass.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "ast/ast.hpp"
#include "check/model.hpp"
#include "check/scope.hpp"
#include "check/typer.hpp"
#include "diag/diagnostic.hpp"
#include "dist/family.hpp"

namespace bayes::check {

// The CSV columns that may stream: each with the families of the observations of it.
using Streamable = std::map<std::string, std::vector<const dist::Family*>>;

// A CSV column used only as the whole left side of observations whose
// likelihood a data::Summary describes (and in predictive(...)) is read in
// one pass into its sufficient statistics instead of into memory.
Streamable streamable_columns(const ast::Program& program);

// `data x = EXPR`: the value must be finite data (not a condition).
void bind_inline(const ast::DataStmt& s, Typer& typer, Scope& scope, Model& model,
                 Diagnostics& diags);

// `data a, b from "file.csv"`, the path relative to `directory` (the model
// file's). Columns in `streamable` are summarised, unless the file is read
// anyway for another column.
void bind_csv(const ast::DataStmt& s, const std::string& directory, const Streamable& streamable,
              Scope& scope, Model& model, Diagnostics& diags);

// Reads a summarised column into memory after all (see materialise); reports
// and throws Poisoned when the file cannot be read again.
void keep_in_memory(Model& model, std::size_t index, Span span, Diagnostics& diags);

}  // namespace bayes::check
