// Force-included into every upstream core-test source compiled on the host: the few Fuchsia
// libc extensions those sources call.
#ifndef ZXSIM_HOST_H_
#define ZXSIM_HOST_H_

#include <zircon/assert.h>

#ifndef __cplusplus
#include <threads.h>

// Fuchsia's named-thread creation; the name only labels the thread there.
static inline int thrd_create_with_name(thrd_t* thread, thrd_start_t fn, void* arg,
                                        const char* name) {
  (void)name;
  return thrd_create(thread, fn, arg);
}
#else
#include <threads.h>
#include <cstddef>
#include <iterator>

static inline int thrd_create_with_name(thrd_t* thread, thrd_start_t fn, void* arg,
                                        const char* name) {
  (void)name;
  return thrd_create(thread, fn, arg);
}
#endif

#endif
