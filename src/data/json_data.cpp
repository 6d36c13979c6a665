// JSON data files: nlohmann's parser, then each named entry checked and
// converted; positions found in the text, since the parsed tree has none.
#include "data/json_data.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "data/input_file.hpp"

namespace bayes::data {

namespace {

using nlohmann::json;

// The largest JSON data file read (the same bound as a model file's data).

// Line and column (1-based) of a byte offset.
std::pair<std::size_t, std::size_t> json_position(const std::string& text, std::size_t byte) {
  byte = std::min(byte, text.size());
  std::size_t line = 1, start = 0;
  for (std::size_t i = 0; i < byte; ++i)
    if (text[i] == '\n') ++line, start = i + 1;
  return {line, byte - start + 1};
}

// Where the entry "name" is written: its key in the top-level object (the
// first `"name"` followed by ':'); the start of the file if not found.
std::size_t json_key_offset(const std::string& text, const std::string& name) {
  const std::string key = "\"" + name + "\"";
  for (std::size_t at = text.find(key); at != std::string::npos; at = text.find(key, at + 1)) {
    std::size_t after = at + key.size();
    while (after < text.size() && std::isspace(static_cast<unsigned char>(text[after]))) ++after;
    if (after < text.size() && text[after] == ':') return at;
  }
  return 0;
}

// A number of the file, or why it is not one ("" when it is).
std::string json_number(const json& x, double& out, bool& integer) {
  if (x.is_number_integer() || x.is_number_unsigned()) {
    out = x.get<double>();
    return "";
  }
  if (x.is_number_float()) {
    out = x.get<double>();
    integer = false;
    return std::isfinite(out) ? "" : "is not finite";
  }
  if (x.is_string())
    return "is text (\"" + x.get<std::string>().substr(0, 20) + "\"), not a number";
  if (x.is_null()) return "is null, not a number";
  if (x.is_boolean()) return "is true or false, not a number (write 1 or 0)";
  return "is not a number";
}

// One entry as a Value, or the problem (a sentence fragment about the entry).
std::string json_value(const json& x, Value& v) {
  bool integer = true;
  double d = 0;
  if (!x.is_array()) {
    std::string why = json_number(x, d, integer);
    if (!why.empty()) return why;
    v = Value::scalar(d, integer);
    return "";
  }
  // A vector, or a matrix when every element is an array.
  const bool matrix =
      !x.empty() && std::all_of(x.begin(), x.end(), [](const json& e) { return e.is_array(); });
  if (!matrix) {
    std::vector<double> xs;
    for (std::size_t i = 0; i < x.size(); ++i) {
      if (x[i].is_array())
        return "mixes numbers and arrays (element " + std::to_string(i + 1) + " is an array)";
      std::string why = json_number(x[i], d, integer);
      if (!why.empty()) return "element " + std::to_string(i + 1) + " " + why;
      xs.push_back(d);
    }
    v = Value::vector(std::move(xs), integer);
    return "";
  }
  const std::size_t rows = x.size(), cols = x[0].size();
  std::vector<double> xs(rows * cols);
  for (std::size_t r = 0; r < rows; ++r) {
    if (x[r].size() != cols)
      return "is not a matrix: row 1 has " + std::to_string(cols) + " elements, row " +
             std::to_string(r + 1) + " has " + std::to_string(x[r].size());
    for (std::size_t c = 0; c < cols; ++c) {
      if (x[r][c].is_array())
        return "has arrays nested more than two deep (a matrix is the most a data name holds)";
      std::string why = json_number(x[r][c], d, integer);
      if (!why.empty())
        return "element [" + std::to_string(r + 1) + ", " + std::to_string(c + 1) + "] " + why;
      xs[c * rows + r] = d;
    }
  }
  v = Value::matrix(rows, cols, std::move(xs));
  v.integer = integer;
  return "";
}

}  // namespace

bool is_json_path(const std::string& path) {
  if (path.size() < 5) return false;
  std::string ext = path.substr(path.size() - 5);
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".json";
}

std::variant<std::map<std::string, Value>, CsvError> read_json(const std::string& path,
                                                               std::span<const std::string> names) {
  std::string why;
  auto read = read_input_file(path, kMaxDataBytes, why);
  if (!read) return CsvError{0, 0, "", "cannot open file: " + why};
  const std::string text = std::move(*read);
  json doc;
  // A name given twice in the data object would be read silently, the last
  // winning (CmdStan refuses it): the callback notes the first repeated one.
  std::string repeated;
  std::vector<std::set<std::string>> keys;
  const json::parser_callback_t note_keys = [&](int, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::object_start) keys.emplace_back();
    if (event == json::parse_event_t::object_end && !keys.empty()) keys.pop_back();
    if (event == json::parse_event_t::key && keys.size() == 1 && repeated.empty() &&
        !keys.back().insert(parsed.get<std::string>()).second)
      repeated = parsed.get<std::string>();
    return true;
  };
  try {
    doc = json::parse(text, note_keys);
  } catch (const json::parse_error& e) {
    auto [line, col] = json_position(text, e.byte ? e.byte - 1 : 0);
    std::string what = e.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 5: syntax error while
    // parsing value - invalid literal; last read: 'x'": the part after the position.
    const std::size_t colon = what.find(": ");
    what = colon == std::string::npos ? what : what.substr(colon + 2);
    return CsvError{line, col, "", "not valid JSON: " + what};
  } catch (const json::exception& e) {
    // A number beyond a double ("number overflow parsing '1e400'"): at the
    // number, found in the text.
    const std::string what = e.what();
    const auto open = what.find('\''), close = what.rfind('\'');
    const std::string token =
        open != std::string::npos && close > open ? what.substr(open + 1, close - open - 1) : "";
    const std::size_t at = token.empty() ? std::string::npos : text.find(token);
    auto [line, col] = json_position(text, at == std::string::npos ? 0 : at);
    return CsvError{
        at == std::string::npos ? 0 : line, at == std::string::npos ? 0 : col, "",
        token.empty() ? "a number is out of range" : "'" + token + "' is too large for a double"};
  }
  if (!doc.is_object())
    return CsvError{0, 0, "", "a JSON data file holds one object, {\"name\": value, ...}"};
  if (!repeated.empty()) {
    // At its second occurrence as a name of the outer object: a string at
    // depth 1 followed by ':' (strings are skipped whole, escapes included).
    const std::string quoted = json(repeated).dump();
    std::size_t at = std::string::npos, seen = 0;
    int depth = 0;
    for (std::size_t i = 0; i < text.size() && at == std::string::npos; ++i) {
      const char c = text[i];
      if (c == '{' || c == '[') ++depth;
      if (c == '}' || c == ']') --depth;
      if (c != '"') continue;
      std::size_t end = i + 1;
      while (end < text.size() && text[end] != '"') end += text[end] == '\\' ? 2 : 1;
      const std::size_t after = text.find_first_not_of(" \t\r\n", end + 1);
      if (depth == 1 && after != std::string::npos && text[after] == ':' &&
          text.compare(i, end + 1 - i, quoted) == 0 && ++seen == 2)
        at = i;
      i = end;
    }
    auto [line, col] = json_position(text, at == std::string::npos ? 0 : at);
    return CsvError{at == std::string::npos ? 0 : line, at == std::string::npos ? 0 : col, repeated,
                    "the name '" + repeated + "' is given twice"};
  }
  std::map<std::string, Value> out;
  for (const auto& name : names) {
    auto it = doc.find(name);
    if (it == doc.end()) {
      std::string have;
      for (const auto& [k, x] : doc.items()) have += (have.empty() ? "" : ", ") + k;
      return CsvError{
          0, 0, name,
          "no entry '" + name + "' (the entries are: " + (have.empty() ? "none" : have) + ")"};
    }
    Value v;
    std::string why = json_value(*it, v);
    if (!why.empty()) {
      auto [line, col] = json_position(text, json_key_offset(text, name));
      return CsvError{line, col, name, "'" + name + "' " + why};
    }
    out[name] = std::move(v);
  }
  return out;
}

}  // namespace bayes::data
