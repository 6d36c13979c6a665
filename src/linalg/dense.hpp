// Dense decompositions of symmetric matrices (Cholesky, LDLT, eigen), used by
// the conjugate rules, the numeric engine, the multivariate Normal family and
// the plots. They are Eigen's, behind plain functions compiled once here:
// each decomposition instantiated in every file that uses it was a large part
// of the build's time. Callers still use Eigen's types and products freely.
#pragma once

#include <Eigen/Dense>

namespace bayes::linalg {

using Eigen::MatrixXd;
using Eigen::VectorXd;

// a = L L' for a symmetric positive-definite `a` (Eigen's LLT: only the lower
// triangle of `a` is read).
class Cholesky {
 public:
  Cholesky() = default;
  explicit Cholesky(const MatrixXd& a) { compute(a); }
  void compute(const MatrixXd& a);
  // False when `a` is not (numerically) positive definite; nothing else is
  // then meaningful.
  bool ok() const;
  MatrixXd lower() const;                         // L, zero above the diagonal
  VectorXd solve(const VectorXd& b) const;        // a^-1 b
  MatrixXd solve(const MatrixXd& b) const;        // a^-1 B
  MatrixXd inverse() const;                       // a^-1
  VectorXd lower_solve(const VectorXd& b) const;  // L^-1 b
  VectorXd lower_times(const VectorXd& z) const;  // L z
  double log_det() const;                         // log det a = 2 sum log L_ii

 private:
  Eigen::LLT<MatrixXd> llt_;
};

// The eigenvalues of a symmetric matrix in ascending order, and the
// orthonormal eigenvectors as the columns of `vectors` in the same order.
struct SymmetricEigen {
  VectorXd values;
  MatrixXd vectors;
};
SymmetricEigen symmetric_eigen(const MatrixXd& a);
// The eigenvalues alone (ascending), without forming the vectors.
VectorXd symmetric_eigenvalues(const MatrixXd& a);

// a^-1 b by the LDLT factorisation (a symmetric, positive or negative
// semidefinite); `ok`, when given, says whether the factorisation succeeded.
VectorXd ldlt_solve(const MatrixXd& a, const VectorXd& b, bool* ok = nullptr);

// The least-squares solution of A x = b by a column-pivoted QR: where A's
// columns are dependent, the dependent ones get 0 (a basic solution).
VectorXd least_squares(const MatrixXd& a, const VectorXd& b);

}  // namespace bayes::linalg
