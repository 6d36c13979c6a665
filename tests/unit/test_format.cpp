// Unit tests of src/format/: each style on values that trip formatters up
// (signed zero, the ends of the double range, inf, NaN, 0.1 + 0.2, values
// that round up to the next power of ten). The expected strings are what the
// program printed before the styles had one home, from the code each replaced:
//   shortest        std::to_chars(buf, end, x), NaN as "NaN"
//   significant     std::ostringstream with precision(6) (explanations, the
//                   notes of a mode), or precision(15) (expressions printed
//                   back as source); snprintf "%.4g" (plot labels);
//                   std::to_chars(..., chars_format::general, 6)
//   message_value   std::ostringstream with precision(6), NaN as "NaN"
//   fixed, number   fmt "{:.{}f}" and the report's reading form
//   percent         snprintf "%.0f%%" of 100 * fraction
#include <doctest/doctest.h>

#include <charconv>
#include <cmath>
#include <cstddef>
#include <limits>
#include <random>
#include <string>
#include <system_error>
#include <vector>

#include "format/format.hpp"
#include "helpers.hpp"

using namespace bayes;

namespace {

struct FormatCase {
  double x;
  const char* text;
};

using test::kInf;
using test::kNaN;

void check_all(const std::vector<FormatCase>& cases, std::string (*style)(double)) {
  for (const auto& c : cases) {
    CAPTURE(c.x);
    CHECK(style(c.x) == c.text);
  }
}

}  // namespace

TEST_CASE("format::shortest reads back exactly, in the fewer characters") {
  check_all({{0.0, "0"},
             {-0.0, "-0"},
             {1e-300, "1e-300"},
             {1e300, "1e+300"},
             {kInf, "inf"},
             {-kInf, "-inf"},
             {kNaN, "NaN"},
             {-kNaN, "NaN"},
             {0.1 + 0.2, "0.30000000000000004"},
             {123456789.0, "123456789"},
             {1e-5, "1e-05"},
             {0.00012345, "0.00012345"},
             {9.9999996, "9.9999996"},
             {0.99999999, "0.99999999"},
             {999999.5, "999999.5"},
             {100000.0, "1e+05"},
             {1e-4, "1e-04"},
             {1.0 / 3, "0.3333333333333333"},
             {-2.5, "-2.5"},
             {5e-324, "5e-324"},
             {1e15, "1e+15"}},
            format::shortest);
}

TEST_CASE("format::shortest lays digits out as std::to_chars does") {
  // The browser build's C++ library has no floating-point to_chars, so
  // shortest builds the layout itself: it must agree with the native
  // library's on every kind of value (whole, tiny, huge, ties of length).
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> mantissa(-10, 10);
  std::uniform_int_distribution<int> exponent(-330, 310);
  std::vector<double> values{1e4,
                             1e5,
                             123456,
                             1234567,
                             1e16,
                             1e21,
                             0.001,
                             0.0001,
                             1.5e-5,
                             12345678901234567890.0,
                             0.1 + 0.2,
                             2.5e-308,
                             1.7976931348623157e308};
  for (int i = 0; i < 20000; ++i) {
    double m = mantissa(rng);
    values.push_back(m * std::pow(10.0, exponent(rng)));
    values.push_back(std::round(m * 1000) * std::pow(10.0, exponent(rng) % 25));
  }
  int wrong = 0;
  for (double x : values) {
    if (!std::isfinite(x)) continue;
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x);
    REQUIRE(ec == std::errc{});
    std::string want(buf, end), got = format::shortest(x);
    if (got != want && ++wrong <= 5) CHECK(got == want);
  }
  CHECK(wrong == 0);
}

