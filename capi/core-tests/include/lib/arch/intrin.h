// zxsim's host stand-in for lib/arch/intrin.h: the CPU hints core-tests use.
#ifndef ZXSIM_LIB_ARCH_INTRIN_H_
#define ZXSIM_LIB_ARCH_INTRIN_H_

#include <sched.h>

namespace arch {

// A spin-loop hint; on the host, yielding keeps a spinning test from starving the thread it waits
// for.
inline void Yield() { sched_yield(); }

}  // namespace arch

#endif
