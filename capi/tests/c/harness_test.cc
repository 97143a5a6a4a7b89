// Exercises zxsim's zxtest-compatible harness (capi/core-tests/) on its own, so CI covers it
// without a Fuchsia checkout: TEST, TEST_F, streamed and printf-style messages, ZXTEST_SKIP,
// fatal vs non-fatal failures, ASSERT_NO_FATAL_FAILURE, and the lib/zx stand-ins.
#include <lib/fit/defer.h>
#include <lib/zx/channel.h>
#include <lib/zx/event.h>
#include <lib/zx/port.h>
#include <lib/zx/thread.h>

#include <zxtest/zxtest.h>

namespace {

int fixture_setups = 0;

class Fixture : public zxtest::Test {
 protected:
  void SetUp() override {
    fixture_setups++;
    ASSERT_OK(zx::event::create(0, &event_));
  }
  zx::event event_;
};

TEST_F(Fixture, UsesSetUp) {
  EXPECT_EQ(fixture_setups, 1);
  EXPECT_TRUE(event_.is_valid());
  EXPECT_OK(event_.signal(0, ZX_EVENT_SIGNALED));
}

TEST(Harness, Passes) {
  zx::channel a, b;
  ASSERT_OK(zx::channel::create(0, &a, &b));
  ASSERT_OK(a.write(0, "hi", 2, nullptr, 0));
  char buf[2];
  uint32_t n = 0;
  ASSERT_OK(b.read(0, buf, nullptr, sizeof(buf), 0, &n, nullptr));
  EXPECT_EQ(n, 2u);
  EXPECT_BYTES_EQ(buf, "hi", 2);
  EXPECT_NE(zx::thread::self()->get(), ZX_HANDLE_INVALID);
  EXPECT_LT(zx::clock::get_monotonic(), zx::time::infinite());
  bool ran = false;
  {
    auto done = fit::defer([&] { ran = true; });
  }
  EXPECT_TRUE(ran);
}

void FailsFatally() { ASSERT_EQ(1, 2) << "streamed " << 42; }

TEST(Harness, FailsWithMessages) {
  EXPECT_EQ(3, 4, "printf %d", 7);
  ASSERT_NO_FATAL_FAILURE(FailsFatally());
  EXPECT_TRUE(false, "not reached");
}

TEST(Harness, Skips) {
  ZXTEST_SKIP() << "skipped on purpose";
  EXPECT_TRUE(false, "not reached");
}

TEST(Other, Filtered) { EXPECT_TRUE(true); }

}  // namespace
