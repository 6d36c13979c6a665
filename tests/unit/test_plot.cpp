// Plots (src/answer/plot_data.cpp, src/report/plot_text.cpp, plot_svg.cpp)
// and model comparison (src/answer/compare.cpp): the grid covers the mass,
// every curve integrates to 1, the markers sit at the closed-form MAP and MLE,
// the SVG is well-formed XML with axes and a legend, and the Bayes factor of
// two Beta-Binomial models matches the hand computation.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "answer/answer.hpp"
#include "answer/compare.hpp"
#include "helpers.hpp"
#include "report/json.hpp"
#include "report/plot_svg.hpp"
#include "report/plot_text.hpp"
#include "report/text.hpp"

using bayes::answer::PlotData;
using json = nlohmann::ordered_json;

namespace {

PlotData plot_of(const std::string& text,
                 bayes::answer::Method method = bayes::answer::Method::Auto) {
  auto rep = bayes::test::report(text, method);
  REQUIRE(rep.answers.size() == 1);
  INFO(bayes::report::to_json(rep.answers[0]).dump());
  const auto* plot = std::get_if<bayes::answer::Plot>(&rep.answers[0].body);
  REQUIRE(plot);
  return plot->data;
}

double integral(const PlotData& d, const std::vector<double>& y) {
  double h = (d.hi - d.lo) / static_cast<double>(d.x.size()), s = 0;
  for (double v : y) s += v * h;
  return s;
}

double argmax(const PlotData& d, const std::vector<double>& y) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < y.size(); ++i)
    if (y[i] > y[best]) best = i;
  return d.x[best];
}

// A small XML well-formedness check: tags nest and close, attributes are
// quoted, and the text holds no raw '<' or stray '&'.
bool well_formed(const std::string& s, std::string& why) {
  std::vector<std::string> stack;
  std::size_t i = 0;
  if (s.starts_with("<?xml")) i = s.find("?>") + 2;
  while (i < s.size()) {
    if (s[i] == '&') {
      auto semi = s.find(';', i);
      std::string ent = s.substr(i, semi - i + 1);
      if (ent != "&amp;" && ent != "&lt;" && ent != "&gt;" && ent != "&quot;") {
        why = "bad entity at " + std::to_string(i);
        return false;
      }
      i = semi + 1;
      continue;
    }
    if (s[i] != '<') {
      ++i;
      continue;
    }
    auto end = s.find('>', i);
    if (end == std::string::npos) {
      why = "unclosed tag";
      return false;
    }
    std::string tag = s.substr(i + 1, end - i - 1);
    i = end + 1;
    if (tag.starts_with("!--")) continue;
    if (tag.starts_with("/")) {
      if (stack.empty() || stack.back() != tag.substr(1)) {
        why = "mismatched </" + tag.substr(1) + ">";
        return false;
      }
      stack.pop_back();
      continue;
    }
    bool self = tag.ends_with("/");
    std::string name = tag.substr(0, tag.find_first_of(" /"));
    // Attributes: name="value" pairs.
    std::size_t quotes = 0;
    for (char c : tag) quotes += c == '"';
    if (quotes % 2) {
      why = "unbalanced quotes in <" + name + ">";
      return false;
    }
    if (tag.find('<') != std::string::npos) {
      why = "'<' inside <" + name + ">";
      return false;
    }
    if (!self) stack.push_back(name);
  }
  if (!stack.empty()) why = "unclosed <" + stack.back() + ">";
  return stack.empty();
}

const char* kCoin = R"(
data flips = [1, 0, 1, 1, 0, 1, 1, 1, 0, 1]
param p ~ Beta(2, 2)
flips ~ Bernoulli(p)
plot p
)";

}  // namespace

