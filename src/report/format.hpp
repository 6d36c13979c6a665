// Number formatting for every rendering of answers (the human report, the
// plots, SVG files): one place, through fmt, so the same number reads the
// same everywhere. printf's conventions ("%.4g", "%.2f").
#pragma once

#include <fmt/format.h>

#include <cmath>
#include <cstddef>
#include <string>

namespace bayes::report {

// `digits` significant digits, as printf's %.*g ("0.6429", "1.235e+06").
inline std::string general(double x, int digits) { return fmt::format("{:.{}g}", x, digits); }

// `decimals` digits after the point, as printf's %.*f ("0.25", "12346").
inline std::string fixed(double x, int decimals) { return fmt::format("{:.{}f}", x, decimals); }

// A number for reading: 4 significant digits ("0.6429", "1.234e-05"); whole
// numbers as integers ("12", "-3"); from 1e4 to 1e6 as a whole number
// ("12346", not "1.235e+04"); "undefined" for NaN and "inf" / "-inf".
inline std::string number(double x) {
  if (std::isnan(x)) return "undefined";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  if (x == std::floor(x) && std::fabs(x) < 1e15) return std::to_string(static_cast<long long>(x));
  if (std::fabs(x) >= 1e4 && std::fabs(x) < 1e6) return fixed(x, 0);
  return general(x, 4);
}

// A count ("100000").
inline std::string count(std::size_t n) { return std::to_string(n); }

}  // namespace bayes::report
