// Plots in the terminal: the prior, normalised likelihood and posterior of one
// parameter (answer::PlotData) drawn with block characters, axes and a legend.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "answer/plot_data.hpp"

namespace bayes::report {

// "Nice" axis ticks (steps of 1, 2 or 5 times a power of ten) inside [lo, hi].
std::vector<double> nice_ticks(double lo, double hi, int target = 5);
// A tick label with as many decimals as the step needs ("0.25", "10", "1e+06").
std::string tick_label(double x, double step);
// The top of a y axis for a curve peaking at `peak`: a multiple of a nice step.
double nice_top(double peak);
// The top of the y axis of a plot's curves (or bars, when `discrete`): it
// holds the posterior and the likelihood; a prior spike taller than 1.5 times
// them is cut at the top; probabilities stop at 1.
double y_top(const std::vector<double>& prior, const std::vector<double>& likelihood,
             const std::vector<double>& posterior, bool discrete);
// The smallest "nice" number (1, 2, 2.5, 5 times a power of ten) >= x.
double nice_ceil(double x);

// Draws the plot about 72 columns wide and 16 rows high. ANSI colours only
// when `color` (standard output is a terminal).
void write_plot_text(std::ostream& out, const answer::PlotData& d, bool color = false);

}  // namespace bayes::report