TEST_CASE("plot data of a Beta-Bernoulli posterior") {
  PlotData d = plot_of(kCoin);
  CHECK_FALSE(d.discrete);
  CHECK(d.method == "conjugate");
  // The posterior spreads over more than half of [0, 1]: the whole support.
  CHECK(d.lo == 0);
  CHECK(d.hi == 1);
  CHECK(d.x.size() == d.posterior.size());
  CHECK(integral(d, d.posterior) == doctest::Approx(1).epsilon(1e-3));
  CHECK(integral(d, d.prior) == doctest::Approx(1).epsilon(1e-3));
  CHECK(integral(d, d.likelihood) == doctest::Approx(1).epsilon(1e-9));
  CHECK(d.likelihood_mass == doctest::Approx(1).epsilon(1e-9));
  CHECK(d.posterior_mass == doctest::Approx(1).epsilon(1e-3));
  REQUIRE(d.map);
  REQUIRE(d.mle);
  CHECK(*d.map == doctest::Approx(8.0 / 12));
  CHECK(*d.mle == doctest::Approx(0.7));
  // Peaks: the posterior at the MAP, the likelihood at the MLE (grid 1/400).
  CHECK(argmax(d, d.posterior) == doctest::Approx(8.0 / 12).epsilon(0.005));
  CHECK(argmax(d, d.likelihood) == doctest::Approx(0.7).epsilon(0.005));
  // The normalised likelihood of 7 in 10 is Beta(8, 4): its density at 0.5 is
  // 0.5^10 / B(8, 4) = 1.2890625.
  std::size_t mid = d.x.size() / 2 - 1;  // the cell [0.4975, 0.5]
  CHECK(d.likelihood[mid] == doctest::Approx(1.2890625).epsilon(0.01));
  CHECK(d.posterior_label == "posterior Beta(a = 9, b = 5)");
  CHECK(d.prior_label == "prior Beta(2, 2)");
}

TEST_CASE("plot range of a Normal mean covers the mass and the MLE") {
  // Prior far from the data: the range holds the posterior's central 99.9%
  // and the likelihood (widened until it falls to 1e-3 of its peak).
  PlotData d = plot_of(R"(
data y = [10.2, 9.8, 10.5, 10.1]
param mu ~ Normal(0, 1)
y ~ Normal(mu, 1)
plot mu
)");
  CHECK(d.posterior_mass > 0.998);
  CHECK(d.lo < *d.map);
  CHECK(d.hi > *d.mle);
  CHECK(integral(d, d.likelihood) == doctest::Approx(d.likelihood_mass).epsilon(1e-9));
  CHECK(d.likelihood_mass > 0.99);
  double top = *std::max_element(d.likelihood.begin(), d.likelihood.end());
  CHECK(d.likelihood.back() < 1e-2 * top);
  // The likelihood of mu is Normal(mean(y), 1 / sqrt(4)): peak 1 / (0.5 sqrt(2 pi)).
  CHECK(top == doctest::Approx(1 / (0.5 * std::sqrt(2 * M_PI))).epsilon(0.01));
  CHECK(*d.mle == doctest::Approx(10.15));
  CHECK(*d.map == doctest::Approx(40.6 / 5));
}

TEST_CASE("plot of a Laplace posterior and of a flat improper prior") {
  PlotData d = plot_of(kCoin, bayes::answer::Method::Numeric);
  CHECK(d.method == "laplace");
  CHECK(d.posterior_label == "posterior (Laplace approximation)");
  CHECK(integral(d, d.posterior) == doctest::Approx(1).epsilon(0.01));
  CHECK(*d.map == doctest::Approx(8.0 / 12).epsilon(1e-4));

  PlotData f = plot_of(R"(
data counts = [3, 5, 2, 4, 6, 3]
param rate > 0
counts ~ Poisson(rate)
plot rate
)");
  CHECK(f.lo >= 0);
  CHECK(f.prior_label == "prior flat on (0, inf) (improper)");
  CHECK(f.prior.front() == doctest::Approx(f.prior.back()));
  CHECK(integral(f, f.prior) == doctest::Approx(1));
  // The flat prior is the limit Gamma(1, 0): the posterior Gamma(24, 6),
  // which peaks at the MLE 23 / 6 as the likelihood does.
  CHECK(f.method == "conjugate");
  CHECK(integral(f, f.posterior) == doctest::Approx(1).epsilon(0.01));
  CHECK(argmax(f, f.posterior) == doctest::Approx(23.0 / 6).epsilon(0.01));
  CHECK(argmax(f, f.likelihood) == doctest::Approx(23.0 / 6).epsilon(0.01));
  CHECK(*f.mle == doctest::Approx(23.0 / 6).epsilon(1e-4));
}

