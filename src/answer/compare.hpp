// Model comparison: the log evidence of each model (exact when closed form,
// a Laplace approximation otherwise) and the Bayes factor between them, read
// on Kass & Raftery's scale (J. Am. Stat. Assoc. 90 (1995) 773-795, sec. 3.2).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "answer/answer.hpp"

namespace bayes::answer {

// {"models": [{"file", "log_evidence", "method", "exact"}, ...],
//  "log_bayes_factor", "bayes_factor", "favours", "strength", "warnings": [...]}
// or {"models": [...], "error": "..."} when an evidence is not available.
// The Bayes factor is p(D | a) / p(D | b).
nlohmann::ordered_json compare(const Compiled& a, const std::string& name_a, const Compiled& b,
                               const std::string& name_b, const Options& options);

// Kass & Raftery's words for a Bayes factor B >= 1 in favour of one model.
std::string kass_raftery(double bayes_factor);

}  // namespace bayes::answer
