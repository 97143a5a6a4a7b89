/* zxsim: Zircon's assertion macros (abort with a message). */
#ifndef ZIRCON_ASSERT_H_
#define ZIRCON_ASSERT_H_

#include <stdio.h>
#include <stdlib.h>

#define ZX_PANIC(fmt, ...)                                          \
  do {                                                              \
    fprintf(stderr, "%s:%d: PANIC: " fmt "\n", __FILE__, __LINE__, \
            ##__VA_ARGS__);                                         \
    abort();                                                        \
  } while (0)

#define ZX_ASSERT_MSG(cond, fmt, ...)                                                     \
  do {                                                                                    \
    if (!(cond)) {                                                                        \
      ZX_PANIC("ASSERT FAILED (%s): " fmt, #cond, ##__VA_ARGS__);                         \
    }                                                                                     \
  } while (0)

#define ZX_ASSERT(cond) ZX_ASSERT_MSG(cond, "")
#define ZX_DEBUG_ASSERT(cond) ZX_ASSERT(cond)
#define ZX_DEBUG_ASSERT_MSG(cond, fmt, ...) ZX_ASSERT_MSG(cond, fmt, ##__VA_ARGS__)

#endif /* ZIRCON_ASSERT_H_ */
