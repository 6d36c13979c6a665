// The checker: names, types, sizes, supports, and every independent error.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "data/csv.hpp"
#include "graph/factor_graph.hpp"
#include "helpers.hpp"

using namespace bayes;
using bayes::test::run;

TEST_CASE("a correct program checks, with types and sizes") {
  auto r = run(R"(
data x = [1.5, 2, 3]
data n = length(x)
data k = [1, 2, 1]
param w[n] ~ Normal(0, 1)
param mu, s2 ~ NormalInverseGamma(0, 1, 2, 2)
param theta ~ Dirichlet([1, 1])
let total = sum(w) + mu
x ~ Normal(w + mu, sqrt(s2))
k ~ Categorical(theta)
)");
  REQUIRE_MESSAGE(r.compiled, r.errors());
  const Model& m = r.compiled->model;
  CHECK(m.data.size() == 3);
  CHECK(m.data[1].value[0] == 3);
  CHECK(m.data[1].value.integer);
  CHECK_FALSE(m.data[0].value.integer);
  REQUIRE(m.params.size() == 4);
  CHECK(m.params[0].type.is_vector());
  CHECK(m.params[0].type.rows == 3);
  CHECK(m.params[3].type.rows == 2);  // from the Dirichlet's dimension
  CHECK(m.priors.size() == 3);        // w, the joint (mu, s2), theta
  CHECK(m.priors[1].params.size() == 2);
  CHECK(m.params[2].slot == 1);
  CHECK(m.observations.size() == 2);
  CHECK(m.observations[0].text == "x ~ Normal(w + mu, sqrt(s2))");
  CHECK(m.lets[0].expr->type.is_scalar());
}

TEST_CASE("unknown names and distributions, with did-you-mean") {
  // The suggestion is on the error line itself, as LANGUAGE.md shows.
  auto r = run("param p ~ Betta(2, 2)");
  CHECK(r.first_error() == "1:11: unknown distribution 'Betta' (did you mean 'Beta'?)");
  CHECK(r.diags.list()[0].suggestion == "Beta");
  CHECK(r.diags.list()[0].notes.empty());
  auto s = run("data flips = [1]\nparam p ~ Beta(1, 1)\nflip ~ Bernoulli(p)");
  CHECK(s.first_error() == "3:1: unknown name 'flip' (did you mean 'flips'?)");
  CHECK(s.diags.list()[0].suggestion == "flips");
  auto f = run("data x = [1]\ndata y = sqr(x)");
  CHECK(f.first_error() == "2:10: unknown function 'sqr' (did you mean 'sqrt'?)");
  CHECK(f.diags.list()[0].suggestion == "sqrt");
  CHECK(run("print posteror(p)").first_error() ==
        "1:7: unknown query 'posteror' (did you mean 'posterior'?)");
  CHECK(run("param p ~ Zorglub(1)").first_error() == "1:11: unknown distribution 'Zorglub'");
  // The printer puts it on the message line only, not on a line of its own.
  std::ostringstream out;
  print(out, test::source("param p ~ Betta(2, 2)"), r.diags.list()[0]);
  CHECK(out.str() ==
        "t.model:1:11: error: unknown distribution 'Betta' (did you mean 'Beta'?)\n"
        " 1 | param p ~ Betta(2, 2)\n"
        "   |           ^~~~~\n");
}

TEST_CASE("argument counts") {
  CHECK(run("param m ~ Normal(0)").first_error() == "1:11: Normal takes 2 arguments, got 1");
  CHECK(run("data x = exp(1, 2)").first_error() == "1:10: 'exp' takes 1 argument, got 2");
  CHECK(run("fn f(a, b) = a + b\ndata x = f(1)").first_error() ==
        "2:10: 'f' takes 2 arguments, got 1");
}

