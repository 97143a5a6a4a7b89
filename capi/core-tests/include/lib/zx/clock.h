// zxsim's host stand-in for lib/zx/clock.h: zx::clock::get_monotonic lives in lib/zx/time.h.
#include <lib/zx/time.h>
