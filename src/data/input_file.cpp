// Regular input files of bounded size: see input_file.hpp.
#include "data/input_file.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <iostream>

namespace bayes::data {

namespace {

std::optional<std::string> stat_problem(const struct stat& st, std::uintmax_t limit) {
  if (S_ISDIR(st.st_mode)) return "it is a directory";
  if (!S_ISREG(st.st_mode)) return "it is not a regular file (a device, FIFO or socket)";
  if (static_cast<std::uintmax_t>(st.st_size) > limit)
    return "it is larger than " + byte_limit_words(limit);
  return std::nullopt;
}

}  // namespace

std::string byte_limit_words(std::uintmax_t limit) {
  if (limit >= (std::uintmax_t{1} << 30) && limit % (std::uintmax_t{1} << 30) == 0)
    return std::to_string(limit >> 30) + " GiB";
  if (limit >= (std::uintmax_t{1} << 20) && limit % (std::uintmax_t{1} << 20) == 0)
    return std::to_string(limit >> 20) + " MiB";
  return std::to_string(limit) + " bytes";
}

std::optional<std::string> input_file_problem(const std::string& path, std::uintmax_t limit) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::string(std::strerror(errno));
  return stat_problem(st, limit);
}

std::FILE* open_input_file(const std::string& path, std::uintmax_t limit, std::string& error) {
  // Checked before opening: opening a FIFO with no writer waits for one.
  if (auto problem = input_file_problem(path, limit)) {
    error = *problem;
    return nullptr;
  }
  errno = 0;
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) {
    error = errno ? std::strerror(errno) : "it cannot be opened";
    return nullptr;
  }
  struct stat st {};
  std::optional<std::string> problem;
  if (::fstat(fileno(file), &st) != 0)
    problem = std::strerror(errno);
  else
    problem = stat_problem(st, limit);
  if (problem) {
    std::fclose(file);
    error = *problem;
    return nullptr;
  }
  return file;
}

std::optional<std::string> read_input_file(const std::string& path, std::uintmax_t limit,
                                           std::string& error) {
  std::string text;
  char chunk[1 << 16];
  if (path == "-") {
    while (std::cin.read(chunk, sizeof chunk) || std::cin.gcount() > 0) {
      text.append(chunk, static_cast<std::size_t>(std::cin.gcount()));
      if (text.size() > limit) {
        error = "standard input holds more than " + byte_limit_words(limit);
        return std::nullopt;
      }
    }
    return text;
  }
  std::FILE* file = open_input_file(path, limit, error);
  if (!file) return std::nullopt;
  std::size_t n = 0;
  while ((n = std::fread(chunk, 1, sizeof chunk, file)) > 0) {
    text.append(chunk, n);
    // The file may have grown since it was checked.
    if (text.size() > limit) {
      std::fclose(file);
      error = "it is larger than " + byte_limit_words(limit);
      return std::nullopt;
    }
  }
  const bool failed = std::ferror(file) != 0;
  std::fclose(file);
  if (failed) {
    error = "it cannot be read";
    return std::nullopt;
  }
  return text;
}

}  // namespace bayes::data
