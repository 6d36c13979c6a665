// Plots as SVG files: the same picture as the terminal plot, with axes, tick
// labels, a legend and the MAP and MLE as vertical lines. Hand-written SVG 1.1.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "answer/answer.hpp"
#include "diag/diagnostic.hpp"

namespace bayes::report {

// The whole SVG document.
std::string svg_plot(const answer::PlotData& d);

// Writes svg_plot(d) to `path` atomically: a temporary file created beside it
// with O_EXCL (a planted file or symlink of that name is never followed),
// then renamed into place. Writes only regular files: refuses a path that is
// a directory, device, FIFO or socket, or the same file as one of `inputs`
// (the model's source and data files). On failure returns false with `error`
// saying which path and why.
bool write_svg(const answer::PlotData& d, const std::string& path, std::string& error,
               const std::vector<std::string>& inputs = {});

// What writing the plot files did. A plot whose file could not be written is
// reported as that error (exit status 1) by both renderings.
struct PlotFiles {
  std::map<std::size_t, std::string> failed;  // answer index -> why
  std::vector<Diagnostic> diagnostics;        // the same, at each plot statement
  int status() const { return failed.empty() ? 0 : 1; }
};

// Writes every answered plot that names a file (a relative path is taken
// from `directory`, the model file's, as data files are).
PlotFiles write_plot_files(const answer::Report& rep, const std::string& directory,
                           const std::vector<std::string>& inputs = {});

}  // namespace bayes::report
