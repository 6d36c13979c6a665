// Plots as SVG files: the same picture as the terminal plot, with axes, tick
// labels, a legend and the MAP and MLE as vertical lines. Hand-written SVG 1.1.
#pragma once

#include <string>
#include <vector>

#include "answer/answer.hpp"
#include "diag/diagnostic.hpp"

namespace bayes::report {

// The whole SVG document.
std::string svg_plot(const answer::PlotData& d);

// Writes svg_plot(d) to `path` atomically (a temporary file beside it, then a
// rename). On failure returns false with `error` saying why.
bool write_svg(const answer::PlotData& d, const std::string& path, std::string& error);

// Writes every answered plot that names a file (a relative path is taken
// from `directory`, the model file's, as data files are). A failure turns the
// plot's result into an error (exit status 1) and comes back as a diagnostic
// at the plot statement.
std::vector<Diagnostic> write_plot_files(answer::Report& rep, const std::string& directory);

}  // namespace bayes::report