TEST_CASE("plot of a discrete parameter: bars at each value") {
  PlotData d = plot_of(R"(
data mean = [0.65, 0.42]
data x = 0.5
param species ~ Categorical([0.7, 0.3])
x ~ Normal(mean[species], 0.1)
plot species
)");
  CHECK(d.discrete);
  REQUIRE(d.x == std::vector<double>{1, 2});
  CHECK(d.prior[0] == doctest::Approx(0.7));
  double l1 = std::exp(-0.5 * 1.5 * 1.5), l2 = std::exp(-0.5 * 0.8 * 0.8);
  CHECK(d.likelihood[0] == doctest::Approx(l1 / (l1 + l2)));
  CHECK(d.posterior[0] == doctest::Approx(0.7 * l1 / (0.7 * l1 + 0.3 * l2)));
  CHECK(*d.map == 1);
  CHECK(*d.mle == 2);
  std::ostringstream out;
  bayes::report::write_plot_text(out, d);
  CHECK(out.str().find("probability") != std::string::npos);
  CHECK(out.str().find("▲ MAP 1   △ MLE 2") != std::string::npos);
}

TEST_CASE("terminal plot: axes, markers and legend") {
  PlotData d = plot_of(kCoin);
  std::ostringstream out;
  bayes::report::write_plot_text(out, d);
  std::string s = out.str();
  CHECK(s.find("density") != std::string::npos);
  CHECK(s.find("▀▄ posterior Beta(a = 9, b = 5)") != std::string::npos);
  CHECK(s.find("░░ likelihood (normalised)") != std::string::npos);
  CHECK(s.find("·· prior Beta(2, 2)") != std::string::npos);
  CHECK(s.find("▲ MAP 0.6667   △ MLE 0.7") != std::string::npos);
  CHECK(s.find("└") != std::string::npos);
  CHECK(s.find("\x1b[") == std::string::npos);  // no colour unless asked
  std::ostringstream colored;
  bayes::report::write_plot_text(colored, d, true);
  CHECK(colored.str().find("\x1b[31m") != std::string::npos);
}

TEST_CASE("nice ticks") {
  CHECK(bayes::report::nice_ticks(0, 1) == std::vector<double>{0, 0.2, 0.4, 0.6, 0.8, 1});
  auto t = bayes::report::nice_ticks(7.3, 13.1);
  CHECK(t.front() == 8);
  CHECK(t.back() == 13);
  CHECK(bayes::report::tick_label(0.6000000001, 0.2) == "0.6");
  CHECK(bayes::report::nice_ceil(3.1) == 5);
  CHECK(bayes::report::nice_ceil(2.1) == 2.5);
}

TEST_CASE("SVG plot: well-formed, with axes, ticks, legend and markers") {
  for (const char* model : {kCoin, R"(
data x = 0.5
param species ~ Categorical([0.7, 0.3])
x ~ Normal([0.65, 0.42][species], 0.1)
plot species
)"}) {
    PlotData d = plot_of(model);
    std::string svg = bayes::report::svg_plot(d);
    std::string why;
    CHECK_MESSAGE(well_formed(svg, why), why);
    CHECK(svg.find("viewBox=\"0 0 720 480\"") != std::string::npos);
    CHECK(svg.find("class=\"axes\"") != std::string::npos);
    CHECK(svg.find("class=\"x-labels\"") != std::string::npos);
    CHECK(svg.find("class=\"legend\"") != std::string::npos);
    CHECK(svg.find(">MAP ") != std::string::npos);
    CHECK(svg.find(">MLE ") != std::string::npos);
    CHECK(svg.find(d.posterior_label) != std::string::npos);
    if (!d.discrete) {
      std::size_t lines = 0;
      for (auto at = svg.find("<polyline"); at != std::string::npos;
           at = svg.find("<polyline", at + 1))
        ++lines;
      CHECK(lines == 3);
      CHECK(svg.find(">0.6</text>") != std::string::npos);  // an x tick label
    }
  }
}

