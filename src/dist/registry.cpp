// The family registry: every distribution by name. The table is generated
// from the family files (cmake/dist_registry.cmake), so a new family is one
// new file in src/dist/ and nothing else.
#include <algorithm>
#include <vector>

#include "dist/families.hpp"

namespace bayes::dist {

#include "dist_registry.inc"

namespace {

// Sorted by name, so listings do not depend on file names.
const std::vector<const Family*>& table() {
  static const std::vector<const Family*> families = [] {
    std::vector<const Family*> all{BAYES_DIST_FAMILIES};
    std::sort(all.begin(), all.end(),
              [](const Family* a, const Family* b) { return a->name < b->name; });
    return all;
  }();
  return families;
}

}  // namespace

const Family* find(std::string_view name) {
  for (const Family* f : table()) {
    if (f->name == name) return f;
  }
  return nullptr;
}

std::span<const Family* const> all() { return table(); }

}  // namespace bayes::dist