TEST_CASE("format::significant with 6 digits is printf's %g") {
  check_all({{0.0, "0"},           {-0.0, "-0"},
             {1e-300, "1e-300"},   {1e300, "1e+300"},
             {kInf, "inf"},        {-kInf, "-inf"},
             {kNaN, "nan"},        {-kNaN, "-nan"},
             {0.1 + 0.2, "0.3"},   {123456789.0, "1.23457e+08"},
             {1e-5, "1e-05"},      {0.00012345, "0.00012345"},
             {9.9999996, "10"},    {0.99999999, "1"},
             {999999.5, "1e+06"},  {99999.5, "99999.5"},
             {12345.6, "12345.6"}, {100000.0, "100000"},
             {1e-4, "0.0001"},     {1.0 / 3, "0.333333"},
             {-2.5, "-2.5"},       {5e-324, "4.94066e-324"},
             {1e15, "1e+15"}},
            [](double x) { return format::significant(x); });
  CHECK(format::significant(0.1 + 0.2, 6) == format::significant(0.1 + 0.2));
}

TEST_CASE("format::significant with 15 digits prints a literal back") {
  check_all({{0.0, "0"},
             {-0.0, "-0"},
             {1e-300, "1e-300"},
             {1e300, "1e+300"},
             {kInf, "inf"},
             {-kInf, "-inf"},
             {0.1 + 0.2, "0.3"},
             {123456789.0, "123456789"},
             {1e-5, "1e-05"},
             {0.00012345, "0.00012345"},
             {9.9999996, "9.9999996"},
             {0.99999999, "0.99999999"},
             {999999.5, "999999.5"},
             {100000.0, "100000"},
             {1e-4, "0.0001"},
             {1.0 / 3, "0.333333333333333"},
             {5e-324, "4.94065645841247e-324"},
             {1e15, "1e+15"}},
            [](double x) { return format::significant(x, 15); });
}

TEST_CASE("format::significant with 4 digits labels a plot") {
  check_all({{0.0, "0"},
             {-0.0, "-0"},
             {1e-300, "1e-300"},
             {1e300, "1e+300"},
             {kInf, "inf"},
             {-kInf, "-inf"},
             {kNaN, "nan"},
             {0.1 + 0.2, "0.3"},
             {123456789.0, "1.235e+08"},
             {1e-5, "1e-05"},
             {0.00012345, "0.0001234"},
             {9.9999996, "10"},
             {999999.5, "1e+06"},
             {99999.5, "1e+05"},
             {12345.6, "1.235e+04"},
             {100000.0, "1e+05"},
             {1.0 / 3, "0.3333"},
             {5e-324, "4.941e-324"}},
            [](double x) { return format::significant(x, 4); });
}

TEST_CASE("format::message_value is %g with NaN spelled out") {
  check_all({{0.0, "0"},
             {-0.0, "-0"},
             {1e-300, "1e-300"},
             {1e300, "1e+300"},
             {kInf, "inf"},
             {-kInf, "-inf"},
             {kNaN, "NaN"},
             {-kNaN, "NaN"},
             {0.1 + 0.2, "0.3"},
             {123456789.0, "1.23457e+08"},
             {1e-5, "1e-05"},
             {0.00012345, "0.00012345"},
             {9.9999996, "10"},
             {100000.0, "100000"}},
            format::message_value);
}

TEST_CASE("format::fixed is printf's %.*f") {
  check_all({{0.0, "0"},
             {-0.0, "-0"},
             {1e-300, "0"},
             {kInf, "inf"},
             {-kInf, "-inf"},
             {kNaN, "nan"},
             {0.1 + 0.2, "0"},
             {123456789.0, "123456789"},
             {9.9999996, "10"},
             {999999.5, "1000000"},  // ties go to even, as in printf
             {99999.5, "100000"},
             {12345.6, "12346"},
             {-2.5, "-2"},
             {1e15, "1000000000000000"}},
            [](double x) { return format::fixed(x, 0); });
  check_all({{0.0, "0.00"},
             {-0.0, "-0.00"},
             {1e-300, "0.00"},
             {-1e-7, "-0.00"},
             {0.1 + 0.2, "0.30"},
             {0.125, "0.12"},
             {9.9999996, "10.00"},
             {1.0 / 3, "0.33"},
             {-2.5, "-2.50"}},
            [](double x) { return format::fixed(x, 2); });
  CHECK(format::fixed(1e300, 0).size() == 301);
}

