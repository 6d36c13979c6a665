// JSON data files (`data N, y, X from "file.json"`, as Stan's): each kind of
// entry read into the Value the same data written inline would give, the
// same answers, and every problem located in the file.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "data/json_data.hpp"
#include "helpers.hpp"

namespace bayes {

namespace {

// A directory of its own holding `name` with `text`; removed by the destructor.
struct JsonFile {
  std::filesystem::path dir;
  JsonFile(const std::string& name, const std::string& text)
      : dir(std::filesystem::temp_directory_path() /
            ("bayes-json-" + std::to_string(reinterpret_cast<std::uintptr_t>(this)))) {
    std::filesystem::create_directories(dir);
    std::ofstream(dir / name) << text;
  }
  ~JsonFile() { std::filesystem::remove_all(dir); }
};

const char* kData = R"({
  "N": 5,
  "rate": 0.5,
  "y": [1.1, 2.3, 2.9, 4.2, 5.1],
  "k": [1, 0, 3],
  "X": [[1, 1], [1, 2], [1, 3], [1, 4], [1, 5]]
})";

}  // namespace

TEST_CASE("json data: numbers, vectors and matrices (one row per inner array)") {
  JsonFile f("d.json", kData);
  std::vector<std::string> names = {"N", "rate", "y", "k", "X"};
  auto read = data::read_json((f.dir / "d.json").string(), names);
  REQUIRE(std::holds_alternative<std::map<std::string, Value>>(read));
  auto& v = std::get<std::map<std::string, Value>>(read);
  CHECK(v["N"].is_scalar());
  CHECK(v["N"].integer);
  CHECK(v["N"][0] == 5);
  CHECK_FALSE(v["rate"].integer);
  CHECK(v["y"].rank == Rank::Vector);
  CHECK(v["y"].size() == 5);
  CHECK(v["y"][3] == 4.2);
  CHECK(v["k"].integer);
  CHECK(v["X"].rank == Rank::Matrix);
  CHECK(v["X"].rows == 5);
  CHECK(v["X"].cols == 2);
  CHECK(v["X"].at(3, 1) == 4);  // row 4, column 2
  CHECK(v["X"].at(3, 0) == 1);
}

TEST_CASE("json data: the same answers as the same data written inline") {
  JsonFile f("d.json", kData);
  const std::string model = R"(param w[2] ~ Normal(0, 10)
y ~ Normal(X * w, 0.5)
param lam ~ Gamma(2, 1)
k ~ Poisson(lam)
print mean(w[2])
print sd(w[1])
print mean(lam)
print N + rate
)";
  auto from_file = test::answers("data N, rate, y, k, X from \"d.json\"\n" + model,
                                 answer::Method::Auto, f.dir.string());
  auto inline_data = test::answers(
      "data N = 5\ndata rate = 0.5\ndata y = [1.1, 2.3, 2.9, 4.2, 5.1]\ndata k = [1, 0, 3]\n"
      "data X = columns([1, 1, 1, 1, 1], [1, 2, 3, 4, 5])\n" +
      model);
  REQUIRE(from_file.size() == inline_data.size());
  for (std::size_t i = 0; i < from_file.size(); ++i) CHECK(from_file[i] == inline_data[i]);
}

TEST_CASE("json data: problems at their place in the file") {
  JsonFile f("bad.json",
             "{\n  \"a\": [1, true],\n  \"b\": [[1], 2],\n  \"c\": [[[1]]],\n"
             "  \"d\": \"x\"\n}\n");
  auto error = [&](const std::string& name) {
    return test::run("data " + name + " from \"bad.json\"\n", f.dir.string()).first_error();
  };
  CHECK(test::contains(error("a"), "bad.json:2:3: 'a' element 2 is true or false"));
  CHECK(test::contains(error("b"), "bad.json:3:3: 'b' mixes numbers and arrays"));
  CHECK(test::contains(error("c"), "bad.json:4:3: 'c' has arrays nested more than two deep"));
  CHECK(test::contains(error("d"), "bad.json:5:3: 'd' is text (\"x\"), not a number"));
  CHECK(test::contains(error("e"), "no entry 'e' (the entries are: a, b, c, d)"));
  JsonFile g("broken.json", "{\"a\": 1,\n \"b\": }\n");
  auto broken = test::run("data a from \"broken.json\"\n", g.dir.string()).first_error();
  CHECK(test::contains(broken, "broken.json:2:7: not valid JSON"));
  JsonFile h("over.json", "{\"ok\": 1,\n \"big\": 1e400}\n");
  auto over = test::run("data ok from \"over.json\"\n", h.dir.string()).first_error();
  CHECK(test::contains(over, "over.json:2:9: '1e400' is too large for a double"));
  // A name given twice is refused at its second occurrence (CmdStan too);
  // the same name inside a nested object does not count.
  JsonFile twice("twice.json", "{\"y\": 1,\n \"n\": {\"y\": 3},\n \"y\" : 2}\n");
  auto dup = test::run("data n from \"twice.json\"\n", twice.dir.string()).first_error();
  CHECK(test::contains(dup, "twice.json:3:2: the name 'y' is given twice"));
  CHECK(data::is_json_path("x/Data.JSON"));
  CHECK_FALSE(data::is_json_path("x/data.csv"));
}

}  // namespace bayes
