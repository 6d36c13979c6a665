// SVG plots: a 720 x 440 viewBox with the plot area, axes with ticks and
// labels, one polyline per curve (or bars for a discrete parameter), the MAP
// and MLE as vertical lines, and a legend. Written by hand, no library.
#include "report/plot_svg.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <variant>

#include "format/format.hpp"
#include "report/file.hpp"
#include "report/plot_text.hpp"

namespace bayes::report {

// Coordinates with two decimals; labels with 4 significant digits.
using format::fixed;
using format::significant;

namespace {

constexpr double kW = 720, kH = 480;
constexpr double kLeft = 70, kRight = 700, kTop = 50, kBottom = 380;

const char* kPriorColor = "#7f7f7f";
const char* kLikelihoodColor = "#1f77b4";
const char* kPosteriorColor = "#d62728";

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// The document, written part by part: the plot's scales are fixed first.
struct SvgWriter {
  const answer::PlotData& d;
  std::ostringstream s;
  double x0 = 0, x1 = 1, top = 1;

  // The x scale: the range, or one slot per value for bars. The y scale
  // holds the posterior and the likelihood; a prior spike taller than 1.5
  // times them is cut at the top.
  explicit SvgWriter(const answer::PlotData& data) : d(data) {
    x0 = d.lo, x1 = d.hi;
    if (d.discrete) x0 = d.lo - 0.5, x1 = d.hi + 0.5;
    if (!(x1 > x0)) x1 = x0 + 1;
    top = y_top(d.prior, d.likelihood, d.posterior, d.discrete);
  }

  double X(double x) const { return kLeft + (x - x0) / (x1 - x0) * (kRight - kLeft); }
  double Y(double y) const {
    double t = std::clamp(std::isfinite(y) ? y / top : 0.0, 0.0, 1.0);
    return kBottom - t * (kBottom - kTop);
  }

  void header() {
    s << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" << kW
      << "\" height=\"" << kH << "\" viewBox=\"0 0 " << kW << ' ' << kH
      << "\" font-family=\"sans-serif\" "
      << "font-size=\"12\">\n";
    s << "<title>" << escape(d.query) << "</title>\n";
    s << "<rect x=\"0\" y=\"0\" width=\"" << kW << "\" height=\"" << kH << "\" fill=\"white\"/>\n";
    s << "<text x=\"" << kLeft << "\" y=\"24\" font-size=\"15\">" << escape(d.query) << " — "
      << escape(d.posterior_label) << "</text>\n";
  }

  // Grid lines, y ticks and the y axis' title.
  void y_axis() {
    s << "<g class=\"y-axis\" stroke=\"#dddddd\">\n";
    auto yticks = nice_ticks(0, top, 4);
    double ystep = yticks.size() > 1 ? yticks[1] - yticks[0] : top;
    for (double t : yticks)
      s << "<line x1=\"" << kLeft << "\" y1=\"" << fixed(Y(t), 2) << "\" x2=\"" << kRight
        << "\" y2=\"" << fixed(Y(t), 2) << "\"/>\n";
    s << "</g>\n<g class=\"y-labels\" text-anchor=\"end\">\n";
    for (double t : yticks)
      s << "<text x=\"" << kLeft - 8 << "\" y=\"" << fixed(Y(t) + 4, 2) << "\">"
        << escape(tick_label(t, ystep)) << "</text>\n";
    s << "</g>\n";
    s << "<text x=\"18\" y=\"" << fixed((kTop + kBottom) / 2, 2) << "\" text-anchor=\"middle\" "
      << "transform=\"rotate(-90 18 " << fixed((kTop + kBottom) / 2, 2) << ")\">"
      << (d.discrete ? "probability" : "density") << "</text>\n";
  }

