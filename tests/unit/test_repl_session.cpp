// The REPL's session commands and questions, through repl::Session: a name
// or an expression alone, :drop, :save (the saved file reproduces the
// session's answers).
#include <doctest/doctest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "helpers.hpp"
#include "repl/repl.hpp"
#include "report/text.hpp"

namespace fs = std::filesystem;
using bayes::test::contains;

namespace {

struct Repl {
  std::ostringstream out, err;
  bayes::repl::Session session{out, err};
  bool line(const std::string& text) { return session.run_line(text); }
  // What the session printed since the last call.
  std::string said() {
    std::string s = out.str() + err.str();
    out.str(""), err.str("");
    return s;
  }
};

}  // namespace

TEST_CASE("REPL: a name or an expression alone is a question") {
  Repl r;
  REQUIRE(r.line("data flips = [1, 0, 1]"));
  REQUIRE(r.line("param p ~ Beta(2, 2)"));
  REQUIRE(r.line("flips ~ Bernoulli(p)"));
  r.said();
  CHECK(r.line("p"));
  CHECK(contains(r.said(), "p = Beta(a = 4, b = 3)"));
  CHECK(r.line("flips"));
  CHECK(contains(r.said(), "flips = [1, 0, 1]"));
  CHECK(r.line("p > 0.5"));
  CHECK(contains(r.said(), "prob(p > 0.5) = 0.6562"));  // 1 - I_0.5(4, 3) = 42/64
  CHECK(r.line("1 - p"));
  const std::string derived = r.said();  // 1 - 4/7 = 0.4286, by draws
  REQUIRE(contains(derived, "1 - p: mean "));
  const double mean = std::stod(derived.substr(derived.find("mean ") + 5));
  CHECK(std::fabs(mean - 3.0 / 7.0) < 0.01);  // 20000 draws: mcse about 0.0012
  CHECK(contains(derived, "monte-carlo"));
  // Not a question: the parse error of what was typed, not of 'print ...'.
  CHECK_FALSE(r.line("param q ~"));
  CHECK(contains(r.said(), "1 | param q ~"));
  CHECK_FALSE(r.line("zz"));
  const std::string unknown = r.said();
  CHECK(contains(unknown, "unknown name 'zz'"));
  CHECK(contains(unknown, "(the line was read as the question 'print zz')"));
}

TEST_CASE("REPL: :drop removes a statement, with the observations of a dropped name") {
  Repl r;
  for (const char* s : {"data flips = [1, 0, 1]", "param p ~ Beta(2, 2)", "flips ~ Bernoulli(p)",
                        "data more = [1, 1]", "more ~ Bernoulli(p)"})
    REQUIRE(r.line(s));
  r.said();
  // p is used by the observations: they go first.
  CHECK_FALSE(r.line(":drop p"));
  CHECK(
      contains(r.said(), "cannot drop 'p': 'flips ~ Bernoulli(p)', 'more ~ Bernoulli(p)' use it"));
  // Dropping data drops its observation; the posterior forgets it.
  CHECK(r.line(":drop more"));
  std::string said = r.said();
  CHECK(contains(said, "(dropped 'data more = [1, 1]')"));
  CHECK(contains(said, "(dropped 'more ~ Bernoulli(p)')"));
  CHECK(r.line("print posterior(p)"));
  CHECK(contains(r.said(), "Beta(a = 4, b = 3)"));
  // A statement by its text, spaces as they come.
  CHECK(r.line(":drop flips ~   Bernoulli(p)"));
  CHECK(r.line("print posterior(p)"));
  CHECK(contains(r.said(), "Beta(a = 2, b = 2)"));
  CHECK_FALSE(r.line(":drop nothing ~ Normal(0, 1)"));
  CHECK(contains(r.said(), "no statement reads 'nothing ~ Normal(0, 1)'"));
  CHECK_FALSE(r.line(":drop flipz"));
  CHECK(contains(r.said(), "no statement defines 'flipz' (did you mean 'flips'?)"));
  CHECK_FALSE(r.line(":drop"));
}

TEST_CASE("REPL: :save writes a model file that gives the session's answers") {
  const fs::path dir = fs::temp_directory_path() / ("bayes-save-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "data");
  fs::create_directories(dir / "saved");
  {
    std::ofstream csv(dir / "data" / "y.csv");
    csv << "y\n2.1\n3.4\n1.9\n2.8\n";
  }
  {
    std::ofstream model(dir / "data" / "start.model");
    model << "data y from \"y.csv\"\nparam mu ~ Normal(0, 10)\n";
  }
  Repl r;
  REQUIRE(r.line(":load " + (dir / "data" / "start.model").string()));
  REQUIRE(r.line("y ~ Normal(mu, 0.5)"));
  REQUIRE(r.line("print posterior(mu)"));
  const std::string session_answer = r.said();
  const fs::path saved = dir / "saved" / "session.model";
  CHECK(r.line(":save " + saved.string()));
  CHECK(contains(r.said(), "(saved 3 statements to "));
  // The data path now leads from the saved file's folder to the CSV.
  const std::string text = bayes::test::read_file(saved.string());
  CHECK(contains(text, "data y from \"../data/y.csv\""));
  auto answers = bayes::test::report(text + "print posterior(mu)\n", bayes::answer::Method::Auto,
                                     (dir / "saved").string());
  std::ostringstream printed;
  bayes::report::write_text(printed, answers, {}, false);
  CHECK(printed.str() == session_answer);
  // Never through a symbolic link.
  fs::create_symlink(saved, dir / "link.model");
  CHECK_FALSE(r.line(":save " + (dir / "link.model").string()));
  CHECK(contains(r.said(), "it is a symbolic link"));
  fs::remove_all(dir);
}
