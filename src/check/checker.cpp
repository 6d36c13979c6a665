// The checker: AST -> checked Model. Walks the statements in order and builds
// the model, asking the scope (names), the typer (types and shapes), the
// support checks (distributions and observed data), the data binding (CSV)
// and the query checks. Errors are collected, not thrown: a statement with an
// error still defines its names (marked bad) so that later statements are
// checked too without a cascade of follow-on errors.
#include "check/checker.hpp"

#include <algorithm>
#include <cmath>
#include <memory>

#include "check/common.hpp"
#include "check/data_binding.hpp"
#include "check/queries.hpp"
#include "check/scope.hpp"
#include "check/supports.hpp"
#include "check/typer.hpp"

namespace bayes::check {

namespace {

// The largest vector parameter (each element is a coordinate of the numeric
// engine and of its draws).
constexpr double kMaxParamSize = 1e6;

using ir::NodePtr;
using ir::Op;

class Checker {
 public:
  Checker(const SourceFile& file, Diagnostics& diags, const Options& options)
      : file_(file),
        diags_(diags),
        options_(options),
        scope_(options.allow_redefinition),
        typer_(scope_, model_, diags) {}

  std::optional<Model> run(const ast::Program& program);

 private:
  const SourceFile& file_;
  Diagnostics& diags_;
  Options options_;
  Model model_;
  Scope scope_;
  Typer typer_;
  Streamable streamable_;

  [[noreturn]] void fail(Span span, const std::string& message) {
    check::fail(diags_, span, message);
  }

  void statement(const ast::DataStmt& s, Span span);
  void statement(const ast::ParamStmt& s, Span span);
  void statement(const ast::LetStmt& s, Span span);
  void statement(const ast::FnStmt& s, Span span);
  void statement(const ast::ObserveStmt& s, Span span);
  void statement(const ast::PrintStmt& s, Span span);
  void statement(const ast::PlotStmt& s, Span span);

