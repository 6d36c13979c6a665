// MultiNormal(mean, cov): the multivariate Gaussian; log density and sampler in
// multivariate.hpp, through the Cholesky factor of cov (Eigen's LLT).
#include <algorithm>
#include <cmath>
#include <numbers>

#include "dist/families.hpp"
#include "dist/multivariate.hpp"
#include "linalg/dense.hpp"

namespace bayes::dist {
namespace multi_normal_impl {
namespace {

using namespace detail;

std::string entry(std::size_t r, std::size_t c) {
  return "cov[" + std::to_string(r + 1) + ", " + std::to_string(c + 1) + "]";
}

// cov square, as large as mean, symmetric (to 1e-8 of its largest entry) and
// positive definite; mean non-empty.
std::string check_args(std::span<const Value> args) {
  if (is_empty_vector(args, 0)) return "mean must not be empty";
  if (!known(args, 1)) return "";
  const Value& cov = args[1];
  const std::size_t k = cov.rows;
  if (cov.cols != k || cov.size() != k * k) {
    return "cov must be a square matrix (got " + std::to_string(cov.rows) + " x " +
           std::to_string(cov.cols) + ")";
  }
  if (known(args, 0) && args[0].size() != k) {
    return "cov is " + std::to_string(k) + " x " + std::to_string(k) + " but mean has " +
           std::to_string(args[0].size()) + " entries";
  }
  double largest = 0.0;
  for (double v : cov.data) {
    if (!std::isfinite(v)) return "cov has an entry " + shortest(v);
    largest = std::max(largest, std::abs(v));
  }
  for (std::size_t r = 0; r < k; ++r) {
    for (std::size_t c = r + 1; c < k; ++c) {
      if (std::abs(cov.at(r, c) - cov.at(c, r)) > 1e-8 * largest) {
        return "cov is not symmetric (" + entry(r, c) + " = " + shortest(cov.at(r, c)) + " but " +
               entry(c, r) + " = " + shortest(cov.at(c, r)) + ")";
      }
    }
  }
  const Eigen::Map<const Eigen::MatrixXd> m(cov.data.data(), static_cast<Eigen::Index>(k),
                                            static_cast<Eigen::Index>(k));
  if (!linalg::Cholesky(m).ok()) {
    return "cov is not positive definite";
  }
  return "";
}

std::string check_outcome(std::span<const Value>, double x) { return outcome_in(Domain::Real, x); }

// A whole observed vector: as long as the mean, when that is known.
std::string check_vector_outcome(std::span<const Value> args, std::span<const double> x) {
  if (!known(args, 0) || args[0].size() == x.size()) return "";
  return "the vector has " + std::to_string(x.size()) + " elements but mean has " +
         std::to_string(args[0].size());
}

}  // namespace
}  // namespace multi_normal_impl

// -(k log(2 pi) + log det cov + z'z) / 2 with cov = L L' and z = L^-1 (x - mean).
double multi_normal_lpdf(const Eigen::VectorXd& mean, const Eigen::MatrixXd& cov,
                         const Eigen::VectorXd& x) {
  using namespace multi_normal_impl;
  const Eigen::Index k = mean.size();
  if (k == 0 || cov.rows() != k || cov.cols() != k || x.size() != k) return nan;
  if (!mean.allFinite() || x.hasNaN()) return nan;
  if (!x.allFinite()) return -inf;
  const linalg::Cholesky llt(cov);
  if (!llt.ok()) return nan;
  const Eigen::VectorXd z = llt.lower_solve(x - mean);
  const double log_det = llt.log_det();
  return -0.5 *
         (static_cast<double>(k) * std::log(2.0 * std::numbers::pi) + log_det + z.squaredNorm());
}

// mean + L z with z standard normal.
Eigen::VectorXd multi_normal_sample(const Eigen::VectorXd& mean, const Eigen::MatrixXd& cov,
                                    Rng& rng) {
  using namespace multi_normal_impl;
  const Eigen::Index k = mean.size();
  Eigen::VectorXd out = Eigen::VectorXd::Constant(k, nan);
  if (cov.rows() != k || cov.cols() != k) return out;
  const linalg::Cholesky llt(cov);
  if (!llt.ok()) return out;
  Eigen::VectorXd z(k);
  for (Eigen::Index i = 0; i < k; ++i) z[i] = random::normal(rng);
  return mean + llt.lower_times(z);
}

double multi_normal_lpdf_grad(std::span<const double> mean, std::span<const double> x,
                              const double* cov_inv, double log_det, std::size_t k,
                              std::span<double> dmean, std::span<double> dx) {
  const auto n = static_cast<Eigen::Index>(k);
  Eigen::Map<const Eigen::MatrixXd> P(cov_inv, n, n);
  Eigen::Map<const Eigen::VectorXd> m(mean.data(), n);
  Eigen::Map<const Eigen::VectorXd> xv(x.data(), n);
  const Eigen::VectorXd diff = xv - m;
  const Eigen::VectorXd pd = P * diff;
  for (std::size_t i = 0; i < k; ++i) {
    dmean[i] += pd[static_cast<Eigen::Index>(i)];
    dx[i] -= pd[static_cast<Eigen::Index>(i)];
  }
  return -0.5 * (static_cast<double>(k) * std::log(2 * M_PI) + log_det + diff.dot(pd));
}

const Family& multi_normal_family() {
  using namespace multi_normal_impl;
  static const Family family{
      .name = "MultiNormal",
      .params = {{"mean", Domain::Real, Rank::Vector}, {"cov", Domain::Covariance, Rank::Matrix}},
      .support = Domain::RealVector,
      .outcome_rank = Rank::Vector,
      .discrete = false,
      .check_args = check_args,
      .check_outcome = check_outcome,
      .check_vector_outcome = check_vector_outcome,
  };
  return family;
}

}  // namespace bayes::dist
