// Unit tests for the CSV reader (src/data/csv.hpp): layout, quoting, numbers, every error kind.
#include <doctest/doctest.h>
#include <fast_float/fast_float.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "data/csv.hpp"

namespace {

using bayes::data::Columns;
using bayes::data::CsvError;
using bayes::data::for_each_row;
using bayes::data::read_columns;

std::string fixture(const std::string& name) {
  return std::string(BAYES_TEST_DIR) + "/fixtures/csv/" + name;
}

// A fresh directory for this run's generated files, removed at exit.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::random_device device;
    path = std::filesystem::temp_directory_path() /
           ("bayes_test_csv_" + std::to_string(device()) + std::to_string(device()));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

const std::filesystem::path& temp_dir() {
  static const TempDir dir;
  return dir.path;
}

std::string write_temp(const std::string& name, std::string_view content) {
  auto path = temp_dir() / name;
  std::ofstream out(path, std::ios::binary);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  return path.string();
}

Columns columns_of(const std::string& path, const std::vector<std::string>& names) {
  auto result = read_columns(path, names);
  if (auto* error = std::get_if<CsvError>(&result)) {
    FAIL("unexpected error: row " << error->row << " column " << error->column << ": "
                                  << error->message);
  }
  return std::get<Columns>(std::move(result));
}

Columns columns_of_text(std::string_view content, const std::vector<std::string>& names) {
  return columns_of(write_temp("text.csv", content), names);
}

CsvError error_of(const std::string& path, const std::vector<std::string>& names) {
  auto result = read_columns(path, names);
  REQUIRE(std::holds_alternative<CsvError>(result));
  return std::get<CsvError>(std::move(result));
}

CsvError error_of_text(std::string_view content, const std::vector<std::string>& names) {
  return error_of(write_temp("error.csv", content), names);
}

void check_error(const CsvError& error, std::size_t row, std::size_t column,
                 const std::string& column_name, const std::string& message) {
  CHECK(error.row == row);
  CHECK(error.column == column);
  CHECK(error.column_name == column_name);
  CHECK(error.message == message);
}

using Doubles = std::vector<double>;

}  // namespace

TEST_CASE("csv: columns in any order, asked twice, extra columns ignored") {
  Columns c = columns_of(fixture("basic.csv"), {"c", "a", "c"});
  CHECK(c.rows == 3);
  REQUIRE(c.values.size() == 3);
  CHECK(c.values[0] == Doubles{3, 6, 9});
  CHECK(c.values[1] == Doubles{1, 4, 7});
  CHECK(c.values[2] == Doubles{3, 6, 9});
  CHECK(c.integer == std::vector<bool>{true, true, true});

  Columns b = columns_of(fixture("basic.csv"), {"b"});
  CHECK(b.values[0] == Doubles{2.5, -5.25, 0.8});
  CHECK(b.integer == std::vector<bool>{false});
}

TEST_CASE("csv: no columns asked for still checks the rows") {
  Columns c = columns_of(fixture("basic.csv"), {});
  CHECK(c.rows == 3);
  CHECK(c.values.empty());
  check_error(error_of_text("a,b\n1,2\n3\n", {}), 3, 0, "", "row has 1 field but the header has 2");
}

TEST_CASE("csv: text columns, quoted fields with commas, escapes and newlines, padded cells") {
  Columns c = columns_of(fixture("mixed.csv"), {"x", "id"});
  CHECK(c.rows == 3);
  CHECK(c.values[0] == Doubles{0.5, 1.5, -2});
  CHECK(c.values[1] == Doubles{1, 2, 3});
  CHECK(c.integer == std::vector<bool>{false, true});
  // The quoted cell is unescaped before it is shown in the message.
  check_error(error_of(fixture("mixed.csv"), {"note"}), 2, 4, "note",
              "'says \"hi\"' is not a number");
  check_error(error_of(fixture("mixed.csv"), {"name"}), 2, 2, "name", "'alice' is not a number");
}

TEST_CASE("csv: CRLF line ends, quoted and padded header names and cells") {
  Columns c = columns_of(fixture("crlf_quoted.csv"), {"z, quoted", "x", "y"});
  CHECK(c.rows == 2);
  CHECK(c.values[0] == Doubles{3, 6});
  CHECK(c.values[1] == Doubles{1.5, 4});
  CHECK(c.values[2] == Doubles{2, 5});

  Columns no_final = columns_of_text("a,b\r\n1,2\r\n3,4", {"b", "a"});
  CHECK(no_final.values[0] == Doubles{2, 4});
  CHECK(no_final.values[1] == Doubles{1, 3});
  Columns lone_cr = columns_of_text("a,b\r\n1,2\r\n3,4\r", {"b"});
  CHECK(lone_cr.values[0] == Doubles{2, 4});
  Columns ignored_last = columns_of_text("a,b\r\n1,x\r\n3,y\r\n", {"a"});
  CHECK(ignored_last.values[0] == Doubles{1, 3});
}

