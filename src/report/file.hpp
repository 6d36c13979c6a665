// Writing the files a model asks for (plots, draws): receives a path and the
// text, and produces the file, never anything else at that path.
#pragma once

#include <string>
#include <vector>

namespace bayes::report {

// Writes `text` to `path` atomically: a temporary file created beside it
// with O_EXCL (a planted file or symlink of that name is never followed),
// then renamed into place. Writes only regular files: refuses a path that is
// a directory, device, FIFO or socket, or the same file as one of `inputs`
// (the model's source and data files). On failure returns false with `error`
// saying which path and why.
bool write_file(const std::string& path, const std::string& text, std::string& error,
                const std::vector<std::string>& inputs = {});

}  // namespace bayes::report
