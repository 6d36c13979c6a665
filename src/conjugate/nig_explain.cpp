// --explain for the NormalInverseGamma rule: receives the recognised model,
// its update and its least-squares fit (normal_inverse_gamma.cpp), produces the
// derivation for a student, with the numbers put in.
#include <cmath>

#include "conjugate/normal_inverse_gamma.hpp"

namespace bayes::conjugate::nig {

namespace {

// What the wording depends on.
struct Shape {
  bool plain = false;   // x ~ Normal(mu, sqrt(s2)) only: the textbook's scalar formulas apply
  bool offset = false;  // some row has a known part a of its mean
  bool unit = true;     // every sd multiplier c is 1
  double sum_x = 0, ss = 0, xbar = 0;  // plain: sum x, S = sum (x - x-bar)^2, x-bar
};

Shape shape_of(const Setup& s, const Update& u, bool single) {
  Shape sh;
  sh.plain = single;
  for (const auto& b : s.blocks)
    sh.plain = sh.plain && (b.X.array() == 1).all() && (b.offset.array() == 0).all() &&
               (b.c.array() == 1).all();
  for (const auto& b : s.blocks) {
    sh.offset = sh.offset || (b.offset.array() != 0).any();
    sh.unit = sh.unit && (b.c.array() == 1).all();
  }
  if (sh.plain) {
    for (const auto& b : s.blocks) sh.sum_x += b.w.dot(b.y);
    sh.xbar = sh.sum_x / u.N;
    for (const auto& b : s.blocks)
      sh.ss += (b.w.array() * (b.y.array() - sh.xbar).square()).sum() + b.scatter;
  }
  return sh;
}

// "  alpha' = alpha + N / 2 = ...", with the flat weights' correction.
std::string alpha_line(const Setup& s, const Update& u) {
  const std::string a0 = significant(s.alpha0), N = significant(u.N);
  if (s.p_flat == 0)
    return "  alpha' = alpha + N / 2 = " + a0 + " + " + N + " / 2 = " + significant(u.alpha);
  const std::string f = std::to_string(s.p_flat);
  return "  alpha' = alpha + (N - f) / 2 = " + a0 + " + (" + N + " - " + f +
         ") / 2 = " + significant(u.alpha) + ", with f = " + f + " flat weight" +
         (s.p_flat == 1 ? "" : "s") + " (integrating one out leaves a factor sqrt(" + s.var +
         ") that no prior factor cancels)";
}

// The rule and the prior.
void explain_prior(std::vector<std::string>& ex, const Model& m, const Setup& s,
                   const std::string& rule, bool single) {
  const std::string& s2n = s.var;
  const Prior& vp = m.priors[s.var_prior];
  if (s.flat_scale || s.p_flat > 0) {
    ex.push_back("rule " + rule + ": Normal data whose mean is linear in the weights (" + s.wnames +
                 ") with an unknown noise " + (s.is_sd ? "sd " + s.s2n : "variance " + s2n) +
                 ", and flat priors: they are limits of the conjugate (Multi)NormalInverseGamma "
                 "prior (lambda = 0 for a flat weight; alpha = -1/2 or -1, beta = 0 for a flat " +
                 (s.is_sd ? "sd" : "variance") +
                 "), so the posterior has its form: the weights are Student-t around the "
                 "least-squares fit, and " +
                 s2n + " is InverseGamma (Gelman et al., BDA3, sec. 14.2)");
  } else if (single) {
    const std::string& mu = s.wnames;
    ex.push_back("rule " + rule + ": Normal data with an unknown mean " + mu +
                 " and an unknown variance " + s2n + ". The NormalInverseGamma prior (" + s2n +
                 " ~ InverseGamma(alpha, beta), then " + mu + " | " + s2n + " ~ Normal(m0, sqrt(" +
                 s2n +
                 " / lambda))) is conjugate to it: the posterior is NormalInverseGamma again");
  } else {
    ex.push_back("rule " + rule + ": Normal data whose mean is linear in the weights (" + s.wnames +
                 ") and whose variance " + s2n + " is unknown. An InverseGamma prior on " + s2n +
                 " with Normal priors on the weights whose sd scales with sqrt(" + s2n +
                 ") is a multivariate NormalInverseGamma prior, and it is conjugate: the posterior "
                 "has the same form");
  }
  if (s.flat_scale) {
    ex.push_back("prior: " + s.s2n + " " + vp.text + ": " +
                 (s.is_sd ? "p(" + s.s2n + ") ~ 1 is p(" + s2n + ") ~ (" + s2n +
                                ")^(-1/2), the InverseGamma limit alpha = -1/2"
                          : "p(" + s2n + ") ~ 1, the InverseGamma limit alpha = -1") +
                 ", beta = 0 (improper; BDA3 sec. 14.2)");
  } else if (s.joint) {
    const Weight& w = s.weights[0];
    ex.push_back("prior: " + prior_text(m, vp) + ": m0 = " + significant(w.m0[0]) +
                 ", lambda = " + significant(w.lambda[0]) + ", alpha = " + significant(s.alpha0) +
                 ", beta = " + significant(s.beta0) + ", i.e. " + s2n +
                 " ~ InverseGamma(alpha, beta) and " + s.wnames + " | " + s2n +
                 " ~ Normal(m0, sqrt(" + s2n +
                 " / lambda)) (Prince's NormInvGam[alpha, beta, gamma = lambda, delta = m0])");
  } else {
    ex.push_back("prior: " + prior_text(m, vp) + ": alpha = " + significant(s.alpha0) +
                 ", beta = " + significant(s.beta0));
  }
  for (const auto& w : s.weights) {
    if (w.joint_prior) continue;
    if (w.flat) {
      ex.push_back("prior: " + m.params[w.param].name + " " + m.priors[w.prior].text +
                   ": lambda = 0, the limit of Normal(m0, c * " + s.sd +
                   ") as c -> inf (m0 plays no part)");
      continue;
    }
    const bool scalar = m.params[w.param].type.is_scalar();
    std::string line = "prior: " + prior_text(m, m.priors[w.prior]) + ": " +
                       (scalar ? "the" : "each element's") + " sd is ";
    if (w.lambda.size() == 1)
      line += significant(w.c) + " * sqrt(" + s2n + "), so lambda = 1 / " + significant(w.c) +
              "^2 = " + significant(w.lambda[0]);
    else
      line +=
          "c * sqrt(" + s2n + ") with c known, so lambda = 1 / c^2 = " +
          vec(Eigen::Map<const VectorXd>(w.lambda.data.data(), static_cast<Idx>(w.lambda.size())));
    line +=
        " and m0 = " +
        (w.m0.size() == 1
             ? significant(w.m0[0])
             : vec(Eigen::Map<const VectorXd>(w.m0.data.data(), static_cast<Idx>(w.m0.size()))));
    ex.push_back(line);
  }
  if (single && !s.joint)
    ex.push_back("together: " + s.wnames + ", " + s2n + " ~ NormalInverseGamma(m0 = " +
                 significant(s.m0[0]) + ", lambda = " + significant(s.lambda0[0]) +
                 ", alpha = " + significant(s.alpha0) + ", beta = " + significant(s.beta0) + ")");
  if (!single)
    ex.push_back("together: (" + s.wnames + ", " + s2n +
                 ") ~ MultiNormalInverseGamma(m0 = " + vec(s.m0) + ", Lambda0 = diag" +
                 vec(s.lambda0) + ", alpha = " + significant(s.alpha0) +
                 ", beta = " + significant(s.beta0) + "): the stacked weights | " + s2n +
                 " ~ MultiNormal(m0, " + s2n + " * inverse(Lambda0))");
}

// The data and the update.
void explain_update(std::vector<std::string>& ex, const Model& m, const Setup& s, const Update& u,
                    const Shape& sh, bool single) {
  const double N = u.N, sum_x = sh.sum_x, ss = sh.ss, xbar = sh.xbar;
  const bool offset = sh.offset, unit = sh.unit;
  const std::string W = unit ? "" : " W";
  const std::string y_a = offset ? "(y - a)" : "y";
  if (sh.plain) {
    const std::string totals = "N = " + significant(N) + ", sum x = " + significant(sum_x) +
                               ", x-bar = " + significant(xbar) +
                               ", S = sum (x - x-bar)^2 = " + significant(ss);
    if (s.blocks.size() == 1) {
      ex.push_back("data: " + m.observations[s.blocks[0].observation].text + ": " + totals);
    } else {
      for (const auto& b : s.blocks)
        ex.push_back("data: " + m.observations[b.observation].text + ": " + significant(b.w.sum()) +
                     " values, sum " + significant(b.w.dot(b.y)));
      ex.push_back("all data together: " + totals);
    }
    const double l = s.lambda0[0], m0 = s.m0[0];
    ex.push_back("posterior (Murphy 2007, sec. 6):");
    ex.push_back("  lambda' = lambda + N = " + significant(l) + " + " + significant(N) + " = " +
                 significant(u.Lambda(0, 0)));
    ex.push_back("  m0' = (lambda m0 + sum x) / (lambda + N) = (" + significant(l) + " * " +
                 significant(m0) + " + " + significant(sum_x) + ") / " +
                 significant(u.Lambda(0, 0)) + " = " + significant(u.mean[0]));
    ex.push_back(alpha_line(s, u));
    ex.push_back("  beta' = beta + (S + lambda N (x-bar - m0)^2 / (lambda + N)) / 2 = " +
                 significant(s.beta0) + " + (" + significant(ss) + " + " +
                 significant(l * N * (xbar - m0) * (xbar - m0) / (l + N)) +
                 ") / 2 = " + significant(u.beta));
  } else {
    for (const auto& b : s.blocks)
      ex.push_back("data: " + m.observations[b.observation].text + ": " + significant(b.w.sum()) +
                   " rows y = " + (offset ? "a + " : "") + "X w + " + (unit ? "" : "c * ") + s.sd +
                   " * noise, X with " + std::to_string(s.p) + (s.p == 1 ? " column" : " columns") +
                   (offset ? ", a the known part of the mean" : "") +
                   (unit ? "" : ", c the sd's multiplier"));
    ex.push_back("posterior (Murphy, MLAPP sec. 7.6.3" +
                 std::string(unit ? "" : "; W = diag(1 / c^2)") + "), N = " + significant(N) + ":");
    ex.push_back("  Lambda' = Lambda0 + X^T" + W + " X = " + mat(u.Lambda));
    ex.push_back("  m0' = inverse(Lambda') (Lambda0 m0 + X^T" + W + " " + y_a +
                 ") = " + vec(u.mean));
    ex.push_back(alpha_line(s, u));
    ex.push_back(
        "  beta' = beta + (RSS + (m0' - m0)^T Lambda0 (m0' - m0)) / 2 = " + significant(s.beta0) +
        " + (" + significant(u.rss) + " + " + significant(u.shrink) +
        ") / 2 = " + significant(u.beta) + ", with RSS = the" + (unit ? "" : " weighted") +
        " sum of squares of " + (offset ? "y - a - X m0'" : "y - X m0'"));
  }
  ex.push_back("  = " + (single ? "NormalInverseGamma(" + significant(u.mean[0]) + ", " +
                                      significant(u.Lambda(0, 0)) + ", " + significant(u.alpha) +
                                      ", " + significant(u.beta) + ")"
                                : "MultiNormalInverseGamma(m0', Lambda', " + significant(u.alpha) +
                                      ", " + significant(u.beta) + ")"));
}

// The marginals.
void explain_marginals(std::vector<std::string>& ex, const Model& m, const Setup& s,
                       const Update& u, bool single) {
  const std::string& s2n = s.var;
  for (std::size_t i = 0; i < s.weights.size(); ++i) {
    const std::size_t q = s.weights[i].param;
    const std::string& nm = m.params[q].name;
    const auto o = static_cast<Idx>(s.offsets[i]);
    if (m.params[q].type.is_scalar()) {
      ex.push_back("marginal: " + nm + " ~ StudentT(nu = 2 alpha' = " + significant(2 * u.alpha) +
                   ", mean = m0'" + (single ? "" : "[" + std::to_string(o + 1) + "]") + " = " +
                   significant(u.mean[o]) + ", scale = sqrt(beta' / (alpha' lambda')) = sqrt(" +
                   significant(u.beta) + " / (" + significant(u.alpha) + " * " +
                   significant(1 / u.V(o, o)) +
                   ")) = " + significant(std::sqrt(u.beta / u.alpha * u.V(o, o))) + ")" +
                   (single ? ""
                           : ", with lambda' = 1 / inverse(Lambda')[" + std::to_string(o + 1) +
                                 ", " + std::to_string(o + 1) + "]"));
    } else {
      const Idx k = s.length(i, m);
      VectorXd scale = (u.V.diagonal().segment(o, k) * (u.beta / u.alpha)).cwiseSqrt();
      ex.push_back(
          "marginal: each " + nm + "[j] ~ StudentT(nu = 2 alpha' = " + significant(2 * u.alpha) +
          ", mean = m0'[j], scale = sqrt(beta' / alpha' * inverse(Lambda')[j, j])): scales " +
          vec(scale));
    }
  }
  std::string ig = "marginal: " + s2n + " ~ InverseGamma(alpha', beta') = InverseGamma(" +
                   significant(u.alpha) + ", " + significant(u.beta) + ")";
  if (u.alpha > 1) ig += ", mean beta' / (alpha' - 1) = " + significant(u.beta / (u.alpha - 1));
  ex.push_back(ig + ", mode beta' / (alpha' + 1) = " + significant(u.beta / (u.alpha + 1)));
  if (s.is_sd) {
    const ClosedForm sigma = sqrt_inverse_gamma(u.alpha, u.beta);
    ex.push_back("marginal: " + s.s2n + " = sqrt(" + s2n +
                 ") ~ SqrtInverseGamma(alpha', beta'): mean sqrt(beta') Gamma(alpha' - 1/2) / "
                 "Gamma(alpha') = " +
                 significant(sigma.mean[0]) + ", mode sqrt(2 beta' / (2 alpha' + 1)) = " +
                 significant(sigma.mode ? (*sigma.mode)[0] : NAN) +
                 ", quantiles the square roots of " + s2n + "'s");
  }
}

// The joint mode: Prince's formula, and its regression form.
void explain_mode(std::vector<std::string>& ex, const Setup& s, const Update& u, const Shape& sh,
                  double s2_map, bool single) {
  if (s.flat_scale || s.p_flat > 0 || s.is_sd) {
    const std::string& v = s.var;
    const double pd = static_cast<double>(s.p);
    std::string line = "MAP (the joint mode): the weights = m0' = " + vec(u.mean) + ", ";
    if (s.is_sd) {
      const double v_map = 2 * u.beta / (2 * u.alpha + 1 + pd);
      line += v + " = 2 beta' / (2 alpha' + 1 + p) = " + significant(2 * u.beta) + " / " +
              significant(2 * u.alpha + 1 + pd) + " = " + significant(v_map) + ", so " + s.s2n +
              " = " + significant(std::sqrt(v_map)) + " (the density of (weights, " + s.s2n +
              ") has the factor 2 " + s.s2n + " of d" + v + " = 2 " + s.s2n + " d" + s.s2n + ")";
    } else {
      line += v + " = beta' / (alpha' + 1 + p/2) = " + significant(s2_map);
    }
    if (s.flat_scale && s.p_flat == s.p) line += "; with every prior flat, the MLE";
    ex.push_back(line);
    return;
  }
  const std::string& s2n = s.var;
  const bool plain = sh.plain;
  const double sum_x = sh.sum_x, N = u.N;
  if (plain) {
    const double l = s.lambda0[0], m0 = s.m0[0];
    const std::string& mu = s.wnames;
    double mu_hat = (sum_x + l * m0) / (N + l);
    double dev = 0;
    for (const auto& b : s.blocks)
      dev += (b.w.array() * (b.y.array() - mu_hat).square()).sum() + b.scatter;
    double prior_dev = l * (m0 - mu_hat) * (m0 - mu_hat);
    double s2_prince = (dev + 2 * s.beta0 + prior_dev) / (N + 3 + 2 * s.alpha0);
    ex.push_back("MAP (the joint mode of (" + mu + ", " + s2n + "), Prince sec. 4.3): " + mu +
                 " = (sum x + lambda m0) / (N + lambda) = (" + significant(sum_x) + " + " +
                 significant(l) + " * " + significant(m0) + ") / (" + significant(N) + " + " +
                 significant(l) + ") = " + significant(mu_hat));
    ex.push_back("  " + s2n + " = (sum (x - " + mu + ")^2 + 2 beta + lambda (m0 - " + mu +
                 ")^2) / (N + 3 + 2 alpha) = (" + significant(dev) + " + " +
                 significant(2 * s.beta0) + " + " + significant(prior_dev) + ") / (" +
                 significant(N) + " + 3 + " + significant(2 * s.alpha0) +
                 ") = " + significant(s2_prince) +
                 ", the same as beta' / (alpha' + 3/2) = " + significant(s2_map));
  } else {
    ex.push_back("MAP (the joint mode): the weights = m0' = " + vec(u.mean) + ", " + s2n +
                 " = (RSS + 2 beta + (m0' - m0)^T Lambda0 (m0' - m0)) / (N + 2 alpha + 2 + p) = (" +
                 significant(u.rss) + " + " + significant(2 * s.beta0) + " + " +
                 significant(u.shrink) + ") / (" + significant(N) + " + " +
                 significant(2 * s.alpha0) + " + 2 + " + std::to_string(s.p) +
                 ") = " + significant(s2_map) +
                 " = beta' / (alpha' + 1 + p/2): Prince's formula for p = " + std::to_string(s.p) +
                 (s.p == 1 ? " weight" : " weights"));
  }
  ex.push_back(
      "  note: posterior(" + s2n + ") reports the mode of " + s2n +
      "'s own marginal, beta' / (alpha' + 1) = " + significant(u.beta / (u.alpha + 1)) +
      "; the joint mode's " + s2n + " is smaller because the joint density also has the factor " +
      s2n + (s.p == 1 ? "^(-1/2)" : "^(-p/2)") + " from the normalising constant of " +
      (single ? s.wnames + " | " + s2n + " ~ Normal" : "the weights | " + s2n + " ~ MultiNormal"));
}

// Maximum likelihood.
void explain_mle(std::vector<std::string>& ex, const Setup& s, const Fit& f, const Shape& sh,
                 double N) {
  const std::string& s2n = s.var;
  const bool plain = sh.plain;
  const double ss = sh.ss, xbar = sh.xbar;
  const std::string W = sh.unit ? "" : " W";
  const std::string y_a = sh.offset ? "(y - a)" : "y";
  if (plain) {
    ex.push_back("MLE (priors dropped): " + s.wnames + " = x-bar = " + significant(xbar) + ", " +
                 s2n + " = " +
                 (f.s2_note.empty()
                      ? "S / N = " + significant(ss) + " / " + significant(N) + " = " +
                            significant(ss / N) + " (dividing by N, not N - 1)"
                      : f.s2_note));
  } else {
    ex.push_back(
        "MLE (priors dropped): " +
        (f.w_note.empty() ? std::string("least squares w = inverse(X^T") + W + " X) X^T" + W + " " +
                                y_a + " = " + vec(f.w)
                          : f.w_note) +
        "; " + s2n + " = " +
        (f.s2_note.empty()
             ? "RSS / N = " + significant(f.rss) + " / " + significant(N) + " = " +
                   significant(f.rss / N) +
                   (s.is_sd ? ", so " + s.s2n + " = " + significant(std::sqrt(f.rss / N)) : "")
             : f.s2_note));
  }
}

// The predictives.
void explain_predictive(Solution& sol, const Model& m, const Setup& s, const Shape& sh) {
  auto& ex = sol.explain;
  const bool plain = sh.plain, offset = sh.offset, unit = sh.unit;
  auto lhs = [&](const Block& b) {
    const std::string& t = m.observations[b.observation].text;
    return t.substr(0, t.find(" ~ "));
  };
  for (std::size_t i = 0; i < s.blocks.size(); ++i) {
    const ClosedForm& d = sol.predictive[i].dist;
    const std::string t = "StudentT(" + significant(d.params[0].second[0]) + ", " +
                          significant(d.params[1].second[0]) + ", " +
                          significant(d.params[2].second[0]) + ")";
    if (plain) {
      if (i > 0) continue;  // the same for every statement
      std::string which = lhs(s.blocks[0]);
      for (std::size_t j = 1; j < s.blocks.size(); ++j) which += " or " + lhs(s.blocks[j]);
      ex.push_back("predictive of one more " + which +
                   ": StudentT(2 alpha', m0', sqrt(beta' (1 + 1 / lambda') / alpha')) = " + t);
    } else {
      const bool row1 = !sol.predictive[i].note.empty();
      const std::string x = row1 ? "x_1" : "x";
      ex.push_back("predictive of one more " + lhs(s.blocks[i]) +
                   (row1 ? " at the covariates x_1 of row 1" : "") + ": StudentT(2 alpha', " +
                   (offset ? "a + " : "") + x + "^T m0', sqrt(beta' / alpha' (" +
                   (unit ? "1" : "c^2") + " + " + x + "^T inverse(Lambda') " + x + "))) = " + t);
    }
  }
}

}  // namespace

void explain(const Model& m, const Setup& s, const Update& u, const Fit& f, double s2_map,
             bool single, Solution& sol) {
  const Shape sh = shape_of(s, u, single);
  explain_prior(sol.explain, m, s, sol.rule, single);
  explain_update(sol.explain, m, s, u, sh, single);
  explain_marginals(sol.explain, m, s, u, single);
  explain_mode(sol.explain, s, u, sh, s2_map, single);
  explain_mle(sol.explain, s, f, sh, u.N);
  explain_predictive(sol, m, s, sh);
}

}  // namespace bayes::conjugate::nig
