// Terminal plots: a character grid 64 cells wide and 16 high beside a y axis.
// The posterior is a line of half blocks (two steps per cell), the likelihood
// '░' and the prior '·'; a discrete parameter gets a group of three bars per
// value. Where curves meet, the posterior wins, then the likelihood.
#include "report/plot_text.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <tuple>

#include "format/format.hpp"

namespace bayes::report {

using format::fixed;
using format::significant;

namespace {

constexpr int kWidth = 64;   // plot cells; with the axis labels about 72 columns
constexpr int kHeight = 16;  // plot rows

enum Layer { kNone, kPrior, kLikelihood, kPosterior };

const char* kColor[] = {"", "\x1b[90m", "\x1b[34m", "\x1b[31m"};
const char* kReset = "\x1b[0m";

struct Cell {
  std::string glyph = " ";
  Layer layer = kNone;
};

struct Canvas {
  std::vector<std::vector<Cell>> cells;
  explicit Canvas(int width) : cells(kHeight, std::vector<Cell>(static_cast<std::size_t>(width))) {}
  int width() const { return static_cast<int>(cells[0].size()); }
  // Row 0 is the top.
  void set(int row, int col, const std::string& glyph, Layer layer) {
    if (row < 0 || row >= kHeight || col < 0 || col >= width()) return;
    Cell& c = cells[static_cast<std::size_t>(row)][static_cast<std::size_t>(col)];
    if (layer < c.layer) return;
    c.glyph = glyph, c.layer = layer;
  }
};

// Column averages of a curve sampled on the grid.
std::vector<double> columns(const std::vector<double>& y, int width) {
  std::vector<double> out(static_cast<std::size_t>(width), NAN);
  if (y.empty()) return out;
  std::size_t n = y.size();
  for (int c = 0; c < width; ++c) {
    auto a = static_cast<std::size_t>(static_cast<double>(c) * static_cast<double>(n) / width);
    auto b = static_cast<std::size_t>(static_cast<double>(c + 1) * static_cast<double>(n) / width);
    b = std::max(b, a + 1);
    double sum = 0;
    std::size_t k = 0;
    for (std::size_t i = a; i < b && i < n; ++i)
      if (std::isfinite(y[i])) sum += y[i], ++k;
    if (k) out[static_cast<std::size_t>(c)] = sum / static_cast<double>(k);
  }
  return out;
}

// Levels 0 .. steps-1 of each column, and the vertical extent a line through
// them covers in each column (to its neighbours' midpoints), so steep parts
// stay connected.
std::vector<std::pair<int, int>> line_extents(const std::vector<double>& ys, double top,
                                              int steps) {
  std::vector<int> level(ys.size(), -1);
  for (std::size_t i = 0; i < ys.size(); ++i)
    if (std::isfinite(ys[i]))
      level[i] = std::clamp(static_cast<int>(std::floor(ys[i] / top * steps)), 0, steps - 1);
  std::vector<std::pair<int, int>> out(ys.size(), {-1, -1});
  for (std::size_t i = 0; i < ys.size(); ++i) {
    if (level[i] < 0) continue;
    int lo = level[i], hi = level[i];
    for (std::size_t j : {i - 1, i + 1}) {
      if (j >= ys.size() || level[j] < 0) continue;
      int mid = (level[i] + level[j]) / 2;
      if (level[j] > level[i]) hi = std::max(hi, std::max(mid, level[i]));
      if (level[j] < level[i]) lo = std::min(lo, std::min(mid + 1, level[i]));
    }
    out[i] = {lo, hi};
  }
  return out;
}

int column_of(double x, double lo, double hi, int width) {
  if (!(hi > lo)) return 0;
  return std::clamp(static_cast<int>(std::floor((x - lo) / (hi - lo) * width)), 0, width - 1);
}

std::string paint(const Cell& c, bool color) {
  if (!color || c.layer == kNone) return c.glyph;
  return std::string(kColor[c.layer]) + c.glyph + kReset;
}

std::string pad_left(const std::string& s, std::size_t width) {
  return s.size() >= width ? s : std::string(width - s.size(), ' ') + s;
}

// Places labels centred at columns on one line, skipping any that would touch
// the previous one.
std::string label_line(const std::vector<std::pair<int, std::string>>& labels, int width) {
  std::string line(static_cast<std::size_t>(width) + 12, ' ');
  int free_from = 0;
  for (const auto& [col, text] : labels) {
    int len = static_cast<int>(text.size());
    int start = std::max(0, col - len / 2);
    if (start < free_from) continue;
    line.replace(static_cast<std::size_t>(start), text.size(), text);
    free_from = start + len + 1;
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line;
}

// How the plot spreads over the columns: a continuous plot over kWidth;
// grouped bars, three of `bar` cells and a gap per value; otherwise one slot
// per value (values beyond the width are summed into slots), `slot` cells
// wide: a posterior bar with the likelihood and prior as marks at its middle.
struct Layout {
  int n = 0;
  bool discrete = false, grouped = false;
  int bar = 1, group = 4, slots = 0, slot = 1, width = kWidth;

  explicit Layout(const answer::PlotData& d)
      : n(static_cast<int>(d.x.size())), discrete(d.discrete) {
    grouped = discrete && n * 4 <= kWidth + 8;
    bar = grouped ? std::clamp((kWidth / std::max(n, 1) - 1) / 3, 1, 3) : 1;
    group = 3 * bar + 1;
    slots = std::min(n, kWidth + 8);
    slot = n <= kWidth + 8 ? std::max(1, kWidth / std::max(n, 1)) : 1;
    width = !discrete ? kWidth : grouped ? n * group : slots * slot;
  }

  // The column of value v on the x axis (-1 when a discrete plot has no such value).
  int value_column(const answer::PlotData& d, double v) const {
    if (!discrete) return column_of(v, d.lo, d.hi, width);
    auto it = std::find(d.x.begin(), d.x.end(), v);
    if (it == d.x.end()) return -1;
    int i = static_cast<int>(it - d.x.begin());
    return grouped ? group * i + 1 + bar + bar / 2 : (i * slots / n) * slot + slot / 2;
  }
};

// The three curves at the layout's columns (continuous), values (grouped) or
// slots, and the top of the y scale.
struct Curves {
  std::vector<double> prior, lik, post;
  double top = 1;
};

Curves curves_of(const answer::PlotData& d, const Layout& l) {
  Curves c;
  if (!d.discrete) {
    c.prior = columns(d.prior, l.width), c.lik = columns(d.likelihood, l.width);
    c.post = columns(d.posterior, l.width);
  } else {
    auto bin = [&](const std::vector<double>& y) {
      if (y.empty() || l.grouped) return y;
      std::vector<double> b(static_cast<std::size_t>(l.slots), 0.0);
      for (int i = 0; i < l.n; ++i)
        b[static_cast<std::size_t>(i * l.slots / l.n)] += y[static_cast<std::size_t>(i)];
      return b;
    };
    c.prior = bin(d.prior), c.lik = bin(d.likelihood), c.post = bin(d.posterior);
  }
  c.top = y_top(c.prior, c.lik, c.post, d.discrete);
  return c;
}

// A continuous plot: the prior and the likelihood as lines of one glyph, the
// posterior at half-cell steps: '▀' upper half, '▄' lower half.
void draw_lines(Canvas& canvas, const Curves& c) {
  const int width = canvas.width();
  auto draw_line = [&](const std::vector<double>& ys, const std::string& glyph, Layer layer) {
    auto ext = line_extents(ys, c.top, kHeight);
    for (int col = 0; col < width; ++col) {
      auto [lo, hi] = ext[static_cast<std::size_t>(col)];
      for (int k = lo; k >= 0 && k <= hi; ++k) canvas.set(kHeight - 1 - k, col, glyph, layer);
    }
  };
  draw_line(c.prior, "·", kPrior);
  draw_line(c.lik, "░", kLikelihood);
  auto ext = line_extents(c.post, c.top, 2 * kHeight);
  for (int col = 0; col < width; ++col) {
    auto [lo, hi] = ext[static_cast<std::size_t>(col)];
    if (lo < 0) continue;
    for (int row = lo / 2; row <= hi / 2; ++row) {
      bool lower = 2 * row >= lo && 2 * row <= hi;
      bool upper = 2 * row + 1 >= lo && 2 * row + 1 <= hi;
      canvas.set(kHeight - 1 - row, col, lower && upper ? "█" : upper ? "▀" : "▄", kPosterior);
    }
  }
}

// One bar of height y in column col; a solid bar ends in an eighth block.
void bar_at(Canvas& canvas, int col, double y, double top, Layer layer, const std::string& fill) {
  static const char* eighths[] = {" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
  if (!std::isfinite(y) || y <= 0) return;
  double cells = std::min(y / top, 1.0) * kHeight;
  int full = static_cast<int>(std::floor(cells));
  for (int r = 0; r < full; ++r) canvas.set(kHeight - 1 - r, col, fill, layer);
  int part = static_cast<int>(std::round((cells - full) * 8));
  if (full < kHeight && part > 0)
    canvas.set(kHeight - 1 - full, col, fill == "█" ? eighths[part] : fill, layer);
  if (full == 0 && part == 0) canvas.set(kHeight - 1, col, fill == "█" ? "▁" : fill, layer);
}

double at(const std::vector<double>& y, int i) {
  return i < static_cast<int>(y.size()) ? y[static_cast<std::size_t>(i)] : NAN;
}

// A discrete plot: a group of three bars per value, or a posterior bar per
// slot with the likelihood and the prior as marks at its middle.
void draw_bars(Canvas& canvas, const Curves& c, const Layout& l) {
  if (l.grouped) {
    for (int i = 0; i < l.n; ++i)
      for (int k = 0; k < l.bar; ++k) {
        bar_at(canvas, l.group * i + 1 + k, at(c.prior, i), c.top, kPrior, "░");
        bar_at(canvas, l.group * i + 1 + l.bar + k, at(c.lik, i), c.top, kLikelihood, "▒");
        bar_at(canvas, l.group * i + 1 + 2 * l.bar + k, at(c.post, i), c.top, kPosterior, "█");
      }
    return;
  }
  for (int v = 0; v < l.slots; ++v) {
    for (int k = 0; k < l.slot; ++k)
      bar_at(canvas, v * l.slot + k, at(c.post, v), c.top, kPosterior, "█");
    const int col = v * l.slot + l.slot / 2;
    const std::tuple<const std::vector<double>*, const char*, Layer> marks[] = {
        {&c.lik, "░", kLikelihood}, {&c.prior, "·", kPrior}};
    for (const auto& [ys, glyph, layer] : marks) {
      double y = at(*ys, v);
      if (!std::isfinite(y) || y <= 0) continue;
      int row = std::clamp(static_cast<int>(std::floor(y / c.top * kHeight)), 0, kHeight - 1);
      Cell& cell =
          canvas.cells[static_cast<std::size_t>(kHeight - 1 - row)][static_cast<std::size_t>(col)];
      cell.glyph = glyph, cell.layer = layer;
    }
  }
}

// The canvas beside the y axis, with labels at the top, the middle and 0.
// Returns the width of the labels' margin.
std::size_t write_y_axis(std::ostream& out, const Canvas& canvas, double top, bool discrete,
                         bool color) {
  std::string top_label = significant(top, 3), mid_label = significant(top / 2, 3);
  std::size_t margin = std::max({top_label.size(), mid_label.size(), std::size_t{1}}) + 1;
  out << pad_left(discrete ? "probability" : "density", margin + 2) << '\n';
  for (int r = 0; r < kHeight; ++r) {
    std::string label = r == 0 ? top_label : r == kHeight / 2 ? mid_label : "";
    out << pad_left(label, margin) << (label.empty() ? " │" : " ┤");
    std::string line;
    for (const auto& c : canvas.cells[static_cast<std::size_t>(r)]) line += paint(c, color);
    while (line.size() > 0 && line.back() == ' ') line.pop_back();
    out << line << '\n';
  }
  return margin;
}

// The x axis: ticks, with the MAP (▲) and the MLE (△) on it, and their labels.
void write_x_axis(std::ostream& out, const answer::PlotData& d, const Layout& l,
                  std::size_t margin) {
  std::vector<std::string> axis(static_cast<std::size_t>(l.width), "─");
  std::vector<std::pair<int, std::string>> labels;
  if (!d.discrete) {
    auto ticks = nice_ticks(d.lo, d.hi);
    double step = ticks.size() > 1 ? ticks[1] - ticks[0] : 1;
    for (double t : ticks) {
      int c = column_of(t, d.lo, d.hi, l.width);
      axis[static_cast<std::size_t>(c)] = "┬";
      labels.push_back({c, tick_label(t, step)});
    }
  } else {
    // Every value when they are few, else nice whole-number ticks.
    std::vector<double> ticks = d.x;
    if (!l.grouped) {
      auto nice = nice_ticks(d.x.front(), d.x.back(), 8);
      if (nice.size() > 1 && nice[1] - nice[0] >= 1) ticks = nice;
    }
    for (double t : ticks) {
      int c = l.value_column(d, t);
      if (c < 0) continue;
      axis[static_cast<std::size_t>(c)] = "┬";
      labels.push_back({c, significant(t, 4)});
    }
  }
  if (d.mle && std::isfinite(*d.mle)) {
    int c = l.value_column(d, *d.mle);
    if (c >= 0) axis[static_cast<std::size_t>(c)] = "△";
  }
  if (d.map && std::isfinite(*d.map)) {
    int c = l.value_column(d, *d.map);
    if (c >= 0) axis[static_cast<std::size_t>(c)] = "▲";
  }
  out << pad_left("0", margin) << " └";
  for (const auto& a : axis) out << a;
  out << '\n';
  out << std::string(margin + 2, ' ') << label_line(labels, l.width) << '\n';
}

// The legend, the marks' values and the notes, each line after `indent`.
void write_legend(std::ostream& out, const answer::PlotData& d, const Layout& l,
                  const Canvas& canvas, const std::string& indent, bool color) {
  auto key = [&](Layer layer, const std::string& glyph, const std::string& text) {
    Cell c{glyph, layer};
    out << indent << paint(c, color) << ' ' << text << '\n';
  };
  if (!d.posterior.empty()) key(kPosterior, d.discrete ? "█" : "▀▄", d.posterior_label);
  if (!d.likelihood.empty())
    key(kLikelihood, l.grouped ? "▒" : d.discrete ? "░" : "░░", d.likelihood_label);
  if (!d.prior.empty()) key(kPrior, l.grouped ? "░" : d.discrete ? "·" : "··", d.prior_label);
  std::string marks;
  if (d.map) marks += "▲ MAP " + significant(*d.map, 4);
  if (d.mle) marks += std::string(marks.empty() ? "" : "   ") + "△ MLE " + significant(*d.mle, 4);
  if (!marks.empty()) out << indent << marks << '\n';
  for (const auto& note : d.notes) out << indent << "note: " << note << '\n';
  // A curve the posterior covers everywhere (a flat prior: the likelihood is
  // the posterior) is said to be there.
  auto shown = [&](Layer layer) {
    std::size_t n = 0;
    for (const auto& row : canvas.cells)
      for (const auto& c : row) n += c.layer == layer;
    return n;
  };
  if (!d.discrete && !d.likelihood.empty() && shown(kLikelihood) < 3)
    out << indent << "note: the likelihood lies under the posterior\n";
  if (!d.discrete && !d.prior.empty() && shown(kPrior) < 3)
    out << indent << "note: the prior lies under the other curves\n";
}

double max_finite(const std::vector<double>& y) {
  double m = 0;
  for (double v : y)
    if (std::isfinite(v)) m = std::max(m, v);
  return m;
}

}  // namespace

double y_top(const std::vector<double>& prior, const std::vector<double>& likelihood,
             const std::vector<double>& posterior, bool discrete) {
  double peak = std::max(max_finite(posterior), max_finite(likelihood));
  double top = std::max(peak, std::min(max_finite(prior), 1.5 * peak));
  if (discrete) top = std::min(top, 1.0);
  return nice_top(top);
}

double nice_ceil(double x) {
  if (!(x > 0) || !std::isfinite(x)) return 1;
  double e = std::pow(10.0, std::floor(std::log10(x)));
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (m * e >= x * (1 - 1e-12)) return m * e;
  return 10 * e;
}

double nice_top(double peak) {
  if (!(peak > 0) || !std::isfinite(peak)) return 1;
  double step = nice_ceil(peak / 4);
  return std::ceil(peak / step * (1 - 1e-12)) * step;
}

std::vector<double> nice_ticks(double lo, double hi, int target) {
  std::vector<double> out;
  if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi)) return out;
  double raw = (hi - lo) / target;
  double e = std::pow(10.0, std::floor(std::log10(raw)));
  // The nice step whose tick count is nearest the target.
  double step = e;
  for (double m : {2.0, 5.0, 10.0})
    if (std::fabs((hi - lo) / (m * e) - target) < std::fabs((hi - lo) / step - target))
      step = m * e;
  // Whole multiples of the step, counted in integers: k * step with k near
  // 2^53 would not advance (a narrow range far from 0 gives no ticks).
  const double first = std::ceil(lo / step - 1e-9), last = std::floor(hi / step + 1e-9);
  if (!(std::fabs(first) < 1e12 && std::fabs(last) < 1e12 && last - first < 1000)) return out;
  for (double k = first; k <= last; ++k)
    out.push_back(std::fabs(k) < 1e-9 ? 0.0 : std::stod(significant(k * step, 12)));
  return out;
}

std::string tick_label(double x, double step) {
  if (std::fabs(x) >= 1e6 || (std::fabs(x) > 0 && std::fabs(x) < 1e-4)) return significant(x, 3);
  int decimals = std::max(0, static_cast<int>(-std::floor(std::log10(step) + 1e-9)));
  return fixed(x, decimals);
}

void write_plot_text(std::ostream& out, const answer::PlotData& d, bool color) {
  const Layout layout(d);
  Canvas canvas(layout.width);
  const Curves curves = curves_of(d, layout);
  if (!d.discrete)
    draw_lines(canvas, curves);
  else
    draw_bars(canvas, curves, layout);
  std::size_t margin = write_y_axis(out, canvas, curves.top, d.discrete, color);
  write_x_axis(out, d, layout, margin);
  write_legend(out, d, layout, canvas, std::string(margin + 2, ' '), color);
}

}  // namespace bayes::report