TEST_CASE("use before definition and second definitions") {
  CHECK(run("let y = x + 1\ndata x = 2").first_error() ==
        "1:9: 'x' is used before its definition on line 2");
  CHECK(run("param mu ~ Normal(m0, 1)\ndata m0 = 0").first_error() ==
        "1:19: 'm0' is used before its definition on line 2");
  CHECK(run("param mu ~ Normal(mu, 1)").first_error() ==
        "1:19: 'mu' is used in its own definition");
  CHECK(run("data y = f(2)\nfn f(x) = x").first_error() ==
        "1:10: 'f' is used before its definition on line 2");
  CHECK(run("fn g(x) = h(x)\nfn h(x) = x").first_error() ==
        "1:11: 'h' is used before its definition on line 2");
  CHECK(run("param p ~ Beta(1, 1)\nprint posterior(q)\nlet q = p").first_error() ==
        "2:17: 'q' is used before its definition on line 3");
  CHECK(run("fn f(x) = f(x)").first_error() ==
        "1:11: 'f' cannot call itself: functions are not recursive");
  CHECK(run("fn f(x) = 1 + g(f(x))").first_error() == "1:15: unknown function 'g'");
  auto r = run("data x = 1\ndata x = 2");
  CHECK(r.first_error() == "2:6: 'x' is already defined");
  CHECK(r.diags.list()[0].notes.at(0).find("line 1") != std::string::npos);
  // The REPL replaces instead.
  Diagnostics d;
  check::Options opt;
  opt.allow_redefinition = true;
  auto c = compile(test::source("data x = 1\ndata x = 2\nprint x"), d, opt);
  REQUIRE(c);
  // A program may redefine a prelude function.
  CHECK(run("fn odds(p) = p\ndata y = odds(2)").compiled);
}

TEST_CASE("the left side of an observation must be data") {
  auto r = run("param m ~ Normal(0, 1)\nm ~ Normal(0, 2)");
  CHECK(r.first_error() == "2:1: the left side of '~' must be data, but 'm' is a parameter");
  CHECK(r.diags.list()[0].notes.at(0) == "to give 'm' a prior, write 'param m ~ Normal(0, 2)'");
  auto e = run("data x = [1, 2]\nparam m ~ Normal(0, 1)\nx - m ~ Normal(0, 2)");
  CHECK(e.first_error() == "3:1: the left side of '~' must be data, but 'm' is a parameter");
  CHECK(e.diags.list()[0].notes.empty());  // 'param x - m ~ ...' would be no advice
  CHECK(run("data x = [1, 2]\nlog(x) ~ Normal(0, 2)").compiled);
}

TEST_CASE("vectors of different lengths") {
  CHECK(run("data a = [1, 2, 3]\ndata b = [1, 2]\ndata c = a + b").first_error() ==
        "3:10: vectors of different lengths (3 and 2) in '+'");
  CHECK(run("data y = [1, 2, 3]\ndata m = [1, 2]\ny ~ Normal(m, 1)").first_error() ==
        "3:12: vectors of different lengths: the left side of '~' has 3 elements but mean has 2");
  CHECK(run("data a = [1, 2]\ndata b = [1, 2, 3]\ndata X = columns(a, b)").first_error() ==
        "3:21: vectors of different lengths (2 and 3) in 'columns'");
  CHECK(run("param w[3] ~ Dirichlet([1, 1])")
            .first_error()
            .find("has size 3 but its Dirichlet prior has dimension 2") != std::string::npos);
  CHECK(run("data X = columns([1, 2], [3, 4])\nparam w[3] ~ Normal(0, 1)\nlet y = X * w")
            .first_error() == "3:9: matrix with 2 columns times a vector of length 3");
}

TEST_CASE("literal hyperparameters outside their support") {
  CHECK(run("param m ~ Normal(0, -1)").first_error() ==
        "1:21: sd of Normal must be positive, got -1");
  CHECK(run("param p ~ Beta(0, 1)").first_error() == "1:16: a of Beta must be positive, got 0");
  CHECK(run("param t ~ Dirichlet([1, -2])").first_error() ==
        "1:21: alpha of Dirichlet must be positive, got -2 (element 2)");
  CHECK(run("param u ~ Uniform(2, 1)").first_error().find("invalid arguments to Uniform") !=
        std::string::npos);
  CHECK(run("data s = -2\nparam m ~ Normal(0, s)").first_error() ==
        "2:21: sd of Normal must be positive, got -2");
  // A hyperparameter that is a parameter cannot be checked before solving.
  CHECK(run("param s ~ HalfNormal(1)\nparam m ~ Normal(0, s)").compiled);
}

