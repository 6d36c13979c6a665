// The human report: renders the answers (the same JSON objects --json prints)
// as short aligned lines a person reads at a glance.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <vector>

#include "answer/answer.hpp"

namespace bayes::report {

// Numbers with 4 significant digits for reading ("0.6429", "1.234e-05"); whole
// numbers from 1e4 to 1e6 ("12346").
std::string format_number(const nlohmann::ordered_json& x);

// `plots` are the answered plots, in the order of the results that have a
// "plot" entry; `color` allows ANSI colours (standard output is a terminal).
void write_text(std::ostream& out, const std::vector<nlohmann::ordered_json>& results,
                const std::vector<answer::PlotData>& plots = {}, bool color = false);

// The default report (a model without prints): one aligned table row per
// parameter (per element of a vector) with method, posterior, mean, sd, mode
// and interval, then the rules used and anything undefined.
void write_table(std::ostream& out, const std::vector<nlohmann::ordered_json>& results);

// The report of one run: the table for the default report, else write_text.
void write_report(std::ostream& out, const answer::Report& rep, bool color = false);

// The comparison of two models (answer::compare's JSON): a table of log
// evidences, the Bayes factor and its reading.
void write_compare(std::ostream& out, const nlohmann::ordered_json& comparison);

}  // namespace bayes::report
