// CSV reader for `data a, b from "file.csv"`: streams named numeric columns of a headed CSV file.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "data/summary.hpp"

namespace bayes::data {

// Why a CSV file could not be read. Rows are physical lines, so an editor can jump to them.
struct CsvError {
  std::size_t row = 0;      // 1-based line where the record starts (header = 1); 0: about the file
  std::size_t column = 0;   // 1-based field index in the file; 0: not about one column
  std::string column_name;  // header name of that column (for a missing column, the name asked for)
  std::string message;      // e.g. "'abc' is not a number", "empty cell", "empty row"
};

// Streams the named columns of a CSV file with a header row, calling on_row(values) once per data
// row with values[i] the value of names[i]. The span is only valid during the call. Rows before
// an error have already been delivered; the first error stops the reading and is returned.
//
// The file is RFC 4180 (quoted fields, "" escapes, newlines inside quotes) with LF or CRLF line
// ends and an optional UTF-8 BOM. Header names and cells are trimmed of spaces and tabs; columns
// that are not asked for are skipped unparsed. Every cell asked for must be a finite number;
// blank lines are allowed only at the end. A header with no rows is zero rows, not an error.
std::optional<CsvError> for_each_row(const std::string& path, std::span<const std::string> names,
                                     const std::function<void(std::span<const double>)>& on_row);

// Where the records of a file start, when that is not simply line index + 2
// (the header is line 1): a quoted field spanning lines moves every record
// after it down. Pairs (record, line), in order, each meaning "record `record`
// (0-based) starts on line `line`, and each record after it on the next line,
// up to the next pair". Empty for most files, so it costs nothing per row.
using RecordLines = std::vector<std::pair<std::size_t, std::size_t>>;

// The physical line (1-based) where record `record` (0-based) starts.
std::size_t record_line(const RecordLines& lines, std::size_t record);

struct Columns {
  std::vector<std::vector<double>> values;  // values[i] is the column names[i]
  std::vector<bool> integer;                // every value of column i is a whole number
  std::size_t rows = 0;
  std::vector<std::size_t> fields;  // the 1-based field of names[i] in the file
  RecordLines lines;                // where records start, when not at index + 2
};

// Reads the named columns into memory, with the same rules as for_each_row.
std::variant<Columns, CsvError> read_columns(const std::string& path,
                                             std::span<const std::string> names);

struct Summaries {
  std::vector<Summary> columns;  // columns[i] summarises names[i]
  std::size_t rows = 0;
  std::vector<std::size_t> fields;  // the 1-based field of names[i] in the file
  RecordLines lines;
};

// Summarises the named columns in one pass without keeping them, with the
// same rules (and errors) as for_each_row.
std::variant<Summaries, CsvError> read_summaries(const std::string& path,
                                                 std::span<const std::string> names);

}  // namespace bayes::data