TEST_CASE("csv: a UTF-8 BOM is skipped, and the last row needs no newline") {
  Columns c = columns_of(fixture("bom_no_final_newline.csv"), {"x", "y"});
  CHECK(c.rows == 2);
  CHECK(c.values[0] == Doubles{1, 3});
  CHECK(c.values[1] == Doubles{2, 4});
  CHECK(columns_of_text("a\n1\n2", {"a"}).values[0] == Doubles{1, 2});
  CHECK(columns_of_text("a\n1\n2.5", {"a"}).values[0] == Doubles{1, 2.5});
}

TEST_CASE("csv: a header and no rows is zero rows") {
  for (std::string path : {fixture("header_only.csv"), write_temp("h1.csv", "x,y"),
                           write_temp("h2.csv", "x,y\r\n"), write_temp("h3.csv", "x,y\n\n\n")}) {
    CAPTURE(path);
    Columns c = columns_of(path, {"y", "x"});
    CHECK(c.rows == 0);
    REQUIRE(c.values.size() == 2);
    CHECK(c.values[0].empty());
    CHECK(c.values[1].empty());
  }
}

TEST_CASE("csv: blank lines are ignored at the end and an error in the middle") {
  Columns c = columns_of(fixture("trailing_blank_lines.csv"), {"x", "y"});
  CHECK(c.rows == 2);
  CHECK(c.values[1] == Doubles{2, 4});
  check_error(error_of(fixture("blank_line_in_middle.csv"), {"x"}), 3, 0, "", "empty row");
  check_error(error_of_text("x\n1\n  \n\n2\n", {"x"}), 3, 0, "", "empty row");
  check_error(error_of_text("x\r\n1\r\n\r\n2\r\n", {"x"}), 3, 0, "", "empty row");
  // An empty cell is not a blank line when the row has other fields.
  check_error(error_of_text("x,y\n1,2\n,3\n", {"x"}), 3, 1, "x", "empty cell");
}

TEST_CASE("csv: number formats") {
  Columns c = columns_of_text("a\n1e3\n-0.5\n+2\n.5\n5.\n1E-2\n 7 \n\t007\t\n-0\n2.5e+1\n", {"a"});
  CHECK(c.values[0] == Doubles{1000, -0.5, 2, 0.5, 5, 0.01, 7, 7, 0, 25});
  CHECK(std::signbit(c.values[0][8]));
  Columns big = columns_of_text("a\n123456789012345678901234567890\n1e-400\n1e308\n", {"a"});
  CHECK(big.values[0] == Doubles{123456789012345678901234567890.0, 0, 1e308});
}

TEST_CASE("csv: integer detection") {
  Columns c = columns_of(fixture("integers.csv"), {"n", "m", "f"});
  CHECK(c.values[0] == Doubles{1, 10, 7});
  CHECK(c.values[1] == Doubles{-2, 1, 300});
  CHECK(c.integer == std::vector<bool>{true, true, false});
  Columns huge = columns_of_text("a,b\n1e300,-1e19\n2,3\n", {"a", "b"});
  CHECK(huge.integer == std::vector<bool>{true, true});
  Columns late = columns_of_text("a\n1\n2\n3\n4.000001\n", {"a"});
  CHECK(late.integer == std::vector<bool>{false});
}

TEST_CASE("csv: cells that are not numbers") {
  check_error(error_of_text("a,b\n1,2\n3,1.5x\n", {"a", "b"}), 3, 2, "b", "'1.5x' is not a number");
  check_error(error_of_text("a\nabc\n", {"a"}), 2, 1, "a", "'abc' is not a number");
  check_error(error_of_text("a\n1,5\n", {"a"}), 2, 0, "", "row has 2 fields but the header has 1");
  check_error(error_of_text("a\n1.5.2\n", {"a"}), 2, 1, "a", "'1.5.2' is not a number");
  check_error(error_of_text("a\n0x1A\n", {"a"}), 2, 1, "a", "'0x1A' is not a number");
  check_error(error_of_text("a\n1 2\n", {"a"}), 2, 1, "a", "'1 2' is not a number");
  check_error(error_of_text("a\n1e\n", {"a"}), 2, 1, "a", "'1e' is not a number");
  check_error(error_of_text("a\n--1\n", {"a"}), 2, 1, "a", "'--1' is not a number");
  check_error(error_of_text("a\n+\n", {"a"}), 2, 1, "a", "'+' is not a number");
  check_error(error_of_text("a\n\"1\"x\n", {"a"}), 2, 1, "a",
              "unexpected text after the closing quote of a field");
  check_error(error_of_text("a\n1e999\n", {"a"}), 2, 1, "a", "'1e999' is too large for a double");
  std::string long_cell(100, 'z');
  check_error(error_of_text("a\n" + long_cell + "\n", {"a"}), 2, 1, "a",
              "'" + std::string(40, 'z') + "...' is not a number");
}

