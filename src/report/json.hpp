// The machine-readable rendering: answers (answer::Answer) and comparisons as
// JSON objects shaped as LANGUAGE.md says; --json prints them.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "answer/answer.hpp"
#include "answer/compare.hpp"
#include "diag/diagnostic.hpp"
#include "report/plot_svg.hpp"

namespace bayes::report {

using Json = nlohmann::ordered_json;

// One answer: {"query", "method", ...}, or {"query", "error"}.
Json to_json(const answer::Answer& a);

// Every answer of a run, in order; an answer whose plot file could not be
// written (files.failed) is that error instead.
std::vector<Json> to_json(const answer::Report& rep, const PlotFiles& files = {});

// {"models": [{"file", "log_evidence", "method", "exact"}, ...], "warnings": [...],
//  "log_bayes_factor", "bayes_factor", "favours", "strength", "exact"}, or
// {"models": [...], "warnings": [...], "error": "..."} when an evidence is not
// available.
Json to_json(const answer::Comparison& c);

// Diagnostics as {"file", "line", "column", "severity", "message", "notes"}
// (line and column 0 when there is no position), appended to `out`.
void append_diagnostics(Json& out, const SourceFile& file, const std::vector<Diagnostic>& list);

// The document as one line. Text that is not valid UTF-8 (a file name with a
// stray byte) is written with U+FFFD in its place, never an exception.
std::string dump(const Json& doc);

}  // namespace bayes::report