TEST_CASE("SVG file: written atomically, errors say why") {
  PlotData d = plot_of(kCoin);
  std::string path = std::string(BAYES_TEST_DIR) + "/../build_test_plot.svg";
  std::string why;
  REQUIRE(bayes::report::write_svg(d, path, why));
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  CHECK(text.str() == bayes::report::svg_plot(d));
  std::remove(path.c_str());
  CHECK_FALSE(bayes::report::write_svg(d, "/no/such/dir/p.svg", why));
  CHECK(why == "cannot write '/no/such/dir/p.svg': No such file or directory");
}

TEST_CASE("SVG file: only regular files, never the model's own, never through a planted link") {
  namespace fs = std::filesystem;
  PlotData d = plot_of(kCoin);
  const fs::path dir = fs::temp_directory_path() / "bayes_test_plot_safety";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string why;
  // A directory, a device.
  CHECK_FALSE(bayes::report::write_svg(d, dir.string(), why));
  CHECK(bayes::test::contains(why, "it is a directory"));
  CHECK_FALSE(bayes::report::write_svg(d, "/dev/null", why));
  CHECK(bayes::test::contains(why, "not a regular file"));
  // The model's own data file, named by another path to the same file (a hard link).
  const fs::path data = dir / "data.csv";
  std::ofstream(data) << "x\n1\n";
  fs::create_hard_link(data, dir / "alias.csv");
  CHECK_FALSE(bayes::report::write_svg(d, (dir / "alias.csv").string(), why, {data.string()}));
  CHECK(bayes::test::contains(why, "the model's own source or data file"));
  std::ifstream kept(data);
  std::string first;
  std::getline(kept, first);
  CHECK(first == "x");
  // A symlink planted where a fixed temporary name would be is not followed.
  const fs::path victim = dir / "victim";
  fs::create_symlink(victim, dir / "p.svg.tmp");
  REQUIRE(bayes::report::write_svg(d, (dir / "p.svg").string(), why));
  CHECK_FALSE(fs::exists(victim));
  CHECK(fs::is_regular_file(fs::symlink_status(dir / "p.svg")));
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++files;
  CHECK(files == 4);  // data.csv, alias.csv, p.svg.tmp, p.svg: no temporary left behind
  // Never through a link: the link (a rename over /dev/stdout would replace
  // the system's) and the file it names both stay as they were.
  std::ofstream(dir / "real.svg") << "old";
  fs::create_symlink(dir / "real.svg", dir / "link.svg");
  CHECK_FALSE(bayes::report::write_svg(d, (dir / "link.svg").string(), why));
  CHECK(bayes::test::contains(why, "it is a symbolic link"));
  CHECK(fs::is_symlink(dir / "link.svg"));
  CHECK(fs::file_size(dir / "real.svg") == 3);
  fs::create_symlink(dir / "nowhere.svg", dir / "dangling.svg");
  CHECK_FALSE(bayes::report::write_svg(d, (dir / "dangling.svg").string(), why));
  CHECK_FALSE(fs::exists(dir / "nowhere.svg"));
  fs::remove_all(dir);
}

TEST_CASE("plot --json: a summary of the grid, not the picture") {
  auto rep = bayes::test::report(kCoin);
  const json r = bayes::report::to_json(rep.answers[0]);
  CHECK(r["query"] == "plot p");
  CHECK(r["method"] == "conjugate");
  CHECK(r["plot"]["kind"] == "density");
  CHECK(r["plot"]["points"] == 300);
  CHECK(r["plot"]["range"] == json::array({0, 1}));
  CHECK(r["plot"]["map"].get<double>() == doctest::Approx(8.0 / 12));
  CHECK_FALSE(r.contains("file"));
}

