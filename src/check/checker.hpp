// The checker: AST -> checked Model. Resolves names, types and sizes,
// evaluates and loads data, checks hyperparameters and data against the
// supports of their distributions, and reports every independent error.
#pragma once

#include <optional>

#include "ast/ast.hpp"
#include "check/model.hpp"
#include "diag/diagnostic.hpp"

namespace bayes::check {

struct Options {
  bool allow_redefinition = false;        // the REPL: a second definition replaces the first
  const ast::Program* prelude = nullptr;  // checked first; the program may redefine its names
};

// Returns the model when there were no errors; diagnostics either way.
std::optional<Model> check_program(const ast::Program& program, const SourceFile& file,
                                   Diagnostics& diags, const Options& options = {});

// Reads a summarised CSV column (DataVar::summary) into memory, for the
// engines that need its values, and gives the values to the observations of
// it. False, with the reason, when the file can no longer be read.
bool materialise(Model& model, std::size_t data_index, std::string& error);

// Names a user may mean, for "did you mean" and REPL completion.
std::vector<std::string> query_names();

}  // namespace bayes::check
