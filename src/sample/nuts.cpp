// The No-U-Turn sampler, as Stan's base_nuts with a diagonal Euclidean
// metric (adapt_diag_e_nuts): see nuts.hpp.
#include "sample/nuts.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "diag/interrupt.hpp"

namespace bayes::sample {

using Eigen::VectorXd;

namespace {

std::uint64_t splitmix(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

double log_sum_exp(double a, double b) {
  if (a == -INFINITY) return b;
  if (b == -INFINITY) return a;
  double m = std::max(a, b);
  return m + std::log(std::exp(a - m) + std::exp(b - m));
}

// A point of phase space: position, momentum, potential V = -log p and its gradient.
struct Point {
  VectorXd q, p, g;
  double V = 0;
};

// Dual averaging of the log step size (Nesterov 2009; Hoffman & Gelman 2014),
// with Stan's constants.
struct StepAdaptation {
  double mu = 0, delta = 0.8, gamma = 0.05, kappa = 0.75, t0 = 10;
  double counter = 0, s_bar = 0, x_bar = 0;
  void restart() { counter = 0, s_bar = 0, x_bar = 0; }
  void learn(double& eps, double accept) {
    ++counter;
    accept = std::min(1.0, accept);
    double eta = 1.0 / (counter + t0);
    s_bar = (1 - eta) * s_bar + eta * (delta - accept);
    double x = mu - s_bar * std::sqrt(counter) / gamma;
    double x_eta = std::pow(counter, -kappa);
    x_bar = (1 - x_eta) * x_bar + x_eta * x;
    eps = std::exp(x);
  }
  double final_step() const { return std::exp(x_bar); }
};

// Stan's windowed warm-up: a fast initial buffer (step size only), slow
// windows doubling in length (the metric from each window's variances), a
// fast terminal buffer.
struct Windows {
  std::size_t warmup, init_buffer = 75, term_buffer = 50, base_window = 25;
  std::size_t counter = 0, window_size = 0, next_window = 0;
  std::size_t n = 0;
  VectorXd mean, m2;  // Welford
  bool on = true;

  Windows(std::size_t w, std::size_t dim) : warmup(w) {
    if (warmup < 20) {
      on = false;
    } else if (init_buffer + base_window + term_buffer > warmup) {
      init_buffer = static_cast<std::size_t>(0.15 * static_cast<double>(warmup));
      term_buffer = static_cast<std::size_t>(0.1 * static_cast<double>(warmup));
      base_window = warmup - (init_buffer + term_buffer);
    }
    window_size = base_window;
    next_window = init_buffer + window_size - 1;
    mean = VectorXd::Zero(static_cast<Eigen::Index>(dim));
    m2 = mean;
  }
  bool in_window() const {
    return counter >= init_buffer && counter < warmup - term_buffer && counter != warmup;
  }
  bool window_ends() const { return counter == next_window && counter != warmup; }
  void compute_next_window() {
    if (next_window == warmup - term_buffer - 1) return;
    window_size *= 2;
    next_window = counter + window_size;
    if (next_window != warmup - term_buffer - 1) {
      std::size_t boundary = next_window + 2 * window_size;
      if (boundary >= warmup - term_buffer) next_window = warmup - term_buffer - 1;
    }
  }
  // Adds the draw q; at the end of a window sets inv_metric and returns true.
  bool learn(VectorXd& inv_metric, const VectorXd& q) {
    if (!on) return false;
    if (in_window()) {
      ++n;
      VectorXd d = q - mean;
      mean += d / static_cast<double>(n);
      m2 += d.cwiseProduct(q - mean);
    }
    if (window_ends()) {
      compute_next_window();
      double k = static_cast<double>(n);
      VectorXd var = m2 / (k - 1);
      inv_metric = (k / (k + 5.0)) * var + 1e-3 * (5.0 / (k + 5.0)) * VectorXd::Ones(var.size());
      n = 0, mean.setZero(), m2.setZero();
      ++counter;
      return true;
    }
    ++counter;
    return false;
  }
};

class Sampler {
 public:
  Sampler(const LogDensity& f, const Settings& s, Random& rng, std::size_t dim)
      : f_(f), s_(s), rng_(rng), inv_metric_(VectorXd::Ones(static_cast<Eigen::Index>(dim))) {}

  // Sets z's potential and gradient at z.q; false outside the support.
  bool update(Point& z) {
    VectorXd grad;
    double lp = f_(z.q, grad);
    if (!std::isfinite(lp) || grad.size() != z.q.size() || !grad.allFinite()) {
      z.V = INFINITY;
      z.g = VectorXd::Zero(z.q.size());
      return false;
    }
    z.V = -lp;
    z.g = -grad;
    return true;
  }

  double hamiltonian(const Point& z) const {
    return z.V + 0.5 * z.p.dot(inv_metric_.cwiseProduct(z.p));
  }
  VectorXd sharp(const VectorXd& p) const { return inv_metric_.cwiseProduct(p); }

  void sample_momentum(Point& z) {
    z.p.resize(z.q.size());
    for (Eigen::Index i = 0; i < z.q.size(); ++i)
      z.p[i] = rng_.normal() / std::sqrt(inv_metric_[i]);
  }

  void leapfrog(Point& z, double eps) {
    ++leapfrogs;
    z.p -= 0.5 * eps * z.g;
    z.q += eps * sharp(z.p);
    update(z);
    z.p -= 0.5 * eps * z.g;
  }

  // Stan's heuristic: double or halve the step size until one leapfrog step's
  // acceptance crosses 0.8. False (with `failure`) when no step size works.
  bool init_step_size(const Point& z0) {
    Point z = z0;
    sample_momentum(z);
    double H0 = hamiltonian(z);
    leapfrog(z, eps);
    double h = hamiltonian(z);
    if (std::isnan(h)) h = INFINITY;
    double dH = H0 - h;
    int direction = dH > std::log(0.8) ? 1 : -1;
    for (;;) {
      z = z0;
      sample_momentum(z);
      H0 = hamiltonian(z);
      leapfrog(z, eps);
      h = hamiltonian(z);
      if (std::isnan(h)) h = INFINITY;
      dH = H0 - h;
      if (direction == 1 && !(dH > std::log(0.8))) break;
      if (direction == -1 && !(dH < std::log(0.8))) break;
      eps = direction == 1 ? 2 * eps : 0.5 * eps;
      if (eps > 1e7) {
        failure =
            "the step size grows without bound: the posterior is improper (the density does not "
            "fall off in some direction)";
        return false;
      }
      if (eps == 0) {
        failure = "no step size is small enough to move from the start";
        return false;
      }
    }
    return true;
  }

  struct Transition {
    Point z;
    double accept = 0;
    std::size_t depth = 0;
    bool divergent = false;
  };

  Transition transition(const Point& start) {
    Point z = start;
    sample_momentum(z);
    const double H0 = hamiltonian(z);
    Point z_fwd = z, z_bck = z, z_sample = z, z_propose = z;
    VectorXd p_fwd_fwd = z.p, p_sharp_fwd_fwd = sharp(z.p);
    VectorXd p_fwd_bck = z.p, p_sharp_fwd_bck = p_sharp_fwd_fwd;
    VectorXd p_bck_fwd = z.p, p_sharp_bck_fwd = p_sharp_fwd_fwd;
    VectorXd p_bck_bck = z.p, p_sharp_bck_bck = p_sharp_fwd_fwd;
    VectorXd rho = z.p;
    double log_sum_weight = 0;
    std::size_t depth = 0, n_leapfrog = 0;
    double sum_metro_prob = 0;
    divergent_ = false;
    const Eigen::Index d = z.q.size();
    while (depth < s_.max_depth) {
      VectorXd rho_fwd = VectorXd::Zero(d), rho_bck = VectorXd::Zero(d);
      bool valid;
      double log_sum_weight_subtree = -INFINITY;
      if (rng_.uniform() > 0.5) {
        z = z_fwd;
        // The old trajectory becomes the backward part: its forward end is
        // the end of the trajectory so far.
        rho_bck = rho;
        p_bck_fwd = p_fwd_fwd;
        p_sharp_bck_fwd = p_sharp_fwd_fwd;
        valid =
            build_tree(depth, z, z_propose, p_sharp_fwd_bck, p_sharp_fwd_fwd, rho_fwd, p_fwd_bck,
                       p_fwd_fwd, H0, 1, n_leapfrog, log_sum_weight_subtree, sum_metro_prob);
        z_fwd = z;
      } else {
        z = z_bck;
        rho_fwd = rho;
        p_fwd_bck = p_bck_bck;
        p_sharp_fwd_bck = p_sharp_bck_bck;
        valid =
            build_tree(depth, z, z_propose, p_sharp_bck_fwd, p_sharp_bck_bck, rho_bck, p_bck_fwd,
                       p_bck_bck, H0, -1, n_leapfrog, log_sum_weight_subtree, sum_metro_prob);
        z_bck = z;
      }
      if (!valid) break;
      ++depth;
      if (log_sum_weight_subtree > log_sum_weight) {
        z_sample = z_propose;
      } else if (rng_.uniform() < std::exp(log_sum_weight_subtree - log_sum_weight)) {
        z_sample = z_propose;
      }
      log_sum_weight = log_sum_exp(log_sum_weight, log_sum_weight_subtree);
      rho = rho_bck + rho_fwd;
      bool persist = criterion(p_sharp_bck_bck, p_sharp_fwd_fwd, rho);
      persist = persist && criterion(p_sharp_bck_bck, p_sharp_fwd_bck, rho_bck + p_fwd_bck);
      persist = persist && criterion(p_sharp_bck_fwd, p_sharp_fwd_fwd, rho_fwd + p_bck_fwd);
      if (!persist) break;
    }
    Transition t{z_sample, 0, depth, divergent_};
    t.accept = n_leapfrog ? sum_metro_prob / static_cast<double>(n_leapfrog) : 0;
    return t;
  }

  double eps = 1;
  std::size_t leapfrogs = 0;
  std::string failure;
  VectorXd& inv_metric() { return inv_metric_; }

 private:
  // The generalised no-U-turn criterion (Betancourt 2017) over a trajectory
  // with summed momenta rho and end velocities p_sharp_minus, p_sharp_plus.
  static bool criterion(const VectorXd& p_sharp_minus, const VectorXd& p_sharp_plus,
                        const VectorXd& rho) {
    return p_sharp_plus.dot(rho) > 0 && p_sharp_minus.dot(rho) > 0;
  }

  bool build_tree(std::size_t depth, Point& z, Point& z_propose, VectorXd& p_sharp_beg,
                  VectorXd& p_sharp_end, VectorXd& rho, VectorXd& p_beg, VectorXd& p_end, double H0,
                  int sign, std::size_t& n_leapfrog, double& log_sum_weight,
                  double& sum_metro_prob) {
    if (depth == 0) {
      leapfrog(z, sign * eps);
      ++n_leapfrog;
      double h = hamiltonian(z);
      if (std::isnan(h)) h = INFINITY;
      if (h - H0 > s_.max_delta_h) divergent_ = true;
      log_sum_weight = log_sum_exp(log_sum_weight, H0 - h);
      sum_metro_prob += H0 - h > 0 ? 1 : std::exp(H0 - h);
      z_propose = z;
      p_sharp_beg = sharp(z.p);
      p_sharp_end = p_sharp_beg;
      rho += z.p;
      p_beg = z.p;
      p_end = p_beg;
      return !divergent_;
    }
    const Eigen::Index d = z.q.size();
    double log_sum_weight_init = -INFINITY;
    VectorXd p_init_end(d), p_sharp_init_end(d), rho_init = VectorXd::Zero(d);
    bool valid_init =
        build_tree(depth - 1, z, z_propose, p_sharp_beg, p_sharp_init_end, rho_init, p_beg,
                   p_init_end, H0, sign, n_leapfrog, log_sum_weight_init, sum_metro_prob);
    if (!valid_init) return false;
    Point z_propose_final = z;
    double log_sum_weight_final = -INFINITY;
    VectorXd p_final_beg(d), p_sharp_final_beg(d), rho_final = VectorXd::Zero(d);
    bool valid_final =
        build_tree(depth - 1, z, z_propose_final, p_sharp_final_beg, p_sharp_end, rho_final,
                   p_final_beg, p_end, H0, sign, n_leapfrog, log_sum_weight_final, sum_metro_prob);
    if (!valid_final) return false;
    double log_sum_weight_subtree = log_sum_exp(log_sum_weight_init, log_sum_weight_final);
    log_sum_weight = log_sum_exp(log_sum_weight, log_sum_weight_subtree);
    if (log_sum_weight_final > log_sum_weight_subtree) {
      z_propose = z_propose_final;
    } else if (rng_.uniform() < std::exp(log_sum_weight_final - log_sum_weight_subtree)) {
      z_propose = z_propose_final;
    }
    VectorXd rho_subtree = rho_init + rho_final;
    rho += rho_subtree;
    bool persist = criterion(p_sharp_beg, p_sharp_end, rho_subtree);
    persist = persist && criterion(p_sharp_beg, p_sharp_final_beg, rho_init + p_final_beg);
    persist = persist && criterion(p_sharp_init_end, p_sharp_end, rho_final + p_init_end);
    return persist;
  }

  const LogDensity& f_;
  const Settings& s_;
  Random& rng_;
  VectorXd inv_metric_;
  bool divergent_ = false;
};

}  // namespace

Random::Random(std::uint64_t seed, std::uint64_t stream) {
  std::uint64_t x = seed ^ (0x5851f42d4c957f2dULL * (stream + 1));
  for (auto& s : s_) s = splitmix(x);
}

// xoshiro256** (Blackman & Vigna 2018).
std::uint64_t Random::next() {
  std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double Random::uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

// Marsaglia's polar method, one of each pair: only log and sqrt, whose
// results the C libraries agree on to the last bit (a cosine's last bit
// differs between glibc and the browser build's musl, and a trajectory
// magnifies it).
double Random::normal() {
  for (;;) {
    const double x = 2.0 * uniform() - 1.0, y = 2.0 * uniform() - 1.0;
    const double s = x * x + y * y;
    if (s > 0.0 && s < 1.0) return x * std::sqrt(-2.0 * std::log(s) / s);
  }
}

Chain run_chain(const LogDensity& f, const VectorXd& start, const Settings& s, Random& rng) {
  Chain out;
  const auto dim = static_cast<std::size_t>(start.size());
  Sampler sampler(f, s, rng, dim);
  Point z;
  z.q = start;
  if (!sampler.update(z)) {
    out.failure = "the start has zero density";
    return out;
  }
  if (!sampler.init_step_size(z)) {
    out.failure = sampler.failure;
    return out;
  }
  using Clock = std::chrono::steady_clock;
  auto seconds_since = [](Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
  };
  const auto warmup_start = Clock::now();
  StepAdaptation step;
  step.delta = s.delta;
  step.mu = std::log(10 * sampler.eps);
  Windows windows(s.warmup, dim);
  for (std::size_t i = 0; i < s.warmup; ++i) {
    check_interrupt();
    if (s.done) ++*s.done;
    auto t = sampler.transition(z);
    z = std::move(t.z);
    if (t.divergent) ++out.warmup_divergences;
    step.learn(sampler.eps, t.accept);
    if (windows.learn(sampler.inv_metric(), z.q)) {
      if (!sampler.init_step_size(z)) {
        out.failure = sampler.failure;
        return out;
      }
      step.mu = std::log(10 * sampler.eps);
      step.restart();
    }
  }
  if (s.warmup > 0) sampler.eps = step.final_step();
  out.warmup_seconds = seconds_since(warmup_start);
  const auto sampling_start = Clock::now();
  out.draws.resize(static_cast<Eigen::Index>(s.draws), static_cast<Eigen::Index>(dim));
  out.energy.resize(s.draws);
  out.log_density.resize(s.draws);
  out.divergent.resize(s.draws);
  out.depth_hit.resize(s.draws);
  double accept = 0;
  for (std::size_t i = 0; i < s.draws; ++i) {
    check_interrupt();
    if (s.done) ++*s.done;
    auto t = sampler.transition(z);
    z = std::move(t.z);
    out.draws.row(static_cast<Eigen::Index>(i)) = z.q.transpose();
    out.energy[i] = sampler.hamiltonian(z);
    out.log_density[i] = -z.V;
    out.divergent[i] = t.divergent;
    out.depth_hit[i] = t.depth >= s.max_depth;
    accept += t.accept;
  }
  out.sampling_seconds = seconds_since(sampling_start);
  out.step_size = sampler.eps;
  out.inv_metric = sampler.inv_metric();
  out.mean_accept = s.draws ? accept / static_cast<double>(s.draws) : 0;
  out.leapfrogs = sampler.leapfrogs;
  return out;
}

}  // namespace bayes::sample