TEST_CASE("compare: Beta-Binomial evidences by hand") {
  // log p(k | n) = log C(n, k) + log B(a + k, b + n - k) - log B(a, b).
  auto lbeta = [](double a, double b) {
    return std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b);
  };
  double log_c = std::log(120.0);  // C(10, 7)
  double ea = log_c + lbeta(9, 5) - lbeta(2, 2);
  double eb = log_c + lbeta(8, 4) - lbeta(1, 1);  // = log(1 / 11): uniform prior
  CHECK(eb == doctest::Approx(-std::log(11.0)));
  auto a = bayes::test::run("data k = 7\nparam p ~ Beta(2, 2)\nk ~ Binomial(10, p)\n");
  auto b = bayes::test::run("data k = 7\nparam q ~ Beta(1, 1)\nk ~ Binomial(10, q)\n");
  REQUIRE(a.compiled);
  REQUIRE(b.compiled);
  auto typed = bayes::answer::compare({{&*a.compiled, "a.model"}, {&*b.compiled, "b.model"}}, {});
  json c = bayes::report::to_json(typed);
  INFO(c.dump());
  CHECK(c["models"][0]["log_evidence"].get<double>() == doctest::Approx(ea).epsilon(1e-10));
  CHECK(c["models"][1]["log_evidence"].get<double>() == doctest::Approx(eb).epsilon(1e-10));
  CHECK(c["log_bayes_factor"].get<double>() == doctest::Approx(ea - eb).epsilon(1e-10));
  CHECK(c["bayes_factor"].get<double>() == doctest::Approx(std::exp(ea - eb)).epsilon(1e-10));
  CHECK(c["favours"] == "a.model");
  CHECK(c["strength"] == "not worth more than a bare mention");
  CHECK(c["exact"] == true);
  CHECK(c["warnings"].empty());

  auto other = bayes::test::run("data k = 3\nparam p ~ Beta(2, 2)\nk ~ Binomial(10, p)\n");
  REQUIRE(other.compiled);
  auto w = bayes::answer::compare({{&*a.compiled, "a.model"}, {&*other.compiled, "c.model"}}, {});
  CHECK(test::contains(w.error, "c.model (as many values, 1, but not the same) does not observe"));
  CHECK(w.ranking.empty());  // no verdict

  std::ostringstream out;
  bayes::report::write_compare(out, typed);
  CHECK(out.str().find("in favour of a.model") != std::string::npos);
}

TEST_CASE("compare: three models ranked, with their probabilities under equal prior odds") {
  auto lbeta = [](double a, double b) {
    return std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b);
  };
  // 7 of 10 under Beta(2, 2), Beta(1, 1), Beta(5, 5): the binomial
  // coefficient cancels in every ratio.
  const double e[3] = {lbeta(9, 5) - lbeta(2, 2), lbeta(8, 4) - lbeta(1, 1),
                       lbeta(12, 8) - lbeta(5, 5)};
  const double total = std::exp(e[0]) + std::exp(e[1]) + std::exp(e[2]);
  std::vector<bayes::test::Result> runs;
  for (const char* prior : {"Beta(2, 2)", "Beta(1, 1)", "Beta(5, 5)"})
    runs.push_back(bayes::test::run(std::string("data k = 7\nparam p ~ ") + prior +
                                    "\nk ~ Binomial(10, p)\n"));
  auto c = bayes::answer::compare(
      {{&*runs[0].compiled, "a"}, {&*runs[1].compiled, "b"}, {&*runs[2].compiled, "c"}}, {});
  REQUIRE(c.error.empty());
  CHECK(c.ranking == std::vector<std::size_t>{2, 0, 1});
  for (int i = 0; i < 3; ++i) {
    CHECK(c.models[i].probability == doctest::Approx(std::exp(e[i]) / total).epsilon(1e-10));
    CHECK(c.models[i].log_factor_to_best == doctest::Approx(e[2] - e[i]).epsilon(1e-10));
  }
  CHECK(c.favours == "c");
  CHECK(std::isnan(c.log_bayes_factor));  // quoted for two models only
  // How each evidence was found (bayes compare --explain).
  std::string how;
  for (const auto& line : c.models[2].explain) how += line + "\n";
  CHECK(test::contains(how, "Beta(5 + 7, 5 + 3) = Beta(12, 8)"));
  json j = bayes::report::to_json(c);
  CHECK(j["ranking"] == json::array({"c", "a", "b"}));
  CHECK(j["models"][1]["probability"].get<double>() == doctest::Approx(std::exp(e[1]) / total));
}

