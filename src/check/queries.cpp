// The checker's queries: `print` and `plot` statements -> the model's
// queries. Tells a query of the posterior (posterior(p), prob(p > 0.5), ...)
// from a built-in of the same name applied to data (mean(y)).
#include "check/queries.hpp"

#include <cmath>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "check/common.hpp"
#include "check/supports.hpp"
#include "expr/builtins.hpp"

namespace bayes::check {

namespace {

using ir::NodePtr;

class QueryChecker {
 public:
  QueryChecker(Typer& typer, const Scope& scope, Model& model, Diagnostics& diags)
      : typer_(typer), scope_(scope), model_(model), diags_(diags) {}

  Query query(const ast::Expr& e);
  Target target_of(const ast::Expr& e, const std::string& query);

 private:
  Typer& typer_;
  const Scope& scope_;
  Model& model_;
  Diagnostics& diags_;

  [[noreturn]] void fail(Span span, const std::string& message) {
    check::fail(diags_, span, message);
  }
  bool is_data_name(const ast::Expr& a) const;
  bool reads_no_unknown(const ast::Expr& a) const;
  std::optional<Query> posterior_query(const ast::Call& call, const ast::Expr& e, Query q);
  void predictive(const ast::Call& call, Query& q);
  std::string vector_condition(const ast::Expr& cond, const Type& t) const;
  double level_arg(const ast::Expr& e, const char* what);
  void no_nan_operand(const ir::Node& n, Span fallback);
  std::optional<Target> derived(const ast::Expr& e);
};

// An expression that reads a parameter or a let (`a - b`, `exp(mu)`): its
// posterior as a let of its own, named by its text, so that `mean(a - b)`
// and `print a - b` need no `let` first. nullopt for an expression of data.
std::optional<Target> QueryChecker::derived(const ast::Expr& e) {
  if (reads_no_unknown(e)) return std::nullopt;
  NodePtr value = typer_.expr(e);
  if (ir::is_data_only(*value)) return std::nullopt;
  const std::string text = ast::to_source(e);
  for (std::size_t i = 0; i < model_.lets.size(); ++i)
    if (model_.lets[i].from_query && model_.lets[i].name == text)
      return Target{Target::Kind::Let, i, std::nullopt};
  model_.lets.push_back(LetVar{text, value, e.span, true});
  return Target{Target::Kind::Let, model_.lets.size() - 1, std::nullopt};
}

// A condition that compares with NaN is never true (p < 0/0 and p > 0/0 would
// both have probability 0): refused where the NaN is written.
void QueryChecker::no_nan_operand(const ir::Node& n, Span fallback) {
  const Span here = n.span.end > n.span.begin ? n.span : fallback;
  if (ir::is_data_only(n)) {
    Value v = typer_.value_of(n);
    for (double x : v.data)
      if (std::isnan(x))
        fail(here,
             "the condition compares with NaN (not a number), which is neither above nor "
             "below nor equal to anything");
    return;
  }
  for (const auto& a : n.args) no_nan_operand(*a, here);
}

bool QueryChecker::is_data_name(const ast::Expr& a) const {
  const auto* n = ast::as<ast::Name>(a);
  if (!n) return false;
  const Symbol* sym = scope_.find(n->id);
  return sym && sym->kind == SymKind::Data;
}

// An expression that names no parameter or let, such as mean([1, 3]).
bool QueryChecker::reads_no_unknown(const ast::Expr& a) const {
  if (ast::as<ast::Name>(a)) return false;
  std::set<std::string> names;
  names_in(a, names);
  for (const auto& n : names) {
    const Symbol* sym = scope_.find(n);
    if (sym && (sym->kind == SymKind::Param || sym->kind == SymKind::Let)) return false;
  }
  return true;
}

Target QueryChecker::target_of(const ast::Expr& e, const std::string& query) {
  const auto* name = ast::as<ast::Name>(e);
  if (name) {
    const Symbol* sym = scope_.find(name->id);
    if (!sym) typer_.unknown_name(name->id, e.span);
    if (sym->bad) throw Poisoned{};
    if (sym->kind == SymKind::Param) return Target{Target::Kind::Param, sym->index, std::nullopt};
    if (sym->kind == SymKind::Let) return Target{Target::Kind::Let, sym->index, std::nullopt};
    fail(e.span, query + " needs a parameter or a let quantity, but '" + name->id + "' is " +
                     (sym->kind == SymKind::Data ? "data" : "a function"));
  }
  // One element of a vector parameter at an index that is data: w[2].
  const auto* index = ast::as<ast::Index>(e);
  const auto* base = index ? ast::as<ast::Name>(*index->base) : nullptr;
  const Symbol* base_sym = base ? scope_.find(base->id) : nullptr;
  // Any other expression of parameters (`a - b`, `x[2, 1]`, `lam[2]` of a let).
  const bool element =
      base_sym && !base_sym->bad && base_sym->kind == SymKind::Param && index->indices.size() == 1;
  if (!element)
    if (auto t = derived(e)) return *t;
  if (base) {
    const Symbol* sym = base_sym;
    if (!sym) typer_.unknown_name(base->id, index->base->span);
    if (sym->bad) throw Poisoned{};
    if (sym->kind != SymKind::Param || index->indices.size() != 1)
      fail(e.span, query + " of one element needs a vector parameter and one index, as in '" +
                       query.substr(0, query.find('(')) +
                       "(w[2])'; for an expression, name it "
                       "first: let " +
                       base->id + "1 = " + ast::to_source(e));
    const ParamVar& p = model_.params[sym->index];
    if (p.type.is_scalar())
      fail(index->base->span, "'" + p.name + "' is a scalar: it has no elements");
    NodePtr k = typer_.data_expr(*index->indices[0], "an index");
    Value v = typer_.value_of(*k);
    if (!v.is_scalar() || v[0] != std::floor(v[0]) || v[0] < 1 ||
        v[0] > static_cast<double>(p.type.rows))
      fail(index->indices[0]->span, "the index must be a whole number in 1.." +
                                        std::to_string(p.type.rows) + " ('" + p.name + "' has " +
                                        std::to_string(p.type.rows) + " elements)");
    return Target{Target::Kind::Param, sym->index, static_cast<std::size_t>(v[0]) - 1};
  }
  fail(e.span, query + " needs the name of a parameter or a let quantity");
}

// "prob(...) needs a single condition, but 'w > 0' is a vector of 3
// conditions (index one, e.g. 'w[1] > 0')".
std::string QueryChecker::vector_condition(const ast::Expr& cond, const Type& t) const {
  std::string msg = "prob(...) needs a single condition, but '" + ast::to_source(cond) +
                    "' is a vector of " + std::to_string(t.rows * t.cols) + " conditions";
  // The example indexes the first vector-valued name of a comparison.
  const auto* b = ast::as<ast::Binary>(cond);
  if (!b) return msg;
  for (const ast::ExprPtr* side : {&b->lhs, &b->rhs}) {
    const auto* n = ast::as<ast::Name>(**side);
    const Symbol* sym = n ? scope_.find(n->id) : nullptr;
    if (!sym || sym->bad) continue;
    bool vector =
        (sym->kind == SymKind::Param && model_.params[sym->index].type.is_vector()) ||
        (sym->kind == SymKind::Let && model_.lets[sym->index].expr->type.is_vector()) ||
        (sym->kind == SymKind::Data && model_.data[sym->index].value.rank == Rank::Vector);
    if (!vector) continue;
    ast::Binary one = *b;
    auto index = std::make_shared<const ast::Expr>(ast::Expr{
        ast::Index{*side, {std::make_shared<const ast::Expr>(ast::Expr{ast::Number{1, true}, {}})}},
        {}});
    (side == &b->lhs ? one.lhs : one.rhs) = index;
    return msg + " (index one, e.g. '" + ast::to_source(ast::Expr{one, {}}) + "')";
  }
  return msg;
}

double QueryChecker::level_arg(const ast::Expr& e, const char* what) {
  NodePtr n = typer_.data_expr(e, what);
  Value v = typer_.value_of(*n);
  if (!v.is_scalar() || !(v[0] > 0 && v[0] < 1))
    fail(e.span, std::string(what) + " must be between 0 and 1");
  return v[0];
}

void QueryChecker::predictive(const ast::Call& call, Query& q) {
  q.kind = QueryKind::Predictive;
  // predictive(Normal(w0 + w1 * 180, sigma)): a new observation at new inputs.
  if (const auto* d = ast::as<ast::Call>(*call.args[0]); d && dist::find(d->callee.name)) {
    const ast::DistCall dist_call{d->callee, d->args, call.args[0]->span};
    CheckedDist dist = check_distribution(dist_call, typer_, scope_, diags_);
    if (!dist.ok) throw Poisoned{};
    const dist::Family& f = *dist.family;
    if (f.joint > 1 || f.outcome_rank != Rank::Scalar || !f.sample)
      fail(call.args[0]->span,
           "predictive(...) of a new observation needs a family of one "
           "number that can be drawn from; " +
               std::string(f.name) + " is not one");
    bool unknown = false;
    for (const auto& a : dist.args) {
      if (!a->type.is_scalar())
        fail(call.args[0]->span,
             "predictive(" + std::string(f.name) +
                 "(...)) is one new observation: each argument must be one number (index a "
                 "vector of data, or write the new input itself)");
      unknown = unknown || !ir::is_data_only(*a);
    }
    if (!unknown)
      fail(call.args[0]->span,
           "the distribution involves no parameter: it is known, there is nothing to predict");
    q.new_family = &f;
    q.new_args = dist.args;
    return;
  }
  const auto* n = ast::as<ast::Name>(*call.args[0]);
  if (!n || !is_data_name(*call.args[0])) {
    if (n && !scope_.has(n->id)) typer_.unknown_name(n->id, call.args[0]->span);
    fail(call.args[0]->span,
         "predictive(...) needs the name of observed data, or a distribution of one new "
         "observation (predictive(Normal(a + b * 180, sigma)))");
  }
  std::size_t di = scope_.find(n->id)->index;
  for (std::size_t i = 0; i < model_.observations.size(); ++i) {
    const auto& lhs = *model_.observations[i].lhs;
    if (lhs.op == ir::Op::Data && lhs.ref == di) q.observations.push_back(i);
  }
  if (q.observations.empty())
    fail(call.args[0]->span, "'" + n->id + "' is not observed: no statement '" + n->id +
                                 " ~ ...' comes before this query");
  q.data_name = n->id;
}

// posterior(p), map(), interval(p, 0.9), prob(p > 0.5), predictive(y), ...;
// nullopt when the call is not one (a user function, a built-in on data, or
// another name).
std::optional<Query> QueryChecker::posterior_query(const ast::Call& call, const ast::Expr& e,
                                                   Query q) {
  const std::string& name = call.callee.name;
  auto nargs = call.args.size();
  auto arity = [&](std::size_t lo, std::size_t hi, const char* usage) {
    if (nargs < lo || nargs > hi) fail(e.span, "'" + name + "' takes " + usage);
  };
  if (scope_.is_function(name)) return std::nullopt;
  // mean(...) / sd(...) of data (a data name, or an expression that names
  // no parameter or let, such as mean([1, 3])) is the built-in, not the
  // posterior summary.
  bool data_call = (name == "mean" || name == "sd") && nargs == 1 &&
                   (is_data_name(*call.args[0]) || reads_no_unknown(*call.args[0]));
  if (data_call) return std::nullopt;
  if (name == "posterior" || name == "mean" || name == "sd") {
    arity(1, 1, "one argument, a parameter or let name");
    q.kind = name == "posterior" ? QueryKind::Posterior
             : name == "mean"    ? QueryKind::Mean
                                 : QueryKind::Sd;
    q.targets.push_back(target_of(*call.args[0], name + "(...)"));
    return q;
  }
  if (name == "map" || name == "mle") {
    arity(0, 1, "no argument (every parameter) or one parameter or let name");
    q.kind = name == "map" ? QueryKind::Map : QueryKind::Mle;
    if (nargs) q.targets.push_back(target_of(*call.args[0], name + "(...)"));
    return q;
  }
  if (name == "interval" || name == "quantile") {
    q.kind = name == "interval" ? QueryKind::Interval : QueryKind::Quantile;
    if (name == "interval")
      arity(1, 2, "a parameter name and an optional level, e.g. interval(p, 0.9)");
    else
      arity(2, 2, "a parameter name and a probability, e.g. quantile(p, 0.5)");
    q.targets.push_back(target_of(*call.args[0], name + "(...)"));
    if (nargs == 2)
      q.level = level_arg(*call.args[1], name == "interval" ? "the level" : "the probability");
    return q;
  }
  if (name == "prob") {
    arity(1, 1, "one condition, e.g. prob(p > 0.5)");
    q.kind = QueryKind::Prob;
    q.expr = typer_.expr(*call.args[0]);
    if (q.expr->type.elem != Elem::Bool)
      fail(call.args[0]->span, "prob(...) needs a condition such as 'p > 0.5'");
    if (!q.expr->type.is_scalar())
      fail(call.args[0]->span, vector_condition(*call.args[0], q.expr->type));
    if (ir::is_data_only(*q.expr)) fail(call.args[0]->span, "the condition involves no parameter");
    no_nan_operand(*q.expr, call.args[0]->span);
    return q;
  }
  if (name == "predictive") {
    arity(1, 1, "one argument: the name of observed data, or a new observation's distribution");
    predictive(call, q);
    return q;
  }
  if (name == "evidence") {
    arity(0, 0, "no arguments");
    q.kind = QueryKind::Evidence;
    return q;
  }
  return std::nullopt;
}

Query QueryChecker::query(const ast::Expr& e) {
  Query q;
  q.text = ast::to_source(e);
  q.span = e.span;
  if (const auto* call = ast::as<ast::Call>(e))
    if (auto named = posterior_query(*call, e, q)) return std::move(*named);
  if (const auto* n = ast::as<ast::Name>(e)) {
    const Symbol* sym = scope_.find(n->id);
    // A let of data alone is a value, not a posterior.
    if (sym && !sym->bad && sym->kind == SymKind::Let &&
        ir::is_data_only(*model_.lets[sym->index].expr)) {
      q.kind = QueryKind::Value;
      q.expr = model_.lets[sym->index].expr;
      return q;
    }
    if (sym && !sym->bad && (sym->kind == SymKind::Param || sym->kind == SymKind::Let)) {
      q.kind = QueryKind::Posterior;
      q.targets.push_back(target_of(e, "print"));
      return q;
    }
  }
  // `print w[2]`: the posterior of one element.
  if (const auto* ix = ast::as<ast::Index>(e))
    if (const auto* n = ast::as<ast::Name>(*ix->base)) {
      const Symbol* sym = scope_.find(n->id);
      if (sym && !sym->bad && sym->kind == SymKind::Param) {
        q.kind = QueryKind::Posterior;
        q.targets.push_back(target_of(e, "print"));
        return q;
      }
    }
  NodePtr value = typer_.expr(e);
  if (!ir::is_data_only(*value)) {
    // `print a - b`: the posterior of a derived quantity; `print p > 0.5`:
    // the probability of the condition.
    if (value->type.elem == Elem::Bool && value->type.is_scalar()) {
      no_nan_operand(*value, e.span);
      q.kind = QueryKind::Prob;
      q.text = "prob(" + q.text + ")";
      q.expr = value;
      return q;
    }
    q.kind = QueryKind::Posterior;
    q.targets.push_back(*derived(e));
    return q;
  }
  q.kind = QueryKind::Value;
  q.expr = value;
  return q;
}

}  // namespace

void check_print(const ast::PrintStmt& s, Typer& typer, const Scope& scope, Model& model,
                 Diagnostics& diags) {
  if (const auto* c = ast::as<ast::Call>(*s.query)) {
    const std::string& name = c->callee.name;
    bool known =
        is_query_name(name) || find_builtin(name) || is_dist_function(name) || scope.has(name);
    if (!known) {
      if (scope.defined_later(name)) {
        scope.report_unknown(name, c->callee.span, "function", {}, diags);
        return;
      }
      std::vector<std::string> candidates = query_list();
      for (const auto& x : all_builtins()) candidates.emplace_back(x.name);
      auto& d = diags.error(c->callee.span, "unknown query '" + name + "'");
      suggest(d, closest_name(name, candidates));
      return;
    }
  }
  model.queries.push_back(QueryChecker(typer, scope, model, diags).query(*s.query));
}

void check_plot(const ast::PlotStmt& s, Span span, Typer& typer, const Scope& scope, Model& model,
                Diagnostics& diags) {
  Query q;
  q.kind = QueryKind::Plot;
  q.text = "plot " + ast::to_source(*s.target);
  q.span = span;
  q.targets.push_back(QueryChecker(typer, scope, model, diags).target_of(*s.target, "plot"));
  if (q.targets[0].kind == Target::Kind::Param && !q.targets[0].element &&
      !model.params[q.targets[0].index].type.is_scalar())
    fail(diags, s.target->span,
         "plot needs a scalar parameter; plot one element: 'plot " +
             model.params[q.targets[0].index].name + "[1]'");
  q.file = s.file;
  model.queries.push_back(q);
}

}  // namespace bayes::check
