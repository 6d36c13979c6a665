// Logistic-regression MAP (bench/logistic.model, N = 100 000, P = 20): the
// speed of bayes's log density and gradient (the AD tape) against a
// hand-written Eigen gradient of the same log posterior in the same run, and
// the time to the answer. Prints one line per figure; bench/README.md has the
// command and the figures.
#include <Eigen/Dense>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "answer/answer.hpp"
#include "cli/memory.hpp"
#include "graph/view.hpp"
#include "numeric/tape.hpp"
#include "pipeline/pipeline.hpp"

using namespace bayes;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// The same log posterior by hand: w0 ~ Normal(0, 5), w_j ~ Normal(0, 2.5),
// y_i ~ Bernoulli(logistic(w0 + x_i' w)).
struct HandWritten {
  Eigen::MatrixXd X;
  Eigen::VectorXd y;
  Eigen::VectorXd eta, r;
  double operator()(double w0, const Eigen::VectorXd& w, double& g0, Eigen::VectorXd& gw) {
    eta.noalias() = X * w;
    double lp = 0;
    r.resize(eta.size());
    for (Eigen::Index i = 0; i < eta.size(); ++i) {
      double e = eta[i] + w0, a = std::exp(-std::fabs(e));
      double softplus = std::max(e, 0.0) + std::log1p(a);
      lp += y[i] * e - softplus;
      r[i] = y[i] - (e >= 0 ? 1 / (1 + a) : a / (1 + a));
    }
    const double ln2pi = std::log(2 * M_PI);
    lp += -0.5 * w0 * w0 / 25 - std::log(5.0) - 0.5 * ln2pi;
    lp += -0.5 * w.squaredNorm() / 6.25 -
          static_cast<double>(w.size()) * (std::log(2.5) + 0.5 * ln2pi);
    g0 = r.sum() - w0 / 25;
    gw.noalias() = X.transpose() * r;
    gw -= w / 6.25;
    return lp;
  }
};

}  // namespace

int main(int argc, char** argv) {
  bayes::prefer_huge_pages();
  std::string path = argc > 1 ? argv[1] : std::string(BAYES_BENCH_DIR) + "/logistic.model";
  int reps = argc > 2 ? std::stoi(argv[2]) : 5;

  // 1. Reading the model and its CSV, checking, building the factor graph.
  auto t0 = Clock::now();
  std::string err;
  auto src = read_source(path, err);
  if (!src) {
    std::fprintf(stderr, "%s\n", err.c_str());
    return 2;
  }
  Diagnostics diags;
  auto compiled = compile(*src, diags);
  if (!compiled) {
    std::fprintf(stderr, "%s: does not compile (run bench/make_logistic_csv.py first?)\n",
                 path.c_str());
    return 1;
  }
  double t_compile = seconds_since(t0);
  const Model& m = compiled->model;

  // 2. Gradient evaluations per second: the tape against the hand-written one.
  std::vector<std::size_t> priors, observations;
  for (std::size_t i = 0; i < m.priors.size(); ++i) priors.push_back(i);
  for (std::size_t i = 0; i < m.observations.size(); ++i) observations.push_back(i);
  std::string why;
  auto tape = numeric::Tape::compile(m, priors, observations, why);
  if (!tape) {
    std::fprintf(stderr, "tape: %s\n", why.c_str());
    return 1;
  }
  std::size_t iw0 = 0, iw = 0;
  for (std::size_t p = 0; p < m.params.size(); ++p) (m.params[p].name == "w0" ? iw0 : iw) = p;
  const std::size_t P = m.params[iw].type.rows;
  std::vector<Eigen::VectorXd> values(m.params.size()), grad(m.params.size());
  values[iw0] = Eigen::VectorXd::Constant(1, 0.1);
  values[iw] = Eigen::VectorXd::LinSpaced(static_cast<Eigen::Index>(P), -0.5, 0.5);

  HandWritten hand;
  const Value* y = nullptr;
  std::vector<const Value*> xs;
  for (const auto& d : m.data) {
    if (d.name == "y") y = &d.value;
    if (d.name.size() > 1 && d.name[0] == 'x' &&
        std::isdigit(static_cast<unsigned char>(d.name[1])))
      xs.push_back(&d.value);
  }
  auto N = static_cast<Eigen::Index>(y->size());
  hand.X.resize(N, static_cast<Eigen::Index>(xs.size()));
  for (std::size_t j = 0; j < xs.size(); ++j)
    for (Eigen::Index i = 0; i < N; ++i)
      hand.X(i, static_cast<Eigen::Index>(j)) = (*xs[j])[static_cast<std::size_t>(i)];
  hand.y = Eigen::Map<const Eigen::VectorXd>(y->data.data(), N);

  // Agreement first: the same value and gradient.
  double lp_tape = tape->forward(values);
  grad[iw0] = Eigen::VectorXd::Zero(1),
  grad[iw] = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(P));
  tape->backward(grad);
  double g0;
  Eigen::VectorXd gw;
  double lp_hand = hand(values[iw0][0], values[iw], g0, gw);
  double gdiff = std::max(std::fabs(g0 - grad[iw0][0]), (gw - grad[iw]).cwiseAbs().maxCoeff());
  std::printf(
      "N = %lld, P = %zu; log density tape %.12g, by hand %.12g; max gradient difference %.3g\n",
      static_cast<long long>(N), P, lp_tape, lp_hand, gdiff);

  const int evals = 200;
  double best_tape = INFINITY, best_hand = INFINITY;
  for (int r = 0; r < reps; ++r) {
    auto t = Clock::now();
    for (int k = 0; k < evals; ++k) {
      values[iw][0] = -0.5 + 1e-6 * k;
      tape->forward(values);
      grad[iw0].setZero(), grad[iw].setZero();
      tape->backward(grad);
    }
    best_tape = std::min(best_tape, seconds_since(t) / evals);
    t = Clock::now();
    for (int k = 0; k < evals; ++k) {
      values[iw][0] = -0.5 + 1e-6 * k;
      hand(values[iw0][0], values[iw], g0, gw);
    }
    best_hand = std::min(best_hand, seconds_since(t) / evals);
  }
  std::printf("gradient evaluations per second: tape %.0f, hand-written Eigen %.0f; ratio %.2f\n",
              1 / best_tape, 1 / best_hand, best_tape / best_hand);

  // 3. The answer: map() through the whole engine.
  double best_fit = INFINITY;
  std::string explain;
  for (int r = 0; r < reps; ++r) {
    answer::Options opt;
    auto t = Clock::now();
    answer::Report rep = answer::answer_all(*compiled, opt);
    best_fit = std::min(best_fit, seconds_since(t));
    explain.clear();
    for (const auto& line : rep.explain) explain += line + "\n";
  }
  std::printf(
      "time to the answer (map(), after reading): %.1f ms; reading and compiling: %.1f ms\n",
      1e3 * best_fit, 1e3 * t_compile);
  std::printf("fit in gradient evaluations of the hand-written code: %.0f\n", best_fit / best_hand);
  std::printf("%s", explain.c_str());
  return 0;
}
