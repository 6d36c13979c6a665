// Model comparison: the log evidence of each model (exact when closed form,
// a Laplace approximation otherwise), the models ranked by it with their
// posterior probabilities under equal prior odds, and the Bayes factor of
// the best over the runner-up read on Kass & Raftery's scale (J. Am. Stat.
// Assoc. 90 (1995) 773-795, sec. 3.2).
#pragma once

#include <cmath>
#include <string>
#include <vector>

#include "answer/answer.hpp"

namespace bayes::answer {

// The comparison of two or more models; src/report renders it as JSON and
// as a table.
struct Comparison {
  struct Model {
    std::string file;
    std::string error;          // why its evidence is not available; else empty
    double log_evidence = NAN;  // log p(D | model)
    std::string method;         // conjugate, enumeration, quadrature, importance or laplace
    bool exact = true;
    std::string warning;               // why an approximate evidence may be far off
    std::vector<std::string> explain;  // how the evidence was found (--explain)
    double probability = NAN;          // p(model | D), every model a priori equally likely
    double log_factor_to_best = NAN;   // log p(D | best) - log p(D | this model), >= 0
  };
  std::vector<Model> models;          // in the order given
  std::vector<std::size_t> ranking;   // indices into models, best first (empty without a verdict)
  std::vector<std::string> warnings;  // e.g. an evidence is a Laplace approximation
  std::string error;                  // why there is no verdict; else empty
  // The first model over the second (two models only, as the Bayes factor
  // is usually quoted), NAN otherwise.
  double log_bayes_factor = NAN;  // log p(D | first) - log p(D | second)
  double bayes_factor = NAN;      // inf when it overflows
  std::string favours;            // the file of the best model
  std::string strength;           // Kass & Raftery's word for best over runner-up
  bool exact = true;              // every evidence exact
};

struct Candidate {
  const Compiled* model;
  std::string name;
};

Comparison compare(const std::vector<Candidate>& models, const Options& options);

// Kass & Raftery's words for a Bayes factor B >= 1 in favour of one model.
std::string kass_raftery(double bayes_factor);

}  // namespace bayes::answer
