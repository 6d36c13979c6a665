// Number formatting: numbers in, text in the named styles of format.hpp out.
// fmt follows printf's conventions for %g and %f exactly (and is locale-free);
// the shortest form is laid out as std::to_chars's, which picks the shorter
// of the fixed and exponent forms ("1e+05"), where fmt's "{}" prints "100000".
#include "format/format.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <system_error>

namespace bayes::format {

// fmt's "{}" gives the shortest digits that read back as x (Dragonbox);
// they are laid out here as std::to_chars lays them out (which the browser
// build's C++ library lacks for floating point): fixed or exponent form,
// whichever is shorter, fixed on a tie.
std::string shortest(double x) {
  if (std::isnan(x)) return "NaN";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  const std::string repr = fmt::format("{}", x);
  std::string sign, digits;
  int exponent = 0;  // x = 0.DIGITS * 10^exponent once digits are read
  std::size_t i = 0;
  if (repr[i] == '-') sign = "-", ++i;
  int point = -1;
  for (; i < repr.size() && repr[i] != 'e'; ++i) {
    if (repr[i] == '.')
      point = static_cast<int>(digits.size());
    else
      digits += repr[i];
  }
  if (point < 0) point = static_cast<int>(digits.size());
  if (i < repr.size()) point += std::atoi(repr.c_str() + i + 1);
  // Leading and trailing zeros carry no digits.
  std::size_t lead = digits.find_first_not_of('0');
  if (lead == std::string::npos) return sign + "0";
  digits.erase(0, lead);
  point -= static_cast<int>(lead);
  digits.erase(digits.find_last_not_of('0') + 1);
  exponent = point;
  const int n = static_cast<int>(digits.size());

  std::string fixed_form;
  if (exponent <= 0)
    fixed_form = "0." + std::string(static_cast<std::size_t>(-exponent), '0') + digits;
  else if (exponent >= n)  // a whole number: to_chars prints its exact digits, as %.0f
    fixed_form = fmt::format("{:.0f}", std::fabs(x));
  else
    fixed_form = digits.substr(0, static_cast<std::size_t>(exponent)) + "." +
                 digits.substr(static_cast<std::size_t>(exponent));
  const int e = exponent - 1;
  std::string exp_digits = std::to_string(std::abs(e));
  if (exp_digits.size() < 2) exp_digits.insert(0, "0");
  std::string exp_form = digits.substr(0, 1) + (n > 1 ? "." + digits.substr(1) : "") +
                         (e < 0 ? "e-" : "e+") + exp_digits;
  return sign + (exp_form.size() < fixed_form.size() ? exp_form : fixed_form);
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