TEST_CASE("csv: NaN and infinities are not data") {
  for (const char* text : {"NaN", "nan", "NAN", "-nan", "nan(123)", "\"NaN\""}) {
    CAPTURE(text);
    check_error(error_of_text(std::string("x,a\n1,2\n3,") + text + "\n", {"a"}), 3, 2, "a",
                "NaN is not allowed");
  }
  for (const char* text : {"inf", "-inf", "+inf", "Inf", "INF", "Infinity", "-infinity"}) {
    CAPTURE(text);
    check_error(error_of_text(std::string("a\n") + text + "\n", {"a"}), 2, 1, "a",
                "inf is not allowed");
  }
  check_error(error_of_text("a\ninfinit\n", {"a"}), 2, 1, "a", "'infinit' is not a number");
}

TEST_CASE("csv: empty cells") {
  check_error(error_of_text("a,b\n1,\n", {"a", "b"}), 2, 2, "b", "empty cell");
  check_error(error_of_text("a,b\n1,  \t \n", {"b"}), 2, 2, "b", "empty cell");
  check_error(error_of_text("a,b\n1,\"\"\n", {"b"}), 2, 2, "b", "empty cell");
  check_error(error_of_text("a,b\n1,\" \"\r\n", {"b"}), 2, 2, "b", "empty cell");
  check_error(error_of_text("a,b\n,2\n", {"b", "a"}), 2, 1, "a", "empty cell");
  check_error(error_of_text("a,b\n1,2\n3,", {"b"}), 3, 2, "b", "empty cell");
}

TEST_CASE("csv: columns not asked for are not parsed") {
  Columns c = columns_of_text("a,b,c\n1,abc,\n2,nan,\"x,y\"\n3,,\"\"\"\"\n", {"a"});
  CHECK(c.values[0] == Doubles{1, 2, 3});
}

TEST_CASE("csv: ragged rows") {
  check_error(error_of_text("a,b,c\n1,2,3\n1,2\n", {"a"}), 3, 0, "",
              "row has 2 fields but the header has 3");
  check_error(error_of_text("a,b\n1,2,3\n", {"a"}), 2, 0, "",
              "row has 3 fields but the header has 2");
  check_error(error_of_text("a,b\n1\n", {"b"}), 2, 0, "", "row has 1 field but the header has 2");
  // A short row must not run on into the next line.
  check_error(error_of_text("a,b\n1\n2,3\n", {"b"}), 2, 0, "",
              "row has 1 field but the header has 2");
  check_error(error_of_text("a,b\n\"1\"\n2,3\n", {"b"}), 2, 0, "",
              "row has 1 field but the header has 2");
  check_error(error_of_text("a,b\n1,2,\n", {"a"}), 2, 0, "",
              "row has 3 fields but the header has 2");
  // A short row usually misplaces its cells, so it is reported before a bad cell.
  check_error(error_of_text("a,b,c\nx,2\n", {"a"}), 2, 0, "",
              "row has 2 fields but the header has 3");
}

TEST_CASE("csv: quotes that do not close") {
  check_error(error_of_text("a,b\n1,\"2\n3,4\n", {"a"}), 2, 2, "b", "a quoted field is not closed");
  check_error(error_of_text("a,\"b\n1,2\n", {"a"}), 1, 2, "", "a quoted field is not closed");
  check_error(error_of_text("a,b\n1,\"x\"y\n", {"a"}), 2, 2, "b",
              "unexpected text after the closing quote of a field");
}

TEST_CASE("csv: rows are counted by physical line across multi-line fields") {
  check_error(error_of(fixture("bad_after_multiline.csv"), {"x", "y"}), 5, 3, "y",
              "'abc' is not a number");
  check_error(error_of_text("\"a\nb\",c\n1,2\n3,x\n", {"c"}), 4, 2, "c", "'x' is not a number");
  Columns c = columns_of_text("\"a\nb\",c\n1,2\n", {"a\nb"});
  CHECK(c.values[0] == Doubles{1});
}