TEST_CASE("data outside the likelihood's support") {
  CHECK(run("data f = [1, 0, 2]\nparam p ~ Beta(1, 1)\nf ~ Bernoulli(p)").first_error() ==
        "3:1: data outside the support of Bernoulli: 2 is not 0 or 1 (f[3])");
  CHECK(run("data c = [3, -1]\nparam r ~ Gamma(1, 1)\nc ~ Poisson(r)")
            .first_error()
            .find("-1 is not a count") != std::string::npos);
  CHECK(run("data c = [0.5]\nparam p ~ Beta(1, 1)\nc ~ Binomial(3, p)")
            .first_error()
            .find("0.5 is not a whole number") != std::string::npos);
  CHECK(run("data d = [1, 7]\nparam t ~ Dirichlet([1, 1, 1, 1, 1, 1])\nd ~ Categorical(t)")
            .compiled == std::nullopt);
  CHECK(run("data d = [1, 7]\nd ~ Categorical([0.2, 0.2, 0.2, 0.2, 0.1, 0.1])")
            .first_error()
            .find("7 is not a category of a 6-way Categorical") != std::string::npos);
}

TEST_CASE("every independent error is reported in one run") {
  auto r = run(R"(data flips = [1, 0, 2]
param p ~ Betta(2, 2)
param q ~ Normal(0, -1)
flips ~ Bernoulli(q)
print posterior(zz)
)");
  CHECK(r.diags.error_count() == 4);
  std::string all = r.errors();
  CHECK(all.find("2:11: unknown distribution 'Betta'") != std::string::npos);
  CHECK(all.find("3:21: sd of Normal") != std::string::npos);
  CHECK(all.find("4:1: data outside the support of Bernoulli") != std::string::npos);
  CHECK(all.find("5:17: unknown name 'zz'") != std::string::npos);
  // A name whose definition failed produces no follow-on errors.
  auto s = run("param p ~ Betta(2, 2)\nlet q = p + 1\nprint posterior(q)");
  CHECK(s.diags.error_count() == 1);
}

TEST_CASE("queries") {
  auto r = run(R"(data flips = [1, 0, 1]
param p ~ Beta(2, 2)
flips ~ Bernoulli(p)
let o = p / (1 - p)
print posterior(p)
print map()
print mle(p)
print interval(p, 0.9)
print quantile(o, 0.5)
print prob(p > 0.5 && o < 3)
print predictive(flips)
print evidence()
print mean(flips)
print p
)");
  REQUIRE_MESSAGE(r.compiled, r.errors());
  const auto& q = r.compiled->model.queries;
  REQUIRE(q.size() == 10);
  CHECK(q[0].kind == QueryKind::Posterior);
  CHECK(q[1].kind == QueryKind::Map);
  CHECK(q[1].targets.empty());
  CHECK(q[3].kind == QueryKind::Interval);
  CHECK(q[3].level == doctest::Approx(0.9));
  CHECK(q[4].targets[0].kind == Target::Kind::Let);
  CHECK(q[5].kind == QueryKind::Prob);
  CHECK(q[6].kind == QueryKind::Predictive);
  CHECK(q[6].observations.size() == 1);
  CHECK(q[8].kind == QueryKind::Value);  // mean of data is a number
  CHECK(q[9].kind == QueryKind::Posterior);
  CHECK(run("data x = [1]\nprint posterior(x)").first_error() ==
        "2:17: posterior(...) needs a parameter or a let quantity, but 'x' is data");
  CHECK(run("data x = [1]\nparam p ~ Beta(1, 1)\nprint predictive(x)")
            .first_error()
            .find("is not observed") != std::string::npos);
  CHECK(run("param p ~ Beta(1, 1)\nprint prob(p + 1)").first_error() ==
        "2:12: prob(...) needs a condition such as 'p > 0.5'");
}

TEST_CASE("joint priors need the right number of names") {
  CHECK(run("param mu ~ NormalInverseGamma(0, 1, 2, 2)")
            .first_error()
            .find("joint prior on 2 parameters") != std::string::npos);
}

TEST_CASE("indexing and gather") {
  auto r =
      run("data g = [1, 2, 2, 1]\ndata y = [0.1, 0.5, 0.7, 0.2]\nparam mu[2] ~ Normal(0, 1)\ny ~ "
          "Normal(mu[g], 1)");
  REQUIRE_MESSAGE(r.compiled, r.errors());
  CHECK(r.compiled->model.observations[0].args[0]->type.rows == 4);
  CHECK(run("data v = [1, 2]\ndata z = v[3]").first_error() ==
        "2:12: index 3 of 'v' is out of range 1..2");
  CHECK(run("data v = [1, 2]\ndata z = v[1.5]")
            .first_error()
            .find("an index must be a whole number") != std::string::npos);
  CHECK(run("data v = [1, 2]\nparam i ~ Normal(0, 1)\nlet z = v[i]")
            .first_error()
            .find("an index must be") != std::string::npos);
}

