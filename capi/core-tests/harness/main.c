// The runner of zxsim's zxtest-compatible harness (see include/zxtest/zxtest.h).
#include <fnmatch.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zxtest/zxtest.h>

typedef struct {
  const char* suite;
  const char* name;
  zxtest_fn fn;
  void (*fn_ctx)(void*);
  void* ctx;
} zxtest_entry;

static zxtest_entry* tests;
static size_t test_count, test_capacity;
static bool failed, fatal, skipped;

void zxtest_register(const char* suite, const char* name, zxtest_fn fn) {
  if (test_count == test_capacity) {
    test_capacity = test_capacity ? 2 * test_capacity : 64;
    tests = realloc(tests, test_capacity * sizeof(*tests));
    if (!tests) abort();
  }
  tests[test_count++] = (zxtest_entry){suite, name, fn, NULL, NULL};
}

void zxtest_register_ctx(const char* suite, const char* name, void (*fn)(void*), void* ctx) {
  zxtest_register(strdup(suite), strdup(name), NULL);
  tests[test_count - 1].fn_ctx = fn;
  tests[test_count - 1].ctx = ctx;
}

void zxtest_fail(bool is_fatal, const char* file, int line, const char* text) {
  failed = true;
  fatal = fatal || is_fatal;
  printf("%s:%d: Failure: %s\n", file, line, text);
  fflush(stdout);
}

void zxtest_skip(const char* file, int line, const char* text) {
  skipped = true;
  printf("%s:%d: Skipped: %s\n", file, line, text);
}

bool zxtest_has_failure(void) { return failed; }
bool zxtest_has_fatal_failure(void) { return fatal; }
bool zxtest_skipped(void) { return skipped; }

const char* zxtest_format(const char* fmt, ...) {
  static __thread char buffer[1024];
  va_list args;
  va_start(args, fmt);
  vsnprintf(buffer, sizeof(buffer), fmt, args);
  va_end(args);
  return buffer;
}

const char* zxtest_format_none(void) { return ""; }

// gtest-style filter: positive globs, then '-' and negative globs, each ':'-separated.
static bool matches(const char* filter, const char* full) {
  if (!filter || !*filter) return true;
  char copy[4096];
  snprintf(copy, sizeof(copy), "%s", filter);
  char* negative = strchr(copy, '-');
  if (negative) *negative++ = '\0';
  bool positive = copy[0] == '\0';
  for (char* glob = strtok(copy, ":"); glob; glob = strtok(NULL, ":")) {
    if (fnmatch(glob, full, 0) == 0) positive = true;
  }
  if (!positive) return false;
  if (negative) {
    for (char* glob = strtok(negative, ":"); glob; glob = strtok(NULL, ":")) {
      if (fnmatch(glob, full, 0) == 0) return false;
    }
  }
  return true;
}

int main(int argc, char** argv) {
  const char* filter = getenv("ZXTEST_FILTER");
  bool list = false;
  bool run_disabled = false;
  for (int i = 1; i < argc; i++) {
    if (strncmp(argv[i], "--gtest_filter=", 15) == 0) filter = argv[i] + 15;
    else if (strcmp(argv[i], "-f") == 0 && i + 1 < argc) filter = argv[++i];
    else if (strcmp(argv[i], "--list") == 0) list = true;
    else if (strcmp(argv[i], "--gtest_also_run_disabled_tests") == 0) run_disabled = true;
  }
  setvbuf(stdout, NULL, _IOLBF, 0);
  int ran = 0, failures = 0, skips = 0;
  for (size_t i = 0; i < test_count; i++) {
    char full[512];
    snprintf(full, sizeof(full), "%s.%s", tests[i].suite, tests[i].name);
    if (!matches(filter, full)) continue;
    if (list) {
      printf("%s\n", full);
      continue;
    }
    failed = fatal = skipped = false;
    printf("[ RUN      ] %s\n", full);
    fflush(stdout);
    if (strncmp(tests[i].name, "DISABLED_", 9) == 0 && !run_disabled) {
      zxtest_skip(__FILE__, __LINE__, "disabled test (DISABLED_ prefix)");
    } else if (tests[i].fn_ctx) {
      tests[i].fn_ctx(tests[i].ctx);
    } else {
      tests[i].fn();
    }
    ran++;
    if (failed) {
      failures++;
      printf("[  FAILED  ] %s\n", full);
    } else if (skipped) {
      skips++;
      printf("[  SKIPPED ] %s\n", full);
    } else {
      printf("[       OK ] %s\n", full);
    }
    fflush(stdout);
  }
  if (!list) printf("[==========] %d tests ran, %d failed, %d skipped\n", ran, failures, skips);
  return failures ? 1 : 0;
}
