/* zxsim: time types, units and saturating arithmetic. */
#ifndef ZIRCON_TIME_H_
#define ZIRCON_TIME_H_

#include <stdint.h>
#include <zircon/compiler.h>

typedef int64_t zx_time_t;
typedef int64_t zx_duration_t;
typedef int64_t zx_ticks_t;
typedef int64_t zx_instant_mono_t;
typedef int64_t zx_instant_boot_t;
typedef int64_t zx_duration_mono_t;
typedef int64_t zx_duration_boot_t;
typedef int64_t zx_instant_mono_ticks_t;
typedef int64_t zx_instant_boot_ticks_t;
typedef int64_t zx_duration_mono_ticks_t;
typedef int64_t zx_duration_boot_ticks_t;

#define ZX_TIME_INFINITE INT64_MAX
#define ZX_TIME_INFINITE_PAST INT64_MIN

#define ZX_NSEC(n) ((zx_duration_t)(1LL * (n)))
#define ZX_USEC(n) ((zx_duration_t)(1000LL * (n)))
#define ZX_MSEC(n) ((zx_duration_t)(1000000LL * (n)))
#define ZX_SEC(n) ((zx_duration_t)(1000000000LL * (n)))
#define ZX_MIN(n) (ZX_SEC(n) * 60LL)
#define ZX_HOUR(n) (ZX_MIN(n) * 60LL)

__CONSTEXPR static inline int64_t zxsim_saturate_(int64_t sign, int overflowed, int64_t value) {
  return overflowed ? (sign < 0 ? INT64_MIN : INT64_MAX) : value;
}

__CONSTEXPR static inline zx_time_t zx_time_add_duration(zx_time_t time, zx_duration_t duration) {
  zx_time_t out = 0;
  int overflowed = __builtin_add_overflow(time, duration, &out);
  return zxsim_saturate_(duration, overflowed, out);
}

__CONSTEXPR static inline zx_time_t zx_time_sub_duration(zx_time_t time, zx_duration_t duration) {
  zx_time_t out = 0;
  int overflowed = __builtin_sub_overflow(time, duration, &out);
  return zxsim_saturate_(duration == INT64_MIN ? 1 : -duration, overflowed, out);
}

__CONSTEXPR static inline zx_duration_t zx_time_sub_time(zx_time_t time1, zx_time_t time2) {
  zx_duration_t out = 0;
  int overflowed = __builtin_sub_overflow(time1, time2, &out);
  return zxsim_saturate_(time1 < time2 ? -1 : 1, overflowed, out);
}

__CONSTEXPR static inline zx_duration_t zx_duration_add_duration(zx_duration_t a, zx_duration_t b) {
  zx_duration_t out = 0;
  int overflowed = __builtin_add_overflow(a, b, &out);
  return zxsim_saturate_(b, overflowed, out);
}

__CONSTEXPR static inline zx_duration_t zx_duration_sub_duration(zx_duration_t a, zx_duration_t b) {
  zx_duration_t out = 0;
  int overflowed = __builtin_sub_overflow(a, b, &out);
  return zxsim_saturate_(a < b ? -1 : 1, overflowed, out);
}

__CONSTEXPR static inline zx_duration_t zx_duration_mul_int64(zx_duration_t duration, int64_t multiplier) {
  zx_duration_t out = 0;
  int overflowed = __builtin_mul_overflow(duration, multiplier, &out);
  return zxsim_saturate_((duration < 0) != (multiplier < 0) ? -1 : 1, overflowed, out);
}

__CONSTEXPR static inline int64_t zx_nsec_from_duration(zx_duration_t n) { return n; }

__CONSTEXPR static inline zx_duration_t zx_duration_from_nsec(int64_t n) { return zx_duration_mul_int64(1, n); }

__CONSTEXPR static inline zx_duration_t zx_duration_from_usec(int64_t n) {
  return zx_duration_mul_int64(1000, n);
}

__CONSTEXPR static inline zx_duration_t zx_duration_from_msec(int64_t n) {
  return zx_duration_mul_int64(1000000, n);
}

__CONSTEXPR static inline zx_duration_t zx_duration_from_sec(int64_t n) {
  return zx_duration_mul_int64(1000000000, n);
}

#endif /* ZIRCON_TIME_H_ */
