// CSV reader: file bytes -> validated rows of the requested numeric columns (see csv.hpp).
//
// The file is read in 1 MiB chunks. A record is parsed straight out of the chunk; when it runs
// off the end of the chunk the parse stops with `incomplete`, the unparsed tail moves to the front
// of the buffer, more is read, and the record is parsed again from its start. So the parser never
// sees a record split across reads, and memory is one chunk (or one record, if longer).
//
// Each record tries a hot path first (parse_simple_record: plain numbers, nothing to unquote),
// else the general RFC 4180 parser (parse_record), which also words every error. Numbers go
// through an exact shortcut for the common forms (parse_plain), else through fast_float.
#include "data/csv.hpp"

#include <fast_float/fast_float.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string_view>
#include <system_error>
#include <utility>

#include "data/input_file.hpp"

namespace bayes::data {
namespace {

constexpr std::size_t chunk_size = std::size_t{1} << 20;
// A record longer than this is almost surely an unclosed quote swallowing the rest of the file.
constexpr std::size_t max_record_size = std::size_t{64} << 20;

enum class Status { record, blank, incomplete, error };

bool is_space(char c) { return c == ' ' || c == '\t'; }

// Why a record was refused: the 1-based field (0 for the whole row) and the message.
struct Problem {
  std::size_t column = 0;
  std::string message;
};

// Whether the text at p ends the line: 1 yes, 0 no, -1 cannot tell before reading more.
int line_end_at(const char* p, const char* end, bool eof) {
  if (p == end) return eof ? 1 : -1;
  if (*p == '\n') return 1;
  if (*p != '\r') return 0;
  if (p + 1 == end) return eof ? 1 : -1;  // a lone '\r' ending the file ends the line
  return p[1] == '\n' ? 1 : 0;
}

// The first byte after the line end at p (p is at '\n', "\r\n", a final '\r', or the end).
const char* after_line_end(const char* p, const char* end) {
  if (p == end) return end;
  if (*p == '\r') ++p;
  if (p != end && *p == '\n') ++p;
  return p;
}

enum class Scan { ok, incomplete, unclosed_quote, text_after_quote };

// One field starting at q, quoted or not. `stop` is the ',' or line end after it (or `end`).
// When text is given it receives the field's content: unquoted, unescaped and trimmed.
struct Field {
  const char* stop = nullptr;
  std::size_t newlines = 0;  // inside quotes
};

Scan scan_field(const char* q, const char* end, bool eof, std::string* text, Field& field) {
  const char* a = q;
  while (a < end && is_space(*a)) ++a;
  if (text) text->clear();
  field.newlines = 0;
  if (a == end || *a != '"') {
    const char* stop = a;
    while (stop < end && *stop != ',' && *stop != '\n') ++stop;
    if (stop == end && !eof) return Scan::incomplete;
    if (text) {
      const char* b = stop;
      if (b > a && b[-1] == '\r' && (b == end || *b == '\n')) --b;
      while (b > a && is_space(b[-1])) --b;
      text->assign(a, b);
    }
    field.stop = stop;
    return Scan::ok;
  }
  ++a;  // past the opening quote
  for (;;) {
    const char* quote =
        static_cast<const char*>(std::memchr(a, '"', static_cast<std::size_t>(end - a)));
    if (!quote) return eof ? Scan::unclosed_quote : Scan::incomplete;
    field.newlines += static_cast<std::size_t>(std::count(a, quote, '\n'));
    if (text) text->append(a, quote);
    if (quote + 1 == end && !eof) return Scan::incomplete;
    if (quote + 1 != end && quote[1] == '"') {
      if (text) text->push_back('"');
      a = quote + 2;
      continue;
    }
    a = quote + 1;
    break;
  }
  while (a < end && is_space(*a)) ++a;
  if (a < end && *a == ',') {
    field.stop = a;
  } else {
    int ends = line_end_at(a, end, eof);
    if (ends < 0) return Scan::incomplete;
    if (ends == 0) return Scan::text_after_quote;
    field.stop = a;
  }
  if (text) {
    std::size_t first = text->find_first_not_of(" \t");
    if (first == std::string::npos) {
      text->clear();
    } else {
      text->erase(text->find_last_not_of(" \t") + 1);
      text->erase(0, first);
    }
  }
  return Scan::ok;
}

std::string scan_message(Scan scan) {
  return scan == Scan::unclosed_quote ? "a quoted field is not closed"
                                      : "unexpected text after the closing quote of a field";
}

// The text of a cell for a message: long cells are cut, at a UTF-8 character boundary.
std::string shown(std::string_view text) {
  constexpr std::size_t limit = 40;
  if (text.size() <= limit) return std::string(text);
  std::size_t cut = limit;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + "...";
}

// Parses a trimmed cell; returns the reason when it is not a finite number.
std::optional<std::string> parse_cell(std::string_view text, double& value) {
  if (text.empty()) return "empty cell";
  std::string_view digits = text;
  // fast_float follows std::from_chars and refuses a leading '+'; spreadsheets write one.
  if (digits.size() > 1 && digits[0] == '+' && digits[1] != '+' && digits[1] != '-') {
    digits.remove_prefix(1);
  }
  auto [ptr, ec] = fast_float::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || ptr != digits.data() + digits.size()) {
    return "'" + shown(text) + "' is not a number";
  }
  if (std::isnan(value)) return "NaN is not allowed";
  if (std::isinf(value)) {
    if (digits.find_first_of("iI") != std::string_view::npos) return "inf is not allowed";
    return "'" + shown(text) + "' is too large for a double";
  }
  return std::nullopt;
}

// Bytes the buffer keeps readable (zero) past its end, so numbers can be read 8 bytes at a time.
constexpr std::size_t padding = 16;

std::uint64_t load8(const char* p) {
  std::uint64_t word;
  std::memcpy(&word, p, sizeof word);
  return word;
}

// How many of the 8 bytes at p, from the first, are ASCII digits. A byte below '0' borrows in
// w - 0x30.., one above '9' carries in w + 0x46..; both set its high bit, and the bytes before the
// first non-digit neither borrow nor carry, so the lowest high bit marks the first non-digit.
unsigned leading_digits(std::uint64_t word) {
  std::uint64_t non_digit =
      ((word + 0x4646464646464646) | (word - 0x3030303030303030)) & 0x8080808080808080;
  return non_digit == 0 ? 8 : static_cast<unsigned>(std::countr_zero(non_digit)) / 8;
}

// The value of the first k (1 to 8) digits of word: they are moved up to be the last k of eight
// digits, then combined in pairs, quads and octets (Lemire, "Fast numerical parsing", 2021).
std::uint64_t digits_value(std::uint64_t word, unsigned k) {
  word = (word & 0x0F0F0F0F0F0F0F0F) << (8 * (8 - k));
  word = (word * 2561) >> 8;
  word = ((word & 0x00FF00FF00FF00FF) * 6553601) >> 16;
  return ((word & 0x0000FFFF0000FFFF) * 42949672960001) >> 32;
}

// Appends the digits at p to mantissa (mantissa * 10^k + digits), moving p past them.
// Returns how many there were; the mantissa wraps when there are more than 19.
[[gnu::always_inline]] inline std::size_t read_digits(const char*& p, std::uint64_t& mantissa) {
  static constexpr std::uint64_t scale[] = {1,      10,      100,      1000,     10000,
                                            100000, 1000000, 10000000, 100000000};
  std::size_t count = 0;
  for (;;) {
    std::uint64_t word = load8(p);
    unsigned k = leading_digits(word);
    if (k == 0) return count;
    mantissa = mantissa * scale[k] + digits_value(word, k);
    p += k;
    count += k;
    if (k < 8) return count;
  }
}

// The bytes of word equal to c, as their high bits. Only the lowest flag is sure to be right (a
// borrow can flag the byte above a match), which is all the scans below use.
std::uint64_t bytes_equal(std::uint64_t word, char c) {
  std::uint64_t x = word ^ (0x0101010101010101 * static_cast<unsigned char>(c));
  return (x - 0x0101010101010101) & ~x & 0x8080808080808080;
}

// The first byte at or after p that ends an unquoted field or needs a closer look: ',', '\n',
// '"' or a zero byte (the buffer's padding, so no scan runs past the end). Eight at a time.
const char* find_unquoted_end(const char* p) {
  for (;; p += 8) {
    std::uint64_t word = load8(p);
    std::uint64_t found = bytes_equal(word, ',') | bytes_equal(word, '\n') |
                          bytes_equal(word, '"') | bytes_equal(word, '\0');
    if (found) return p + std::countr_zero(found) / 8;
  }
}

// The same inside quotes: the first '"', '\n' or zero byte.
const char* find_quoted_end(const char* p) {
  for (;; p += 8) {
    std::uint64_t word = load8(p);
    std::uint64_t found =
        bytes_equal(word, '"') | bytes_equal(word, '\n') | bytes_equal(word, '\0');
    if (found) return p + std::countr_zero(found) / 8;
  }
}

// Parses the common number, [-]digits[.digits][e[+-]digits], exactly and several times faster
// than the general parser. With at most 19 digits the mantissa m is an exact integer; when
// m <= 2^53 and the power of ten p has |p| <= 22, m and 10^|p| are exact doubles, so m * 10^p is
// one correctly rounded operation (Clinger 1990, the "fast path"): the double fast_float returns.
// Reads up to 8 bytes past the number (the buffer's padding covers its end). Returns the end of
// the number, or nullptr when the text needs the general parser.
[[gnu::always_inline]] inline const char* parse_plain(const char* p, double& value) {
  static constexpr double powers_of_ten[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                             1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                             1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  static_assert(std::endian::native == std::endian::little, "read_digits assumes little-endian");
  bool negative = *p == '-';
  p += negative;
  std::uint64_t mantissa = 0;
  std::size_t digits = 0;
  // One digit before the point is so common that it is worth a shortcut.
  unsigned first = static_cast<unsigned char>(p[0] - '0');
  if (first < 10 && static_cast<unsigned char>(p[1] - '0') >= 10) {
    mantissa = first;
    digits = 1;
    ++p;
  } else {
    digits = read_digits(p, mantissa);
  }
  int power = 0;
  if (*p == '.') {
    ++p;
    std::size_t decimals = read_digits(p, mantissa);
    digits += decimals;
    power = -static_cast<int>(decimals);
  }
  if (digits == 0 || digits > 19 || mantissa > (std::uint64_t{1} << 53)) return nullptr;
  if ((*p | 0x20) == 'e') {
    const char* q = p + 1;
    bool negative_exponent = *q == '-';
    if (*q == '-' || *q == '+') ++q;
    std::uint64_t exponent = 0;
    std::size_t exponent_digits = read_digits(q, exponent);
    if (exponent_digits == 0 || exponent_digits > 3) return nullptr;
    power += negative_exponent ? -static_cast<int>(exponent) : static_cast<int>(exponent);
    p = q;
  }
  if (power < -22 || power > 22) return nullptr;
  double x = static_cast<double>(mantissa);
  x = power < 0 ? x / powers_of_ten[-power] : x * powers_of_ten[power];
  value = negative ? -x : x;
  return p;
}

// The data rows: which file field goes to which requested value, and the loop over records.
class RowParser {
 public:
  // header outlives the parser; slot_of_field[f] is the value that file field f fills, or -1.
  RowParser(const std::vector<std::string>& header, std::vector<int> slot_of_field,
            std::vector<std::pair<std::size_t, std::size_t>> copies, std::size_t values)
      : header_(header),
        fields_(header.size()),
        slot_of_field_(std::move(slot_of_field)),
        copies_(std::move(copies)),
        values_(values) {}

  // Where the reading is: the line of the next record, and of a blank line not yet followed by
  // a row (blank lines are fine only at the end).
  struct Position {
    std::size_t line = 0;
    std::size_t first_blank = 0;
    std::size_t rows = 0;
    RecordLines breaks;  // where records start when not one line after the previous record
  };

  // Parses records from p on, calling on_row(values) for each, until the text runs out (returns
  // `incomplete`, p at the first unparsed record; at eof, p == end) or an error.
  template <class OnRow>
  Status parse_rows(const char*& p, const char* end, bool eof, Position& at, OnRow& on_row,
                    CsvError& error) {
    const std::span<const double> values(values_);
    while (p < end) {
      const char* next = at.first_blank == 0 ? parse_simple_record(p) : nullptr;
      if (next) {
        on_row(values);
        ++at.rows;
        ++at.line;
        p = next;
        continue;
      }
      std::size_t newlines = 0;
      Status status = parse_record(p, end, eof, next, newlines);
      if (status == Status::incomplete) return status;
      if (status == Status::blank) {
        if (at.first_blank == 0) at.first_blank = at.line;
        ++at.line;
        p = next;
        continue;
      }
      if (at.first_blank != 0) {
        error = {at.first_blank, 0, "", "empty row"};
        return Status::error;
      }
      if (status == Status::error) {
        std::string name;
        if (problem_.column > 0 && problem_.column <= fields_) name = header_[problem_.column - 1];
        error = {at.line, problem_.column, std::move(name), std::move(problem_.message)};
        return Status::error;
      }
      on_row(values);
      ++at.rows;
      at.line += 1 + newlines;
      if (newlines > 0) at.breaks.emplace_back(at.rows, at.line);
      p = next;
    }
    return Status::incomplete;
  }

 private:
  // The hot path: parses the record at q into values_ when it is the common simple kind (no
  // padding spaces, blank lines, or newlines and escapes in quotes; every requested cell a plain
  // unquoted number) and returns the start of the next record, else nullptr, and parse_record
  // does it all. It relies on the zero padding after the buffer: no scan passes a zero byte, so
  // none runs past the end, and a record reaching the end is left to parse_record, which knows
  // whether more text is coming.
  [[gnu::always_inline]] const char* parse_simple_record(const char* q) {
    if (static_cast<unsigned char>(*q) <= ' ') return nullptr;  // blank, padded, or at the end
    double* values = values_.data();
    const int* slots = slot_of_field_.data();
    const std::size_t last = fields_ - 1;
    for (std::size_t field = 0;; ++field) {
      char delimiter = field == last ? '\n' : ',';
      if (slots[field] >= 0) {
        double v;
        const char* b = parse_plain(q, v);
        if (!b) return nullptr;
        if (*b == '\r' && field == last) ++b;
        if (*b != delimiter) return nullptr;
        values[slots[field]] = v;
        q = b + 1;
      } else if (*q == '"') {  // a quoted text field on one line, without "" escapes
        q = find_quoted_end(q + 1);
        if (*q != '"') return nullptr;
        ++q;
        if (*q == '\r' && field == last) ++q;
        if (*q != delimiter) return nullptr;
        ++q;
      } else {
        q = find_unquoted_end(q);
        if (*q != delimiter) return nullptr;
        ++q;
      }
      if (field == last) break;
    }
    for (auto [to, from] : copies_) values[to] = values[from];
    return q;
  }

  // Parses the record at q into values_. On `record` or `blank`, next is the following record
  // and newlines counts the line breaks inside quotes; on `error`, problem_ says why.
  [[gnu::always_inline]] Status parse_record(const char* q, const char* end, bool eof,
                                             const char*& next, std::size_t& newlines) {
    if (*q == '\n' || *q == '\r' || is_space(*q)) {
      const char* r = q;
      while (r < end && (is_space(*r) || *r == '\r')) ++r;
      if (r == end && !eof) return Status::incomplete;
      if (r == end || *r == '\n') {
        next = after_line_end(r, end);
        return Status::blank;
      }
    }
    double* values = values_.data();
    const int* slots = slot_of_field_.data();
    const std::size_t fields = fields_;
    bool failed = false;  // a cell was bad: report it unless the row is ragged
    std::size_t field = 0;
    for (;; ++field) {
      int slot = field < fields ? slots[field] : -1;
      const char* stop = nullptr;
      if (slot >= 0 && !failed) {
        // Fast path: a bare number followed by a delimiter; anything else goes the slow way.
        const char* a = q;
        while (a < end && is_space(*a)) ++a;
        double v = 0;
        const char* b = parse_plain(a, v);
        if (!b) {
          auto [ptr, ec] = fast_float::from_chars(a, end, v);
          if (ec == std::errc() && std::isfinite(v)) b = ptr;
        }
        if (b) {
          while (b < end && is_space(*b)) ++b;
        }
        if (b && (b < end ? (*b == ',' || *b == '\n' || (*b == '\r' && b + 1 < end && b[1] == '\n'))
                          : eof)) {
          values[slot] = v;
          stop = b;
        } else {
          Status status = slow_cell(q, end, eof, field, newlines, stop, values[slot]);
          if (status == Status::incomplete) return status;
          if (status == Status::error) {
            if (stop == nullptr) return status;  // a broken quote: the row cannot be split
            failed = true;
          }
        }
      } else {
        const char* a = q;
        while (a < end && is_space(*a)) ++a;
        if (a < end && *a == '"') {
          Status status = slow_skip(q, end, eof, field, newlines, stop);
          if (status != Status::record) return status;
        } else {
          stop = a;
          while (stop < end && *stop != ',' && *stop != '\n') ++stop;
          if (stop == end && !eof) return Status::incomplete;
        }
      }
      if (stop < end && *stop == ',') {
        q = stop + 1;
        continue;
      }
      next = after_line_end(stop, end);
      break;
    }
    if (field + 1 != fields) {
      problem_ = {0, "row has " + std::to_string(field + 1) + " field" + (field == 0 ? "" : "s") +
                         " but the header has " + std::to_string(fields)};
      return Status::error;
    }
    if (failed) return Status::error;
    for (auto [to, from] : copies_) values[to] = values[from];
    return Status::record;
  }

  // A requested cell that is quoted, padded oddly, or bad. On `error` with stop set, the cell
  // was split off but is not a finite number; with stop unset, the field could not be split.
  [[gnu::noinline]] Status slow_cell(const char* q, const char* end, bool eof, std::size_t field,
                                     std::size_t& newlines, const char*& stop, double& value) {
    Field scanned;
    Scan scan = scan_field(q, end, eof, &cell_, scanned);
    if (scan == Scan::incomplete) return Status::incomplete;
    if (scan != Scan::ok) {
      problem_ = {field + 1, scan_message(scan)};
      return Status::error;
    }
    newlines += scanned.newlines;
    stop = scanned.stop;
    if (auto message = parse_cell(cell_, value)) {
      problem_ = {field + 1, std::move(*message)};
      return Status::error;
    }
    return Status::record;
  }

  // A quoted field that is not asked for.
  [[gnu::noinline]] Status slow_skip(const char* q, const char* end, bool eof, std::size_t field,
                                     std::size_t& newlines, const char*& stop) {
    Field scanned;
    Scan scan = scan_field(q, end, eof, nullptr, scanned);
    if (scan == Scan::incomplete) return Status::incomplete;
    if (scan != Scan::ok) {
      problem_ = {field + 1, scan_message(scan)};
      return Status::error;
    }
    newlines += scanned.newlines;
    stop = scanned.stop;
    return Status::record;
  }

  const std::vector<std::string>& header_;
  std::size_t fields_;
  std::vector<int> slot_of_field_;                           // -1: not asked for
  std::vector<std::pair<std::size_t, std::size_t>> copies_;  // (to, from): names asked twice
  std::vector<double> values_;
  std::string cell_;  // reused for cells that miss the fast path
  Problem problem_;
};

// Parses the header record at q into names.
Status parse_header(const char* q, const char* end, bool eof, std::vector<std::string>& names,
                    const char*& next, std::size_t& newlines, Problem& problem) {
  names.clear();
  newlines = 0;
  std::string text;
  for (;;) {
    Field scanned;
    Scan scan = scan_field(q, end, eof, &text, scanned);
    if (scan == Scan::incomplete) return Status::incomplete;
    if (scan != Scan::ok) {
      problem = {names.size() + 1, scan_message(scan)};
      return Status::error;
    }
    newlines += scanned.newlines;
    names.push_back(text);
    if (scanned.stop < end && *scanned.stop == ',') {
      q = scanned.stop + 1;
      continue;
    }
    next = after_line_end(scanned.stop, end);
    break;
  }
  if (names.size() == 1 && names[0].empty() && newlines == 0) {
    problem = {0, "the header row is empty"};
    return Status::error;
  }
  return Status::record;
}

std::string column_list(const std::vector<std::string>& header) {
  constexpr std::size_t shown_names = 30;
  std::string list;
  for (std::size_t i = 0; i < header.size() && i < shown_names; ++i) {
    if (i > 0) list += ", ";
    list += header[i].empty() ? "(unnamed)" : header[i];
  }
  if (header.size() > shown_names) {
    list += ", ... (" + std::to_string(header.size()) + " in all)";
  }
  return list;
}

// Matches the requested names against the header.
std::variant<RowParser, CsvError> make_row_parser(const std::vector<std::string>& header,
                                                  std::span<const std::string> names) {
  std::vector<int> slot_of_field(header.size(), -1);
  std::vector<std::pair<std::size_t, std::size_t>> copies;
  for (std::size_t i = 0; i < names.size(); ++i) {
    auto found = std::find(header.begin(), header.end(), names[i]);
    if (found == header.end()) {
      return CsvError{
          1, 0, names[i],
          "no column '" + names[i] + "' (the columns are: " + column_list(header) + ")"};
    }
    std::size_t field = static_cast<std::size_t>(found - header.begin());
    auto again = std::find(found + 1, header.end(), names[i]);
    if (again != header.end()) {
      std::size_t second = static_cast<std::size_t>(again - header.begin());
      return CsvError{1, second + 1, names[i],
                      "column '" + names[i] + "' appears more than once in the header (columns " +
                          std::to_string(field + 1) + " and " + std::to_string(second + 1) + ")"};
    }
    if (slot_of_field[field] >= 0) {
      copies.emplace_back(i, static_cast<std::size_t>(slot_of_field[field]));
    } else {
      slot_of_field[field] = static_cast<int>(i);
    }
  }
  return RowParser(header, std::move(slot_of_field), std::move(copies), names.size());
}

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

// A window on the file: bytes [pos, len) of data are read and not yet parsed, and `padding`
// zero bytes follow them.
class Buffer {
 public:
  explicit Buffer(std::FILE* file)
      : file_(file), data_(new char[chunk_size + padding]()), cap_(chunk_size) {}

  const char* begin() const { return data_.get() + pos_; }
  const char* end() const { return data_.get() + len_; }
  bool empty() const { return pos_ == len_; }
  bool eof() const { return eof_; }
  std::uint64_t offset() const { return read_ - (len_ - pos_); }  // of begin() in the file
  void consume_to(const char* p) { pos_ = static_cast<std::size_t>(p - data_.get()); }

  // Moves the unparsed bytes to the front and reads more after them.
  std::optional<std::string> refill() {
    if (pos_ > 0) {
      std::memmove(data_.get(), data_.get() + pos_, len_ - pos_);
      len_ -= pos_;
      pos_ = 0;
    }
    if (len_ == cap_) {  // one record fills the whole buffer
      if (cap_ >= max_record_size) {
        return "a record is longer than " + std::to_string(max_record_size >> 20) +
               " MiB (is a quote not closed?)";
      }
      std::unique_ptr<char[]> bigger(new char[cap_ * 2 + padding]);
      std::memcpy(bigger.get(), data_.get(), len_);
      data_ = std::move(bigger);
      cap_ *= 2;
    }
    std::size_t want = cap_ - len_;
    std::size_t got = std::fread(data_.get() + len_, 1, want, file_);
    len_ += got;
    read_ += got;
    std::memset(data_.get() + len_, 0, padding);
    if (got < want) {
      if (std::ferror(file_)) return std::string("cannot read file: ") + std::strerror(errno);
      eof_ = true;
    }
    return std::nullopt;
  }

 private:
  std::FILE* file_;
  std::unique_ptr<char[]> data_;
  std::size_t cap_;
  std::size_t pos_ = 0;
  std::size_t len_ = 0;
  bool eof_ = false;
  std::uint64_t read_ = 0;
};

// The header and where the records start, for read_columns.
struct FileLayout {
  std::vector<std::string> header;
  RecordLines lines;
};

// Calls on_row(values) per row, and on_estimate(rows) once, early, with a guess at the number
// of rows from the file size (so a caller can reserve memory; never for a pipe or small file).
// When layout is given it receives the header and where the records start.
template <class OnRow, class OnEstimate>
std::optional<CsvError> read_csv(const std::string& path, std::span<const std::string> names,
                                 OnRow&& on_row, OnEstimate&& on_estimate,
                                 FileLayout* layout = nullptr) {
  std::string why;
  std::unique_ptr<std::FILE, FileCloser> file(open_input_file(path, kMaxDataBytes, why));
  if (!file) return CsvError{0, 0, "", "cannot open file: " + why};
  std::setvbuf(file.get(), nullptr, _IONBF, 0);  // fread fills our buffer directly
  Buffer buffer(file.get());

  // Read the first bytes (enough to see a BOM), then the header.
  while (!buffer.eof() && buffer.end() - buffer.begin() < 3) {
    if (auto message = buffer.refill()) return CsvError{0, 0, "", std::move(*message)};
  }
  if (buffer.end() - buffer.begin() >= 3 && std::memcmp(buffer.begin(), "\xEF\xBB\xBF", 3) == 0) {
    buffer.consume_to(buffer.begin() + 3);
  }
  if (buffer.empty()) return CsvError{0, 0, "", "the file is empty (a header row is needed)"};

  std::size_t line = 1;
  std::vector<std::string> header;
  Problem problem;
  const char* next = nullptr;
  std::size_t newlines = 0;
  for (;;) {
    Status status =
        parse_header(buffer.begin(), buffer.end(), buffer.eof(), header, next, newlines, problem);
    if (status == Status::record) break;
    if (status == Status::error) {
      return CsvError{1, problem.column, "", std::move(problem.message)};
    }
    if (auto message = buffer.refill()) return CsvError{1, 0, "", std::move(*message)};
  }
  buffer.consume_to(next);
  line += 1 + newlines;

  auto made = make_row_parser(header, names);
  if (auto* error = std::get_if<CsvError>(&made)) return std::move(*error);
  RowParser& rows = std::get<RowParser>(made);

  const std::uint64_t rows_offset = buffer.offset();
  RowParser::Position at{line, 0, 0, {}};
  if (line != 2) at.breaks.emplace_back(0, line);  // the header spans lines
  bool estimated = false;
  CsvError error;
  for (;;) {
    const char* p = buffer.begin();
    Status status = rows.parse_rows(p, buffer.end(), buffer.eof(), at, on_row, error);
    buffer.consume_to(p);
    if (status == Status::error) return error;
    if (!estimated && at.rows > 0) {
      estimated = true;
      std::error_code failed;
      std::uintmax_t size = std::filesystem::file_size(path, failed);
      std::uint64_t bytes = buffer.offset() - rows_offset;
      if (!failed && size > buffer.offset() && bytes > 0) {
        double rows_per_byte = static_cast<double>(at.rows) / static_cast<double>(bytes);
        on_estimate(static_cast<std::size_t>(1.05 * rows_per_byte * static_cast<double>(size)));
      }
    }
    if (buffer.eof()) break;  // at the end every record is complete, so all was parsed
    if (auto message = buffer.refill()) return CsvError{at.line, 0, "", std::move(*message)};
  }
  if (layout) {
    layout->header = header;  // `rows` refers to it
    layout->lines = std::move(at.breaks);
  }
  return std::nullopt;
}

// Collects rows into columns for read_columns.
class ColumnBuilder {
 public:
  explicit ColumnBuilder(std::size_t columns) : values_(columns), integer_(columns, 1) {}

  [[gnu::always_inline]] void operator()(std::span<const double> row) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      double v = row[i];
      values_[i].push_back(v);
      // Every double of magnitude 2^52 or more is whole; below that the int64 cast is exact.
      if (integer_[i] && std::fabs(v) < 0x1p52) {
        integer_[i] = static_cast<double>(static_cast<std::int64_t>(v)) == v;
      }
    }
    ++rows_;
  }

