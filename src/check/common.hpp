// The checker's shared vocabulary (internal to src/check/): how an error stops
// the statement it is in, and how numbers and counts read in messages.
#pragma once

#include <cmath>
#include <cstddef>
#include <string>

#include "diag/diagnostic.hpp"
#include "format/format.hpp"

namespace bayes::check {

// Checked expressions are at most this deep, and expression checking recurses
// at most this deep: every later stage walks them recursively.
constexpr std::size_t kMaxDepth = 2000;
// The most nodes an expression may expand to (its tree, each use of a let or
// a function's argument counted again): f(x) = x + x nested 32 deep is 2^32.
constexpr std::size_t kMaxExpanded = 10'000'000;
// The most nodes the checker makes for one statement, folded ones too (each
// call of a function is expanded anew: g(x) + g(x) nested 29 deep is 2^29).
constexpr std::size_t kMaxMade = 1'000'000;

// Thrown inside a statement's checking when it cannot go on: either the error
// was just reported (fail), or a bad symbol was used, whose cause was reported
// where it was defined. The statement is skipped without a further message.
struct Poisoned {};

// Reports an error (with an optional note) and abandons the statement.
[[noreturn]] inline void fail(Diagnostics& diags, Span span, const std::string& message,
                              const std::string& note = "") {
  auto& d = diags.error(span, message);
  if (!note.empty()) d.notes.push_back(note);
  throw Poisoned{};
}

// A value in a message: six significant digits, NaN as "NaN".
using format::message_value;

// "1 column", "3 columns".
using format::plural;

}  // namespace bayes::check
