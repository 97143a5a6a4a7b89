// zxsim's host stand-in for lib/zx/vmo.h: every lib/zx type lives in lib/zx/types.h.
#include <lib/zx/types.h>