TEST_CASE("csv: file and header errors") {
  check_error(error_of(fixture("no_such_file.csv"), {"a"}), 0, 0, "",
              "cannot open file: No such file or directory");
  check_error(error_of_text("", {"a"}), 0, 0, "", "the file is empty (a header row is needed)");
  check_error(error_of_text("\xEF\xBB\xBF", {"a"}), 0, 0, "",
              "the file is empty (a header row is needed)");
  check_error(error_of_text("\n1\n", {"a"}), 1, 0, "", "the header row is empty");
  check_error(error_of_text("a,b,c\n1,2,3\n", {"a", "x"}), 1, 0, "x",
              "no column 'x' (the columns are: a, b, c)");
  check_error(error_of_text("a,b,a\n1,2,3\n", {"b", "a"}), 1, 3, "a",
              "column 'a' appears more than once in the header (columns 1 and 3)");
  CHECK(columns_of_text("a,b,a\n1,2,3\n", {"b"}).values[0] == Doubles{2});
  // Header names are matched exactly, after trimming.
  check_error(error_of_text("A, b\n1,2\n", {"a"}), 1, 0, "a",
              "no column 'a' (the columns are: A, b)");
  CHECK(columns_of_text("A, b\n1,2\n", {"b"}).values[0] == Doubles{2});
  auto directory = error_of(temp_dir().string(), {"a"});
  CHECK(directory.row == 0);
  CHECK(directory.message.find("directory") != std::string::npos);
}

TEST_CASE("csv: for_each_row streams rows in order and stops at the first error") {
  std::string path = write_temp("stream.csv", "a,b\n1,2\n3,4\n5,x\n7,8\n");
  std::vector<std::string> names = {"b", "a"};
  std::vector<Doubles> rows;
  auto error = for_each_row(path, names, [&](std::span<const double> values) {
    rows.emplace_back(values.begin(), values.end());
  });
  REQUIRE(error);
  check_error(*error, 4, 2, "b", "'x' is not a number");
  CHECK(rows == std::vector<Doubles>{{2, 1}, {4, 3}});

  std::size_t count = 0;
  CHECK_FALSE(for_each_row(fixture("basic.csv"), names, [&](std::span<const double> values) {
    CHECK(values.size() == 2);
    ++count;
  }));
  CHECK(count == 3);
}

TEST_CASE("csv: numbers parse to the same double as fast_float") {
  // The reader has its own exact fast path for common numbers; compare it on random text.
  std::mt19937_64 rng(12345);
  auto digits = [&](std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s.push_back(static_cast<char>('0' + rng() % 10));
    return s;
  };
  std::vector<std::string> texts = {"9007199254740993",
                                    "9007199254740992",
                                    "9007199254740991",
                                    "0.1",
                                    "0.30000000000000004",
                                    "1e22",
                                    "1e23",
                                    "4.9e-324",
                                    "2.2250738585072014e-308",
                                    "1.7976931348623157e308",
                                    "123456789012345678",
                                    "1234567890123456789",
                                    "12345678901234567890",
                                    "0.000000000000000000000000001",
                                    "99999999",
                                    "100000000",
                                    "0.12345678",
                                    "-0.0",
                                    "1e-22",
                                    "1.5e-23",
                                    "5e22",
                                    "5e21"};
  for (int i = 0; i < 20000; ++i) {
    std::string s = rng() % 3 == 0 ? "-" : "";
    std::size_t whole = rng() % 12;
    std::size_t fraction = rng() % 14;
    s += digits(whole == 0 && fraction == 0 ? 1 : whole);
    if (fraction > 0 || rng() % 8 == 0) s += "." + digits(fraction);
    if (rng() % 4 == 0) {
      s += rng() % 2 ? "e" : "E";
      if (rng() % 2) s += rng() % 2 ? "-" : "+";
      s += std::to_string(rng() % 40);
    }
    texts.push_back(s);
  }
  std::string content = "id,x\n";
  for (std::size_t i = 0; i < texts.size(); ++i) {
    content += std::to_string(i) + "," + texts[i] + "\n";
  }
  Columns c = columns_of(write_temp("exact.csv", content), {"x"});
  REQUIRE(c.rows == texts.size());
  for (std::size_t i = 0; i < texts.size(); ++i) {
    double expected = 0;
    const std::string& t = texts[i];
    auto result = fast_float::from_chars(t.data(), t.data() + t.size(), expected);
    REQUIRE(result.ptr == t.data() + t.size());
    if (std::bit_cast<std::uint64_t>(c.values[0][i]) != std::bit_cast<std::uint64_t>(expected)) {
      char got[32];
      char want[32];
      std::snprintf(got, sizeof got, "%.17g", c.values[0][i]);
      std::snprintf(want, sizeof want, "%.17g", expected);
      FAIL_CHECK("'" << t << "' read as " << got << ", fast_float says " << want);
    }
  }
}

