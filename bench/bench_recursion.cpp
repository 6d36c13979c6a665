// Recursions written with loops: ARMA(1,1) on 1 000 points (as
// tests/fixtures/recursion/, simulated here with a fixed seed). Times
// bayes's log density and gradient (the tape, the recursion one node)
// against a hand-written C++ loop of the same log posterior with its
// gradient by forward sensitivities, in the same run, and the time to map().
// bench/README.md has the command and the figures.
#include <Eigen/Dense>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "answer/answer.hpp"
#include "numeric/tape.hpp"
#include "pipeline/pipeline.hpp"

using namespace bayes;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// mu ~ N(0, 10), phi, theta ~ N(0, 2), sigma ~ HalfCauchy(2.5);
// err[1] = y[1] - (mu + phi mu), err[t] = y[t] - (mu + phi y[t-1] + theta err[t-1]);
// y[t] ~ N(y[t] - err[t], sigma). Gradient by forward sensitivities of err.
double hand_written(const std::vector<double>& y, const double v[4], double g[4]) {
  const double mu = v[0], phi = v[1], theta = v[2], s = v[3];
  const double ln2pi = std::log(2 * M_PI);
  double lp = 0, dmu = 0, dphi = 0, dtheta = 0, ds = 0;
  double e = y[0] - (mu + phi * mu), emu = -(1 + phi), ephi = -mu, etheta = 0;
  const double inv2 = 1 / (s * s), log_s = std::log(s);
  for (std::size_t t = 0;; ++t) {
    lp += -0.5 * e * e * inv2 - log_s - 0.5 * ln2pi;
    const double de = -e * inv2;
    dmu += de * emu, dphi += de * ephi, dtheta += de * etheta;
    ds += e * e * inv2 / s - 1 / s;
    if (t + 1 == y.size()) break;
    const double next = y[t + 1] - (mu + phi * y[t] + theta * e);
    emu = -1 - theta * emu, ephi = -y[t] - theta * ephi, etheta = -e - theta * etheta;
    e = next;
  }
  lp += -0.5 * mu * mu / 100 - std::log(10.0) - 0.5 * ln2pi;
  lp += -0.5 * phi * phi / 4 - std::log(2.0) - 0.5 * ln2pi;
  lp += -0.5 * theta * theta / 4 - std::log(2.0) - 0.5 * ln2pi;
  lp += std::log(2 / (M_PI * 2.5)) - std::log1p(s * s / 6.25);
  g[0] = dmu - mu / 100, g[1] = dphi - phi / 4, g[2] = dtheta - theta / 4;
  g[3] = ds - 2 * s / 6.25 / (1 + s * s / 6.25);
  return lp;
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t T = argc > 1 ? std::stoul(argv[1]) : 1000;
  const int reps = argc > 2 ? std::stoi(argv[2]) : 5;
  std::mt19937_64 rng(20261207);
  std::normal_distribution<double> noise(0, 0.7);
  std::vector<double> y(T);
  double prev_y = 0, prev_e = noise(rng);
  for (auto& x : y) {
    const double e = noise(rng);
    x = 0.5 + 0.6 * prev_y + 0.3 * prev_e + e;
    prev_y = x, prev_e = e;
  }
  std::string data = "data T = " + std::to_string(T) + "\ndata y = [";
  for (std::size_t t = 0; t < T; ++t) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", y[t]);
    data += (t ? ", " : "") + std::string(buf);
  }
  data += "]\n";
  const std::string model = data + R"(param mu ~ Normal(0, 10)
