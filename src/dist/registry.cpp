// The family registry: every distribution by name, in the order of LANGUAGE.md.
#include <array>

#include "dist/families.hpp"

namespace bayes::dist {
namespace {

const std::array<const Family*, 25>& table() {
  static const std::array<const Family*, 25> families{
      &normal_family(),
      &gamma_family(),
      &inverse_gamma_family(),
      &exponential_family(),
      &student_t_family(),
      &cauchy_family(),
      &laplace_family(),
      &lognormal_family(),
      &beta_family(),
      &uniform_family(),
      &half_normal_family(),
      &half_cauchy_family(),
      &weibull_family(),
      &pareto_family(),
      &bernoulli_family(),
      &binomial_family(),
      &poisson_family(),
      &geometric_family(),
      &negative_binomial_family(),
      &categorical_family(),
      &multinomial_family(),
      &dirichlet_family(),
      &multi_normal_family(),
      &normal_inverse_gamma_family(),
      &discrete_uniform_family(),  // extension, after the contract's list
  };
  return families;
}

}  // namespace

const Family* find(std::string_view name) {
  for (const Family* f : table()) {
    if (f->name == name) return f;
  }
  return nullptr;
}

std::span<const Family* const> all() { return table(); }

}  // namespace bayes::dist
