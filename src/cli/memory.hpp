// How the process takes memory from the system. Numeric answers on large data
// touch tens of megabytes once each; on virtual machines a page fault per 4 KiB
// costs more than the arithmetic, so big arrays go on 2 MiB pages.
#pragma once

namespace bayes {

// Sets up the C library's allocator before any data is read: arrays of up to
// 32 MiB come from one heap that is never given back while the process runs,
// and that heap is asked to sit on transparent huge pages (madvise). Does
// nothing where the C library or the kernel does not offer this, and under the
// sanitizers, which bring their own allocator.
void prefer_huge_pages();

}  // namespace bayes
