// Test data a family's own test file (tests/unit/test_dist_<family>.cpp) hands
// to the property tests every univariate family goes through (test_dist.cpp:
// references, signatures, supports, quantiles, samplers; test_numeric.cpp:
// gradients against finite differences), so that a new family is covered by
// them without an entry in their tables. Registered before main() runs:
//   const bool registered = bayes::test::register_family_case({...});
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace bayes::test {

// One reference value: `function` (lpdf, cdf, quantile, mean or variance) of
// the family at `args` and `x` (none for mean and variance).
struct Reference {
  std::string function;
  std::vector<double> args;
  std::vector<double> x;
  double expected;
};

// An outcome x at arguments args.
struct GradPoint {
  std::vector<double> args;
  double x;
};

struct FamilyCase {
  std::string_view name;
  std::vector<std::string_view> params;  // parameter names, as the signature
  std::vector<double> args;              // typical arguments
  std::vector<double> outside;           // outcomes outside the support at `args`
  std::vector<Reference> references;     // every function at least once
  std::vector<GradPoint> inside;         // gradient checks inside the support
  std::vector<GradPoint> beyond;         // points outside the support (-inf, zero gradient)
};

inline std::vector<FamilyCase>& family_cases() {
  static std::vector<FamilyCase> cases;
  return cases;
}

inline bool register_family_case(FamilyCase c) {
  family_cases().push_back(std::move(c));
  return true;
}

// The registered case of family `name`, or nullptr.
inline const FamilyCase* family_case(std::string_view name) {
  for (const FamilyCase& c : family_cases())
    if (c.name == name) return &c;
  return nullptr;
}

}  // namespace bayes::test
