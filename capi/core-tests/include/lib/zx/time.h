// zxsim's host stand-in for lib/zx/time.h (see lib/zx/object.h).
#ifndef ZXSIM_LIB_ZX_TIME_H_
#define ZXSIM_LIB_ZX_TIME_H_

#include <zircon/syscalls.h>
#include <zircon/time.h>

namespace zx {

class duration {
 public:
  constexpr duration() = default;
  explicit constexpr duration(zx_duration_t value) : value_(value) {}
  static constexpr duration infinite() { return duration(ZX_TIME_INFINITE); }
  static constexpr duration infinite_past() { return duration(ZX_TIME_INFINITE_PAST); }
  constexpr zx_duration_t get() const { return value_; }
  constexpr duration operator+(duration o) const {
    return duration(zx_duration_add_duration(value_, o.value_));
  }
  constexpr duration operator-(duration o) const {
    return duration(zx_duration_sub_duration(value_, o.value_));
  }
  constexpr duration operator*(int64_t n) const { return duration(zx_duration_mul_int64(value_, n)); }
  constexpr duration operator/(int64_t n) const { return duration(value_ / n); }
  constexpr int64_t operator/(duration o) const { return value_ / o.value_; }
  duration& operator+=(duration o) { return *this = *this + o; }
  duration& operator-=(duration o) { return *this = *this - o; }
  constexpr bool operator==(duration o) const { return value_ == o.value_; }
  constexpr bool operator!=(duration o) const { return value_ != o.value_; }
  constexpr bool operator<(duration o) const { return value_ < o.value_; }
  constexpr bool operator<=(duration o) const { return value_ <= o.value_; }
  constexpr bool operator>(duration o) const { return value_ > o.value_; }
  constexpr bool operator>=(duration o) const { return value_ >= o.value_; }
  constexpr int64_t to_nsecs() const { return value_; }
  constexpr int64_t to_usecs() const { return value_ / 1000; }
  constexpr int64_t to_msecs() const { return value_ / 1000000; }
  constexpr int64_t to_secs() const { return value_ / 1000000000; }

 private:
  zx_duration_t value_ = 0;
};

constexpr duration operator*(int64_t n, duration d) { return d * n; }

template <zx_clock_t kClockId>
class basic_time {
 public:
  constexpr basic_time() = default;
  explicit constexpr basic_time(zx_time_t value) : value_(value) {}
  static constexpr basic_time infinite() { return basic_time(ZX_TIME_INFINITE); }
  static constexpr basic_time infinite_past() { return basic_time(ZX_TIME_INFINITE_PAST); }
  constexpr zx_time_t get() const { return value_; }
  zx_time_t* get_address() { return &value_; }
  constexpr duration operator-(basic_time o) const {
    return duration(zx_time_sub_time(value_, o.value_));
  }
  constexpr basic_time operator+(duration d) const {
    return basic_time(zx_time_add_duration(value_, d.get()));
  }
  constexpr basic_time operator-(duration d) const {
    return basic_time(zx_time_sub_duration(value_, d.get()));
  }
  basic_time& operator+=(duration d) { return *this = *this + d; }
  basic_time& operator-=(duration d) { return *this = *this - d; }
  constexpr bool operator==(basic_time o) const { return value_ == o.value_; }
  constexpr bool operator!=(basic_time o) const { return value_ != o.value_; }
  constexpr bool operator<(basic_time o) const { return value_ < o.value_; }
  constexpr bool operator<=(basic_time o) const { return value_ <= o.value_; }
  constexpr bool operator>(basic_time o) const { return value_ > o.value_; }
  constexpr bool operator>=(basic_time o) const { return value_ >= o.value_; }

 private:
  zx_time_t value_ = 0;
};

using time = basic_time<ZX_CLOCK_MONOTONIC>;
using time_monotonic = time;
using instant_mono = time;
using time_boot = basic_time<ZX_CLOCK_BOOT>;
using instant_boot = time_boot;
using duration_mono = duration;

class ticks {
 public:
  constexpr ticks() = default;
  explicit constexpr ticks(zx_ticks_t value) : value_(value) {}
  static ticks now() { return ticks(zx_ticks_get()); }
  static ticks per_second() { return ticks(zx_ticks_per_second()); }
  constexpr zx_ticks_t get() const { return value_; }
  constexpr ticks operator-(ticks o) const { return ticks(value_ - o.value_); }
  constexpr ticks operator+(ticks o) const { return ticks(value_ + o.value_); }
  constexpr bool operator<(ticks o) const { return value_ < o.value_; }
  constexpr bool operator>(ticks o) const { return value_ > o.value_; }
  constexpr bool operator<=(ticks o) const { return value_ <= o.value_; }
  constexpr bool operator>=(ticks o) const { return value_ >= o.value_; }
  constexpr bool operator==(ticks o) const { return value_ == o.value_; }

 private:
  zx_ticks_t value_ = 0;
};

namespace clock {
inline time get_monotonic() { return time(zx_clock_get_monotonic()); }
// zxsim has one clock: boot time equals monotonic time (nothing suspends).
inline time_boot get_boot() { return time_boot(zx_clock_get_monotonic()); }
}  // namespace clock

constexpr duration nsec(int64_t n) { return duration(ZX_NSEC(n)); }
constexpr duration usec(int64_t n) { return duration(ZX_USEC(n)); }
constexpr duration msec(int64_t n) { return duration(ZX_MSEC(n)); }
constexpr duration sec(int64_t n) { return duration(ZX_SEC(n)); }
constexpr duration min(int64_t n) { return duration(ZX_MIN(n)); }
constexpr duration hour(int64_t n) { return duration(ZX_HOUR(n)); }

inline time deadline_after(duration d) { return time(zx_deadline_after(d.get())); }
inline zx_status_t nanosleep(time deadline) { return zx_nanosleep(deadline.get()); }

}  // namespace zx

#endif  // ZXSIM_LIB_ZX_TIME_H_
