// The No-U-Turn sampler: receives a log density on the unconstrained space
// (with its gradient) and a start, and produces one chain of draws. The
// algorithm is Stan's: trajectories doubled forwards or backwards at random,
// each new subtree's draw taken by multinomial sampling (Betancourt 2017),
// the generalised no-U-turn criterion checked across and between subtrees;
// during warm-up the step size by dual averaging (Hoffman & Gelman 2014) and
// a diagonal metric from the draws' variances in doubling windows.
#pragma once

#include <Eigen/Dense>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace bayes::sample {

// log p(u) with its gradient in `grad`; -inf (or NaN) outside the support.
using LogDensity = std::function<double(const Eigen::VectorXd& u, Eigen::VectorXd& grad)>;

// A small generator of our own (xoshiro256**): the same uniform stream with
// every compiler and library, where std::normal_distribution's algorithm is
// the library's choice. Normals by the polar method, from log and sqrt alone.
class Random {
 public:
  explicit Random(std::uint64_t seed, std::uint64_t stream = 0);
  std::uint64_t next();
  double uniform();  // in [0, 1)
  double normal();   // standard normal
 private:
  std::uint64_t s_[4];
};

struct Settings {
  std::size_t warmup = 1000;
  std::size_t draws = 1000;
  double delta = 0.8;          // the target acceptance statistic
  std::size_t max_depth = 10;  // the tree holds at most 2^max_depth leapfrog steps
  double max_delta_h = 1000;   // an energy error above this is a divergence
  // Counts the iterations done (warm-up included), for a progress display.
  std::atomic<std::size_t>* done = nullptr;
};

struct Chain {
  Eigen::MatrixXd draws;       // draws x dim, on the unconstrained space
  std::vector<double> energy;  // the Hamiltonian at each draw (for E-BFMI)
  std::vector<double> log_density;
  std::vector<unsigned char> divergent;  // per draw, after warm-up
  std::vector<unsigned char> depth_hit;  // per draw: the tree reached max_depth
  std::size_t warmup_divergences = 0;
  double step_size = 1;
  Eigen::VectorXd inv_metric;                       // the adapted diagonal metric's inverse
  double mean_accept = 0;                           // the acceptance statistic over the kept draws
  std::size_t leapfrogs = 0;                        // gradient evaluations, warm-up included
  double warmup_seconds = 0, sampling_seconds = 0;  // wall-clock time of each phase
  std::string failure;  // why the chain could not run (then draws is empty)
};

// Runs one chain from `start` (a point of positive density). Throws
// Interrupted (diag/interrupt.hpp) when asked to stop.
Chain run_chain(const LogDensity& f, const Eigen::VectorXd& start, const Settings& s, Random& rng);

}  // namespace bayes::sample
