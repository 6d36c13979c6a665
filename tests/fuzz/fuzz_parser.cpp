// libFuzzer target: source text -> parse -> check -> factor graph, then every
// diagnostic rendered as the command line would print it. Anything that
// crashes, trips ASan/UBSan, leaks, hangs or throws out of bayes::compile is
// a bug in src/. Run with tests/fuzz/run.sh.
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>

#include "diag/diagnostic.hpp"
#include "graph/factor_graph.hpp"
#include "pipeline/pipeline.hpp"

namespace {

// True while an input is being compiled: then fopen for reading fails (see below).
thread_local bool in_input = false;

[[noreturn]] void violated(const char* what) {
  std::fprintf(stderr, "fuzz_parser: invariant violated: %s\n", what);
  std::abort();
}

// Opening for reading ('r' or '+' in the mode) while an input runs.
bool refused(const char* mode) {
  return in_input && mode && (std::strchr(mode, 'r') || std::strchr(mode, '+'));
}

}  // namespace

// The link wraps fopen (-Wl,--wrap=fopen, tests/fuzz/CMakeLists.txt). The
// SourceFile's directory does not exist, so relative data paths fail anyway;
// this also refuses absolute ones ("/dev/stdin", "/dev/zero", real files).
// Only reading is refused: when an input crashes, libFuzzer writes the crash
// artifact with fopen(path, "wb") from inside the input's call stack, and
// compile() itself never writes files. libFuzzer reads the corpus with
// std::ifstream (in the shared libstdc++, which --wrap does not affect).
extern "C" {
FILE* __real_fopen(const char* path, const char* mode);
FILE* __real_fopen64(const char* path, const char* mode);

FILE* __wrap_fopen(const char* path, const char* mode) {
  if (refused(mode)) {
    errno = ENOENT;
    return nullptr;
  }
  return __real_fopen(path, mode);
}

FILE* __wrap_fopen64(const char* path, const char* mode) {
  if (refused(mode)) {
    errno = ENOENT;
    return nullptr;
  }
  return __real_fopen64(path, mode);
}
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  bayes::SourceFile file;
  file.name = "fuzz.model";
  file.text.assign(reinterpret_cast<const char*>(data), size);
  file.directory = "/nonexistent-fuzz-dir";

  in_input = true;
  bayes::Diagnostics diags;
  auto compiled = bayes::compile(file, diags);

  std::ostringstream out;
  bayes::print_all(out, file, diags);
  bayes::print_all(out, file, diags, /*color=*/true);
  if (compiled) bayes::graph::write_dot(out, compiled->graph);

  // The contract of compile(): nullopt exactly when there were errors, and
  // every diagnostic points into the source it is printed with.
  const char* broken = nullptr;
  if (!compiled && !diags.has_errors()) broken = "compile() failed without an error diagnostic";
  if (compiled && diags.has_errors()) broken = "compile() succeeded with an error diagnostic";
  for (const auto& d : diags.list())
    if (d.span.line > 0 && (d.span.begin > file.text.size() || d.span.end < d.span.begin))
      broken = "a diagnostic's span is outside the source";
  if (broken) {
    std::ostringstream plain;
    bayes::print_all(plain, file, diags);
    std::fprintf(stderr, "%s", plain.str().c_str());
    for (const auto& d : diags.list())
      std::fprintf(stderr, "span: begin %zu end %zu line %zu column %zu\n", d.span.begin,
                   d.span.end, d.span.line, d.span.column);
    violated(broken);
  }
  in_input = false;
  return 0;
}