  void polyline(const std::vector<double>& y, const char* color, const char* extra) {
    if (y.empty()) return;
    s << "<polyline fill=\"none\" stroke=\"" << color << "\" " << extra << " points=\"";
    for (std::size_t i = 0; i < d.x.size() && i < y.size(); ++i)
      s << (i ? " " : "") << fixed(X(d.x[i]), 2) << ',' << fixed(Y(y[i]), 2);
    s << "\"/>\n";
  }

  void curves() {
    polyline(d.prior, kPriorColor, "stroke-width=\"2\" stroke-dasharray=\"6 4\"");
    polyline(d.likelihood, kLikelihoodColor, "stroke-width=\"2\"");
    polyline(d.posterior, kPosteriorColor, "stroke-width=\"3\"");
  }

  // Three bars side by side at each value: prior, likelihood, posterior.
  void bars() {
    const std::size_t n = d.x.size();
    double slot = (kRight - kLeft) / static_cast<double>(n ? n : 1);
    double bw = std::max(1.0, slot * 0.8 / 3);
    int k = 0;
    const std::pair<const std::vector<double>*, const char*> series[] = {
        {&d.prior, kPriorColor},
        {&d.likelihood, kLikelihoodColor},
        {&d.posterior, kPosteriorColor}};
    for (const auto& [y, color] : series) {
      s << "<g fill=\"" << color << "\">\n";
      for (std::size_t i = 0; i < n && i < y->size(); ++i) {
        double v = (*y)[i];
        if (!std::isfinite(v) || v <= 0) continue;
        double left = X(d.x[i]) - 1.5 * bw + k * bw;
        s << "<rect x=\"" << fixed(left, 2) << "\" y=\"" << fixed(Y(v), 2) << "\" width=\""
          << fixed(bw, 2) << "\" height=\"" << fixed(kBottom - Y(v), 2) << "\"/>\n";
      }
      s << "</g>\n";
      ++k;
    }
  }

  // The MAP or the MLE as a vertical line with its value.
  void marker(std::optional<double> v, const char* name, const char* dash, double dy) {
    if (!v || !std::isfinite(*v) || *v < x0 || *v > x1) return;
    s << "<line x1=\"" << fixed(X(*v), 2) << "\" y1=\"" << kTop << "\" x2=\"" << fixed(X(*v), 2)
      << "\" y2=\"" << kBottom << "\" stroke=\"black\" stroke-width=\"1\"" << dash << "/>\n";
    s << "<text x=\"" << fixed(X(*v) + 4, 2) << "\" y=\"" << fixed(kTop + dy, 2) << "\">" << name
      << ' ' << escape(significant(*v, 4)) << "</text>\n";
  }

  // The axes, x ticks and their labels, and the parameter's name.
  void x_axis() {
    s << "<g class=\"axes\" stroke=\"black\" stroke-width=\"1\">\n"
      << "<line x1=\"" << kLeft << "\" y1=\"" << kBottom << "\" x2=\"" << kRight << "\" y2=\""
      << kBottom << "\"/>\n"
      << "<line x1=\"" << kLeft << "\" y1=\"" << kTop << "\" x2=\"" << kLeft << "\" y2=\""
      << kBottom << "\"/>\n";
    std::vector<double> xticks;
    double xstep = 1;
    if (!d.discrete) {
      xticks = nice_ticks(d.lo, d.hi, 6);
      xstep = xticks.size() > 1 ? xticks[1] - xticks[0] : 1;
    } else {
      // Every value when they are few, else nice whole-number ticks.
      xticks = d.x;
      auto nice = nice_ticks(d.x.front(), d.x.back(), 8);
      if (d.x.size() > 12 && nice.size() > 1 && nice[1] - nice[0] >= 1) xticks = nice;
    }
    for (double t : xticks)
      s << "<line x1=\"" << fixed(X(t), 2) << "\" y1=\"" << kBottom << "\" x2=\"" << fixed(X(t), 2)
        << "\" y2=\"" << kBottom + 5 << "\"/>\n";
    s << "</g>\n<g class=\"x-labels\" text-anchor=\"middle\">\n";
    for (double t : xticks)
      s << "<text x=\"" << fixed(X(t), 2) << "\" y=\"" << kBottom + 18 << "\">"
        << escape(d.discrete ? significant(t, 4) : tick_label(t, xstep)) << "</text>\n";
    s << "</g>\n";
    s << "<text x=\"" << fixed((kLeft + kRight) / 2, 2) << "\" y=\"" << kBottom + 36
      << "\" text-anchor=\"middle\">" << escape(d.param) << "</text>\n";
  }

