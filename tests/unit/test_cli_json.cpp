// The command line's --json: one JSON document on standard output whatever
// happens (a model that does not compile, a missing file, a plot file that
// cannot be written, a file name that is not UTF-8), exit statuses unchanged.
#include <doctest/doctest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
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
