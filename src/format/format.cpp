// Number formatting: numbers in, text in the named styles of format.hpp out.
// fmt follows printf's conventions for %g and %f exactly (and is locale-free);
// the shortest form is std::to_chars's, which picks the shorter of the fixed
// and exponent forms ("1e+05"), where fmt's "{}" would print "100000".
#include "format/format.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <system_error>

namespace bayes::format {

std::string shortest(double x) {
  if (std::isnan(x)) return "NaN";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x);
  if (ec != std::errc{}) return "?";
  return std::string(buf, end);
}

std::string significant(double x, int digits) { return fmt::format("{:.{}g}", x, digits); }

std::string message_value(double x) { return std::isnan(x) ? "NaN" : significant(x); }

std::string fixed(double x, int decimals) { return fmt::format("{:.{}f}", x, decimals); }

std::string percent(double fraction, int decimals) { return fixed(100 * fraction, decimals) + "%"; }

std::string number(double x) {
  if (std::isnan(x)) return "undefined";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  if (x == std::floor(x) && std::fabs(x) < 1e15) return std::to_string(static_cast<long long>(x));
  if (std::fabs(x) >= 1e4 && std::fabs(x) < 1e6) return fixed(x, 0);
  return significant(x, 4);
}

std::string number(double x, int digits) {
  if (digits <= 4) return number(x);
  if (std::isnan(x) || std::isinf(x)) return number(x);
  if (x == std::floor(x) && std::fabs(x) < 1e15) return std::to_string(static_cast<long long>(x));
  if (std::fabs(x) >= 1e4 && std::fabs(x) < 1e6) {
    const int whole = static_cast<int>(std::floor(std::log10(std::fabs(x)))) + 1;
    return fixed(x, std::max(0, digits - whole));
  }
  return significant(x, digits);
}

std::string number_beside(double x, double spread) {
  if (!std::isfinite(x) || !(spread > 0) || !std::isfinite(spread) || x == 0) return number(x);
  const int digits = static_cast<int>(std::ceil(std::log10(std::fabs(x) / spread))) + 2;
  return number(x, std::clamp(digits, 4, 17));
}

std::pair<std::string, std::string> interval_ends(double lo, double hi) {
  const double width = hi - lo;
  auto close = [&](const std::string& s, double x) {
    if (!std::isfinite(x) || !(width > 0)) return true;
    return std::fabs(std::strtod(s.c_str(), nullptr) - x) <= 0.05 * width;
  };
  for (int digits = 4; digits < 17; ++digits) {
    std::string a = number(lo, digits), b = number(hi, digits);
    if (close(a, lo) && close(b, hi)) return {a, b};
  }
  return {number(lo, 17), number(hi, 17)};
}

std::string count(std::size_t n) { return std::to_string(n); }

std::string plural(std::size_t n, const std::string& noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

}  // namespace bayes::format