TEST_CASE("data from CSV, relative to the model file") {
  auto dir = std::filesystem::temp_directory_path() / "bayes_checker_csv";
  std::filesystem::create_directories(dir);
  {
    std::ofstream f(dir / "d.csv");
    f << "extra,y,x\nq,1,0.5\nr,0,1.5\ns,1,2.5\n";
  }
  auto r = run("data x, y from \"d.csv\"\nparam p ~ Beta(1, 1)\ny ~ Bernoulli(p)", dir.string());
  REQUIRE_MESSAGE(r.compiled, r.errors());
  const auto& m = r.compiled->model;
  CHECK(m.data[0].value.data == std::vector<double>{0.5, 1.5, 2.5});
  CHECK(m.data[1].value.integer);
  auto missing = run("data z from \"d.csv\"", dir.string());
  CHECK(missing.first_error().find("no column 'z'") != std::string::npos);
  auto nofile = run("data z from \"nope.csv\"", dir.string());
  CHECK(nofile.first_error().rfind("1:13: nope.csv: cannot open", 0) == 0);
  {
    std::ofstream f(dir / "bad.csv");
    f << "y\n1\n2\n";
  }
  auto support =
      run("data y from \"bad.csv\"\nparam p ~ Beta(1, 1)\ny ~ Bernoulli(p)", dir.string());
  // The same FILE:ROW:COL form as the CSV reader's own errors.
  CHECK(support.first_error() ==
        "3:1: bad.csv:3:1: data outside the support of Bernoulli: 2 is not 0 or 1 (column 'y')");
  {
    // Quoted fields across lines: the row is the physical line, for every record after them.
    std::ofstream f(dir / "multi.csv");
    f << "\"a\nheader\",note,y\n1,\"two\nlines\",1\n2,plain,0\n3,\"x\ny\nz\",1\n4,w,7\n";
  }
  auto multi =
      run("data y from \"multi.csv\"\nparam p ~ Beta(1, 1)\ny ~ Bernoulli(p)", dir.string());
  CHECK(multi.first_error() ==
        "3:1: multi.csv:9:3: data outside the support of Bernoulli: 7 is not 0 or 1 (column 'y')");
  auto cols = data::read_columns((dir / "multi.csv").string(), std::vector<std::string>{"y"});
  REQUIRE(std::holds_alternative<data::Columns>(cols));
  const auto& c = std::get<data::Columns>(cols);
  CHECK(c.fields == std::vector<std::size_t>{3});
  std::vector<std::size_t> lines;
  for (std::size_t k = 0; k < c.rows; ++k) lines.push_back(data::record_line(c.lines, k));
  CHECK(lines == std::vector<std::size_t>{3, 5, 6, 9});
  CHECK(c.lines.size() == 3);  // one entry per shift, not per row
  CHECK(data::record_line({}, 0) == 2);
  CHECK(data::record_line({}, 41) == 43);
  std::filesystem::remove_all(dir);
}

TEST_CASE("user functions are inlined and checked where called") {
  auto r = run("fn sq(x) = x * x\ndata v = sq([1, 2, 3])\nprint v");
  REQUIRE_MESSAGE(r.compiled, r.errors());
  CHECK(r.compiled->model.data[0].value.data == std::vector<double>{1, 4, 9});
  CHECK(run("fn f(x) = x + y").first_error() == "1:15: unknown name 'y'");
  CHECK(run("fn f(x, x) = x").first_error() == "1:9: parameter 'x' appears twice");
  // The prelude is there.
  auto p = run("data x = [1, 2, 3]\ndata z = standardize(x)");
  REQUIRE_MESSAGE(p.compiled, p.errors());
  CHECK(p.compiled->model.data[1].value[0] == doctest::Approx(-1));
}

