// Text columns of a CSV file as categories: receives a file and the names of
// columns whose first cell is not a number; produces each column coded 1..K
// in the order its labels first appear, with the labels. A plain RFC 4180
// reading (quotes, "" escapes, LF or CRLF, a UTF-8 byte-order mark), apart
// from the numeric reader's fast path (data/csv.cpp), which reads the rest.
#pragma once

#include <span>
#include <string>
#include <variant>
#include <vector>

#include "data/csv.hpp"

namespace bayes::data {

struct TextColumn {
  std::vector<double> codes;        // 1..K, one per row
  std::vector<std::string> labels;  // label k is code k + 1
};

std::variant<std::vector<TextColumn>, CsvError> read_text_columns(
    const std::string& path, std::span<const std::string> names);

}  // namespace bayes::data
