// Text columns of a CSV file as categories (see text_columns.hpp).
#include "data/text_columns.hpp"

#include <algorithm>
#include <map>

#include "data/input_file.hpp"

namespace bayes::data {

namespace {

// The fields of every record, quotes undone, spaces and tabs trimmed
// outside quotes; with the line each record starts on.
bool split_records(const std::string& text, std::vector<std::vector<std::string>>& records,
                   std::vector<std::size_t>& lines, std::size_t& bad_line, std::string& why) {
  std::size_t blank = 0;  // the first blank line: an error if a record follows (as in csv.cpp)
  std::size_t i = text.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0, line = 1;
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false, was_quoted = false, any = false;
  std::size_t start = 1;
  auto end_field = [&] {
    if (!was_quoted) {
      const auto a = field.find_first_not_of(" \t"), b = field.find_last_not_of(" \t");
      field = a == std::string::npos ? "" : field.substr(a, b - a + 1);
    }
    fields.push_back(field);
    field.clear(), was_quoted = false;
  };
  // A line ends: a record, or a blank line (an error once a record follows).
  auto end_record = [&] {
    if (!(any || !field.empty() || !fields.empty())) {
      if (!blank) blank = start;
      return true;
    }
    if (blank) {
      bad_line = blank, why = "empty row";
      return false;
    }
    end_field();
    records.push_back(std::move(fields)), lines.push_back(start);
    return true;
  };
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"')
        field += '"', ++i;
      else if (c == '"')
        quoted = false;
      else
        field += c, line += c == '\n';
      continue;
    }
    if (c == '"') {
      quoted = was_quoted = true, field.clear();
    } else if (c == ',') {
      end_field();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      if (!end_record()) return false;
      fields.clear(), any = false, start = ++line;
      continue;
    } else {
      field += c;
    }
    any = true;
  }
  if (quoted) {
    bad_line = start, why = "a quoted field is not closed";
    return false;
  }
  return end_record();
}

}  // namespace

std::variant<std::vector<TextColumn>, CsvError> read_text_columns(
    const std::string& path, std::span<const std::string> names) {
  std::string why;
  auto text = read_input_file(path, kMaxDataBytes, why);
  if (!text) return CsvError{0, 0, "", "cannot open file: " + why};
  std::vector<std::vector<std::string>> records;
  std::vector<std::size_t> lines;
  std::size_t bad = 0;
  if (!split_records(*text, records, lines, bad, why)) return CsvError{bad, 0, "", why};
  if (records.empty()) return CsvError{0, 0, "", "the file is empty"};
  const auto& header = records[0];
  std::vector<TextColumn> out;
  for (const auto& name : names) {
    const auto at = std::find(header.begin(), header.end(), name);
    if (at == header.end()) return CsvError{0, 0, name, "no column '" + name + "'"};
    const auto f = static_cast<std::size_t>(at - header.begin());
    TextColumn col;
    std::map<std::string, double> code;
    for (std::size_t r = 1; r < records.size(); ++r) {
      if (f >= records[r].size() || records[r][f].empty())
        return CsvError{lines[r], f + 1, name, "empty cell"};
      const std::string& label = records[r][f];
      auto [it, fresh] = code.emplace(label, static_cast<double>(col.labels.size() + 1));
      if (fresh) col.labels.push_back(label);
      col.codes.push_back(it->second);
    }
    out.push_back(std::move(col));
  }
  return out;
}

}  // namespace bayes::data