  void reserve(std::size_t rows) {
    for (auto& column : values_) column.reserve(rows);
  }

  Columns finish() {
    Columns columns;
    columns.values = std::move(values_);
    columns.integer.assign(integer_.begin(), integer_.end());
    columns.rows = rows_;
    return columns;
  }

 private:
  std::vector<std::vector<double>> values_;
  std::vector<char> integer_;  // not vector<bool>: this is updated per value
  std::size_t rows_ = 0;
};

}  // namespace

std::size_t record_line(const RecordLines& lines, std::size_t record) {
  auto after = std::upper_bound(lines.begin(), lines.end(), record,
                                [](std::size_t r, const auto& pair) { return r < pair.first; });
  if (after == lines.begin()) return record + 2;
  const auto& [first, line] = *(after - 1);
  return line + (record - first);
}

std::optional<CsvError> for_each_row(const std::string& path, std::span<const std::string> names,
                                     const std::function<void(std::span<const double>)>& on_row) {
  return read_csv(path, names, on_row, [](std::size_t) {});
}

std::variant<Summaries, CsvError> read_summaries(const std::string& path,
                                                 std::span<const std::string> names) {
  Summaries out;
  out.columns.resize(names.size());
  FileLayout layout;
  auto error = read_csv(
      path, names,
      [&](std::span<const double> row) {
        for (std::size_t i = 0; i < row.size(); ++i) out.columns[i].add(row[i]);
        ++out.rows;
      },
      [](std::size_t) {}, &layout);
  if (error) return std::move(*error);
  for (const auto& name : names) {
    auto found = std::find(layout.header.begin(), layout.header.end(), name);
    out.fields.push_back(static_cast<std::size_t>(found - layout.header.begin()) + 1);
  }
  out.lines = std::move(layout.lines);
  return out;
}

std::variant<Columns, CsvError> read_columns(const std::string& path,
                                             std::span<const std::string> names) {
  ColumnBuilder builder(names.size());
  FileLayout layout;
  auto error = read_csv(
      path, names, builder, [&](std::size_t rows) { builder.reserve(rows); }, &layout);
  if (error) return std::move(*error);
  Columns columns = builder.finish();
  for (const auto& name : names) {
    auto found = std::find(layout.header.begin(), layout.header.end(), name);
    columns.fields.push_back(static_cast<std::size_t>(found - layout.header.begin()) + 1);
  }
  columns.lines = std::move(layout.lines);
  return columns;
}

}  // namespace bayes::data
