#include "numeric/start.hpp"

#include <cmath>

#include "dist/family.hpp"
#include "linalg/dense.hpp"
#include "patterns/patterns.hpp"

namespace bayes::numeric {

namespace {

// u with back(i, u) = theta, for the one-to-one transforms; nullopt outside
// the support.
std::optional<double> unconstrained(const Transform& t, std::size_t i, double theta) {
  switch (t.kind) {
    case Transform::Kind::Identity:
      return (theta - t.a(i)) / t.b(i);
    case Transform::Kind::Lower:
      if (theta > t.lo) return std::log(theta - t.lo);
      break;
    case Transform::Kind::Upper:
      if (theta < t.hi) return std::log(t.hi - theta);
      break;
    case Transform::Kind::Interval:
      if (theta > t.lo && theta < t.hi) {
        const double r = (theta - t.lo) / (t.hi - t.lo);
        return std::log(r / (1 - r));
      }
      break;
    case Transform::Kind::Simplex:
    case Transform::Kind::Dependent:  // its bounds need the others' values: u = 0 instead
    case Transform::Kind::Ordered:    // each element from the one before: u = 0 instead
    case Transform::Kind::PositiveOrdered:
      break;
  }
  return std::nullopt;
}

// One Normal observation whose mean is offset + design * theta.
struct Rows {
  std::size_t observation;
  patterns::Linear mean;
  std::optional<std::size_t> sd_param;  // the one parameter of the sd, when there is one
  patterns::Monomial sd;                // sd = c * sd_param^k
};

}  // namespace

std::optional<DataStart> data_start(const Model& m, const Layout& layout,
                                    const std::vector<std::size_t>& observations) {
  // The unbounded parameters are the means' candidates.
  std::vector<std::size_t> free;
  for (const auto& t : layout.transforms)
    if (t.kind == Transform::Kind::Identity) free.push_back(t.param);
  std::vector<std::size_t> offsets;
  const auto dim = static_cast<Eigen::Index>(patterns::stacked_size(m, free, &offsets));
  std::vector<Rows> blocks;
  Eigen::Index rows = 0;
  for (auto oi : observations) {
    const Observation& o = m.observations[oi];
    if (o.family != &dist::normal_family() || o.summary || o.value.size() == 0) continue;
    auto lin = patterns::linear_in(m, *o.args[0], free);
    if (!lin) continue;
    const auto n = static_cast<Eigen::Index>(o.value.size());
    if (lin->offset.size() != 1 && lin->offset.size() != n) continue;
    Rows r{oi, std::move(*lin), std::nullopt, {}};
    const auto sd_params = ir::params_of(*o.args[1]);
    if (sd_params.size() == 1 && m.params[sd_params[0]].type.is_scalar())
      if (auto mono = patterns::monomial_in(m, *o.args[1], sd_params[0]);
          mono && mono->k != 0 && mono->c.size() == 1 && mono->c[0] > 0)
        r.sd_param = sd_params[0], r.sd = *mono;
    rows += n;
    blocks.push_back(std::move(r));
  }
  // Too few rows for a spread: the fit would be exact, a point on the ridge
  // where the likelihood grows without bound (left to the optimiser from 0).
  if (blocks.empty() || rows <= dim) return std::nullopt;

  // The means' parameters by least squares over every such observation.
  Eigen::VectorXd theta = Eigen::VectorXd::Zero(dim), norms = Eigen::VectorXd::Zero(dim);
  Eigen::MatrixXd A(rows, dim);
  Eigen::VectorXd z(rows);
  if (dim > 0) {
    Eigen::Index row = 0;
    for (const auto& b : blocks) {
      const Value& y = m.observations[b.observation].value;
      for (std::size_t i = 0; i < y.size(); ++i, ++row) {
        const auto k = static_cast<Eigen::Index>(b.mean.design.rows() == 1 ? 0 : i);
        A.row(row) = b.mean.design.row(k);
        z[row] = y[i] - b.mean.offset[b.mean.offset.size() == 1 ? 0 : k];
      }
    }
    theta = linalg::least_squares(A, z);
    if (!theta.allFinite()) return std::nullopt;
    norms = A.colwise().norm().transpose();
  }
  DataStart out;
  out.u = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(layout.dim));
  out.centre.assign(layout.dim, NAN), out.spread.assign(layout.dim, NAN);
  // A coefficient's standard error, were the columns orthogonal: the
  // residuals' spread over its column's length; the scale it is known to.
  const double rms_all =
      dim > 0 ? std::sqrt((z - A * theta).squaredNorm() / static_cast<double>(rows)) : 0.0;
  for (const auto& t : layout.transforms) {
    if (t.kind != Transform::Kind::Identity) continue;
    const auto at = static_cast<std::size_t>(offsets[static_cast<std::size_t>(
        std::find(free.begin(), free.end(), t.param) - free.begin())]);
    for (std::size_t i = 0; i < t.size; ++i) {
      const auto j = static_cast<Eigen::Index>(at + i);
      const std::size_t k = t.offset + i;
      if (auto v = unconstrained(t, i, theta[j])) out.u[static_cast<Eigen::Index>(k)] = *v;
      if (norms[j] > 0 && t.shift.empty())
        out.centre[k] = theta[j], out.spread[k] = rms_all / norms[j];
    }
  }
  Eigen::VectorXd& u = out.u;
  // Each sd parameter at the spread of its observations' residuals.
  for (const auto& b : blocks) {
    if (!b.sd_param) continue;
    const Value& y = m.observations[b.observation].value;
    if (y.size() < 2) continue;
    double ss = 0;
    for (std::size_t i = 0; i < y.size(); ++i) {
      const auto k = static_cast<Eigen::Index>(b.mean.design.rows() == 1 ? 0 : i);
      const double fit = b.mean.offset[b.mean.offset.size() == 1 ? 0 : k] +
                         (dim > 0 ? b.mean.design.row(k).dot(theta) : 0.0);
      ss += (y[i] - fit) * (y[i] - fit);
    }
    const double rms = std::sqrt(ss / static_cast<double>(y.size()));
    const double value = std::pow(rms / b.sd.c[0], 1 / b.sd.k);
    if (!(rms > 0) || !std::isfinite(value)) return std::nullopt;  // fitted exactly: as above
    for (const auto& t : layout.transforms)
      if (t.param == *b.sd_param && t.size == 1)
        if (auto v = unconstrained(t, 0, value)) u[static_cast<Eigen::Index>(t.offset)] = *v;
  }
  return out;
}

bool centre_layout(Layout& layout, DataStart& start) {
  bool far = false;
  for (std::size_t k = 0; k < start.centre.size(); ++k) {
    const double c = start.centre[k], s = start.spread[k];
    if (std::isnan(c) || !(s > 0) || !std::isfinite(s)) continue;
    far = far || std::fabs(c) > 1e4 * s || s < 1e-4 || s > 1e4;
  }
  if (!far) return false;
  for (auto& t : layout.transforms) {
    if (t.kind != Transform::Kind::Identity || !t.shift.empty()) continue;
    std::vector<double> shift(t.size, 0.0), scale(t.size, 1.0);
    bool any = false;
    for (std::size_t i = 0; i < t.size; ++i) {
      const std::size_t k = t.offset + i;
      if (std::isnan(start.centre[k]) || !(start.spread[k] > 0) || !std::isfinite(start.spread[k]))
        continue;
      shift[i] = start.centre[k], scale[i] = start.spread[k], any = true;
      start.u[static_cast<Eigen::Index>(k)] = 0;
    }
    if (any) t.shift = std::move(shift), t.scale = std::move(scale);
  }
  return true;
}

}  // namespace bayes::numeric
