/* A tiny check harness for zxsim's own C and C++ ABI tests. */
#ifndef ZXSIM_CAPI_TESTS_CHECK_H_
#define ZXSIM_CAPI_TESTS_CHECK_H_

#include <stdio.h>
#include <zircon/status.h>

static int check_failures = 0;
static int check_count = 0;

#define CHECK(cond)                                                     \
  do {                                                                  \
    check_count++;                                                      \
    if (!(cond)) {                                                      \
      check_failures++;                                                 \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                   \
  } while (0)

#define CHECK_EQ(actual, expected)                                                           \
  do {                                                                                       \
    long long check_a_ = (long long)(actual);                                                \
    long long check_e_ = (long long)(expected);                                              \
    check_count++;                                                                           \
    if (check_a_ != check_e_) {                                                              \
      check_failures++;                                                                      \
      fprintf(stderr, "%s:%d: %s == %lld (%s), expected %s == %lld (%s)\n", __FILE__,        \
              __LINE__, #actual, check_a_, zx_status_get_string((zx_status_t)check_a_),     \
              #expected, check_e_, zx_status_get_string((zx_status_t)check_e_));            \
    }                                                                                        \
  } while (0)

#define CHECK_OK(expr) CHECK_EQ((expr), ZX_OK)

/* An address in the null page: Zircon's copy from or to it faults. */
#define BAD_PTR(type) ((type*)(uintptr_t)0x10)

static inline int check_report(const char* name) {
  printf("%s: %d checks, %d failed\n", name, check_count, check_failures);
  return check_failures == 0 ? 0 : 1;
}

#endif
