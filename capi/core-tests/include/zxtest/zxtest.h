// zxsim's zxtest-compatible harness for running Zircon's core-tests on the host (written for
// zxsim; no upstream code). C and C++:
//   TEST(Suite, Name) { ... }            TEST_F(Fixture, Name) { ... }   (C++ only)
//   ASSERT_* / EXPECT_*: EQ NE LT LE GT GE TRUE FALSE NULL NOT_NULL OK NOT_OK STATUS BYTES_EQ
//     STREQ STRNE, each with an optional printf-style message (..., "fmt", args), and in C++
//     also a streamed one (ASSERT_EQ(a, b) << "why");
//   ASSERT_NO_FATAL_FAILURE(S)(stmt), ASSERT_NO_FAILURES(stmt), CURRENT_TEST_HAS_FAILURE(),
//   CURRENT_TEST_HAS_FATAL_FAILURE(), ZXTEST_SKIP(...).
// ASSERT_* return from the enclosing function (which must return void), like zxtest's.
// The runner (harness/main.c) prints one "[ RUN ] / [ OK ] / [ FAILED ] / [ SKIPPED ]" line per
// test and accepts --gtest_filter=GLOB[:GLOB...] (also ZXTEST_FILTER) and --list.
#ifndef ZXSIM_ZXTEST_ZXTEST_H_
#define ZXSIM_ZXTEST_ZXTEST_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <zircon/status.h>
#include <zircon/types.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef void (*zxtest_fn)(void);

// Registration and state, implemented by the runner.
void zxtest_register(const char* suite, const char* name, zxtest_fn fn);
// Registers a test run as fn(ctx); suite and name are copied.
void zxtest_register_ctx(const char* suite, const char* name, void (*fn)(void*), void* ctx);
void zxtest_fail(bool fatal, const char* file, int line, const char* text);
void zxtest_skip(const char* file, int line, const char* text);
bool zxtest_has_failure(void);
bool zxtest_has_fatal_failure(void);
bool zxtest_skipped(void);
// printf-style message (an empty format gives an empty message); returns a static buffer.
const char* zxtest_format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
const char* zxtest_format_none(void);

#ifdef __cplusplus
}
#endif

#define ZXTEST_CAT_(a, b) a##b
#define ZXTEST_CAT(a, b) ZXTEST_CAT_(a, b)
#define ZXTEST_MSG(...) ZXTEST_MSG_(dummy, ##__VA_ARGS__)
#define ZXTEST_MSG_(dummy, ...) ZXTEST_MSG_SEL_(dummy, ##__VA_ARGS__, ZXTEST_FMT_, ZXTEST_FMT_, \
  ZXTEST_FMT_, ZXTEST_FMT_, ZXTEST_FMT_, ZXTEST_FMT_, ZXTEST_FMT_, ZXTEST_FMT_, ZXTEST_NOFMT_)( \
  __VA_ARGS__)
#define ZXTEST_MSG_SEL_(dummy, a1, a2, a3, a4, a5, a6, a7, a8, N, ...) N
#define ZXTEST_FMT_(...) zxtest_format(__VA_ARGS__)
#define ZXTEST_NOFMT_(...) zxtest_format_none()

#ifndef __cplusplus
// ---------------------------------------------------------------------------------------- C --

#define TEST(suite, name)                                                                  \
  static void zxtest_##suite##_##name(void);                                               \
  __attribute__((constructor)) static void zxtest_register_##suite##_##name(void) {        \
    zxtest_register(#suite, #name, zxtest_##suite##_##name);                               \
  }                                                                                        \
  static void zxtest_##suite##_##name(void)

#define ZXTEST_RETURN_IF_(fatal) \
  if (fatal) return

// Values are compared as 64-bit integers of the left operand's signedness.
#define ZXTEST_CMP_(fatal, op, a, b, ...)                                                    \
  do {                                                                                       \
    __typeof__(a) zxtest_a_ = (a);                                                           \
    __typeof__(b) zxtest_b_ = (b);                                                           \
    if (!(zxtest_a_ op zxtest_b_)) {                                                         \
      char zxtest_text_[512];                                                                \
      snprintf(zxtest_text_, sizeof(zxtest_text_),                                           \
               "Expected %s " #op " %s, got %lld vs %lld (%s vs %s). %s", #a, #b,            \
               (long long)zxtest_a_, (long long)zxtest_b_,                                   \
               zx_status_get_string((zx_status_t)zxtest_a_),                                 \
               zx_status_get_string((zx_status_t)zxtest_b_), ZXTEST_MSG(__VA_ARGS__));       \
      zxtest_fail(fatal, __FILE__, __LINE__, zxtest_text_);                                  \
      ZXTEST_RETURN_IF_(fatal);                                                              \
    }                                                                                        \
  } while (0)

