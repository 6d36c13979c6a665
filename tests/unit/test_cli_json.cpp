// The command line's --json: one JSON document on standard output whatever
// happens (a model that does not compile, a missing file, a plot file that
// cannot be written, a file name that is not UTF-8), exit statuses unchanged.
#include <doctest/doctest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "helpers.hpp"

using json = nlohmann::ordered_json;

namespace {

struct CliRun {
  std::string out;
  int status = -1;
};

// Runs bayes on a model text written to a temporary file; standard error is
// discarded.
CliRun run_json(const std::string& text, const std::string& args = "--json") {
  const auto dir = std::filesystem::temp_directory_path() / "bayes_cli_json";
  std::filesystem::create_directories(dir);
  const auto path = dir / "m.model";
  std::ofstream(path) << text;
  const std::string command = std::string("cd '") + dir.string() + "' && '" + BAYES_EXE +
                              "' m.model " + args + " 2>/dev/null";
  CliRun r;
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe);
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) r.out.append(buffer, n);
  const int raw = pclose(pipe);
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return r;
}

}  // namespace

TEST_CASE("--json: a model that does not compile is one document of located errors") {
  auto r = run_json("data x = [1, 0]\nparam p ~ Betta(2, 2)\n");
  CHECK(r.status == 1);
  const json doc = json::parse(r.out);
  REQUIRE(doc.contains("errors"));
  REQUIRE(doc["errors"].size() == 1);
  const json& e = doc["errors"][0];
  CHECK(e["file"] == "m.model");
  CHECK(e["line"] == 2);
  CHECK(e["column"] == 11);
  CHECK(e["severity"] == "error");
  CHECK(bayes::test::contains(e["message"].get<std::string>(), "did you mean 'Beta'"));
}

TEST_CASE("--json: a missing model file is an error document too") {
  const std::string command =
      std::string("'") + BAYES_EXE + "' /nonexistent/x.model --json 2>/dev/null";
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe);
  std::string out;
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  const int raw = pclose(pipe);
  CHECK(WEXITSTATUS(raw) == 1);
  const json doc = json::parse(out);
  CHECK(doc["errors"][0]["line"] == 0);
  CHECK(bayes::test::contains(doc["errors"][0]["message"].get<std::string>(), "cannot open"));
}

TEST_CASE("--json: a plot file name that is not UTF-8 gives valid JSON, not an abort") {
  auto r = run_json(
      "data x = [1, 0]\nparam p ~ Beta(1, 1)\nx ~ Bernoulli(p)\nplot p to "
      "\"/nonexistent/\xff.svg\"\n");
  CHECK(r.status == 1);
  const json doc = json::parse(r.out);  // throws on invalid UTF-8
  REQUIRE(doc["results"].size() == 1);
  CHECK(bayes::test::contains(doc["results"][0]["error"].get<std::string>(), "cannot write"));
  REQUIRE(doc.contains("diagnostics"));
  CHECK(doc["diagnostics"][0]["line"] == 4);
}

namespace {

// The CSV written by --draws-out, as its header and its rows.
struct Csv {
  std::vector<std::string> header;
  std::vector<std::vector<double>> rows;
};

Csv read_csv(const std::filesystem::path& path) {
  Csv c;
  std::ifstream in(path);
  std::string line;
  bool first = true;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream s(line);
    std::string cell;
    while (std::getline(s, cell, ',')) cells.push_back(cell);
    if (first) {
      c.header = cells, first = false;
      continue;
    }
    std::vector<double> row;
    for (const auto& x : cells) row.push_back(std::stod(x));
    c.rows.push_back(row);
  }
  return c;
}

}  // namespace

TEST_CASE("--draws-out writes the sampler's draws, chain by chain, with CmdStan's names") {
  const auto dir = std::filesystem::temp_directory_path() / "bayes_cli_json";
  std::filesystem::create_directories(dir);
  std::filesystem::remove(dir / "draws.csv");
  auto r = run_json(
      "data y = [2.1, 3.4, 1.9, 2.8, 4.0]\nparam mu ~ Normal(0, 10)\nparam w[2] ~ Normal(0, 1)\n"
      "param s ~ HalfCauchy(1)\ny ~ Normal(mu + w[1] - w[2], s)\nprint posterior(mu)\n",
      "--json --method sample --chains 3 --draws 200 --draws-out draws.csv");
  REQUIRE(r.status == 0);
  auto answer = json::parse(r.out)["results"][0];
  Csv c = read_csv(dir / "draws.csv");
  CHECK(c.header == std::vector<std::string>{"chain", "draw", "mu", "w.1", "w.2", "s"});
  REQUIRE(c.rows.size() == 600);
  CHECK(c.rows[0][0] == 1);
  CHECK(c.rows[200][0] == 2);
  CHECK(c.rows[599][1] == 200);
  // The answer is the summary of exactly these draws.
  double mean = 0;
  for (const auto& row : c.rows) mean += row[2] / 600;
  CHECK(mean == doctest::Approx(answer["mean"].get<double>()).epsilon(1e-12));
  // A directory is refused, with exit status 1.
  auto bad = run_json("param p ~ Beta(2, 2)\n", "--json --draws-out .");
  CHECK(bad.status == 1);
  CHECK(bayes::test::contains(bad.out, "it is a directory"));
}

TEST_CASE("bayes repl takes the run flags: --method, --seed, the sampler's") {
  auto run = [](const std::string& flags) {
    const std::string command =
        "printf 'data k = [3]\\nparam p ~ Beta(2, 2)\\nk ~ Binomial(5, p)\\nprint posterior(p)\\n' "
        "| '" +
        std::string(BAYES_EXE) + "' repl " + flags + " 2>&1";
    std::string out;
    FILE* pipe = popen(command.c_str(), "r");
    REQUIRE(pipe);
    char buffer[4096];
    while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
    pclose(pipe);
    return out;
  };
  CHECK(bayes::test::contains(run(""), "Beta(a = 5, b = 4)"));
  CHECK(bayes::test::contains(run("--method numeric"), "Laplace approximation"));
  CHECK(
      bayes::test::contains(run("--method sample --chains 2 --draws 100"), "200 posterior draws"));
  CHECK(bayes::test::contains(run("--method bogus"), "bogus not in"));
}