TEST_CASE("an error inside a function is reported at the call") {
  auto r = run("fn f(a, b) = a + b\ndata x = f([1, 2], [1, 2, 3])");
  CHECK(r.first_error() == "2:10: vectors of different lengths (2 and 3) in '+'");
  REQUIRE(r.diags.list().at(0).notes.size() == 1);
  CHECK(r.diags.list()[0].notes[0] == "in 'f', defined on line 1 as f(a, b) = a + b");
  // A prelude function: the call in this file, not the prelude's line.
  auto p = run("data a = [1, 2]\ndata z = ones(a)");
  CHECK(p.first_error() == "2:10: 'rep' needs numbers");
  CHECK(p.diags.list()[0].notes.at(0).find("in 'ones', defined in the prelude as ones(n)") == 0);
  // Two functions deep: at the outer call, with a note for each function.
  auto n = run("fn g(a, b) = a + b\nfn f(a) = g(a, [1, 2, 3])\ndata x = f([1, 2])");
  CHECK(n.first_error() == "3:10: vectors of different lengths (2 and 3) in '+'");
  CHECK(n.diags.list()[0].notes.size() == 2);
  // An error in an argument stays at the argument.
  CHECK(run("fn f(a) = a\ndata x = f(log(1, 2))").first_error() ==
        "2:12: 'log' takes 1 argument, got 2");
  // Nodes made from a body carry the call's span, for errors found later.
  auto ok = run("fn f(a) = a * 2\nparam p ~ Beta(1, 1)\nlet q = f(p)");
  REQUIRE_MESSAGE(ok.compiled, ok.errors());
  CHECK(ok.compiled->model.lets[0].expr->span.line == 3);
  CHECK(ok.compiled->model.lets[0].expr->span.column == 9);
}

TEST_CASE("bounds, sizes and data are numbers, not conditions") {
  CHECK(run("param s > 0 < 5").first_error() == "1:11: a bound must be a number, not a condition");
  CHECK(run("param q in (0, 1 < 2)").first_error() ==
        "1:16: a bound must be a number, not a condition");
  CHECK(run("param w[1 < 2] ~ Normal(0, 1)").first_error() ==
        "1:9: the size of a vector parameter must be a number, not a condition");
  CHECK(run("data b = 1 < 2").first_error() ==
        "1:10: a data value must be a number, not a condition");
  CHECK(run("data x = [1, 2]\ndata b = x > 1").first_error() ==
        "2:10: a data value must be a number, not a condition");
}

TEST_CASE("non-finite data and hyperparameters") {
  CHECK(run("data x = log(-1)").first_error() ==
        "1:10: data must be finite, but log(-1) is not a number (NaN)");
  CHECK(run("data x = 1 / 0").first_error() == "1:10: data must be finite, but 1 / 0 is infinite");
  CHECK(run("data x = [1, -1 / 0]").first_error() ==
        "1:10: data must be finite, but element 2 of [1, -1 / 0] is infinite");
  CHECK(run("param m ~ Normal(0, inf)").first_error() ==
        "1:21: sd of Normal must be finite and positive, got inf");
  CHECK(run("param m ~ Normal(inf, 1)").first_error() ==
        "1:18: mean of Normal must be finite, got inf");
  CHECK(run("data s = 0\nparam m ~ Normal(0, log(s))").first_error() ==
        "2:21: sd of Normal must be positive, got -inf");
  CHECK(run("param m ~ Normal(0, sqrt(-1))").first_error() ==
        "1:21: sd of Normal must be positive, got NaN");
}

TEST_CASE("vector outcomes are checked as a whole") {
  CHECK(run("data y = [3, 2, 1]\ny ~ Multinomial(5, [0.2, 0.3, 0.5])").first_error() ==
        "2:1: data outside the support of Multinomial: the counts sum to 6, not n = 5 (y)");
  CHECK(run("data y = [0.2, 0.9]\ny ~ Dirichlet([1, 1])").first_error() ==
        "2:1: data outside the support of Dirichlet: the values sum to 1.1, not 1 (y)");
  CHECK(run("data y = [0.25, 0.75]\nparam a ~ Gamma(1, 1)\ny ~ Dirichlet([a, a])").compiled);
  CHECK(run("data y = [2, 2, 1]\nparam t ~ Dirichlet([1, 1, 1])\ny ~ Multinomial(5, t)").compiled);
  CHECK(run("data y = [1.0, -2.0, 3.0]\ny ~ NormalInverseGamma(0, 1, 2, 2)").first_error() ==
        "2:5: NormalInverseGamma is a prior on two parameters, not a likelihood for data");
  const dist::Family* mn = dist::find("MultiNormal");
  REQUIRE(static_cast<bool>(mn->check_vector_outcome));
  std::vector<Value> args = {Value::vector({0, 0}), Value{}};
  std::vector<double> x = {1, 2, 3};
  CHECK(mn->check_vector_outcome(args, x) == "the vector has 3 elements but mean has 2");
}

