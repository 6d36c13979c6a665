// The human report: renders the answers (the same JSON objects --json prints)
// as short aligned lines a person reads at a glance.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <vector>

namespace bayes::report {

// Numbers with 4 significant digits for reading ("0.6429", "1.234e-05").
std::string format_number(const nlohmann::ordered_json& x);

void write_text(std::ostream& out, const std::vector<nlohmann::ordered_json>& results);

}  // namespace bayes::report
