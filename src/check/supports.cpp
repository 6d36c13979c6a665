// The checker's distributions and supports: distribution call -> checked
// call; observed data -> messages when it is outside the support or
// impossible under known arguments.
#include "check/supports.hpp"

#include <cmath>
#include <string_view>

#include "check/common.hpp"
#include "data/csv.hpp"
#include "dist/multivariate.hpp"
#include "expr/builtins.hpp"

namespace bayes::check {

using ir::Node;
using ir::NodePtr;

namespace {

// "Normal(mean, sd)", for messages.
std::string signature_of(const dist::Family& f) {
  std::string signature = std::string(f.name) + "(";
  for (std::size_t i = 0; i < f.params.size(); ++i)
    signature += (i ? ", " : "") + std::string(f.params[i].name);
  return signature + ")";
}

// One argument typed, with the rank its parameter takes.
NodePtr typed_argument(const ast::Expr& e, const dist::Family& f, const dist::Param& p,
                       Typer& typer, Diagnostics& diags) {
  NodePtr a = typer.expr(e);
  typer.require_numeric(a, "a distribution argument");
  if (p.rank == Rank::Scalar && a->type.is_matrix())
    fail(diags, a->span,
         std::string(p.name) + " of " + std::string(f.name) +
             " must be a number or a vector, not a matrix");
  if (p.rank == Rank::Vector && !a->type.is_vector())
    fail(diags, a->span,
         std::string(p.name) + " of " + std::string(f.name) + " must be a vector, not " +
             describe_shape(a->type));
  if (p.rank == Rank::Matrix && !a->type.is_matrix())
    fail(diags, a->span,
         std::string(p.name) + " of " + std::string(f.name) + " must be a matrix, not " +
             describe_shape(a->type));
  return a;
}

// A known argument inside its parameter's domain, element by element. False,
// reported, when not.
bool in_domain(const dist::Family& f, const dist::Param& p, const Node& a, const Value& known,
               Diagnostics& diags) {
  // Simplex and CountVector are checked as a whole by check_args.
  bool elementwise = p.domain != dist::Domain::Simplex && p.domain != dist::Domain::Covariance;
  if (!elementwise) return true;
  for (std::size_t k = 0; k < known.size(); ++k) {
    double x = known[k];
    if (dist::in_domain(p.domain, x) && !std::isnan(x)) continue;
    std::string where = known.is_scalar() ? "" : " (element " + std::to_string(k + 1) + ")";
    // inf is positive, but not a value any hyperparameter may take.
    std::string must(dist::describe(p.domain));
    if (std::isinf(x) && p.domain == dist::Domain::Real) must = "finite";
    if (x == INFINITY &&
        (p.domain == dist::Domain::Positive || p.domain == dist::Domain::NonNegative))
      must = "finite and " + must;
    diags.error(a.span, std::string(p.name) + " of " + std::string(f.name) + " must be " + must +
                            ", got " + message_value(x) + where);
    return false;
  }
  return true;
}

// Which data variable and element an observed element came from, for messages.
std::string element_name(const Model& model, const Node& lhs, std::size_t k, const Value& v) {
  if (lhs.op == ir::Op::Data) {
    const DataVar& d = model.data[lhs.ref];
    if (!d.file.empty()) return "";
    return v.is_scalar() ? d.name : d.name + "[" + std::to_string(k + 1) + "]";
  }
  std::string text = "element " + std::to_string(k + 1);
  return v.is_scalar() ? "the value" : text;
}

}  // namespace

CheckedDist check_distribution(const ast::DistCall& d, Typer& typer, const Scope& scope,
                               Diagnostics& diags) {
  const dist::Family* f = dist::find(d.name.name);
  if (!f) {
    std::vector<std::string> names;
    for (const auto* x : dist::all()) names.emplace_back(x->name);
    if (find_builtin(d.name.name) || scope.is_function(d.name.name))
      fail(diags, d.name.span, "'" + d.name.name + "' is a function, not a distribution");
    auto& diag = diags.error(d.name.span, "unknown distribution '" + d.name.name + "'");
    suggest(diag, closest_name(d.name.name, names));
    throw Poisoned{};
  }
  if (d.args.size() != f->params.size())
    fail(diags, d.span,
         std::string(f->name) + " takes " + plural(f->params.size(), "argument") + ", got " +
             std::to_string(d.args.size()),
         "the signature is " + signature_of(*f));
  CheckedDist out{f, {}, {}, true, &d};
  bool arg_error = false;
  for (std::size_t i = 0; i < d.args.size(); ++i) {
    const dist::Param& p = f->params[i];
    NodePtr a;
    try {
      a = typed_argument(*d.args[i], *f, p, typer, diags);
    } catch (const Poisoned&) {
      arg_error = true;
      out.args.push_back(nullptr);
      out.known.emplace_back();
      continue;
    }
    Value known;
    known.data.clear();
    known.rows = 0;
    if (!ir::is_data_only(*a)) {
      // The data parts of an argument that also reads parameters (0/0 in
      // `Normal(0/0 + mu, 1)`) must be numbers too.
      if (const Node* bad = typer.nonfinite_data_part(*a)) {
        diags.error(bad->span, "'" + std::string(p.name) + "' of " + std::string(f->name) +
                                   ": this part of the argument is not a finite number (it "
                                   "is computed from the data alone)");
        arg_error = true;
      }
    } else {
      known = typer.value_of(*a);
      if (!in_domain(*f, p, *a, known, diags)) arg_error = true;
    }
    out.args.push_back(a);
    out.known.push_back(std::move(known));
  }
  out.ok = !arg_error;
  if (arg_error) return out;
  if (f->check_args) {
    std::string why = f->check_args(out.known);
    if (!why.empty())
      fail(diags, d.span, "invalid arguments to " + std::string(f->name) + ": " + why);
  }
  return out;
}

bool args_vary(const CheckedDist& dist) {
  const dist::Family* f = dist.family;
  for (std::size_t i = 0; i < dist.known.size(); ++i)
    if (f->outcome_rank == Rank::Scalar && f->params[i].rank == Rank::Scalar &&
        dist.known[i].size() > 1)
      return true;
  return false;
}

std::vector<Value> args_at(const CheckedDist& dist, std::size_t k) {
  const dist::Family* f = dist.family;
  std::vector<Value> args_k;
  for (std::size_t i = 0; i < dist.known.size(); ++i) {
    const Value& a = dist.known[i];
    // An argument shorter than the data (an error reported elsewhere, when a
    // sibling argument's own error skipped the shape check) is unknown there.
    if (f->outcome_rank == Rank::Scalar && f->params[i].rank == Rank::Scalar && a.size() > 1)
      args_k.push_back(k < a.size() ? Value::scalar(a[k], a.integer) : Value{});
    else
      args_k.push_back(a);
  }
  return args_k;
}

void check_observed_shape(const Node& lhs, Span lhs_span, Span family_span, const CheckedDist& dist,
                          Diagnostics& diags) {
  const dist::Family* f = dist.family;
  // Shapes: the outcome and the scalar-family arguments broadcast elementwise.
  if (f->outcome_rank == Rank::Scalar) {
    if (lhs.type.is_matrix())
      fail(diags, lhs_span, "the left side of '~' must be a number or a vector");
    for (std::size_t i = 0; i < dist.args.size(); ++i) {
      const auto& a = dist.args[i];
      if (f->params[i].rank != Rank::Scalar || !a->type.is_vector()) continue;
      if (lhs.type.is_scalar())
        fail(diags, a->span,
             "the argument is a vector of length " + std::to_string(a->type.rows) +
                 " but the left side of '~' is a single value");
      if (a->type.rows != lhs.type.rows)
        fail(diags, a->span,
             "vectors of different lengths: the left side of '~' has " +
                 std::to_string(lhs.type.rows) + " elements but " + std::string(f->params[i].name) +
                 " has " + std::to_string(a->type.rows));
    }
    return;
  }
  if (f->outcome_rank != Rank::Vector)
    fail(diags, family_span,
         std::string(f->name) + " is a prior on parameters, not a likelihood for data");
  // MultiNormal also takes a matrix: each row is one observation (Stan's
  // array of vectors), so `columns(y1, y2) ~ MultiNormal(mu, S)`.
  const bool multi_normal = f == &dist::multi_normal_family();
  bool rows_of_matrix = lhs.type.is_matrix() && multi_normal;
  if (!lhs.type.is_vector() && !rows_of_matrix)
    fail(diags, lhs_span,
         std::string(f->name) +
             " is a distribution over vectors; the left side of '~' must be a vector" +
             (multi_normal ? " or a matrix whose rows are observations" : ""));
  std::size_t dim = rows_of_matrix ? lhs.type.cols : lhs.type.rows;
  const char* what = rows_of_matrix ? " columns but " : " elements but ";
  // A MarkovChain's length is the chain's; its arguments are K states long.
  if (f == &dist::markov_chain_family()) return;
  for (std::size_t i = 0; i < dist.args.size(); ++i) {
    const Type& t = dist.args[i]->type;
    if (f->params[i].rank == Rank::Vector && t.is_vector() && t.rows != dim)
      fail(diags, dist.args[i]->span,
           "vectors of different lengths: the left side of '~' has " + std::to_string(dim) + what +
               std::string(f->params[i].name) + " has " + std::to_string(t.rows));
    if (f->params[i].rank == Rank::Matrix && t.is_matrix() && (t.rows != dim || t.cols != dim))
      fail(diags, dist.args[i]->span,
           "the covariance must be " + std::to_string(dim) + "x" + std::to_string(dim) +
               " to match the left side of '~', not " + std::to_string(t.rows) + "x" +
               std::to_string(t.cols));
  }
}

std::optional<std::string> support_error(const Model& model, const Node& lhs, const Value& v,
                                         const CheckedDist& dist) {
  const dist::Family* f = dist.family;
  const std::string outside = "data outside the support of " + std::string(f->name) + ": ";
  // Arguments that are the same for every element are built once (v may
  // hold 10^7 values).
  const bool vary = args_vary(dist);
  std::vector<Value> args_k = args_at(dist, 0);
  for (std::size_t k = 0; k < v.size(); ++k) {
    if (vary && k > 0) args_k = args_at(dist, k);
    std::string why;
    if (f->support == dist::Domain::NonNegative && v[k] < 0)
      why = message_value(v[k]) + " is negative";
    if (why.empty() && f->check_outcome) why = f->check_outcome(args_k, v[k]);
    // With unknown probabilities (a Dirichlet parameter) K is still known from the type.
    if (why.empty() && f->support == dist::Domain::Category && dist.args[0] &&
        dist.known[0].size() == 0) {
      double kmax = static_cast<double>(dist.args[0]->type.rows);
      if (v[k] != std::floor(v[k]) || v[k] < 1 || v[k] > kmax)
        why = message_value(v[k]) + " is not a category of a " + message_value(kmax) +
              "-way Categorical (1.." + message_value(kmax) + ")";
    }
    if (why.empty() && !std::isfinite(v[k])) why = message_value(v[k]) + " is not a finite number";
    if (!why.empty()) return data_error(model, lhs, v, k, outside + why);
  }
  // A vector outcome as a whole: Multinomial counts summing to n, a Dirichlet
  // value on the simplex.
  if (f->outcome_rank == Rank::Vector && f->check_vector_outcome && dist.ok) {
    if (v.rank == Rank::Matrix) {  // MultiNormal: each row one observation
      std::vector<double> row(v.cols);
      for (std::size_t r = 0; r < v.rows; ++r) {
        for (std::size_t c = 0; c < v.cols; ++c) row[c] = v.at(r, c);
        std::string why = f->check_vector_outcome(dist.known, row);
        if (!why.empty())
          return data_error(model, lhs, v, std::nullopt,
                            outside + why + " (row " + std::to_string(r + 1) + ")");
      }
    } else {
      std::string why = f->check_vector_outcome(dist.known, v.data);
      if (!why.empty()) return data_error(model, lhs, v, std::nullopt, outside + why);
    }
  }
  return std::nullopt;
}

// Only for discrete families: there the log mass is -inf exactly when the
// probability is 0 (a continuous density can underflow).
std::optional<std::string> impossible_data_error(const Model& model, const Node& lhs,
                                                 const Value& v, const CheckedDist& dist) {
  const dist::Family* f = dist.family;
  if (!f->discrete) return std::nullopt;
  for (const Value& a : dist.known)
    if (a.size() == 0) return std::nullopt;  // a parameter is involved
  std::string text = ast::to_source(*dist.call);
  const std::string what = "the data has probability 0 under " + text;
  if (f->outcome_rank == Rank::Vector) {
    if (f == &dist::multinomial_family() &&
        dist::multinomial_lpmf(dist.known[1].data, v.data) == -INFINITY)
      return data_error(model, lhs, v, std::nullopt, what);
    return std::nullopt;
  }
  const bool vary = args_vary(dist);
  std::vector<Value> args_k = args_at(dist, 0);
  std::vector<double> a;
  for (std::size_t k = 0; k < v.size(); ++k) {
    if (vary && k > 0) args_k = args_at(dist, k);
    double lp = 0;
    if (f == &dist::categorical_family()) {
      lp = dist::categorical_lpmf(args_k[0].data, v[k]);
    } else if (f->lpdf) {
      a.clear();
      for (const Value& x : args_k) {
        if (!x.is_scalar()) return std::nullopt;
        a.push_back(x[0]);
      }
      lp = f->lpdf(a, v[k]);
    }
    if (lp == -INFINITY)
      return data_error(model, lhs, v, k,
                        what + ": the value " + message_value(v[k]) + " cannot occur");
  }
  return std::nullopt;
}

bool summary_fits(const data::Summary& su, const CheckedDist& dist) {
  const dist::Family* f = dist.family;
  if (f->outcome_rank != Rank::Scalar || su.n == 0) return false;
  for (std::size_t i = 0; i < dist.args.size(); ++i)
    if (!dist.args[i]->type.is_scalar()) return false;
  if (f->discrete && !su.integer) return false;
  if (f->support == dist::Domain::NonNegative && su.min < 0) return false;
  std::vector<Value> args = args_at(dist, 0);
  if (f->check_outcome &&
      (!f->check_outcome(args, su.min).empty() || !f->check_outcome(args, su.max).empty()))
    return false;
  bool known = true;
  for (const Value& a : dist.known) known = known && a.size() > 0;
  if (f->discrete && known && f->lpdf) {
    if (!su.counts_complete) return false;
    std::vector<double> a;
    for (const Value& x : args) a.push_back(x[0]);
    for (const auto& [x, k] : su.counts)
      if (f->lpdf(a, x) == -INFINITY) return false;
  }
  return true;
}

std::string data_error(const Model& model, const Node& lhs, const Value& v,
                       std::optional<std::size_t> k, const std::string& what) {
  if (lhs.op == ir::Op::Data && !model.data[lhs.ref].file.empty()) {
    const DataVar& d = model.data[lhs.ref];
    std::string where = d.file;
    if (k)
      where += ":" + std::to_string(data::record_line(d.csv_lines, *k)) + ":" +
               std::to_string(d.csv_field);
    return where + ": " + what + " (column '" + d.name + "')";
  }
  if (!k) {
    if (lhs.op == ir::Op::Data) return what + " (" + model.data[lhs.ref].name + ")";
    return what;
  }
  return what + " (" + element_name(model, lhs, *k, v) + ")";
}

}  // namespace bayes::check
