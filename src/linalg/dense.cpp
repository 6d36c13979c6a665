#include "linalg/dense.hpp"

namespace bayes::linalg {

void Cholesky::compute(const MatrixXd& a) { llt_.compute(a); }

bool Cholesky::ok() const { return llt_.info() == Eigen::Success; }

MatrixXd Cholesky::lower() const { return llt_.matrixL(); }

VectorXd Cholesky::solve(const VectorXd& b) const { return llt_.solve(b); }

MatrixXd Cholesky::solve(const MatrixXd& b) const { return llt_.solve(b); }

MatrixXd Cholesky::inverse() const {
  return llt_.solve(MatrixXd::Identity(llt_.rows(), llt_.cols()));
}

VectorXd Cholesky::lower_solve(const VectorXd& b) const { return llt_.matrixL().solve(b); }

VectorXd Cholesky::lower_times(const VectorXd& z) const { return llt_.matrixL() * z; }

double Cholesky::log_det() const { return 2 * llt_.matrixLLT().diagonal().array().log().sum(); }

SymmetricEigen symmetric_eigen(const MatrixXd& a) {
  Eigen::SelfAdjointEigenSolver<MatrixXd> es(a);
  return {es.eigenvalues(), es.eigenvectors()};
}

VectorXd symmetric_eigenvalues(const MatrixXd& a) {
  return Eigen::SelfAdjointEigenSolver<MatrixXd>(a, Eigen::EigenvaluesOnly).eigenvalues();
}

VectorXd ldlt_solve(const MatrixXd& a, const VectorXd& b, bool* ok) {
  Eigen::LDLT<MatrixXd> ldlt(a);
  if (ok) *ok = ldlt.info() == Eigen::Success;
  return ldlt.solve(b);
}

VectorXd least_squares(const MatrixXd& a, const VectorXd& b) {
  return Eigen::ColPivHouseholderQR<MatrixXd>(a).solve(b);
}

}  // namespace bayes::linalg
