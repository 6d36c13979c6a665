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
  void statement(const ast::FactorStmt& s, Span span);

  std::vector<std::size_t> param_sizes(const ast::ParamStmt& s, bool& size_error);
  Prior prior_of(const ast::ParamStmt& s, Span span);
  void truncate_prior(const ast::ParamStmt& s, Prior& pr, double lo, double hi);
  void truncate_observation(const ast::Truncation& t, const CheckedDist& dist,
                            const ir::NodePtr& lhs, const Value& v, Observation& o);
  Truncation truncation_of(const dist::Family& f, const std::vector<ir::NodePtr>& args,
                           std::size_t elements, double lo, double hi, Span span,
                           const std::string& what);
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
  double lo = -INFINITY, hi = INFINITY;
  if (s.lower) lo = bound(*s.lower);
  if (s.upper) hi = bound(*s.upper);
  if (!(lo < hi))
    fail(span, "the lower bound " + message_value(lo) + " is not below the upper bound " +
                   message_value(hi));
  if (s.prior) {
    CheckedDist prior = check_distribution(*s.prior, typer_, scope_, diags_);
    if (!prior.ok) throw Poisoned{};
    pr.family = prior.family;
    pr.args = prior.args;
    pr.text = ast::to_source(*s.prior);
    if (s.lower || s.upper) truncate_prior(s, pr, lo, hi);
    return pr;
  }
  pr.lower = lo;
  pr.upper = hi;
  pr.text = "flat on (" + message_value(lo) + ", " + message_value(hi) + ")";
  return pr;
}

// `param s > 0 ~ D(...)`: D cut to the bounds and renormalised. Bounds that
// hold D's whole support change nothing; Normal(0, s) and Cauchy(0, s) cut
// at 0 are HalfNormal(s) and HalfCauchy(s) (the same density), so that the
// rules for those apply. For a discrete family the bounds are strict as
// written: `n > 0` is n >= 1.
void Checker::truncate_prior(const ast::ParamStmt& s, Prior& pr, double lo, double hi) {
  const dist::Family& f = *pr.family;
  const Span at = s.lower ? s.lower->span : s.upper->span;
  if (f.outcome_rank != Rank::Scalar || f.joint > 1 || !f.cdf)
    fail(at, "bounds apply to a family of one number with a cdf; " + std::string(f.name) +
                 " is not one");
  if (f.discrete) {
    lo = std::isfinite(lo) ? std::floor(lo) + 1 : lo;
    hi = std::isfinite(hi) ? std::ceil(hi) - 1 : hi;
    if (!(lo <= hi)) fail(at, "no whole number lies inside these bounds");
  }
  std::vector<Value> known;
  for (const auto& a : pr.args)
    known.push_back(ir::is_data_only(*a) ? typer_.value_of(*a) : Value{});
  const dist::Bounds support = dist::support_bounds(f, known);
  if (lo <= support.lo && hi >= support.hi) return;  // nothing cut
  const std::string range = "(" + message_value(lo) + ", " + message_value(hi) + ")";
  pr.text += " on " + range;
  const auto is_zero = [&](const ir::NodePtr& a) {
    return ir::is_data_only(*a) && a->type.is_scalar() && typer_.value_of(*a)[0] == 0;
  };
  if (lo == 0 && hi == INFINITY && (&f == &dist::normal_family() || &f == &dist::cauchy_family()) &&
      is_zero(pr.args[0])) {
    pr.family =
        &f == &dist::normal_family() ? &dist::half_normal_family() : &dist::half_cauchy_family();
    pr.args = {pr.args[1]};
    return;
  }
  pr.lower = lo, pr.upper = hi;
  pr.truncation.on = true;  // its normaliser once the sizes are known (declare_params)
}

