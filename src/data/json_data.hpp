// JSON data files, as Stan's: receives the path of a file holding one JSON
// object and the names a `data` statement asks for; produces each named
// entry as a Value (a number, an array of numbers as a vector, an array of
// equal-length arrays as a matrix, one row per inner array), or the first
// problem with the place in the file it is about.
#pragma once

#include <map>
#include <span>
#include <string>
#include <variant>

#include "data/csv.hpp"
#include "data/value.hpp"

namespace bayes::data {

// The named entries. A problem comes as a CsvError whose row and column are
// the line and column in the JSON file (of the entry's name, or of the
// syntax error), and whose column_name is the entry.
std::variant<std::map<std::string, Value>, CsvError> read_json(const std::string& path,
                                                               std::span<const std::string> names);

// True when the path names a JSON file (ends in ".json", any case).
bool is_json_path(const std::string& path);

}  // namespace bayes::data