TEST_CASE("Kass & Raftery scale") {
  CHECK(bayes::answer::kass_raftery(2) == "not worth more than a bare mention");
  CHECK(bayes::answer::kass_raftery(5) == "substantial");
  CHECK(bayes::answer::kass_raftery(50) == "strong");
  CHECK(bayes::answer::kass_raftery(500) == "decisive");
}

TEST_CASE("default report: an aligned table") {
  auto rep =
      bayes::test::report("data flips = [1, 0, 1]\nparam p ~ Beta(2, 2)\nflips ~ Bernoulli(p)\n");
  CHECK(rep.default_report);
  std::ostringstream out;
  bayes::report::write_report(out, rep);
  std::string s = out.str();
  CHECK(s.starts_with("parameter  method     posterior"));
  CHECK(s.find("p          conjugate  Beta(a = 4, b = 3)") != std::string::npos);
}

TEST_CASE("plot of a let: an element's marginal, or a density estimate from draws") {
  // Bayesian linear regression: w[1]'s marginal posterior is Normal, so the
  // curve integrates to 1 and peaks at the MAP (the posterior mean).
  PlotData e = plot_of(R"(
data x = [1, 2, 3, 4, 5]
data y = [1.1, 2.3, 2.9, 4.2, 4.8]
param w0 ~ Normal(0, 10)
param w[1] ~ Normal(0, 1)
y ~ Normal(w0 + columns(x) * w, 0.5)
let slope = w[1]
plot slope
)");
  CHECK(e.param == "slope");
  CHECK(e.prior_label == "prior Normal(0, 1)");
  CHECK(integral(e, e.posterior) == doctest::Approx(1).epsilon(0.01));
  CHECK(integral(e, e.prior) < 1);  // the prior's density, exact, over part of its support
  CHECK(argmax(e, e.posterior) == doctest::Approx(*e.map).epsilon(0.01));
  CHECK(argmax(e, e.likelihood) == doctest::Approx(*e.mle).epsilon(0.01));
  // The likelihood of the slope is a profile (the intercept follows the
  // ridge), exact for a Gaussian likelihood: Normal(OLS slope 0.93, standard
  // error 0.5 / sqrt(Sxx = 10)), whose peak is 1 / (se sqrt(2 pi)).
  CHECK(e.likelihood_label == "likelihood (normalised, approximate profile)");
  double se = 0.5 / std::sqrt(10.0);
  double peak = *std::max_element(e.likelihood.begin(), e.likelihood.end());
  CHECK(peak == doctest::Approx(1 / (se * std::sqrt(2 * M_PI))).epsilon(0.01));
  CHECK(*e.mle == doctest::Approx(0.93));

  PlotData k = plot_of(R"(
data flips = [1, 0, 1, 1, 0, 1, 1, 1, 0, 1]
param p ~ Beta(2, 2)
flips ~ Bernoulli(p)
let odds = p / (1 - p)
plot odds
)");
  CHECK(k.method == "monte-carlo");
  CHECK(k.prior.empty());
  CHECK(k.likelihood.empty());
  CHECK(integral(k, k.posterior) == doctest::Approx(0.99).epsilon(0.02));
  CHECK_FALSE(k.map);
}