  std::vector<std::size_t> param_sizes(const ast::ParamStmt& s, bool& size_error);
  Prior prior_of(const ast::ParamStmt& s, Span span);
  double bound(const ast::Expr& e);
  void declare_params(const ast::ParamStmt& s, const std::vector<std::size_t>& sizes,
                      const Prior& pr);
  void poison_all(const ast::ParamStmt& s);
};

std::optional<Model> Checker::run(const ast::Program& program) {
  auto check = [&](const ast::Stmt& stmt) {
    try {
      std::visit([&](const auto& s) { statement(s, stmt.span); }, stmt.node);
    } catch (const Poisoned&) {
    }
  };
  if (options_.prelude) {
    for (const auto& stmt : options_.prelude->stmts) check(stmt);
    scope_.mark_prelude();
  }
  scope_.expect_definitions(program);
  streamable_ = streamable_columns(program);
  for (const auto& stmt : program.stmts) {
    scope_.enter_statement(stmt.span);
    check(stmt);
  }
  if (diags_.has_errors()) return std::nullopt;
  return std::move(model_);
}

void Checker::statement(const ast::DataStmt& s, Span) {
  if (s.value)
    bind_inline(s, typer_, scope_, model_, diags_);
  else
    bind_csv(s, file_.directory, streamable_, scope_, model_, diags_);
}

void Checker::poison_all(const ast::ParamStmt& s) {
  for (const auto& d : s.decls) scope_.declare_bad(d.name, SymKind::Param);
}

// The size of each declared name (0 for a scalar); size_error when one was wrong.
std::vector<std::size_t> Checker::param_sizes(const ast::ParamStmt& s, bool& size_error) {
  std::vector<std::size_t> sizes;
  for (const auto& d : s.decls) {
    std::size_t k = 0;
    if (d.size) {
      try {
        NodePtr n = typer_.data_expr(*d.size, "the size of a vector parameter");
        if (!n->type.numeric())
          fail(d.size->span, "the size of a vector parameter must be a number, not a condition");
        Value v = typer_.value_of(*n);
        if (!v.is_scalar() || n->type.elem != Elem::Int || !(v[0] >= 1))  // NaN too
          fail(d.size->span, "the size of a vector parameter must be a whole number >= 1");
        if (v[0] > kMaxParamSize)
          fail(d.size->span, "a vector parameter has at most " +
                                 std::to_string(static_cast<long long>(kMaxParamSize)) +
                                 " elements, not " +
                                 std::to_string(static_cast<long long>(std::min(v[0], 9e18))));
        k = static_cast<std::size_t>(v[0]);
      } catch (const Poisoned&) {
        size_error = true;
      }
    }
    sizes.push_back(k);
  }
  return sizes;
}

// The prior factor of `param ... ~ D(args)` or of a flat prior with bounds,
// not yet given its parameters. Throws Poisoned on an error.
Prior Checker::prior_of(const ast::ParamStmt& s, Span span) {
  Prior pr;
  pr.span = span;
  if (s.prior) {
    CheckedDist prior = check_distribution(*s.prior, typer_, scope_, diags_);
    if (!prior.ok) throw Poisoned{};
    pr.family = prior.family;
    pr.args = prior.args;
    pr.text = ast::to_source(*s.prior);
    return pr;
  }
  double lo = -INFINITY, hi = INFINITY;
  if (s.lower) lo = bound(*s.lower);
  if (s.upper) hi = bound(*s.upper);
  if (!(lo < hi))
    fail(span, "the lower bound " + message_value(lo) + " is not below the upper bound " +
                   message_value(hi));
  pr.lower = lo;
  pr.upper = hi;
  pr.text = "flat on (" + message_value(lo) + ", " + message_value(hi) + ")";
  return pr;
}

double Checker::bound(const ast::Expr& e) {
  NodePtr n = typer_.data_expr(e, "a bound");
  if (!n->type.numeric()) fail(e.span, "a bound must be a number, not a condition");
  Value v = typer_.value_of(*n);
  if (!v.is_scalar()) fail(e.span, "a bound must be a number");
  if (std::isnan(v[0])) fail(e.span, "a bound must be a number, but it is NaN");
  return v[0];
}

void Checker::statement(const ast::ParamStmt& s, Span span) {
  // Sizes first, then the prior; on an error every name is still declared (bad).
  bool size_error = false;
  std::vector<std::size_t> sizes = param_sizes(s, size_error);
  Prior pr;
  try {
    pr = prior_of(s, span);
  } catch (const Poisoned&) {
    poison_all(s);
    return;
  }
  if (size_error) {
    poison_all(s);
    return;
  }
  const dist::Family* f = pr.family;
  if (f && f->joint > 1 && s.decls.size() != f->joint) {
    poison_all(s);
    diags_.error(s.prior->name.span,
                 std::string(f->name) + " is a joint prior on " + std::to_string(f->joint) +
                     " parameters; write 'param mu, s2 ~ " + std::string(f->name) + "(...)'");
    return;
  }
  // Otherwise `param a, b ~ D(...)` is the same prior on each, independently.
  declare_params(s, sizes, pr);
}

// The parameters of `param ...` with their types, and their prior factors:
// one for a joint prior, one per name otherwise.
void Checker::declare_params(const ast::ParamStmt& s, const std::vector<std::size_t>& sizes,
                             const Prior& pr) {
  const dist::Family* f = pr.family;
  // Vector-valued families fix the size of the parameter.
  std::size_t family_size = 0;
  if (f && f->outcome_rank == Rank::Vector) {
    for (std::size_t i = 0; i < f->params.size(); ++i)
      if (f->params[i].rank == Rank::Vector && pr.args[i]) family_size = pr.args[i]->type.rows;
  }
  // The arguments of a scalar family broadcast to a vector parameter.
  std::size_t arg_len = 0;
  if (f && f->outcome_rank == Rank::Scalar)
    for (std::size_t i = 0; i < pr.args.size(); ++i)
      if (f->params[i].rank == Rank::Scalar && pr.args[i]->type.is_vector())
        arg_len = pr.args[i]->type.rows;
  bool ok = true;
  std::vector<std::size_t> indices;
  for (std::size_t i = 0; i < s.decls.size(); ++i) {
    const auto& d = s.decls[i];
    std::size_t k = sizes[i];
    if (family_size) {
      if (k && k != family_size) {
        diags_.error(d.size->span, "'" + d.name.name + "' has size " + std::to_string(k) +
                                       " but its " + std::string(f->name) +
                                       " prior has dimension " + std::to_string(family_size));
        ok = false;
      }
      k = family_size;
    }
    if (arg_len && k && k != arg_len) {
      diags_.error(s.prior->span, "vectors of different lengths: '" + d.name.name + "' has size " +
                                      std::to_string(k) +
                                      " but the prior's arguments have length " +
                                      std::to_string(arg_len));
      ok = false;
    } else if (arg_len && !k) {
      diags_.error(s.prior->span, "the prior's arguments are vectors of length " +
                                      std::to_string(arg_len) + " but '" + d.name.name +
                                      "' is a scalar; declare it as '" + d.name.name + "[" +
                                      std::to_string(arg_len) + "]'");
      ok = false;
    }
    ParamVar p;
    p.name = d.name.name;
    p.span = d.name.span;
    p.discrete = f && f->discrete;
    Elem e = p.discrete ? Elem::Int : Elem::Real;
    p.type = k ? Type::vector(k, e) : Type::scalar(e);
    p.slot = i;
    if (!ok) {
      poison_all(s);
      return;
    }
    if (!scope_.declare(d.name, SymKind::Param, model_.params.size(), diags_)) continue;
    indices.push_back(model_.params.size());
    model_.params.push_back(p);
  }
  if (f && f->joint > 1) {
    Prior joint = pr;
    joint.params = indices;
    for (auto i : indices) model_.params[i].prior = model_.priors.size();
    model_.priors.push_back(joint);
  } else {
    for (auto i : indices) {
      Prior one = pr;
      one.params = {i};
      model_.params[i].prior = model_.priors.size();
      model_.params[i].slot = 0;
      model_.priors.push_back(one);
    }
  }
}

void Checker::statement(const ast::LetStmt& s, Span) {
  NodePtr n;
  try {
    n = typer_.expr(*s.value);
  } catch (const Poisoned&) {
    scope_.declare_bad(s.name, SymKind::Let);
    throw;
  }
  if (!scope_.declare(s.name, SymKind::Let, model_.lets.size(), diags_)) return;
  model_.lets.push_back(LetVar{s.name.name, n, s.name.span});
}

void Checker::statement(const ast::FnStmt& s, Span) { define_function(s, scope_, diags_); }

void Checker::statement(const ast::ObserveStmt& s, Span span) {
  NodePtr lhs;
  bool lhs_error = false;
  try {
    lhs = typer_.expr(*s.lhs);
    if (!ir::is_data_only(*lhs)) {
      std::vector<std::size_t> ps = ir::params_of(*lhs);
      const ParamVar& p = model_.params[ps.front()];
      auto& d = diags_.error(
          s.lhs->span, "the left side of '~' must be data, but '" + p.name + "' is a parameter");
      // Only `p ~ D(...)` itself reads as a prior wrongly written.
      if (const auto* name = ast::as<ast::Name>(*s.lhs); name && name->id == p.name)
        d.notes.push_back("to give '" + p.name + "' a prior, write 'param " + p.name + " ~ " +
                          ast::to_source(s.dist) + "'");
      lhs_error = true;
    }
  } catch (const Poisoned&) {
    lhs_error = true;
  }
  // Reported even when the left side is bad.
  CheckedDist dist = check_distribution(s.dist, typer_, scope_, diags_);
  if (lhs_error) return;
  // A summarised column stays summarised only where its statistics suffice.
  std::shared_ptr<const data::Summary> summary;
  if (lhs->op == Op::Data && model_.data[lhs->ref].summary) {
    if (dist.ok && summary_fits(*model_.data[lhs->ref].summary, dist))
      summary = model_.data[lhs->ref].summary;
    else
      keep_in_memory(model_, lhs->ref, s.lhs->span, diags_);
  }
  const dist::Family* f = dist.family;
  if (f->joint > 1)
    fail(s.dist.name.span, std::string(f->name) + " is a prior on " +
                               (f->joint == 2 ? std::string("two") : std::to_string(f->joint)) +
                               " parameters, not a likelihood for data");
  if (!dist.ok) {
    // Still check the data against what is known of the support.
    if (auto why = support_error(model_, *lhs, typer_.value_of(*lhs), dist))
      fail(s.lhs->span, *why);
    return;
  }
  if (!lhs->type.is_scalar() && lhs->type.rows == 0)
    fail(s.lhs->span,
         "the left side of '~' is an empty vector: there is nothing to observe (remove the "
         "line, or give it data)");
  Value v = typer_.value_of(*lhs);
  check_observed_shape(*lhs, s.lhs->span, s.dist.name.span, dist, diags_);
  if (auto why = support_error(model_, *lhs, v, dist)) fail(s.lhs->span, *why);
  if (auto why = impossible_data_error(model_, *lhs, v, dist)) fail(s.lhs->span, *why);
  Observation o;
  o.lhs = lhs;
  o.value = std::move(v);
  o.summary = summary;
  o.family = f;
  o.args = dist.args;
  o.span = span;
  o.text = ast::to_source(*s.lhs) + " ~ " + ast::to_source(s.dist);
  model_.observations.push_back(std::move(o));
}

void Checker::statement(const ast::PrintStmt& s, Span) {
  check_print(s, typer_, scope_, model_, diags_);
}

void Checker::statement(const ast::PlotStmt& s, Span span) {
  check_plot(s, span, typer_, scope_, model_, diags_);
}

}  // namespace

std::vector<std::string> query_names() { return query_list(); }

std::optional<Model> check_program(const ast::Program& program, const SourceFile& file,
                                   Diagnostics& diags, const Options& options) {
  Checker c(file, diags, options);
  return c.run(program);
}

}  // namespace bayes::check
