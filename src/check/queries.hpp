// The checker's queries (internal to src/check/): receives `print` and `plot`
// statements; produces the model's queries (what to answer, of which
// parameters or lets), or the messages for queries that cannot be answered.
#pragma once

#include "ast/ast.hpp"
#include "check/model.hpp"
#include "check/scope.hpp"
#include "check/typer.hpp"
#include "diag/diagnostic.hpp"

namespace bayes::check {

// `print QUERY`: a query of the posterior, or the value of a data expression.
void check_print(const ast::PrintStmt& s, Typer& typer, const Scope& scope, Model& model,
                 Diagnostics& diags);

// `plot NAME [to "file.svg"]`.
void check_plot(const ast::PlotStmt& s, Span span, Typer& typer, const Scope& scope, Model& model,
                Diagnostics& diags);

}  // namespace bayes::check