  void entry(double lx, double ly, const char* color, const char* extra, const std::string& label) {
    s << "<line x1=\"" << fixed(lx, 2) << "\" y1=\"" << fixed(ly - 4, 2) << "\" x2=\""
      << fixed(lx + 24, 2) << "\" y2=\"" << fixed(ly - 4, 2) << "\" stroke=\"" << color << "\" "
      << extra << "/>\n";
    s << "<text x=\"" << fixed(lx + 30, 2) << "\" y=\"" << fixed(ly, 2) << "\">" << escape(label)
      << "</text>\n";
  }

  // The legend, below the x axis label: the curves on the left, the markers
  // on the right, one a row.
  void legend() {
    s << "<g class=\"legend\">\n";
    double ly = kBottom + 58;
    const char* bars = "stroke-width=\"8\"";
    if (!d.posterior.empty()) {
      entry(kLeft, ly, kPosteriorColor, d.discrete ? bars : "stroke-width=\"3\"",
            d.posterior_label);
      ly += 16;
    }
    if (!d.likelihood.empty()) {
      entry(kLeft, ly, kLikelihoodColor, d.discrete ? bars : "stroke-width=\"2\"",
            d.likelihood_label);
      ly += 16;
    }
    if (!d.prior.empty())
      entry(kLeft, ly, kPriorColor,
            d.discrete ? bars : "stroke-width=\"2\" stroke-dasharray=\"6 4\"", d.prior_label);
    ly = kBottom + 58;
    if (d.map) {
      entry(480, ly, "black", "stroke-width=\"1\"", "MAP " + significant(*d.map, 4));
      ly += 16;
    }
    if (d.mle)
      entry(480, ly, "black", "stroke-width=\"1\" stroke-dasharray=\"2 3\"",
            "MLE " + significant(*d.mle, 4));
    s << "</g>\n";
  }
};

}  // namespace

std::string svg_plot(const answer::PlotData& d) {
  SvgWriter w(d);
  w.header();
  w.y_axis();
  if (!d.discrete)
    w.curves();
  else
    w.bars();
  w.marker(d.map, "MAP", "", 12);
  w.marker(d.mle, "MLE", " stroke-dasharray=\"2 3\"", 26);
  w.x_axis();
  w.legend();
  for (const auto& note : d.notes) w.s << "<desc>note: " << escape(note) << "</desc>\n";
  w.s << "</svg>\n";
  return w.s.str();
}

PlotFiles write_plot_files(const answer::Report& rep, const std::string& directory,
                           const std::vector<std::string>& inputs) {
  PlotFiles out;
  for (std::size_t i = 0; i < rep.answers.size(); ++i) {
    const auto* plot = std::get_if<answer::Plot>(&rep.answers[i].body);
    if (!plot || !plot->data.file) continue;
    const answer::PlotData& d = plot->data;
    std::string path = *d.file;
    if (!directory.empty() && std::filesystem::path(path).is_relative())
      path = (std::filesystem::path(directory) / path).string();
    std::string error;
    if (write_svg(d, path, error, inputs)) continue;
    Diagnostic diag;
    diag.span = d.span;
    diag.message = error;
    out.diagnostics.push_back(diag);
    out.failed[i] = error;
  }
  return out;
}

bool write_svg(const answer::PlotData& d, const std::string& path, std::string& error,
               const std::vector<std::string>& inputs) {
  return write_file(path, svg_plot(d), error, inputs);
}

}  // namespace bayes::report
