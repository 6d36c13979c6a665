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

// A recursion's body as scalar instructions, run once per element: values
// that need no parameter (data at t, t itself) precomputed per element;
// inputs (tape nodes computed before the recursion) read at an element fixed
// or given by t; the recursion's own earlier elements; arithmetic and the
// elementwise built-ins.
struct ScanProgram {
  enum class Op { PerT, Input, InputAt, SelfAt, Neg, Add, Sub, Mul, Div, Call };
  struct Instr {
    Op op = Op::PerT;
    int a = -1, b = -1;            // operand instructions
    int input = -1;                // Input, InputAt: index into the node's inputs (in[1 + input])
    Builtin fn = Builtin::Exp;     // Call
    std::vector<double> per_t;     // PerT: the value at each element
    std::vector<Eigen::Index> at;  // InputAt, SelfAt: the element read at each step (0-based)
  };
  std::vector<Instr> code;
  std::size_t before = 0, count = 0;  // elements defined before the recursion; elements it defines
  double from = 1;                    // t of its first element
  std::vector<double> values;  // element k's instruction j at k * code.size() + j, from forward
};

// A copyable owner of a ScanProgram (each copy of a tape, one per chain,
// runs its own).
struct ScanBox {
  std::unique_ptr<ScanProgram> p;
  ScanBox() = default;
  ScanBox(std::unique_ptr<ScanProgram> q) : p(std::move(q)) {}  // NOLINT: implicit by design
  ScanBox(const ScanBox& o) : p(o.p ? std::make_unique<ScanProgram>(*o.p) : nullptr) {}
  ScanBox& operator=(const ScanBox& o) {
    p = o.p ? std::make_unique<ScanProgram>(*o.p) : nullptr;
    return *this;
  }
  ScanBox(ScanBox&&) = default;
  ScanBox& operator=(ScanBox&&) = default;
  ScanProgram& operator*() const { return *p; }
  ScanProgram* operator->() const { return p.get(); }
};

class Tape {
 public:
  // Compiles the given priors and observations. Returns nullopt with `why`
  // when an expression cannot be differentiated (e.g. a discrete parameter
  // used as an index, or a matrix built from parameters).
  // Discrete parameters listed in `marginal` (each with a Categorical prior)
  // are summed out exactly inside the density: log sum_k pi_k p(y_i | z_i = k),
  // per element when z is a vector whose element i touches element i of the data.
  // `terms` are Model::terms (`factor EXPR`) added to the density.
  static std::optional<Tape> compile(const Model& m, const std::vector<std::size_t>& priors,
                                     const std::vector<std::size_t>& observations, std::string& why,
                                     const std::vector<std::size_t>& marginal = {},
                                     const std::vector<std::size_t>& terms = {});

  // After forward(): for each summed-out parameter, P(z_i = values[k] |
  // everything else at the current values), an N x K matrix.
  struct Labels {
    std::size_t param = 0;       // Model::params index
    Eigen::MatrixXd resp;        // N x K
    std::vector<double> values;  // the K values, in order (1..K for a Categorical)
  };
  std::vector<Labels> responsibilities() const;

  // The log density at `values` (indexed like Model::params; only the
  // component's entries are read).
  double forward(const std::vector<Eigen::VectorXd>& values);
  // After forward(): d(log density)/d(values[p]) for every parameter p the
  // tape reads, added into grad[p] (grad is indexed like Model::params).
  void backward(std::vector<Eigen::VectorXd>& grad);

  std::size_t size() const { return nodes_.size(); }