#define ZXTEST_BOOL_(fatal, cond, text, ...)                                                 \
  do {                                                                                       \
    if (!(cond)) {                                                                           \
      char zxtest_text_[512];                                                                \
      snprintf(zxtest_text_, sizeof(zxtest_text_), "%s. %s", text, ZXTEST_MSG(__VA_ARGS__)); \
      zxtest_fail(fatal, __FILE__, __LINE__, zxtest_text_);                                  \
      ZXTEST_RETURN_IF_(fatal);                                                              \
    }                                                                                        \
  } while (0)

#define ZXTEST_BYTES_(fatal, a, b, n, ...) \
  ZXTEST_BOOL_(fatal, memcmp((a), (b), (n)) == 0, "Expected bytes " #a " == " #b, ##__VA_ARGS__)

#define ZXTEST_SKIP(...)                                              \
  do {                                                                \
    zxtest_skip(__FILE__, __LINE__, ZXTEST_MSG(__VA_ARGS__));         \
    return;                                                           \
  } while (0)

#else
// -------------------------------------------------------------------------------------- C++ --
#include <cstdint>
#include <functional>
#include <sstream>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace zxtest {

// The seed tests may use for pseudo-random inputs (fixed, so runs are reproducible).
class Runner {
 public:
  static Runner* GetInstance() {
    static Runner runner;
    return &runner;
  }
  unsigned int random_seed() const { return 42; }
};

class Test {
 public:
  virtual ~Test() = default;
  virtual void SetUp() {}
  virtual void TearDown() {}
  virtual void TestBody() = 0;
  static void SetUpTestSuite() {}
  static void TearDownTestSuite() {}
};

namespace internal {
template <typename P>
const P*& CurrentParam() {
  static thread_local const P* param = nullptr;
  return param;
}
}  // namespace internal

// Value-parameterized fixtures: TEST_P + INSTANTIATE_TEST_SUITE_P.
template <typename P>
class TestWithParam : public Test {
 public:
  using ParamType = P;
  static const P& GetParam() { return *internal::CurrentParam<P>(); }
};

template <typename... T>
auto Values(T... values) {
  using V = std::common_type_t<T...>;
  return std::vector<V>{static_cast<V>(values)...};
}

inline std::vector<bool> Bool() { return {false, true}; }

template <typename A, typename B>
std::vector<std::tuple<A, B>> Combine(const std::vector<A>& a, const std::vector<B>& b) {
  std::vector<std::tuple<A, B>> out;
  for (const auto& x : a) {
    for (const auto& y : b) {
      out.emplace_back(x, y);
    }
  }
  return out;
}

template <typename A, typename B, typename C>
std::vector<std::tuple<A, B, C>> Combine(const std::vector<A>& a, const std::vector<B>& b,
                                         const std::vector<C>& c) {
  std::vector<std::tuple<A, B, C>> out;
  for (const auto& x : a) {
    for (const auto& y : b) {
      for (const auto& z : c) {
        out.emplace_back(x, y, z);
      }
    }
  }
  return out;
}

namespace internal {

template <typename T>
std::string Print(const T& value) {
  std::ostringstream out;
  if constexpr (std::is_same_v<T, bool>) {
    out << (value ? "true" : "false");
  } else if constexpr (std::is_enum_v<T>) {
    out << static_cast<long long>(value);
  } else if constexpr (std::is_integral_v<T> && sizeof(T) == 1) {
    out << static_cast<int>(value);
  } else if constexpr (std::is_integral_v<T> || std::is_floating_point_v<T> ||
                       std::is_pointer_v<T> || std::is_same_v<T, std::nullptr_t>) {
    if constexpr (std::is_same_v<T, std::nullptr_t>) {
      out << "nullptr";
    } else {
      out << value;
    }
  } else if constexpr (std::is_convertible_v<T, std::string>) {
    out << std::string(value);
  } else {
    out << "<" << sizeof(T) << "-byte value>";
  }
  return out.str();
}

// Integers compare by value whatever their signedness (std::cmp_*), without the warnings.
template <typename T>
constexpr bool kPlainInt = std::is_integral_v<T> && !std::is_same_v<T, bool> &&
                           !std::is_same_v<T, char> && !std::is_same_v<T, wchar_t> &&
                           !std::is_same_v<T, char16_t> && !std::is_same_v<T, char32_t>;

template <typename A, typename B>
constexpr bool Eq(const A& a, const B& b) {
  if constexpr (kPlainInt<A> && kPlainInt<B>) {
    return std::cmp_equal(a, b);
  } else {
    return a == b;
  }
}
template <typename A, typename B>
constexpr bool Lt(const A& a, const B& b) {
  if constexpr (kPlainInt<A> && kPlainInt<B>) {
    return std::cmp_less(a, b);
  } else {
    return a < b;
  }
}

// Collects a streamed message; the assignment operator reports the failure.
class Message {
 public:
  template <typename T>
  Message& operator<<(const T& value) {
    stream_ << value;
    return *this;
  }
  std::string str() const { return stream_.str(); }

 private:
  std::ostringstream stream_;
};

class Reporter {
 public:
  Reporter(bool fatal, const char* file, int line, std::string text)
      : fatal_(fatal), file_(file), line_(line), text_(std::move(text)) {}
  void operator=(const Message& message) const {
    std::string text = text_ + message.str();
    zxtest_fail(fatal_, file_, line_, text.c_str());
  }

 private:
  bool fatal_;
  const char* file_;
  int line_;
  std::string text_;
};

class Skipper {
 public:
  Skipper(const char* file, int line, std::string text)
      : file_(file), line_(line), text_(std::move(text)) {}
  void operator=(const Message& message) const {
    std::string text = text_ + message.str();
    zxtest_skip(file_, line_, text.c_str());
  }

 private:
  const char* file_;
  int line_;
  std::string text_;
};

template <typename A, typename B>
std::string Describe(const char* op, const char* a_text, const char* b_text, const A& a,
                     const B& b, const char* message) {
  std::string out = std::string("Expected ") + a_text + " " + op + " " + b_text + ", got " +
                    Print(a) + " vs " + Print(b) + ". " + message;
  return out;
}

struct Registrar {
  Registrar(const char* suite, const char* name, zxtest_fn fn) { zxtest_register(suite, name, fn); }
};

// The TEST_P bodies of fixture F, instantiated by INSTANTIATE_TEST_SUITE_P.
template <typename F>
struct ParamPatterns {
  static std::vector<std::pair<const char*, void (*)()>>& Get() {
    static std::vector<std::pair<const char*, void (*)()>> patterns;
    return patterns;
  }
};

template <typename F>
struct PatternRegistrar {
  PatternRegistrar(const char* name, void (*run)()) {
    ParamPatterns<F>::Get().emplace_back(name, run);
  }
};

template <typename F>
struct ParamCase {
  typename F::ParamType param;
  void (*run)();
};

template <typename F>
void RunParamCase(void* ctx) {
  auto* c = static_cast<ParamCase<F>*>(ctx);
  CurrentParam<typename F::ParamType>() = &c->param;
  c->run();
}

template <typename F>
struct Instantiator {
  Instantiator(const char* prefix, const char* fixture,
               std::vector<typename F::ParamType> params) {
    std::string suite = std::string(prefix) + "/" + fixture;
    for (const auto& [name, run] : ParamPatterns<F>::Get()) {
      for (size_t i = 0; i < params.size(); i++) {
        std::string full = std::string(name) + "/" + std::to_string(i);
        auto* c = new ParamCase<F>{params[i], run};
        zxtest_register_ctx(suite.c_str(), full.c_str(), &RunParamCase<F>, c);
      }
    }
  }
};

template <typename T>
void RunFixture() {
  T::SetUpTestSuite();
  {
    T test;
    Test* base = &test;  // SetUp/TearDown may be protected in the fixture
    base->SetUp();
    if (!zxtest_has_fatal_failure() && !zxtest_skipped()) {
      base->TestBody();
    }
    base->TearDown();
  }
  T::TearDownTestSuite();
}

}  // namespace internal
}  // namespace zxtest

