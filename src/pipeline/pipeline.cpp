// The front of the pipeline: reads a model file and compiles it (parse, check, graph).
#include "pipeline/pipeline.hpp"

#include <filesystem>

#include "data/input_file.hpp"
#include "syntax/parser.hpp"

namespace bayes {

const ast::Program& prelude() {
  static const ast::Program program = [] {
    SourceFile file{"<prelude>",
#include "prelude.inc"
                    , ""};
    Diagnostics diags;
    auto p = syntax::parse_program(file, diags);
    return p ? *p : ast::Program{};
  }();
  return program;
}

std::optional<SourceFile> read_source(const std::string& path, std::string& error) {
  std::string why;
  auto text = data::read_input_file(path, data::kMaxModelBytes, why);
  if (!text) {
    error = "cannot open '" + path + "': " + why;
    return std::nullopt;
  }
  SourceFile f;
  f.name = path == "-" ? "<stdin>" : path;
  f.text = std::move(*text);
  // A UTF-8 byte order mark (some editors write one) is not part of the program.
  if (f.text.starts_with("\xEF\xBB\xBF")) f.text.erase(0, 3);
  // Old Mac line ends, a lone CR, end lines too (CRLF is read as it is).
  for (std::size_t i = 0; i < f.text.size(); ++i)
    if (f.text[i] == '\r' && (i + 1 == f.text.size() || f.text[i + 1] != '\n')) f.text[i] = '\n';
  f.directory = path == "-" ? "" : std::filesystem::path(path).parent_path().string();
  return f;
}

std::optional<Compiled> compile(const SourceFile& file, Diagnostics& diags,
                                check::Options options) {
  auto program = syntax::parse_program(file, diags);
  if (!program) return std::nullopt;
  if (!options.prelude) options.prelude = &prelude();
  auto model = check::check_program(*program, file, diags, options);
  if (!model) return std::nullopt;
  Compiled c{std::move(*program), std::move(*model), {}};
  c.graph = graph::build(c.model);
  return c;
}

}  // namespace bayes
