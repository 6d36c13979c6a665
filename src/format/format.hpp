// Number formatting for every stage (messages, explanations, reports, plots):
// receives numbers and counts, produces their text in one of a few named styles,
// so the same number reads the same wherever it is printed.
#pragma once

#include <cstddef>
#include <string>
#include <utility>

namespace bayes::format {

// The shortest text that reads back as exactly x: "0.5", "12", "1e-10",
// "0.30000000000000004", "1e+05" (shorter than "100000"), "inf", "-inf", and
// "NaN" for NaN. For a value the user wrote, quoted in a message.
std::string shortest(double x);

// `digits` significant digits, as printf's %.*g (6 is %g's own default):
// "0.333333", "1.23457e+08", "1e-05", "10" for 9.9999996, "inf", and "nan" or
// "-nan" for NaN. For explanations, plot labels and the notes of a mode.
std::string significant(double x, int digits = 6);

// As significant(x), except that NaN reads "NaN" (as in shortest) rather than
// printf's "nan" or "-nan": a value quoted in a checker's message.
std::string message_value(double x);

// `decimals` digits after the point, as printf's %.*f: "0.25", "12346", "-0.00".
std::string fixed(double x, int decimals);

// A fraction as a percentage, as printf's "%.*f%%" of 100 * fraction: "3%".
std::string percent(double fraction, int decimals = 0);

// A number for reading in the report: 4 significant digits ("0.6429",
// "1.234e-05"); whole numbers as integers ("12", "-3", "0" for -0); from 1e4 to
// 1e6 as a whole number ("12346", not "1.235e+04"); "undefined" for NaN and
// "inf" / "-inf".
std::string number(double x);

// The same with `digits` significant digits (4 is number(x)).
std::string number(double x, int digits);

// The two ends of an interval, each as number() gives it but with as many
// more digits as it takes for each printed end to be within a twentieth of
// the interval's width of the true one: "[9.9858, 10.004]", never "[9.986, 10]".
std::pair<std::string, std::string> interval_ends(double lo, double hi);

// A location beside its spread (a posterior mean or mode beside its sd): as
// number(x), with more significant digits when needed to show x to a tenth
// of the spread ("9999999.55" beside an sd of 0.17, not "1e+07").
std::string number_beside(double x, double spread);

// A count ("100000").
std::string count(std::size_t n);

// A count with its noun: "1 column", "3 columns" (nouns with a plain -s plural).
std::string plural(std::size_t n, const std::string& noun);

}  // namespace bayes::format