param phi ~ Normal(0, 2)
param theta ~ Normal(0, 2)
param sigma > 0 ~ Cauchy(0, 2.5)
let err[1] = y[1] - (mu + phi * mu)
for t in 2:T {
  let err[t] = y[t] - (mu + phi * y[t - 1] + theta * err[t - 1])
}
y[1] ~ Normal(mu + phi * mu, sigma)
for t in 2:T {
  y[t] ~ Normal(mu + phi * y[t - 1] + theta * err[t - 1], sigma)
}
print map()
)";
  Diagnostics diags;
  auto compiled = compile(SourceFile{"arma.model", model, ""}, diags);
  if (!compiled) {
    std::fprintf(stderr, "the ARMA model does not compile\n");
    return 1;
  }
  const Model& m = compiled->model;
  std::vector<std::size_t> priors(m.priors.size()), obs(m.observations.size());
  std::iota(priors.begin(), priors.end(), 0);
  std::iota(obs.begin(), obs.end(), 0);
  std::string why;
  auto tape = numeric::Tape::compile(m, priors, obs, why);
  if (!tape) {
    std::fprintf(stderr, "no tape: %s\n", why.c_str());
    return 1;
  }
  const double point[4] = {0.4, 0.5, 0.2, 0.8};
  std::vector<Eigen::VectorXd> values(m.params.size()), grad(m.params.size());
  for (std::size_t i = 0; i < 4; ++i) values[i] = Eigen::VectorXd::Constant(1, point[i]);

  // The same number both ways first.
  double g_hand[4];
  const double lp_hand = hand_written(y, point, g_hand);
  for (auto& g : grad) g = Eigen::VectorXd::Zero(1);
  const double lp_tape = tape->forward(values);
  tape->backward(grad);
  double worst = std::fabs(lp_tape - lp_hand) / std::fabs(lp_hand);
  for (std::size_t i = 0; i < 4; ++i)
    worst =
        std::max(worst, std::fabs(grad[i][0] - g_hand[i]) / std::max(1.0, std::fabs(g_hand[i])));
  std::printf("ARMA(1,1), T = %zu: tape and hand-written agree to %.1e (relative)\n", T, worst);

  const int n = static_cast<int>(20000000 / T);
  double best_tape = 1e9, best_hand = 1e9, sink = 0;
  for (int r = 0; r < reps; ++r) {
    auto t0 = Clock::now();
    for (int k = 0; k < n; ++k) {
      for (auto& g : grad) g.setZero();
      sink += tape->forward(values);
      tape->backward(grad);
    }
    best_tape = std::min(best_tape, seconds_since(t0) / n);
    t0 = Clock::now();
    for (int k = 0; k < n; ++k) sink += hand_written(y, point, g_hand);
    best_hand = std::min(best_hand, seconds_since(t0) / n);
  }
  std::printf("log density + gradient: tape %.1f us, hand-written %.1f us: ratio %.2f\n",
              best_tape * 1e6, best_hand * 1e6, best_tape / best_hand);
  double best_map = 1e9;
  for (int r = 0; r < reps; ++r) {
    auto t0 = Clock::now();
    answer::Options opt;
    auto report = answer::answer_all(*compiled, opt);
    best_map = std::min(best_map, seconds_since(t0));
    sink += static_cast<double>(report.answers.size());
  }
  std::printf("map(): %.1f ms (best of %d)   [%g]\n", best_map * 1e3, reps, sink > 0 ? 0.0 : 1.0);

  // A hidden Markov model: 3 states, 10 000 observations, transitions and
  // means unknown; the forward algorithm with its gradient on the tape.
  const std::size_t H = 10000;
  std::uniform_real_distribution<double> unit(0, 1);
  std::string ys = "data y = [";
  int state = 0;
  const double means[3] = {-1, 0.5, 2};
  for (std::size_t t = 0; t < H; ++t) {
    if (unit(rng) < 0.1) state = static_cast<int>(unit(rng) * 3) % 3;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", means[state] + noise(rng));
    ys += (t ? ", " : "") + std::string(buf);
  }
  ys += "]\n";
  const std::string hmm = ys +
                          "data init = [0.4, 0.3, 0.3]\n"
                          "param t1 ~ Dirichlet([8, 1, 1])\nparam t2 ~ Dirichlet([1, 8, 1])\n"
                          "param t3 ~ Dirichlet([1, 1, 8])\nparam mu[3] ordered ~ Normal(0, 3)\n"
                          "param s ~ HalfNormal(1)\nparam z[" +
                          std::to_string(H) +
                          "] ~ MarkovChain(init, rows(t1, t2, t3))\ny ~ Normal(mu[z], s)\n";
  Diagnostics hd;
  auto hc = compile(SourceFile{"hmm.model", hmm, ""}, hd);
  if (!hc) {
    std::fprintf(stderr, "the HMM does not compile\n");
    return 1;
  }
  const Model& hm = hc->model;
  std::vector<std::size_t> hp, ho(hm.observations.size()), marginal;
  for (std::size_t i = 0; i < hm.priors.size(); ++i)
    if (hm.params[hm.priors[i].params[0]].name != "z") hp.push_back(i);
  std::iota(ho.begin(), ho.end(), 0);
  for (std::size_t i = 0; i < hm.params.size(); ++i)
    if (hm.params[i].name == "z") marginal.push_back(i);
  auto htape = numeric::Tape::compile(hm, hp, ho, why, marginal);
  if (!htape) {
    std::fprintf(stderr, "no HMM tape: %s\n", why.c_str());
    return 1;
  }
  std::vector<Eigen::VectorXd> hv(hm.params.size()), hg(hm.params.size());
  hv[0] = Eigen::Vector3d(0.8, 0.1, 0.1), hv[1] = Eigen::Vector3d(0.1, 0.8, 0.1);
  hv[2] = Eigen::Vector3d(0.1, 0.1, 0.8), hv[3] = Eigen::Vector3d(-1, 0.5, 2);
  hv[4] = Eigen::VectorXd::Constant(1, 0.7),
  hv[5] = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(H));
  double best_hmm = 1e9;
  for (int r = 0; r < reps; ++r) {
    auto t0 = Clock::now();
    for (int k = 0; k < 20; ++k) {
      for (std::size_t i = 0; i < hv.size(); ++i) hg[i] = Eigen::VectorXd::Zero(hv[i].size());
      sink += htape->forward(hv);
      htape->backward(hg);
    }
    best_hmm = std::min(best_hmm, seconds_since(t0) / 20);
  }
  std::printf("HMM, 3 states, %zu observations: forward + gradient %.2f ms (target 5 ms)\n", H,
              best_hmm * 1e3);
  return 0;
}
