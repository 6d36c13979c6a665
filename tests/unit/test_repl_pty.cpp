// The interactive REPL driven through a pseudo-terminal, as a person at a
// terminal uses it: libedit line editing, tab completion, an error with its
// caret and the session going on, :quit, and the history kept in
// $HOME/.bayes_history for the next session. (The piped, non-interactive
// mode is tested by tests/repl/*.repl.)
#include <doctest/doctest.h>
#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;

// bayes on the slave side of a pty; we hold the master.
class Terminal {
 public:
  explicit Terminal(const fs::path& home) {
    struct winsize ws {};
    ws.ws_row = 40;
    ws.ws_col = 120;
    pid_ = forkpty(&fd_, nullptr, nullptr, &ws);
    if (pid_ == 0) {
      setenv("HOME", home.c_str(), 1);
      setenv("TERM", "xterm", 1);
      setenv("NO_COLOR", "1", 1);
      execl(BAYES_EXE, "bayes", static_cast<char*>(nullptr));
      _exit(127);
    }
  }
  Terminal(const Terminal&) = delete;
  Terminal& operator=(const Terminal&) = delete;
  ~Terminal() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (fd_ >= 0) close(fd_);
  }

  bool started() const { return pid_ > 0; }

  void type(const std::string& keys) {
    CHECK(write(fd_, keys.data(), keys.size()) == static_cast<ssize_t>(keys.size()));
  }

  // Reads until `text` appears after what earlier expects consumed; false
  // after `seconds` without it.
  bool expect(const std::string& text, double seconds = 20) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    for (;;) {
      auto at = seen_.find(text, mark_);
      if (at != std::string::npos) {
        mark_ = at + text.size();
        return true;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buf[4096];
      ssize_t n = read(fd_, buf, sizeof buf);
      if (n <= 0) return seen_.find(text, mark_) != std::string::npos;  // bayes exited
      seen_.append(buf, static_cast<std::size_t>(n));
    }
  }

  // The exit status, waiting at most `seconds`; -1 if it did not exit.
  int wait_exit(double seconds = 20) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
      expect("\x01never\x01", 0.05);  // drain the output so bayes is not blocked writing
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
    }
    return -1;
  }

  const std::string& transcript() const { return seen_; }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  bool exited_ = false;
  std::string seen_;
  std::size_t mark_ = 0;
};

fs::path fresh_home() {
  fs::path home = fs::temp_directory_path() / ("bayes-pty-" + std::to_string(getpid()));
  fs::remove_all(home);
  fs::create_directories(home);
  return home;
}

}  // namespace

TEST_CASE("REPL in a terminal: answers, completion, errors with a caret, history") {
  fs::path home = fresh_home();
  {
    Terminal t(home);
    REQUIRE(t.started());
    INFO("terminal transcript:\n" << t.transcript());
    REQUIRE(t.expect("bayes> "));
    t.type("data flips = [1, 0, 1]\r");
    t.type("param p ~ Beta(1, 1)\r");
    t.type("flips ~ Bernoulli(p)\r");
    t.type("print map(p)\r");
    CHECK(t.expect("map(p) = 0.6667"));

    // A typo: the message, the line just typed and a caret; the session goes on.
    t.type("print mapp(p)\r");
    CHECK(t.expect("error: unknown"));
    CHECK(t.expect("print mapp(p)"));
    CHECK(t.expect("^"));
    t.type("print mle(p)\r");
    CHECK(t.expect("mle(p) = 0.6667"));

    // Tab completes a query name ("posteri" has one completion).
    t.type("print posteri\t(p)\r");
    CHECK(t.expect("posterior(p) = Beta"));

    // After :load, tab completes a file name.
    {
      std::ofstream model(home / "lesson_tosses.model");
      model << "data tosses = [1, 1, 0]\nparam q ~ Beta(1, 1)\ntosses ~ Bernoulli(q)\n"
               "print map(q)\n";
    }
    t.type(":load " + (home / "lesson_to").string() + "\t\r");
    CHECK(t.expect("map(q) = 0.6667"));
    // A name alone shows its posterior.
    t.type("q\r");
    CHECK(t.expect("q = Beta(a = 3, b = 2)"));

    // The sequential update: more data replaces the old, the answer moves.
    t.type("data flips = [1, 0, 1, 1, 1]\r");
    t.type("print map(p)\r");
    CHECK(t.expect("map(p) = 0.8"));

    t.type(":quit\r");
    CHECK(t.wait_exit() == 0);
  }
  std::ifstream in(home / ".bayes_history");
  std::stringstream history;
  history << in.rdbuf();
  CHECK(history.str().find("print\\040mle(p)") != std::string::npos);  // libedit's encoding
  // The completed name has no space before the bracket.
  CHECK(history.str().find("print\\040posterior(p)") != std::string::npos);
  {
    // The next session recalls the last line (":quit") with the up arrow.
    Terminal t(home);
    REQUIRE(t.started());
    INFO("terminal transcript:\n" << t.transcript());
    REQUIRE(t.expect("bayes> "));
    t.type("\x1b[A\r");
    CHECK(t.wait_exit() == 0);
  }
  fs::remove_all(home);
}

TEST_CASE("REPL in a terminal: Ctrl-C clears the line and interrupts sampling, the session stays") {
  fs::path home = fresh_home();
  Terminal t(home);
  REQUIRE(t.started());
  INFO("terminal transcript:\n" << t.transcript());
  REQUIRE(t.expect("bayes> "));
  t.type("data y = [2.1, 3.4, 1.9, 2.8]\r");
  t.type("param mu ~ Normal(0, 10)\r");
  t.type("param s ~ HalfCauchy(1)\r");
  t.type("y ~ Normal(mu, s)\r");
  // (Ctrl-C makes the terminal drop what was typed ahead: each key is sent
  // once what came before has been echoed.)
  t.type("print map(mu)\r");
  REQUIRE(t.expect("map(mu) = "));
  // At the prompt (libedit reading, not the terminal echoing typed-ahead
  // keys): the half-typed line is dropped, a fresh prompt comes.
  REQUIRE(t.expect("bayes> "));
  t.type("print nonsense(");
  REQUIRE(t.expect("nonsense("));
  t.type("\x03");
  REQUIRE(t.expect("bayes> "));
  t.type("print map(mu)\r");
  CHECK(t.expect("map(mu) = "));
  // During a long computation: a progress line, then Ctrl-C stops it.
  t.type(":method sample\r");
  REQUIRE(t.expect("(method sample)"));
  t.type(":draws 2000000\r");
  REQUIRE(t.expect("(draws 2000000)"));
  t.type("print posterior(mu)\r");
  CHECK(t.expect("sampling ["));
  t.type("\x03");
  CHECK(t.expect("interrupted"));
  REQUIRE(t.expect("bayes> "));
  // The model is still there.
  t.type(":draws 1000\r");
  t.type("print mean(mu)\r");
  CHECK(t.expect("mean(mu) = "));
  t.type(":quit\r");
  CHECK(t.wait_exit() == 0);
  fs::remove_all(home);
}