TEST_CASE("csv: a generated file of 200000 rows, across many read chunks") {
  constexpr std::size_t n = 200000;
  for (bool crlf : {false, true}) {
    CAPTURE(crlf);
    const char* newline = crlf ? "\r\n" : "\n";
    std::string content = std::string("i,label,x,k") + newline;
    double x_sum = 0;
    double k_sum = 0;
    std::size_t lines = 1;
    char cell[32];
    for (std::size_t i = 0; i < n; ++i) {
      std::snprintf(cell, sizeof cell, "%.3f", static_cast<double>(i) * 0.001 - 50.0);
      x_sum += std::strtod(cell, nullptr);
      k_sum += static_cast<double>(i % 7);
      std::string label = i % 1000 == 0 ? "\"two\nlines, \"\"quoted\"\"\""
                          : i % 3 == 0  ? "\"row, " + std::to_string(i) + "\""
                                        : "row" + std::to_string(i);
      if (i % 1000 == 0) ++lines;
      content += std::to_string(i) + "," + label + "," + cell + "," + std::to_string(i % 7);
      ++lines;
      if (i + 1 < n) content += newline;  // and no newline after the last row
    }
    std::string path = write_temp("big.csv", content);
    Columns c = columns_of(path, {"k", "x"});
    REQUIRE(c.rows == n);
    double x_total = 0;
    double k_total = 0;
    for (double v : c.values[1]) x_total += v;
    for (double v : c.values[0]) k_total += v;
    CHECK(x_total == x_sum);
    CHECK(k_total == k_sum);
    CHECK(c.integer == std::vector<bool>{true, false});

    // An error in the last row is reported on its physical line.
    content += std::string(newline) + "1,a,oops,2" + newline;
    check_error(error_of(write_temp("big_bad.csv", content), {"x"}), lines + 1, 3, "x",
                "'oops' is not a number");
  }
}

TEST_CASE("csv: a record longer than a read chunk") {
  std::string huge(3 << 20, 'q');
  for (std::size_t i = 1000; i < huge.size(); i += 100000) huge[i] = '\n';
  std::string content = "a,b,c\n1,\"" + huge + "\",2\n3,x,y\n";
  std::string path = write_temp("huge.csv", content);
  Columns c = columns_of(path, {"a"});
  CHECK(c.values[0] == Doubles{1, 3});
  std::size_t newlines = static_cast<std::size_t>(std::count(huge.begin(), huge.end(), '\n'));
  check_error(error_of(path, {"a", "c"}), 3 + newlines, 3, "c", "'y' is not a number");
}

TEST_CASE("csv: a record split at every position by the end of the first read") {
  // The reader reads 1 MiB first; put each byte of a tricky record at that boundary in turn.
  constexpr std::size_t chunk = std::size_t{1} << 20;
  const std::string record = "-12345.678e-2,\"x\"\"\ny\"\r\n7,\"p, q\"\r\n";
  for (std::size_t shift = 0; shift <= record.size() + 1; ++shift) {
    CAPTURE(shift);
    std::string content = "a,b\r\n";
    std::size_t lines = 1;
    const std::size_t start = chunk - shift;  // where the first copy of the record begins
    while (content.size() + 100 < start) {
      content += "1,zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz\r\n";
      ++lines;
    }
    content += "1," + std::string(start - content.size() - 4, 'z') + "\r\n";
    ++lines;
    REQUIRE(content.size() == start);
    std::size_t filler_rows = lines - 1;
    for (int copy = 0; copy < 3; ++copy) content += record;
    lines += 9;
    std::string path = write_temp("split.csv", content + "2,end");
    Columns c = columns_of(path, {"a"});
    REQUIRE(c.rows == filler_rows + 7);
    CHECK(c.values[0][filler_rows] == -123.45678);
    CHECK(c.values[0][filler_rows + 1] == 7);
    CHECK(c.values[0][filler_rows + 4] == -123.45678);
    CHECK(c.values[0][filler_rows + 5] == 7);
    CHECK(c.values[0].back() == 2);
    check_error(error_of(write_temp("split_bad.csv", content + "oops,1"), {"a"}), lines + 1, 1, "a",
                "'oops' is not a number");
  }
}