TEST_CASE("data impossible under known arguments") {
  CHECK(run("data y = 1\ny ~ Bernoulli(0)").first_error() ==
        "2:1: the data has probability 0 under Bernoulli(0): the value 1 cannot occur (y)");
  CHECK(run("data y = [0, 1]\ny ~ Poisson(0)").first_error() ==
        "2:1: the data has probability 0 under Poisson(0): the value 1 cannot occur (y[2])");
  CHECK(run("data y = [1, 3]\ny ~ Categorical([0.5, 0.5, 0])").first_error() ==
        "2:1: the data has probability 0 under Categorical([0.5, 0.5, 0]): the value 3 cannot "
        "occur (y[2])");
  CHECK(run("data y = [0, 0]\ny ~ Poisson(0)").compiled);
  CHECK(run("data y = [0, 1]\nparam r ~ Gamma(1, 1)\ny ~ Poisson(r)").compiled);
  CHECK(run("data y = [2.5]\ny ~ Normal(0, 1e-300)").compiled);  // continuous: never claimed
}

TEST_CASE("smaller messages") {
  CHECK(run("data t = [1.5, -0.2]\nparam r ~ Gamma(1, 1)\nt ~ Exponential(r)").first_error() ==
        "3:1: data outside the support of Exponential: -0.2 is negative (t[2])");
  CHECK(run("data y = [1.0]\ny ~ exp(1)").first_error() ==
        "2:5: 'exp' is a function, not a distribution");
  CHECK(run("fn f(x) = x\ndata y = [1.0]\ny ~ f(1)").first_error() ==
        "3:5: 'f' is a function, not a distribution");
  CHECK(run("param w[2] ~ Normal(0, 1)\nprint prob(w > 0)").first_error() ==
        "2:12: prob(...) needs a single condition, but 'w > 0' is a vector of 2 conditions "
        "(index one, e.g. 'w[1] > 0')");
  CHECK(run("param w[3] ~ Normal(0, 1)\nprint prob(0 < w)").first_error() ==
        "2:12: prob(...) needs a single condition, but '0 < w' is a vector of 3 conditions "
        "(index one, e.g. '0 < w[1]')");
  CHECK(run("param k ~ Poisson(2)\ndata x = [1, 2, 3]\nlet y = x[k]").first_error() ==
        "3:11: 'k' takes values 0..inf, which do not all index 1..3");
  CHECK(run("param k ~ Binomial(2, 0.5)\ndata x = [1, 2, 3]\nlet y = x[k]").first_error() ==
        "3:11: 'k' takes values 0..2, which do not all index 1..3");
  CHECK(run("param k ~ Categorical([0.5, 0.5])\ndata x = [1, 2, 3]\nlet y = x[k]").compiled);
}

TEST_CASE("deep expressions stay within the checker's limits") {
  // 250 levels of parentheses and 900 additions are fine through the whole checker.
  std::string nested = "data x = " + std::string(250, '(') + "1" + std::string(250, ')');
  CHECK(run(nested).compiled);
  std::string chain = "param p ~ Beta(1, 1)\nlet s = p";
  for (int i = 0; i < 900; ++i) chain += " + p";
  CHECK(run(chain).compiled);
  // Lets built on lets grow the checked expression past any one statement's depth.
  std::string lets = "param p ~ Beta(1, 1)\nlet l0 = p";
  for (int i = 1; i < 10; ++i) {
    lets += "\nlet l" + std::to_string(i) + " = l" + std::to_string(i - 1);
    for (int j = 0; j < 300; ++j) lets += " + p";
  }
  auto r = run(lets);
  CHECK(r.first_error().find("expression nested too deeply once lets and functions are expanded") !=
        std::string::npos);
  // Functions calling functions: the inlined body is bounded too.
  std::string fns = "fn f0(x) = x";
  for (int j = 0; j < 300; ++j) fns += " + x";
  for (int i = 1; i < 12; ++i)
    fns += "\nfn f" + std::to_string(i) + "(x) = f" + std::to_string(i - 1) + "(x) + 1";
  fns += "\nparam p ~ Beta(1, 1)\nlet q = f11(p)";
  CHECK(run(fns).compiled);
}

