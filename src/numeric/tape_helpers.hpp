// Small views between the tape's Eigen vectors and the spans the built-ins
// and the families read and write; shared by tape.cpp and tape_factors.cpp.
#pragma once

#include <Eigen/Dense>
#include <span>

#include "data/value.hpp"
#include "expr/builtins.hpp"

namespace bayes::numeric::tape_helpers {

inline Eigen::VectorXd to_vec(const Value& v) {
  return Eigen::Map<const Eigen::VectorXd>(v.data.data(), static_cast<Eigen::Index>(v.size()));
}

inline double elem(const Eigen::VectorXd& v, Eigen::Index k) { return v.size() == 1 ? v[0] : v[k]; }
inline void add_elem(Eigen::VectorXd& adj, Eigen::Index k, double x) {
  if (adj.size() == 1)
    adj[0] += x;
  else
    adj[k] += x;
}

inline BuiltinMath::In as_in(const Eigen::VectorXd& v) {
  return {v.data(), static_cast<std::size_t>(v.size())};
}
inline BuiltinMath::Out as_out(Eigen::VectorXd& v) {
  return {v.data(), static_cast<std::size_t>(v.size())};
}

inline std::span<const double> span_of(const Eigen::VectorXd& v) {
  return std::span<const double>(v.data(), static_cast<std::size_t>(v.size()));
}
inline std::span<double> mspan(Eigen::VectorXd& v) {
  return std::span<double>(v.data(), static_cast<std::size_t>(v.size()));
}

}  // namespace bayes::numeric::tape_helpers