// The normaliser of f cut to [lo, hi] over `elements` values (each argument
// a scalar or a vector of that length), a number when the arguments are data.
Truncation Checker::truncation_of(const dist::Family& f, const std::vector<ir::NodePtr>& args,
                                  std::size_t elements, double lo, double hi, Span span,
                                  const std::string& what) {
  Truncation t;
  t.on = true;
  std::vector<NodePtr> in = args;
  in.push_back(ir::constant(Value::scalar(lo), span));
  in.push_back(ir::constant(Value::scalar(hi), span));
  auto n = std::make_shared<ir::Node>();
  n->op = Op::Dist;
  n->type = Type::scalar();
  n->span = span;
  n->family = &f;
  n->dist_fn = ir::DistFn::LogMass;
  n->args = std::move(in);
  NodePtr mass = n;
  std::size_t longest = 1;
  for (const auto& a : args)
    if (a->type.is_vector()) longest = std::max(longest, a->type.rows);
  if (elements > longest) {
    auto times = std::make_shared<ir::Node>();
    times->op = Op::Mul;
    times->type = Type::scalar();
    times->span = span;
    times->args = {ir::constant(Value::scalar(static_cast<double>(elements / longest)), span),
                   mass};
    mass = times;
  }
  if (ir::is_data_only(*mass)) {
    t.log_mass = typer_.value_of(*mass)[0];
    if (!(t.log_mass > -INFINITY)) fail(span, what + " keeps no probability inside its bounds");
  } else {
    t.log_mass_of = mass;
  }
  return t;
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
      if (pr.truncation.on) {
        const std::size_t k = model_.params[i].type.is_scalar() ? 1 : model_.params[i].type.rows;
        try {
          one.truncation =
              truncation_of(*f, pr.args, k, pr.lower, pr.upper, pr.span, "the prior " + pr.text);
        } catch (const Poisoned&) {
          continue;
        }
      }
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
    if (dist.ok && !s.truncation && summary_fits(*model_.data[lhs->ref].summary, dist))
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
  if (s.truncation) truncate_observation(*s.truncation, dist, lhs, v, o);
  o.lhs = lhs;
  o.value = std::move(v);
  o.summary = summary;
  o.family = f;
  o.args = dist.args;
  o.span = span;
  o.text = ast::to_source(*s.lhs) + " ~ " + ast::to_source(s.dist);
  if (s.truncation) o.text += " T[" + message_value(o.lower) + ", " + message_value(o.upper) + "]";
  model_.observations.push_back(std::move(o));
}

// `y ~ D(...) T[lo, hi]`: D cut to the bounds (data), every observed value
// inside them; both ends included, as Stan's.
void Checker::truncate_observation(const ast::Truncation& t, const CheckedDist& dist,
                                   const NodePtr& lhs, const Value& v, Observation& o) {
  const dist::Family& f = *dist.family;
  if (f.outcome_rank != Rank::Scalar || !f.cdf)
    fail(t.span, "T[...] applies to a family of one number with a cdf; " + std::string(f.name) +
                     " is not one");
  const double lo = t.lower ? bound(*t.lower) : -INFINITY;
  const double hi = t.upper ? bound(*t.upper) : INFINITY;
  if (!(lo <= hi))
    fail(t.span,
         "the lower bound " + message_value(lo) + " is above the upper bound " + message_value(hi));
  for (std::size_t k = 0; k < v.size(); ++k)
    if (v[k] < lo || v[k] > hi)
      fail(lhs->span, data_error(model_, *lhs, v, k,
                                 message_value(v[k]) + " is outside the truncation T[" +
                                     message_value(lo) + ", " + message_value(hi) + "]"));
  o.lower = lo, o.upper = hi;
  o.truncation = truncation_of(f, dist.args, v.size(), lo, hi, t.span,
                               "'" + ast::to_source(*dist.call) + " T[...]'");
}

void Checker::statement(const ast::FactorStmt& s, Span span) {
  NodePtr n = typer_.expr(*s.value);
  typer_.require_numeric(n, "'factor'");
  if (!n->type.is_scalar())
    fail(s.value->span, "'factor' adds one number to the log density, not " +
                            describe_shape(n->type) + "; sum it: 'factor sum(...)'");
  if (ir::is_data_only(*n))
    fail(s.value->span,
         "'factor' of data alone is a constant: it changes no answer but the "
         "evidence (write it with the parameters it is about)");
  model_.terms.push_back(Term{n, span, "factor " + ast::to_source(*s.value)});
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