TEST_CASE("model files: a UTF-8 byte order mark, and CR line ends") {
  auto dir = std::filesystem::temp_directory_path() / "bayes_checker_source";
  std::filesystem::create_directories(dir);
  {
    std::ofstream f(dir / "bom.model", std::ios::binary);
    f << "\xEF\xBB\xBF"
      << "data x = [1, 0]\nparam p ~ Beta(1, 1)\nx ~ Bernoulli(p)\n";
  }
  {
    std::ofstream f(dir / "cr.model", std::ios::binary);
    f << "data x = [1, 0]\rparam p ~ Beta(1, 1)\rx ~ Bernoulli(q)\r";
  }
  std::string error;
  auto bom = read_source((dir / "bom.model").string(), error);
  REQUIRE(bom);
  CHECK(bom->text.rfind("data", 0) == 0);
  Diagnostics d1;
  CHECK(compile(*bom, d1));
  auto cr = read_source((dir / "cr.model").string(), error);
  REQUIRE(cr);
  Diagnostics d2;
  CHECK_FALSE(compile(*cr, d2));
  REQUIRE(!d2.list().empty());
  CHECK(d2.list()[0].span.line == 3);  // lines counted at each CR
  CHECK(d2.list()[0].span.column == 15);
  std::filesystem::remove_all(dir);
}

TEST_CASE("queries: mean(...) and sd(...) of a data expression are the built-ins") {
  auto r = bayes::test::answers(
      "param mu ~ Normal(0, 1)\n[1.0, 2.0] ~ Normal(mu, 1)\n"
      "print mean([1, 3])\nprint sd([1, 3, 5])\nprint mean(mu)\n");
  REQUIRE(r.size() == 3);
  CHECK(r[0]["value"].get<double>() == 2.0);
  CHECK(r[1]["value"].get<double>() == 2.0);                    // the sample sd, as R's sd()
  CHECK(std::fabs(r[2]["value"].get<double>() - 1.0) < 1e-12);  // posterior mean (0 + 3) / 3
  // One element of a parameter is a query (the marginal); so is any
  // expression of parameters (a derived quantity, named by its text).
  auto element = bayes::test::run("param w[2] ~ Normal(0, 1)\nprint sd(w[1])\n");
  CHECK(element.errors().empty());
  auto d = bayes::test::answers(
      "param w[2] ~ Normal(0, 1)\nlet v = w * 2\nprint sd(v[1])\nprint w[1] - w[2]\n"
      "print w[1] > 0\nprint mean(exp(w[2]))\n");
  REQUIRE(d.size() == 4);
  CHECK(d[0]["query"] == "sd(v[1])");
  CHECK(std::fabs(d[0]["value"].get<double>() - 2.0) < 0.05);  // 2 sd(w[1]), by draws
  CHECK(d[1]["query"] == "w[1] - w[2]");
  CHECK(std::fabs(d[1]["sd"].get<double>() - std::sqrt(2.0)) < 0.05);
  CHECK(d[2]["query"] == "prob(w[1] > 0)");  // a condition: its probability
  CHECK(std::fabs(d[2]["value"].get<double>() - 0.5) < 1e-12);
  CHECK(std::fabs(d[3]["value"].get<double>() - std::exp(0.5)) < 0.1);  // lognormal mean
  // A query's expression is no node of the model's graph.
  auto graphed = bayes::test::run("param w[2] ~ Normal(0, 1)\nprint w[1] - w[2]\n");
  REQUIRE(graphed.compiled);
  std::ostringstream dot;
  bayes::graph::write_dot(dot, graphed.compiled->graph);
  CHECK(dot.str().find("w[1] - w[2]") == std::string::npos);
  auto unknown = bayes::test::run("param w[2] ~ Normal(0, 1)\nprint w[1] - u\n");
  CHECK(unknown.first_error().rfind("2:14: unknown name 'u'", 0) == 0);
}
