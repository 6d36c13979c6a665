// Model comparison: the log evidence of each model (exact when closed form,
// a Laplace approximation otherwise) and the Bayes factor between them, read
// on Kass & Raftery's scale (J. Am. Stat. Assoc. 90 (1995) 773-795, sec. 3.2).
#pragma once

#include <cmath>
#include <string>
#include <vector>

#include "answer/answer.hpp"

namespace bayes::answer {

// The comparison of two models; src/report renders it as JSON and as a table.
struct Comparison {
  struct Model {
    std::string file;
    std::string error;          // why its evidence is not available; else empty
    double log_evidence = NAN;  // log p(D | model)
    std::string method;         // conjugate, enumeration or laplace
    bool exact = true;
  };
  std::vector<Model> models;
  std::vector<std::string> warnings;  // e.g. the two do not observe the same data
  std::string error;                  // why there is no Bayes factor; else empty
  double log_bayes_factor = NAN;      // log p(D | a) - log p(D | b)
  double bayes_factor = NAN;          // inf when it overflows
  std::string favours;                // the file of the favoured model
  std::string strength;               // Kass & Raftery's word
  bool exact = true;                  // both evidences exact
};

Comparison compare(const Compiled& a, const std::string& name_a, const Compiled& b,
                   const std::string& name_b, const Options& options);

// Kass & Raftery's words for a Bayes factor B >= 1 in favour of one model.
std::string kass_raftery(double bayes_factor);

}  // namespace bayes::answer
