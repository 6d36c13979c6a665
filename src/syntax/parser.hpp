// The parser: source text -> AST, through the PEGTL grammar in grammar/.
#pragma once

#include <optional>

#include "ast/ast.hpp"
#include "diag/diagnostic.hpp"

namespace bayes::syntax {

// Parses a whole program. On a syntax error, adds one diagnostic at the
// position PEGTL reports and returns nullopt.
std::optional<ast::Program> parse_program(const SourceFile& file, Diagnostics& diags);

}  // namespace bayes::syntax