TEST_CASE("format::percent is printf's %.0f%% of 100 * fraction") {
  check_all({{0.0, "0%"},
             {0.005, "0%"},
             {0.015, "2%"},
             {0.125, "12%"},
             {0.1 + 0.2, "30%"},
             {1 - 0.99, "1%"},
             {1 - 0.985, "2%"},
             {0.999999, "100%"},
             {1.0, "100%"},
             {kInf, "inf%"},
             {kNaN, "nan%"}},
            [](double x) { return format::percent(x); });
  CHECK(format::percent(0.125, 1) == "12.5%");
}

TEST_CASE("format::number reads as the report prints it") {
  check_all({{0.0, "0"},
             {-0.0, "0"},
             {1e-300, "1e-300"},
             {1e300, "1e+300"},
             {kInf, "inf"},
             {-kInf, "-inf"},
             {kNaN, "undefined"},
             {-kNaN, "undefined"},
             {0.1 + 0.2, "0.3"},
             {123456789.0, "123456789"},
             {1e-5, "1e-05"},
             {0.00012345, "0.0001234"},
             {9.9999996, "10"},
             {0.99999999, "1"},
             {999999.5, "1000000"},
             {99999.5, "100000"},
             {12345.6, "12346"},
             {100000.0, "100000"},
             {1.0 / 3, "0.3333"},
             {-2.5, "-2.5"},
             {-3.0, "-3"},
             {5e-324, "4.941e-324"},
             {1e15, "1e+15"}},
            format::number);
}

TEST_CASE("format::count") {
  CHECK(format::count(0) == "0");
  CHECK(format::count(100000) == "100000");
  CHECK(format::count(std::numeric_limits<std::size_t>::max()) == "18446744073709551615");
}

TEST_CASE("format::plural") {
  CHECK(format::plural(0, "Newton step") == "0 Newton steps");
  CHECK(format::plural(1, "Newton step") == "1 Newton step");
  CHECK(format::plural(2, "column") == "2 columns");
}

TEST_CASE("format::interval_ends: enough digits to tell the ends apart") {
  auto ends = [](double lo, double hi) {
    auto e = format::interval_ends(lo, hi);
    return e.first + " " + e.second;
  };
  CHECK(ends(0.3763, 0.9002) == "0.3763 0.9002");     // wide: the usual 4 digits
  CHECK(ends(9.98626, 10.00378) == "9.9863 10.004");  // not "9.986 10"
  CHECK(ends(1.0000012, 1.0000031) == "1.0000012 1.0000031");
  CHECK(ends(12345.2, 12345.9) == "12345.2 12345.9");  // not "12345 12346"
  CHECK(ends(-1, 3) == "-1 3");
  CHECK(ends(2, 2) == "2 2");
  CHECK(ends(0, INFINITY) == "0 inf");
  CHECK(format::number(0.123456789, 6) == "0.123457");
  CHECK(format::number(0.123456789, 4) == format::number(0.123456789));
}

TEST_CASE("format::number_beside: a location to a tenth of its spread") {
  CHECK(format::number_beside(9999999.5493, 0.1681) == "9999999.549");  // not "1e+07"
  CHECK(format::number_beside(45.1234561, 4e-7) == "45.1234561");
  CHECK(format::number_beside(3.064, 0.28) == format::number(3.064));  // the usual 4 digits
  CHECK(format::number_beside(152.13, 2.58) == format::number(152.13));
  CHECK(format::number_beside(0, 1e-9) == "0");
  CHECK(format::number_beside(2.5, NAN) == format::number(2.5));
  CHECK(format::number_beside(2.5, INFINITY) == format::number(2.5));
}
