// Factor log densities: evaluate the arguments, broadcast, sum the family's lpdf.
#include "density/log_density.hpp"

#include <cmath>
#include <vector>

#include "dist/multivariate.hpp"
#include "expr/eval.hpp"

namespace bayes::density {

namespace {

std::vector<Value> eval_args(const Model& m, const std::vector<ir::NodePtr>& args,
                             ParamValues params) {
  ir::Env env = env_of(m, params);
  std::vector<Value> out;
  out.reserve(args.size());
  for (const auto& a : args) out.push_back(ir::eval(*a, env));
  return out;
}

Eigen::VectorXd as_vector(const Value& v) {
  return Eigen::Map<const Eigen::VectorXd>(v.data.data(), static_cast<Eigen::Index>(v.size()));
}

Eigen::MatrixXd as_matrix(const Value& v) {
  return Eigen::Map<const Eigen::MatrixXd>(v.data.data(), static_cast<Eigen::Index>(v.rows),
                                           static_cast<Eigen::Index>(v.cols));
}

// Sum of a scalar family's lpdf over the elements of x, arguments broadcast.
double sum_scalar(const dist::Family& f, const std::vector<Value>& args, const Value& x) {
  double total = 0;
  std::vector<double> a(args.size());
  for (std::size_t k = 0; k < x.size(); ++k) {
    for (std::size_t i = 0; i < args.size(); ++i)
      a[i] = args[i].size() > 1 ? args[i][k] : args[i][0];
    total += scalar_lpdf(f, a, x[k]);
  }
  return total;
}

// A vector-valued family (Dirichlet, MultiNormal, Multinomial) or Categorical.
// `checked`: the arguments passed the family's check (once, for all values).
double vector_family(const dist::Family& f, const std::vector<Value>& args, const Value& x,
                     bool checked) {
  if (&f == &dist::categorical_family()) {
    double total = 0;
    for (double k : x.data)
      total += checked ? dist::categorical_lpmf_checked(args[0].data, k)
                       : dist::categorical_lpmf(args[0].data, k);
    return total;
  }
  if (&f == &dist::dirichlet_family()) return dist::dirichlet_lpdf(args[0].data, x.data);
  if (&f == &dist::multinomial_family()) return dist::multinomial_lpmf(args[1].data, x.data);
  if (&f == &dist::markov_chain_family())
    return dist::markov_chain_lpmf(args[0].data, args[1], x.data);
  if (&f == &dist::multi_normal_family()) {
    Eigen::MatrixXd cov = as_matrix(args[1]);
    if (x.rank == Rank::Matrix) {  // each row one observation
      double total = 0;
      for (std::size_t r = 0; r < x.rows; ++r) {
        Eigen::VectorXd row(x.cols);
        for (std::size_t c = 0; c < x.cols; ++c) row[static_cast<Eigen::Index>(c)] = x.at(r, c);
        total += dist::multi_normal_lpdf(as_vector(args[0]), cov, row);
      }
      return total;
    }
    return dist::multi_normal_lpdf(as_vector(args[0]), cov, as_vector(x));
  }
  return NAN;
}

}  // namespace

std::optional<FixedArgs> fixed_args(const Model& m, const std::vector<ir::NodePtr>& args,
                                    const dist::Family* family) {
  for (const auto& a : args)
    if (!ir::is_data_only(*a)) return std::nullopt;
  FixedArgs fixed{eval_args(m, args, {}), false};
  fixed.checked = family && family->check_args && family->check_args(fixed.values).empty();
  return fixed;
}

double scalar_lpdf(const dist::Family& f, std::span<const double> args, double x) {
  return f.lpdf ? f.lpdf(args, x) : NAN;
}

double log_mass(const Model& m, const Truncation& t, ParamValues params) {
  if (!t.on) return 0;
  if (!t.log_mass_of) return t.log_mass;
  return ir::eval(*t.log_mass_of, env_of(m, params))[0];
}

double log_term(const Model& m, const Term& t, ParamValues params) {
  const double v = ir::eval(*t.expr, env_of(m, params))[0];
  return std::isnan(v) ? -INFINITY : v;
}

double log_prior(const Model& m, const Prior& p, ParamValues params, const FixedArgs* fixed) {
  for (auto i : p.params)  // an ordered vector: increasing (and positive)
    if (m.params[i].order != ParamVar::Order::None) {
      const auto& x = params[i].data;
      for (std::size_t k = 0; k < x.size(); ++k)
        if ((k && !(x[k] > x[k - 1])) ||
            (m.params[i].order == ParamVar::Order::PositiveOrdered && !(x[k] > 0)))
          return -INFINITY;
    }
  if (p.truncation.on || !p.family) {
    // The bounds, evaluated where they depend on other parameters.
    const double lo = p.lower_of ? ir::eval(*p.lower_of, env_of(m, params))[0] : p.lower;
    const double hi = p.upper_of ? ir::eval(*p.upper_of, env_of(m, params))[0] : p.upper;
    if (p.dependent_bounds() && !(lo < hi)) return -INFINITY;
    for (auto i : p.params)
      for (double x : params[i].data)
        if (x < lo || x > hi) return -INFINITY;
  }
  if (!p.family) return 0;
  const std::vector<Value> evaluated = fixed ? std::vector<Value>{} : eval_args(m, p.args, params);
  const std::vector<Value>& args = fixed ? fixed->values : evaluated;
  const dist::Family& f = *p.family;
  if (f.joint == 2)  // NormalInverseGamma(m0, lambda, alpha, beta) on (mu, s2)
    return dist::normal_inverse_gamma_lpdf(args[0][0], args[1][0], args[2][0], args[3][0],
                                           params[p.params[0]][0], params[p.params[1]][0]);
  double total = 0;
  for (auto i : p.params) {
    if (f.lpdf && f.outcome_rank == Rank::Scalar) {
      total += sum_scalar(f, args, params[i]);
    } else {
      total += vector_family(f, args, params[i], fixed && fixed->checked);
    }
  }
  return total - log_mass(m, p.truncation, params);
}

std::string improper_prior(const Model& m, std::span<const std::size_t> params) {
  for (auto p : params) {
    const Prior& pr = m.priors[m.params[p].prior];
    if (!pr.family && !(std::isfinite(pr.lower) && std::isfinite(pr.upper)))
      return "the prior of '" + m.params[p].name + "' is " + pr.text +
             ", which is improper, so the evidence is not defined (give it a proper prior)";
  }
  return "";
}

// The sum of a scalar family's log density over a summarised column (the
// checker summarises only columns of families that stream, with scalar arguments).
double sum_summary(const dist::Family& f, const std::vector<Value>& args, const data::Summary& s) {
  std::vector<double> a;
  for (const Value& v : args) {
    if (v.size() != 1) return NAN;
    a.push_back(v[0]);
  }
  return f.streams() ? f.streaming.lpdf_sum(a, s) : NAN;
}

double log_likelihood(const Model& m, const Observation& o, ParamValues params,
                      const FixedArgs* fixed) {
  const std::vector<Value> evaluated = fixed ? std::vector<Value>{} : eval_args(m, o.args, params);
  const std::vector<Value>& args = fixed ? fixed->values : evaluated;
  const dist::Family& f = *o.family;
  if (o.summary) return sum_summary(f, args, *o.summary);
  if (f.lpdf && f.outcome_rank == Rank::Scalar)
    return sum_scalar(f, args, o.value) - log_mass(m, o.truncation, params);
  return vector_family(f, args, o.value, fixed && fixed->checked);
}

}  // namespace bayes::density
