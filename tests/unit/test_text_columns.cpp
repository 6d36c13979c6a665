// Text columns of a CSV file as categories: coded 1..K in order of first
// appearance, the labels kept and shown with the answers about them; the
// same answers as the file with the codes written as numbers; a number
// column with text further down stays an error at its cell.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "helpers.hpp"
#include "report/text.hpp"

namespace bayes {

namespace {

struct CsvDir {
  std::filesystem::path dir;
  explicit CsvDir(const std::string& tag)
      : dir(std::filesystem::temp_directory_path() / ("bayes-text-" + tag)) {
    std::filesystem::create_directories(dir);
  }
  ~CsvDir() { std::filesystem::remove_all(dir); }
  void write(const std::string& name, const std::string& text) const {
    std::ofstream(dir / name) << text;
  }
};

}  // namespace

TEST_CASE("text columns: categories in order of first appearance, with their labels") {
  CsvDir d("labels");
  d.write("g.csv", "group,score\nB,1.2\nA,2.3\nB,0.9\n\"C, ltd\",3.1\nA,2.0\nC,2.8\n");
  d.write("n.csv", "group,score\n1,1.2\n2,2.3\n1,0.9\n3,3.1\n2,2.0\n4,2.8\n");
  const std::string model =
      "param mu[4] ~ Normal(0, 10)\nscore ~ Normal(mu[group], 0.5)\n"
      "print group\nprint posterior(mu)\n";
  auto text = test::answers("data group, score from \"g.csv\"\n" + model, answer::Method::Auto,
                            d.dir.string());
  auto numbers = test::answers("data group, score from \"n.csv\"\n" + model, answer::Method::Auto,
                               d.dir.string());
  CHECK(text[0]["value"] == nlohmann::ordered_json::parse("[1, 2, 1, 3, 2, 4]"));
  CHECK(text[0]["labels"] == nlohmann::ordered_json::parse(R"(["B", "A", "C, ltd", "C"])"));
  CHECK(text[1]["labels"] == text[0]["labels"]);
  CHECK(text[1]["mean"] == numbers[1]["mean"]);
  CHECK_FALSE(numbers[1].contains("labels"));
}

TEST_CASE("text columns: the default table names each element with its category") {
  CsvDir d("table");
  d.write("g.csv", "group,score\nB,1.2\nA,2.3\nB,0.9\nA,2.0\n");
  const answer::Report rep = test::report(
      "data group, score from \"g.csv\"\nparam mu[2] ~ Normal(0, 10)\n"
      "score ~ Normal(mu[group], 0.5)\n",
      answer::Method::Auto, d.dir.string());
  REQUIRE(rep.default_report);
  std::ostringstream out;
  report::write_report(out, rep);
  CHECK(test::contains(out.str(), "\nmu[1] B "));
  CHECK(test::contains(out.str(), "\nmu[2] A "));
}

TEST_CASE("text columns: a number column with text further down is still an error") {
  CsvDir d("error");
  d.write("b.csv", "x,y\n1,2\n2,abc\n");
  auto r = test::run("data x, y from \"b.csv\"\n", d.dir.string());
  CHECK(test::contains(r.first_error(), "b.csv:3:2: 'abc' is not a number (column 'y')"));
  d.write("e.csv", "g\nA\n\nB\n");
  auto empty = test::run("data g from \"e.csv\"\n", d.dir.string());
  CHECK_FALSE(empty.first_error().empty());
}

}  // namespace bayes
