// Writing a file in place of nothing else: see file.hpp.
#include "report/file.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace bayes::report {

bool write_file(const std::string& path, const std::string& text, std::string& error,
                const std::vector<std::string>& inputs) {
  auto fail = [&](const std::string& why) {
    error = "cannot write '" + path + "': " + why;
    return false;
  };
  // Never through a symbolic link: a rename over it would replace the link
  // (/dev/stdout is one), and writing through it would change a file the
  // user did not name.
  struct stat link {};
  if (::lstat(path.c_str(), &link) == 0 && S_ISLNK(link.st_mode))
    return fail("it is a symbolic link (bayes writes regular files only, never through a link)");
  const std::string& file = path;
  struct stat target {};
  if (::stat(file.c_str(), &target) == 0) {
    if (S_ISDIR(target.st_mode)) return fail("it is a directory");
    if (!S_ISREG(target.st_mode))
      return fail("it is not a regular file (a device, FIFO or socket)");
    for (const auto& input : inputs) {
      struct stat in {};
      if (::stat(input.c_str(), &in) == 0 && in.st_dev == target.st_dev &&
          in.st_ino == target.st_ino)
        return fail("it is the model's own source or data file '" + input + "'");
    }
  }
  std::string tmp = file + ".XXXXXX";
  const int fd = ::mkstemp(tmp.data());  // O_CREAT | O_EXCL: a new file, never a link
  if (fd < 0) return fail(std::strerror(errno));
    // mkstemp makes it 0600; the file is as readable as any the user creates.
#if defined(__EMSCRIPTEN__)
  // The browser build's file system reports a umask of 0777 (it has no
  // users): the page reads the file back.
  ::fchmod(fd, 0644);
#else
  const mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd, 0666 & ~mask);
#endif
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      return fail(why);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0 || ::rename(tmp.c_str(), file.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    return fail(why);
  }
  return true;
}

}  // namespace bayes::report
