// The human report: renders the answers (answer::Answer, the same values
// --json prints) as short aligned lines a person reads at a glance.
#pragma once

#include <ostream>
#include <string>

#include "answer/answer.hpp"
#include "answer/compare.hpp"
#include "report/plot_svg.hpp"

namespace bayes::report {

// Every answer of a run, one or a few lines each, plots drawn in the
// terminal; `files` says which plot files could not be written (those plots
// read as errors); `color` allows ANSI colours (standard output is a terminal).
void write_text(std::ostream& out, const answer::Report& rep, const PlotFiles& files = {},
                bool color = false);

// The default report (a model without prints): one aligned table row per
// parameter (per element of a vector) with method, posterior, mean, sd, mode
// and interval, then the rules used and anything undefined.
void write_table(std::ostream& out, const answer::Report& rep);

// The report of one run: the table for the default report, else write_text.
void write_report(std::ostream& out, const answer::Report& rep, const PlotFiles& files = {},
                  bool color = false);

// The comparison of two models: a table of log evidences, the Bayes factor
// and its reading.
void write_compare(std::ostream& out, const answer::Comparison& c);

// A progress line for a terminal: "\rsampling [#####.....]  45%"; a negative
// fraction clears it.
void write_progress(std::ostream& out, const std::string& what, double fraction);

}  // namespace bayes::report
