// Opening a model or data file for reading: only a regular file (or standard
// input, written `-`) of at most a stated size. A device (/dev/zero), a FIFO
// with no writer or a directory would otherwise be read without end or wait
// for ever.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

namespace bayes::data {

// The largest model file read (16 MiB) and the largest data file (1 GiB).
inline constexpr std::uintmax_t kMaxModelBytes = std::uintmax_t{16} << 20;
inline constexpr std::uintmax_t kMaxDataBytes = std::uintmax_t{1} << 30;

// The reason the file cannot be read as an input ("it is a directory",
// "it is not a regular file (a device, FIFO or socket)", "it is larger than
// 16 MiB", or the system's reason it cannot be opened); nothing when it can.
std::optional<std::string> input_file_problem(const std::string& path, std::uintmax_t limit);

// Opens a file that input_file_problem accepts, checking again on the open
// file (the path may have changed in between). Null with `error` set
// otherwise.
std::FILE* open_input_file(const std::string& path, std::uintmax_t limit, std::string& error);

// The whole text of the file, or of standard input for "-" (at most `limit`
// bytes); nothing with `error` set otherwise.
std::optional<std::string> read_input_file(const std::string& path, std::uintmax_t limit,
                                           std::string& error);

// "16 MiB", "1 GiB": a limit in words.
std::string byte_limit_words(std::uintmax_t limit);

}  // namespace bayes::data
