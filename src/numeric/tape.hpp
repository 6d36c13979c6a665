// Reverse-mode automatic differentiation over vectorised expressions: the
// factors of a component compile once into a tape with one node per vector
// operation (not per element); forward() evaluates the log density at given
// parameter values, backward() gives its exact gradient.
#pragma once

#include <Eigen/Dense>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "check/model.hpp"

namespace bayes::numeric {

class Tape {
 public:
  // Compiles the given priors and observations. Returns nullopt with `why`
  // when an expression cannot be differentiated (e.g. a discrete parameter
  // used as an index, or a matrix built from parameters).
  static std::optional<Tape> compile(const Model& m, const std::vector<std::size_t>& priors,
                                     const std::vector<std::size_t>& observations, std::string& why);

  // The log density at `values` (indexed like Model::params; only the
  // component's entries are read).
  double forward(const std::vector<Eigen::VectorXd>& values);
  // After forward(): d(log density)/d(values[p]) for every parameter p the
  // tape reads, added into grad[p] (grad is indexed like Model::params).
  void backward(std::vector<Eigen::VectorXd>& grad);

  std::size_t size() const { return nodes_.size(); }

 private:
  enum class Kind {
    Const, Param, Neg, Add, Sub, Mul, Div, Pow, MatVec, Call, Index, Vector,
    Lt, Le, Gt, Ge, Eq, Ne, And, Or, Not,  // no derivative; used only inside conditions
    Factor,
  };
  struct Node {
    Kind kind = Kind::Const;
    std::vector<int> in;
    Eigen::VectorXd val, adj;
    const Value* matrix = nullptr;        // MatVec: the data matrix
    std::vector<Eigen::Index> index;      // Index: 0-based gather
    Builtin fn = Builtin::Exp;            // Call
    std::size_t param = 0;                // Param: Model::params index
    const dist::Family* family = nullptr; // Factor
    int outcome = -1;                     // Factor: the node of the outcome (a Param or a Const)
    int outcome2 = -1;                    // Factor: NormalInverseGamma's s2
    Eigen::MatrixXd cov_inv;              // Factor: MultiNormal with a data covariance
    double log_det = 0;
  };

  const Model* model_ = nullptr;
  std::vector<Node> nodes_;
  std::vector<int> factors_;
  std::unordered_map<const ir::Node*, int> memo_;
  std::vector<std::shared_ptr<Value>> owned_;  // matrices computed from data expressions

  int add(const ir::Node& n, std::string& why);
  int constant(Eigen::VectorXd v);
  int param_node(std::size_t p);
  bool add_factor(const dist::Family* f, const std::vector<ir::NodePtr>& args, int outcome, int outcome2,
                  std::string& why);
  void forward_node(Node& n);
  void backward_node(Node& n);
  double factor_forward(Node& n, bool with_grad);
};

}  // namespace bayes::numeric
