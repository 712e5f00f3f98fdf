#pragma once
#include <cblas.h>

// Not BLAS, but the one other C intrinsic the kernels need (`WorkerPool`); it rides in this shim.

/// A spin-wait hint (x86 PAUSE, AArch64 YIELD): lets a sibling hardware thread run while a worker waits.
static inline void ofa_spin_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}