#define ZXTEST_TEST_(suite, name, parent)                                                     \
  class suite##_##name##_Test : public parent {                                               \
   public:                                                                                    \
    void TestBody() override;                                                                 \
  };                                                                                          \
  static ::zxtest::internal::Registrar zxtest_registrar_##suite##_##name(                     \
      #suite, #name, &::zxtest::internal::RunFixture<suite##_##name##_Test>);                 \
  void suite##_##name##_Test::TestBody()

#define TEST(suite, name) ZXTEST_TEST_(suite, name, ::zxtest::Test)

#define TEST_P(fixture, name)                                                                 \
  class fixture##_##name##_Test : public fixture {                                            \
   public:                                                                                    \
    void TestBody() override;                                                                 \
  };                                                                                          \
  static ::zxtest::internal::PatternRegistrar<fixture> zxtest_pattern_##fixture##_##name(     \
      #name, &::zxtest::internal::RunFixture<fixture##_##name##_Test>);                       \
  void fixture##_##name##_Test::TestBody()

#define INSTANTIATE_TEST_SUITE_P(prefix, fixture, generator, ...)                  \
  static ::zxtest::internal::Instantiator<fixture> zxtest_instantiate_##prefix##_##fixture( \
      #prefix, #fixture, generator)
#define TEST_F(fixture, name) ZXTEST_TEST_(fixture, name, fixture)