 private:
  enum class Kind {
    Const,
    Param,
    Neg,
    Add,
    Sub,
    Mul,
    Div,
    MatVec,
    Call,  // a built-in function, or x ^ y as pow(x, y)
    Index,
    Vector,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    And,
    Or,
    Not,  // no derivative; used only inside conditions
    Factor,
    Mixture,  // log sum_k exp(log pi_k + sum_s lp_s,k) over factor copies with z = k
    Dist,     // lpdf, lcdf, lccdf or a truncation's log mass, summed (ir::Op::Dist)
    Concat,   // vectors one after the other
    Scan,     // a recursion: its body run element by element (ScanProgram)
    Linear,   // a first-order linear recursion e[t] = a[t] + b[t] e[t - 1] (in: init, a, b)
    Term,     // an expression added to the log density (`factor`, truncations)
  };
  struct Node {
    Kind kind = Kind::Const;
    std::vector<int> in;
    Eigen::VectorXd val, adj;
    const Value* matrix = nullptr;              // MatVec: the data matrix
    std::vector<Eigen::Index> index;            // Index: 0-based gather
    Builtin fn = Builtin::Exp;                  // Call
    std::size_t param = 0;                      // Param: Model::params index
    const dist::Family* family = nullptr;       // Factor, Dist
    dist::DistFn dist_fn = dist::DistFn::Lpdf;  // Dist
    double sign = 1;                            // Term: +1, or -1 for a truncation's normaliser
    int outcome = -1;         // Factor: the node of the outcome (a Param or a Const)
    int outcome2 = -1;        // Factor: NormalInverseGamma's s2
    Eigen::MatrixXd cov_inv;  // Factor: MultiNormal with a data covariance
    double log_det = 0;
    bool elementwise = false;                 // Factor: val holds each element's log density
    bool top = true;                          // Factor / Mixture: adds to the total
    std::size_t classes = 0, statements = 0;  // Mixture: K, and copies per class
    bool scalar_label = false;                // Mixture: one label for all elements
    Eigen::MatrixXd resp;                     // Mixture: responsibilities, N x K
    std::vector<double> label_values;         // Mixture: the K values of the label
    Eigen::VectorXd fused;  // Factor: d lp / d eta of Bernoulli(logistic(eta)), from forward
    double fused_lp = 0;
    Eigen::MatrixXd derivs;  // Factor (scalar families), Dist: d lp_k / d args, d x; from forward
    int folded = -1;  // Call (logistic): the Bernoulli factor that computes it, see compile()
    ScanBox scan;     // Scan: the body, compiled
    // Factor (MultiNormal with a covariance of parameters, a Gaussian
    // process): cov = const_cov + the kernels + diag; see gp_factor.
    struct Kernel {
      int alpha = -1, rho = -1;  // nodes
      std::vector<double> x;     // the points
    };
    // Mixture over a MarkovChain's states: the forward algorithm (hmm_forward).
    bool markov = false;
    int trans_first = -1;  // in[trans_first + j]: row j of T (when not trans_const)
    Eigen::MatrixXd trans_const, alpha, beta,
        emit;  // T when data; forward, backward, log p(y_t | k)
    double log_z = 0;
    bool gp = false;
    std::vector<Kernel> kernels;
    int diag = -1;  // node of the diagonal added (one value for all, or one each)
    Eigen::MatrixXd const_cov;
  };

  const Model* model_ = nullptr;
  double constant_ = 0;                   // the normalisers of truncations whose arguments are data
  std::vector<int> scan_inputs_;          // while a recursion compiles: the nodes its body reads
  std::vector<ir::NodePtr> owned_nodes_;  // expressions made while compiling (memo_ keys)
  std::vector<Node> nodes_;
  std::vector<int> factors_;
  std::unordered_map<const ir::Node*, int> memo_;
  std::vector<std::shared_ptr<Value>> owned_;  // matrices computed from data expressions
  std::unordered_map<std::size_t, Eigen::VectorXd>
      subst_;  // summed-out parameter -> its current value

  int add(const ir::Node& n, std::string& why);
  int constant(Eigen::VectorXd v);
  int param_node(std::size_t p);
  bool add_factor(const dist::Family* f, const std::vector<ir::NodePtr>& args, int outcome,
                  int outcome2, std::string& why);
  bool add_term(const ir::Node& e, double sign, std::string& why);
  void dist_forward(Node& n);
  void dist_backward(Node& n);
  int add_scan(const ir::Node& n, std::string& why);
  int add_linear(const ir::Node& n, std::string& why);
  ir::NodePtr over_elements(const ir::Node& n, const ir::NodePtr& ts);
  int scan_instr(ScanProgram& prog, const ir::Node& n, std::string& why);
  void scan_forward(Node& n);
  void scan_backward(Node& n);
  void forward_node(Node& n);
  void backward_node(Node& n);
  double factor_forward(Node& n, bool with_grad);
  std::optional<double> logistic_bernoulli(Node& n, Node& p, const Node& out, bool with_grad);
  bool fused_in_blocks(Node& n, const Node& eta, const Node& out, Eigen::Index len);
  bool fused_by_element(Node& n, const Node& eta, const Node& out, Eigen::Index len);
  Eigen::Index factor_length(const Node& n, const Node& out) const;
  double scalar_factor_forward(Node& n, const Node& out);
  std::optional<double> normal_one_sd(Node& n, const Node& out, Eigen::Index len);
  double scalar_factor_backward(Node& n, Node& out);
  double vector_factor(Node& n, Node& out, bool with_grad);
  double multi_normal_factor(Node& n, Node& out, bool with_grad);
  bool gp_terms(Node& t, const ir::Node& cov, std::string& why);
  double gp_factor(Node& n, Node& out, bool with_grad);
  double normal_inverse_gamma_factor(Node& n, Node& out, bool with_grad);
  double mixture_forward(Node& n);
  void mixture_backward(Node& n);
  double hmm_forward(Node& n);
  void hmm_backward(Node& n);
};

}  // namespace bayes::numeric