TEST_CASE("compare: the same data, stored or streamed from a CSV column") {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / "bayes_test_compare";
  fs::create_directories(dir);
  {
    std::ofstream csv(dir / "y.csv");
    csv << "y\n1\n0\n1\n1\n0\n1\n1\n1\n0\n1\n";
  }
  auto streamed = bayes::test::run(
      "data y from \"y.csv\"\nparam p ~ Beta(2, 2)\ny ~ Bernoulli(p)\n", dir.string());
  auto stored = bayes::test::run(
      "data y = [1, 0, 1, 1, 0, 1, 1, 1, 0, 1]\nparam q ~ Beta(1, 1)\ny ~ Bernoulli(q)\n");
  auto other = bayes::test::run(
      "data y = [1, 0, 1, 1, 0, 1, 1, 1, 1, 1]\nparam q ~ Beta(1, 1)\ny ~ Bernoulli(q)\n");
  REQUIRE_MESSAGE(streamed.compiled, streamed.errors());
  REQUIRE(stored.compiled);
  REQUIRE(other.compiled);
  json same = bayes::report::to_json(
      bayes::answer::compare({{&*streamed.compiled, "a"}, {&*stored.compiled, "b"}}, {}));
  CHECK(same["warnings"].empty());
  // log B(9, 5) - log B(2, 2) and log B(8, 4) - log B(1, 1): 7 heads in 10.
  auto lbeta = [](double a, double b) {
    return std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b);
  };
  CHECK(same["log_bayes_factor"].get<double>() ==
        doctest::Approx(lbeta(9, 5) - lbeta(2, 2) - lbeta(8, 4)).epsilon(1e-10));
  auto differ = bayes::answer::compare({{&*streamed.compiled, "a"}, {&*other.compiled, "c"}}, {});
  CHECK_FALSE(differ.error.empty());
  fs::remove_all(dir);
}

TEST_CASE("evidence without a closed form: importance sampling checks the Laplace value") {
  // A logistic regression with Normal(0, 5) priors: scipy dblquad of
  // likelihood x priors over (a, b) in [-40, 40] x [-20, 20] gives
  // log p(data) = -6.265686152540524.
  const std::string model = R"(data h = [1, 2, 3, 4, 5, 6]
data pass = [0, 0, 1, 0, 1, 1]
param a ~ Normal(0, 5)
param b ~ Normal(0, 5)
pass ~ Bernoulli(logistic(a + b * h))
print evidence()
)";
  auto e = bayes::test::answers(model);
  CHECK(e[0]["method"] == "importance");
  const double mcse = e[0]["mcse"].get<double>();
  CHECK(mcse < 0.05);
  CHECK(std::fabs(e[0]["value"].get<double>() - -6.265686152540524) < 4 * mcse);
  // The Laplace value alone is further off (-6.41), and labelled so.
  auto laplace = bayes::test::answers(model, bayes::answer::Method::Laplace);
  CHECK(laplace[0]["method"] == "laplace");
  // Twelve hospitals with random effects: the weights fail their check
  // (k-hat above 0.7), so compare gives no verdict on the Laplace value.
  auto hier =
      bayes::test::run(R"(data ops = [47, 148, 119, 810, 211, 196, 148, 215, 207, 97, 256, 360]
data deaths = [0, 18, 8, 46, 8, 13, 9, 31, 14, 8, 29, 24]
param mu ~ Normal(0, 5)
param sigma ~ HalfNormal(1)
param z[12] ~ Normal(0, 1)
deaths ~ Binomial(ops, logistic(mu + sigma * z))
)");
  auto pooled =
      bayes::test::run(R"(data ops = [47, 148, 119, 810, 211, 196, 148, 215, 207, 97, 256, 360]
data deaths = [0, 18, 8, 46, 8, 13, 9, 31, 14, 8, 29, 24]
param mu ~ Normal(0, 5)
deaths ~ Binomial(ops, logistic(mu))
)");
  REQUIRE(hier.compiled);
  REQUIRE(pooled.compiled);
  auto c = bayes::answer::compare({{&*hier.compiled, "h"}, {&*pooled.compiled, "p"}}, {});
  CHECK(c.ranking.empty());
  CHECK(test::contains(c.error,
                       "h: importance sampling from the Laplace approximation has Pareto "
                       "k-hat"));
  CHECK(c.models[1].method == "importance");
}