#define ZXTEST_REPORT_(fatal, text)                                                \
  ::zxtest::internal::Reporter(fatal, __FILE__, __LINE__, text) = ::zxtest::internal::Message()

#define ZXTEST_CMP_IMPL_(fatal, cmp, op, a, b, ...)                                          \
  switch (0)                                                                                 \
  case 0:                                                                                    \
  default:                                                                                   \
    if (auto&& zxtest_a_ = (a); false) {                                                     \
    } else if (auto&& zxtest_b_ = (b); cmp) {                                                \
    } else                                                                                   \
      return_if_fatal_##fatal                                                                \
      ZXTEST_REPORT_(fatal, ::zxtest::internal::Describe(op, #a, #b, zxtest_a_, zxtest_b_,   \
                                                          ZXTEST_MSG(__VA_ARGS__)))

#define return_if_fatal_true return
#define return_if_fatal_false

#define ZXTEST_CMP_(fatal, op, a, b, ...) ZXTEST_CMP_##op##_(fatal, a, b, ##__VA_ARGS__)
#define ZXTEST_CMP_EQ_(fatal, a, b, ...) \
  ZXTEST_CMP_IMPL_(fatal, ::zxtest::internal::Eq(zxtest_a_, zxtest_b_), "==", a, b, ##__VA_ARGS__)
#define ZXTEST_CMP_NE_(fatal, a, b, ...) \
  ZXTEST_CMP_IMPL_(fatal, !::zxtest::internal::Eq(zxtest_a_, zxtest_b_), "!=", a, b, ##__VA_ARGS__)
#define ZXTEST_CMP_LT_(fatal, a, b, ...) \
  ZXTEST_CMP_IMPL_(fatal, ::zxtest::internal::Lt(zxtest_a_, zxtest_b_), "<", a, b, ##__VA_ARGS__)
#define ZXTEST_CMP_LE_(fatal, a, b, ...) \
  ZXTEST_CMP_IMPL_(fatal, !::zxtest::internal::Lt(zxtest_b_, zxtest_a_), "<=", a, b, ##__VA_ARGS__)
#define ZXTEST_CMP_GT_(fatal, a, b, ...) \
  ZXTEST_CMP_IMPL_(fatal, ::zxtest::internal::Lt(zxtest_b_, zxtest_a_), ">", a, b, ##__VA_ARGS__)
#define ZXTEST_CMP_GE_(fatal, a, b, ...) \
  ZXTEST_CMP_IMPL_(fatal, !::zxtest::internal::Lt(zxtest_a_, zxtest_b_), ">=", a, b, ##__VA_ARGS__)

#define ZXTEST_BOOL_(fatal, cond, text, ...)                                          \
  switch (0)                                                                          \
  case 0:                                                                             \
  default:                                                                            \
    if (cond) {                                                                       \
    } else                                                                            \
      return_if_fatal_##fatal ZXTEST_REPORT_(fatal, std::string(text) + ". " +        \
                                                        ZXTEST_MSG(__VA_ARGS__))

#define ZXTEST_BYTES_(fatal, a, b, n, ...)                                                     \
  ZXTEST_BOOL_(fatal, memcmp((a), (b), (n)) == 0, "Expected bytes " #a " == " #b, ##__VA_ARGS__)

#define ZXTEST_SKIP(...)                                                                        \
  return ::zxtest::internal::Skipper(__FILE__, __LINE__, ZXTEST_MSG(__VA_ARGS__)) =             \
             ::zxtest::internal::Message()

#endif  // __cplusplus

// ------------------------------------------------------------------------------- both --
#define ZXTEST_FATAL_true 1
#define ZXTEST_FATAL_false 0

#ifdef __cplusplus
#define ZXTEST_EQ_(f, a, b, ...) ZXTEST_CMP_(f, EQ, a, b, ##__VA_ARGS__)
#define ZXTEST_NE_(f, a, b, ...) ZXTEST_CMP_(f, NE, a, b, ##__VA_ARGS__)
#define ZXTEST_LT_(f, a, b, ...) ZXTEST_CMP_(f, LT, a, b, ##__VA_ARGS__)
#define ZXTEST_LE_(f, a, b, ...) ZXTEST_CMP_(f, LE, a, b, ##__VA_ARGS__)
#define ZXTEST_GT_(f, a, b, ...) ZXTEST_CMP_(f, GT, a, b, ##__VA_ARGS__)
#define ZXTEST_GE_(f, a, b, ...) ZXTEST_CMP_(f, GE, a, b, ##__VA_ARGS__)
#else
#define ZXTEST_EQ_(f, a, b, ...) ZXTEST_CMP_(ZXTEST_FATAL_##f, ==, a, b, ##__VA_ARGS__)
#define ZXTEST_NE_(f, a, b, ...) ZXTEST_CMP_(ZXTEST_FATAL_##f, !=, a, b, ##__VA_ARGS__)
#define ZXTEST_LT_(f, a, b, ...) ZXTEST_CMP_(ZXTEST_FATAL_##f, <, a, b, ##__VA_ARGS__)
#define ZXTEST_LE_(f, a, b, ...) ZXTEST_CMP_(ZXTEST_FATAL_##f, <=, a, b, ##__VA_ARGS__)
#define ZXTEST_GT_(f, a, b, ...) ZXTEST_CMP_(ZXTEST_FATAL_##f, >, a, b, ##__VA_ARGS__)
#define ZXTEST_GE_(f, a, b, ...) ZXTEST_CMP_(ZXTEST_FATAL_##f, >=, a, b, ##__VA_ARGS__)
#endif

#ifdef __cplusplus
#define ZXTEST_B_(f, cond, text, ...) ZXTEST_BOOL_(f, cond, text, ##__VA_ARGS__)
#define ZXTEST_BY_(f, a, b, n, ...) ZXTEST_BYTES_(f, a, b, n, ##__VA_ARGS__)
#else
#define ZXTEST_B_(f, cond, text, ...) ZXTEST_BOOL_(ZXTEST_FATAL_##f, cond, text, ##__VA_ARGS__)
#define ZXTEST_BY_(f, a, b, n, ...) ZXTEST_BYTES_(ZXTEST_FATAL_##f, a, b, n, ##__VA_ARGS__)
#endif

#define ASSERT_EQ(a, b, ...) ZXTEST_EQ_(true, a, b, ##__VA_ARGS__)
#define ASSERT_NE(a, b, ...) ZXTEST_NE_(true, a, b, ##__VA_ARGS__)
#define ASSERT_LT(a, b, ...) ZXTEST_LT_(true, a, b, ##__VA_ARGS__)
#define ASSERT_LE(a, b, ...) ZXTEST_LE_(true, a, b, ##__VA_ARGS__)
#define ASSERT_GT(a, b, ...) ZXTEST_GT_(true, a, b, ##__VA_ARGS__)
#define ASSERT_GE(a, b, ...) ZXTEST_GE_(true, a, b, ##__VA_ARGS__)
#define EXPECT_EQ(a, b, ...) ZXTEST_EQ_(false, a, b, ##__VA_ARGS__)
#define EXPECT_NE(a, b, ...) ZXTEST_NE_(false, a, b, ##__VA_ARGS__)
#define EXPECT_LT(a, b, ...) ZXTEST_LT_(false, a, b, ##__VA_ARGS__)
#define EXPECT_LE(a, b, ...) ZXTEST_LE_(false, a, b, ##__VA_ARGS__)
#define EXPECT_GT(a, b, ...) ZXTEST_GT_(false, a, b, ##__VA_ARGS__)
#define EXPECT_GE(a, b, ...) ZXTEST_GE_(false, a, b, ##__VA_ARGS__)

#define ASSERT_OK(s, ...) ASSERT_EQ(s, ZX_OK, ##__VA_ARGS__)
#define EXPECT_OK(s, ...) EXPECT_EQ(s, ZX_OK, ##__VA_ARGS__)
#define ASSERT_NOT_OK(s, ...) ASSERT_NE(s, ZX_OK, ##__VA_ARGS__)
#define EXPECT_NOT_OK(s, ...) EXPECT_NE(s, ZX_OK, ##__VA_ARGS__)
#define ASSERT_STATUS(a, b, ...) ASSERT_EQ(a, b, ##__VA_ARGS__)
#define EXPECT_STATUS(a, b, ...) EXPECT_EQ(a, b, ##__VA_ARGS__)

#define ASSERT_TRUE(c, ...) ZXTEST_B_(true, (c), "Expected " #c " to be true", ##__VA_ARGS__)
#define EXPECT_TRUE(c, ...) ZXTEST_B_(false, (c), "Expected " #c " to be true", ##__VA_ARGS__)
#define ASSERT_FALSE(c, ...) ZXTEST_B_(true, !(c), "Expected " #c " to be false", ##__VA_ARGS__)
#define EXPECT_FALSE(c, ...) ZXTEST_B_(false, !(c), "Expected " #c " to be false", ##__VA_ARGS__)
#define ASSERT_NULL(p, ...) ZXTEST_B_(true, (p) == NULL, "Expected " #p " to be null", ##__VA_ARGS__)
#define EXPECT_NULL(p, ...) ZXTEST_B_(false, (p) == NULL, "Expected " #p " to be null", ##__VA_ARGS__)
#define ASSERT_NOT_NULL(p, ...) \
  ZXTEST_B_(true, (p) != NULL, "Expected " #p " not to be null", ##__VA_ARGS__)
#define EXPECT_NOT_NULL(p, ...) \
  ZXTEST_B_(false, (p) != NULL, "Expected " #p " not to be null", ##__VA_ARGS__)
#define ASSERT_STREQ(a, b, ...) \
  ZXTEST_B_(true, strcmp((a), (b)) == 0, "Expected strings " #a " == " #b, ##__VA_ARGS__)
#define EXPECT_STREQ(a, b, ...) \
  ZXTEST_B_(false, strcmp((a), (b)) == 0, "Expected strings " #a " == " #b, ##__VA_ARGS__)
#define ASSERT_STRNE(a, b, ...) \
  ZXTEST_B_(true, strcmp((a), (b)) != 0, "Expected strings " #a " != " #b, ##__VA_ARGS__)
#define EXPECT_STRNE(a, b, ...) \
  ZXTEST_B_(false, strcmp((a), (b)) != 0, "Expected strings " #a " != " #b, ##__VA_ARGS__)
#define ASSERT_BYTES_EQ(a, b, n, ...) ZXTEST_BY_(true, a, b, n, ##__VA_ARGS__)
#define EXPECT_BYTES_EQ(a, b, n, ...) ZXTEST_BY_(false, a, b, n, ##__VA_ARGS__)

#define FAIL(...) ZXTEST_B_(true, false, "Failure", ##__VA_ARGS__)

#define CURRENT_TEST_HAS_FAILURE() zxtest_has_failure()
#define CURRENT_TEST_HAS_FATAL_FAILURE() zxtest_has_fatal_failure()
#define CURRENT_TEST_HAS_FAILURES() zxtest_has_failure()

#define ASSERT_NO_FATAL_FAILURE(stmt, ...) \
  do {                                     \
    stmt;                                  \
    if (zxtest_has_fatal_failure()) return; \
  } while (0)
#define ASSERT_NO_FATAL_FAILURES(stmt, ...) ASSERT_NO_FATAL_FAILURE(stmt)
#define EXPECT_NO_FATAL_FAILURE(stmt, ...) \
  do {                                     \
    stmt;                                  \
  } while (0)
#define EXPECT_NO_FATAL_FAILURES(stmt, ...) EXPECT_NO_FATAL_FAILURE(stmt)
#define ASSERT_NO_FAILURES(stmt, ...) \
  do {                                \
    stmt;                             \
    if (zxtest_has_failure()) return; \
  } while (0)

// Death tests need a separate process image; they are reported as skipped.
#define ASSERT_DEATH(stmt, ...) ZXTEST_SKIP("death tests are not supported on the host")
#define ASSERT_NO_DEATH(stmt, ...) \
  do {                             \
    stmt;                          \
  } while (0)

#endif  // ZXSIM_ZXTEST_ZXTEST_H_
