// The checker: names, types, sizes, supports, and every independent error.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

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
  auto r = run("param p ~ Betta(2, 2)");
  CHECK(r.first_error() == "1:11: unknown distribution 'Betta'");
  CHECK(r.diags.list()[0].suggestion == "Beta");
  auto s = run("data flips = [1]\nparam p ~ Beta(1, 1)\nflip ~ Bernoulli(p)");
  CHECK(s.first_error() == "3:1: unknown name 'flip'");
  CHECK(s.diags.list()[0].suggestion == "flips");
  auto f = run("data x = [1]\ndata y = sqr(x)");
  CHECK(f.first_error() == "2:10: unknown function 'sqr'");
  CHECK(f.diags.list()[0].suggestion == "sqrt");
  CHECK(run("print posteror(p)").diags.list().at(0).suggestion == "posterior");
}

TEST_CASE("argument counts") {
  CHECK(run("param m ~ Normal(0)").first_error() == "1:11: Normal takes 2 arguments, got 1");
  CHECK(run("data x = exp(1, 2)").first_error() == "1:10: 'exp' takes 1 argument, got 2");
  CHECK(run("fn f(a, b) = a + b\ndata x = f(1)").first_error() ==
        "2:10: 'f' takes 2 arguments, got 1");
}

TEST_CASE("use before definition and second definitions") {
  CHECK(run("let y = x + 1\ndata x = 2").first_error() == "1:9: unknown name 'x'");
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
  CHECK(run("data x = [1, 2]\nparam m ~ Normal(0, 1)\nx - m ~ Normal(0, 2)").first_error() ==
        "3:1: the left side of '~' must be data, but 'm' is a parameter");
  CHECK(run("data x = [1, 2]\nlog(x) ~ Normal(0, 2)").compiled);
}

TEST_CASE("vectors of different lengths") {
  CHECK(run("data a = [1, 2, 3]\ndata b = [1, 2]\ndata c = a + b").first_error() ==
        "3:10: vectors of different lengths (3 and 2) in '+'");
  CHECK(run("data y = [1, 2, 3]\ndata m = [1, 2]\ny ~ Normal(m, 1)").first_error() ==
        "3:12: vectors of different lengths: the left side of '~' has 3 elements but mean has 2");
  CHECK(run("data a = [1, 2]\ndata b = [1, 2, 3]\ndata X = columns(a, b)").first_error() ==
        "3:21: vectors of different lengths (2 and 3) in 'columns'");
  CHECK(run("param w[3] ~ Dirichlet([1, 1])").first_error().find("has size 3 but its Dirichlet prior has dimension 2") != std::string::npos);
  CHECK(run("data X = columns([1, 2], [3, 4])\nparam w[3] ~ Normal(0, 1)\nlet y = X * w").first_error() ==
        "3:9: matrix with 2 columns times a vector of length 3");
}

TEST_CASE("literal hyperparameters outside their support") {
  CHECK(run("param m ~ Normal(0, -1)").first_error() == "1:21: sd of Normal must be positive, got -1");
  CHECK(run("param p ~ Beta(0, 1)").first_error() == "1:16: a of Beta must be positive, got 0");
  CHECK(run("param t ~ Dirichlet([1, -2])").first_error() ==
        "1:21: alpha of Dirichlet must be positive, got -2 (element 2)");
  CHECK(run("param u ~ Uniform(2, 1)").first_error().find("invalid arguments to Uniform") != std::string::npos);
  CHECK(run("data s = -2\nparam m ~ Normal(0, s)").first_error() == "2:21: sd of Normal must be positive, got -2");
  // A hyperparameter that is a parameter cannot be checked before solving.
  CHECK(run("param s ~ HalfNormal(1)\nparam m ~ Normal(0, s)").compiled);
}

TEST_CASE("data outside the likelihood's support") {
  CHECK(run("data f = [1, 0, 2]\nparam p ~ Beta(1, 1)\nf ~ Bernoulli(p)").first_error() ==
        "3:1: data outside the support of Bernoulli: 2 is not 0 or 1 (f[3])");
  CHECK(run("data c = [3, -1]\nparam r ~ Gamma(1, 1)\nc ~ Poisson(r)").first_error().find("-1 is not a count") != std::string::npos);
  CHECK(run("data c = [0.5]\nparam p ~ Beta(1, 1)\nc ~ Binomial(3, p)").first_error().find("0.5 is not a whole number") != std::string::npos);
  CHECK(run("data d = [1, 7]\nparam t ~ Dirichlet([1, 1, 1, 1, 1, 1])\nd ~ Categorical(t)").compiled == std::nullopt);
  CHECK(run("data d = [1, 7]\nd ~ Categorical([0.2, 0.2, 0.2, 0.2, 0.1, 0.1])").first_error().find("7 is not a category of a 6-way Categorical") != std::string::npos);
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
  CHECK(run("data x = [1]\nparam p ~ Beta(1, 1)\nprint predictive(x)").first_error().find("is not observed") != std::string::npos);
  CHECK(run("param p ~ Beta(1, 1)\nprint prob(p + 1)").first_error() ==
        "2:12: prob(...) needs a condition such as 'p > 0.5'");
}

TEST_CASE("joint priors need the right number of names") {
  CHECK(run("param mu ~ NormalInverseGamma(0, 1, 2, 2)").first_error().find("joint prior on 2 parameters") != std::string::npos);
}

TEST_CASE("indexing and gather") {
  auto r = run("data g = [1, 2, 2, 1]\ndata y = [0.1, 0.5, 0.7, 0.2]\nparam mu[2] ~ Normal(0, 1)\ny ~ Normal(mu[g], 1)");
  REQUIRE_MESSAGE(r.compiled, r.errors());
  CHECK(r.compiled->model.observations[0].args[0]->type.rows == 4);
  CHECK(run("data v = [1, 2]\ndata z = v[3]").first_error() == "2:12: index 3 is out of range 1..2");
  CHECK(run("data v = [1, 2]\ndata z = v[1.5]").first_error().find("an index must be a whole number") != std::string::npos);
  CHECK(run("data v = [1, 2]\nparam i ~ Normal(0, 1)\nlet z = v[i]").first_error().find("an index must be") != std::string::npos);
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
  auto support = run("data y from \"bad.csv\"\nparam p ~ Beta(1, 1)\ny ~ Bernoulli(p)", dir.string());
  CHECK(support.first_error() ==
        "3:1: data outside the support of Bernoulli: 2 is not 0 or 1 (bad.csv, row 3, column 'y')");
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
