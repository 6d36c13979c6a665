#include "cli/memory.hpp"

#include <cstdint>
#include <cstdlib>

#if defined(__GLIBC__)
#include <malloc.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>
#endif

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BAYES_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define BAYES_ASAN 1
#endif

namespace bayes {

void prefer_huge_pages() {
#if defined(__GLIBC__) && defined(MADV_HUGEPAGE) && !defined(BAYES_ASAN)
  constexpr std::uintptr_t kHugePage = std::uintptr_t{2} << 20;
  constexpr int kReserve = 512 << 20;  // address space, not memory: pages are
                                       // only backed when first written
  // Arrays up to glibc's largest threshold (32 MiB) from the heap rather than
  // one fresh mapping each, and freed memory kept for the next array instead
  // of being returned and faulted in again.
  // Under a limit on address space (ulimit -v) the reserve would count
  // against it at every growth of the heap: leave malloc as it is there.
  rlimit limit{};
  if (getrlimit(RLIMIT_AS, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) return;
  if (mallopt(M_MMAP_THRESHOLD, 32 << 20) == 0) return;
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_TOP_PAD, kReserve);
  // Grow the heap once, by the reserve, and mark what lies above this block.
  void* block = std::malloc(kHugePage);
  if (block == nullptr) return;
  auto lo = (reinterpret_cast<std::uintptr_t>(block) + 2 * kHugePage - 1) & ~(kHugePage - 1);
  auto hi = reinterpret_cast<std::uintptr_t>(sbrk(0)) & ~(kHugePage - 1);
  std::free(block);
  // If the heap could not grow (sbrk refused, malloc fell back to mmap) the
  // break is below the block and there is nothing to mark.
  if (hi > lo && hi - lo >= kHugePage) madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_HUGEPAGE);
#endif
}

}  // namespace bayes
