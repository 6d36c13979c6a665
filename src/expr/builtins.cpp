// The built-in function table: for each function its name, arity, shape and
// help, and its value with its derivative (a vector-Jacobian product for the
// functions of vectors), from which the evaluator and the AD tape both work.
#include "expr/builtins.hpp"

#include <algorithm>
#include <boost/math/special_functions/digamma.hpp>
#include <cmath>
#include <cstdint>
#include <functional>
#include <numeric>
#include <type_traits>

namespace bayes {

namespace {

constexpr std::size_t kAny = SIZE_MAX;
constexpr BuiltinForms kShapeOnly{};  // columns, rep, seq: no mathematics to differentiate
using S = BuiltinShape;
using I = IntegerResult;
using In = BuiltinMath::In;
using Out = BuiltinMath::Out;

// An argument of one element broadcasts against the other.
double at(In v, std::size_t k) { return v.size() == 1 ? v[0] : v[k]; }
void add_at(Out v, std::size_t k, double d) { (v.size() == 1 ? v[0] : v[k]) += d; }

// The shapes of table entries. Each takes captureless lambdas and instantiates
// its loops around them, so the per-element calls inline; the evaluator and
// the tape reach a function through one pointer call per vector.

// out_k = f(x_k), d out_k / d x_k = d(x_k, out_k). Without d: piecewise constant.
template <class F, class D = std::nullptr_t>
BuiltinForms elementwise(F, D = nullptr) {
  BuiltinMath m;
  m.value = [](In x, In, Out out) {
    for (std::size_t k = 0; k < out.size(); ++k) out[k] = F{}(at(x, k));
  };
  if constexpr (!std::is_same_v<D, std::nullptr_t>)
    m.vjp = [](In x, In, In out, In g, Out dx, Out) {
      for (std::size_t k = 0; k < g.size(); ++k) add_at(dx, k, g[k] * D{}(at(x, k), out[k]));
    };
  return {m, {}};
}

// out_k = f(x_k, y_k) with broadcasting; dx(x, y, out) and dy(x, y, out) its
// partial derivatives.
template <class F, class DX, class DY>
BuiltinForms pairwise(F, DX, DY) {
  BuiltinMath m;
  m.value = [](In x, In y, Out out) {
    for (std::size_t k = 0; k < out.size(); ++k) out[k] = F{}(at(x, k), at(y, k));
  };
  m.vjp = [](In x, In y, In out, In g, Out dx, Out dy) {
    for (std::size_t k = 0; k < g.size(); ++k) {
      double a = at(x, k), b = at(y, k), z = out[k];
      add_at(dx, k, g[k] * DX{}(a, b, z));
      add_at(dy, k, g[k] * DY{}(a, b, z));
    }
  };
  return {{}, m};
}

// A vector to a vector of the same length: f(x, out), and vjp(x, out, g, dx).
template <class F, class V>
BuiltinForms vector_map(F, V) {
  BuiltinMath m;
  m.value = [](In x, In, Out out) { F{}(x, out); };
  m.vjp = [](In x, In, In out, In g, Out dx, Out) { V{}(x, out, g, dx); };
  return {m, {}};
}

// A vector to a scalar: out = f(x), and vjp(x, out, g, dx) with scalar out
// and g. Without vjp: piecewise constant.
template <class F, class V = std::nullptr_t>
BuiltinForms reduce(F, V = nullptr) {
  BuiltinMath m;
  m.scalar_result = true;
  m.value = [](In x, In, Out out) { out[0] = F{}(x); };
  if constexpr (!std::is_same_v<V, std::nullptr_t>)
    m.vjp = [](In x, In, In out, In g, Out dx, Out) { V{}(x, out[0], g[0], dx); };
  return {m, {}};
}

double sum(In x) { return std::accumulate(x.begin(), x.end(), 0.0); }
// The largest |x_k - centre|: a scale that keeps sums of huge values finite.
double largest_gap(In x, double centre) {
  double top = 0;
  for (double v : x) top = std::max(top, std::fabs(v - centre));
  return top;
}

// The sum divided by n; when the sum overflows but the values are finite
// (mean([1e308, 1e308])), the same of the values scaled by the largest.
double mean(In x) {
  const double n = static_cast<double>(x.size()), total = sum(x);
  if (std::isfinite(total) || x.empty()) return total / n;
  const double scale = largest_gap(x, 0);
  if (!std::isfinite(scale)) return total / n;
  double scaled = 0;
  for (double v : x) scaled += v / scale;
  return scale * (scaled / n);
}
// The mean square deviation's sum over n - 1, as scale^2 * (sum of squared
// scaled deviations): sd([1e308, -1e308]) = 1.414e308 although the variance
// itself overflows.
double variance_scaled(In x, double& scale) {
  const double n = static_cast<double>(x.size()), m = mean(x);
  scale = largest_gap(x, m);
  if (!(scale > 0) || !std::isfinite(scale)) {
    double ss = 0;
    for (double v : x) ss += (v - m) * (v - m);
    scale = 1;
    return n > 1 ? ss / (n - 1) : NAN;
  }
  double ss = 0;
  for (double v : x) ss += ((v - m) / scale) * ((v - m) / scale);
  return n > 1 ? ss / (n - 1) : NAN;
}
double variance(In x) {
  double scale = 1;
  const double v = variance_scaled(x, scale);
  return v * scale * scale;
}
double standard_deviation(In x) {
  double scale = 1;
  const double v = variance_scaled(x, scale);
  return std::sqrt(v) * scale;
}
// d variance / d x_k, times g.
void variance_vjp(In x, double g, Out dx) {
  double nm1 = static_cast<double>(x.size() - 1), m = mean(x);
  for (std::size_t k = 0; k < x.size(); ++k) dx[k] += g * (2 * (x[k] - m) / nm1);
}

double log_sum_exp(In x) {
  if (x.empty()) return -INFINITY;
  double m = *std::max_element(x.begin(), x.end());
  if (!std::isfinite(m)) return m;
  double s = 0;
  for (double v : x) s += std::exp(v - m);
  return m + std::log(s);
}

double logistic(double x) {
  return x >= 0 ? 1 / (1 + std::exp(-x)) : std::exp(x) / (1 + std::exp(x));
}

// The first smallest (is_min) or largest element of a vector that is not empty.
template <bool is_min>
std::size_t extreme_at(In x) {
  auto it = is_min ? std::min_element(x.begin(), x.end()) : std::max_element(x.begin(), x.end());
  return static_cast<std::size_t>(it - x.begin());
}

// min and max: of one vector, its smallest (is_min) or largest element (the
// derivative goes to the first of them); of two arguments, elementwise (ties
// go to the first argument).
template <bool is_min>
BuiltinForms extreme() {
  BuiltinForms of_one = reduce([](In x) { return x.empty() ? NAN : x[extreme_at<is_min>(x)]; },
                               [](In x, double, double g, Out dx) {
                                 if (!x.empty()) dx[extreme_at<is_min>(x)] += g;
                               });
  BuiltinForms of_two =
      pairwise([](double x, double y) { return is_min ? std::min(x, y) : std::max(x, y); },
               [](double x, double y, double) { return (is_min ? x <= y : x >= y) ? 1.0 : 0.0; },
               [](double x, double y, double) { return (is_min ? x <= y : x >= y) ? 0.0 : 1.0; });
  return {of_one.one, of_two.two};
}

BuiltinForms dot() {
  BuiltinMath m;
  m.scalar_result = true;
  m.value = [](In x, In y, Out out) {
    out[0] = std::inner_product(x.begin(), x.end(), y.begin(), 0.0);
  };
  m.vjp = [](In x, In y, In, In g, Out dx, Out dy) {
    for (std::size_t k = 0; k < x.size(); ++k) dx[k] += g[0] * y[k];
    for (std::size_t k = 0; k < y.size(); ++k) dy[k] += g[0] * x[k];
  };
  return {{}, m};
}

}  // namespace

const std::vector<BuiltinInfo>& all_builtins() {
  static const std::vector<BuiltinInfo> table = {
      {Builtin::Exp, "exp", 1, 1, S::Elementwise, "e to the power x", I::Never,
       elementwise([](double x) { return std::exp(x); }, [](double, double y) { return y; })},
      {Builtin::Log, "log", 1, 1, S::Elementwise, "natural logarithm", I::Never,
       elementwise([](double x) { return std::log(x); }, [](double x, double) { return 1 / x; })},
      {Builtin::Log1p, "log1p", 1, 1, S::Elementwise, "log(1 + x), accurate near 0", I::Never,
       elementwise([](double x) { return std::log1p(x); },
                   [](double x, double) { return 1 / (1 + x); })},
      {Builtin::Expm1, "expm1", 1, 1, S::Elementwise, "exp(x) - 1, accurate near 0", I::Never,
       elementwise([](double x) { return std::expm1(x); }, [](double, double y) { return y + 1; })},
      {Builtin::Sqrt, "sqrt", 1, 1, S::Elementwise, "square root", I::Never,
       elementwise([](double x) { return std::sqrt(x); },
                   [](double, double y) { return 0.5 / y; })},
      {Builtin::Square, "square", 1, 1, S::Elementwise, "x * x", I::IfArguments,
       elementwise([](double x) { return x * x; }, [](double x, double) { return 2 * x; })},
      {Builtin::Abs, "abs", 1, 1, S::Elementwise, "absolute value", I::IfArguments,
       elementwise([](double x) { return std::fabs(x); },
                   [](double x, double) { return x > 0   ? 1.0
                                                 : x < 0 ? -1.0
                                                         : 0.0; })},
      {Builtin::Lgamma, "lgamma", 1, 1, S::Elementwise, "log of the gamma function", I::Never,
       elementwise([](double x) { return std::lgamma(x); },
                   [](double x, double) { return boost::math::digamma(x); })},
      {Builtin::Logistic, "logistic", 1, 1, S::Elementwise, "1 / (1 + exp(-x))", I::Never,
       elementwise([](double x) { return logistic(x); },
                   [](double, double y) { return y * (1 - y); })},
      {Builtin::Logit, "logit", 1, 1, S::Elementwise, "log(x / (1 - x))", I::Never,
       elementwise([](double x) { return std::log(x / (1 - x)); },
                   [](double x, double) { return 1 / (x * (1 - x)); })},
      {Builtin::Floor, "floor", 1, 1, S::Elementwise, "largest integer <= x", I::Always,
       elementwise([](double x) { return std::floor(x); })},
      {Builtin::Ceil, "ceil", 1, 1, S::Elementwise, "smallest integer >= x", I::Always,
       elementwise([](double x) { return std::ceil(x); })},
      {Builtin::Round, "round", 1, 1, S::Elementwise, "nearest integer", I::Always,
       elementwise([](double x) { return std::round(x); })},
      {Builtin::Pow, "pow", 2, 2, S::Elementwise2, "pow(x, y) = x ^ y", I::Never,
       pairwise([](double x, double y) { return std::pow(x, y); },
                [](double x, double y, double) { return y == 0 ? 0.0 : y * std::pow(x, y - 1); },
                [](double x, double, double z) { return x > 0 ? z * std::log(x) : 0.0; })},
      {Builtin::Hypot, "hypot", 2, 2, S::Elementwise2, "sqrt(x^2 + y^2), without overflow",
       I::Never,
       pairwise([](double x, double y) { return std::hypot(x, y); },
                [](double x, double, double h) { return h > 0 ? x / h : 0.0; },
                [](double, double y, double h) { return h > 0 ? y / h : 0.0; })},
      {Builtin::Softmax, "softmax", 1, 1, S::VectorMap, "exp(x) / sum(exp(x))", I::Never,
       vector_map(
           [](In x, Out out) {
             double lse = log_sum_exp(x);
             for (std::size_t k = 0; k < x.size(); ++k) out[k] = std::exp(x[k] - lse);
           },
           [](In, In out, In g, Out dx) {  // d s_i / d x_j = s_i (delta_ij - s_j)
             double gs = std::inner_product(g.begin(), g.end(), out.begin(), 0.0);
             for (std::size_t k = 0; k < dx.size(); ++k) dx[k] += out[k] * (g[k] - gs);
           })},
      {Builtin::LogSoftmax, "log_softmax", 1, 1, S::VectorMap, "x - log_sum_exp(x)", I::Never,
       vector_map(
           [](In x, Out out) {
             double lse = log_sum_exp(x);
             for (std::size_t k = 0; k < x.size(); ++k) out[k] = x[k] - lse;
           },
           [](In, In out, In g, Out dx) {  // d l_i / d x_j = delta_ij - s_j
             double gs = sum(g);
             for (std::size_t k = 0; k < dx.size(); ++k) dx[k] += g[k] - std::exp(out[k]) * gs;
           })},
      {Builtin::Cumsum, "cumsum", 1, 1, S::VectorMap, "running sums", I::IfArguments,
       vector_map([](In x, Out out) { std::partial_sum(x.begin(), x.end(), out.begin()); },
                  [](In, In, In g, Out dx) {
                    double acc = 0;
                    for (std::size_t k = g.size(); k-- > 0;) dx[k] += (acc += g[k]);
                  })},
      {Builtin::Sum, "sum", 1, 1, S::Reduce, "sum of the elements", I::IfArguments,
       reduce([](In x) { return sum(x); },
              [](In, double, double g, Out dx) {
                for (double& d : dx) d += g;
              })},
      {Builtin::Prod, "prod", 1, 1, S::Reduce, "product of the elements", I::IfArguments,
       reduce([](In x) { return std::accumulate(x.begin(), x.end(), 1.0, std::multiplies<>()); },
              [](In x, double, double g, Out dx) {  // the product of the others: exact at a zero
                for (std::size_t k = 0; k < x.size(); ++k) {
                  double others = 1;
                  for (std::size_t j = 0; j < x.size(); ++j)
                    if (j != k) others *= x[j];
                  dx[k] += g * others;
                }
              })},
      {Builtin::Mean, "mean", 1, 1, S::Reduce,
       "mean of the elements (of a parameter: posterior mean)", I::Never,
       reduce([](In x) { return mean(x); },
              [](In x, double, double g, Out dx) {
                for (double& d : dx) d += g / static_cast<double>(x.size());
              })},
      {Builtin::Sd, "sd", 1, 1, S::Reduce, "sample standard deviation (N - 1)", I::Never,
       reduce([](In x) { return standard_deviation(x); },
              [](In x, double y, double g, Out dx) { variance_vjp(x, g * (0.5 / y), dx); })},
      {Builtin::Variance, "variance", 1, 1, S::Reduce, "sample variance (N - 1)", I::Never,
       reduce([](In x) { return variance(x); },
              [](In x, double, double g, Out dx) { variance_vjp(x, g, dx); })},
      {Builtin::Length, "length", 1, 1, S::Reduce, "number of elements", I::Always,
       reduce([](In x) { return static_cast<double>(x.size()); })},
      {Builtin::LogSumExp, "log_sum_exp", 1, 1, S::Reduce, "log(sum(exp(x))), computed stably",
       I::Never,
       reduce([](In x) { return log_sum_exp(x); },
              [](In x, double y, double g, Out dx) {
                for (std::size_t k = 0; k < x.size(); ++k) dx[k] += g * std::exp(x[k] - y);
              })},
      {Builtin::Min, "min", 1, 2, S::MinMax, "smallest element, or elementwise min(x, y)",
       I::IfArguments, extreme<true>()},
      {Builtin::Max, "max", 1, 2, S::MinMax, "largest element, or elementwise max(x, y)",
       I::IfArguments, extreme<false>()},
      {Builtin::Dot, "dot", 2, 2, S::Dot, "dot product of two vectors", I::Never, dot()},
      {Builtin::Columns, "columns", 1, kAny, S::Columns, "matrix whose columns are the vectors",
       I::Never, kShapeOnly},
      {Builtin::Rep, "rep", 2, 2, S::Rep, "rep(x, n): a vector of n copies of x", I::IfArguments,
       kShapeOnly},
      {Builtin::Seq, "seq", 2, 2, S::Seq, "seq(a, b): the integers a, a + 1, ..., b", I::Always,
       kShapeOnly},
      {Builtin::CovExpQuad, "cov_exp_quad", 3, 3, S::Matrix,
       "cov_exp_quad(x, alpha, rho): alpha^2 exp(-(x_i - x_j)^2 / (2 rho^2)), as Stan's", I::Never,
       kShapeOnly},
      {Builtin::Diag, "diag", 1, 1, S::Matrix, "diag(v): the diagonal matrix with v on it",
       I::Never, kShapeOnly},
      {Builtin::Cholesky, "cholesky", 1, 1, S::Matrix,
       "cholesky(M): the lower-triangular L with L L' = M (M data)", I::Never, kShapeOnly},
      {Builtin::Rows, "rows", 1, kAny, S::Columns, "matrix whose rows are the vectors", I::Never,
       kShapeOnly},
  };
  return table;
}

const BuiltinInfo* find_builtin(std::string_view name) {
  for (const auto& b : all_builtins())
    if (b.name == name) return &b;
  return nullptr;
}

const BuiltinInfo& info(Builtin id) { return all_builtins()[static_cast<std::size_t>(id)]; }

}  // namespace bayes
