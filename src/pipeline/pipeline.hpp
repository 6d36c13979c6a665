// The front of the pipeline: text -> AST -> checked model -> factor graph.
#pragma once

#include <optional>
#include <string>

#include "ast/ast.hpp"
#include "check/checker.hpp"
#include "diag/diagnostic.hpp"
#include "graph/factor_graph.hpp"

namespace bayes {

// The parsed prelude (stdlib/prelude.model, compiled into the binary).
const ast::Program& prelude();

// Reads a model file: a UTF-8 byte order mark is dropped and lone CR line ends
// become LF. On failure returns nullopt and sets `error`.
std::optional<SourceFile> read_source(const std::string& path, std::string& error);

// What every later stage reads: the program, its checked model and factor graph.
struct Compiled {
  ast::Program program;
  Model model;
  graph::FactorGraph graph;
};

// Parses, checks and lowers. Returns nullopt when there were errors (all in diags).
std::optional<Compiled> compile(const SourceFile& file, Diagnostics& diags,
                                check::Options options = {});

}  // namespace bayes
