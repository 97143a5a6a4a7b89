// zxsim's host stand-in for fbl/algorithm.h: the helpers core-tests use.
#ifndef ZXSIM_FBL_ALGORITHM_H_
#define ZXSIM_FBL_ALGORITHM_H_

#include <algorithm>
#include <cstddef>

namespace fbl {

template <typename T>
constexpr T round_up(T value, T multiple) {
  return static_cast<T>((value + multiple - 1) / multiple * multiple);
}

template <typename T>
constexpr T round_down(T value, T multiple) {
  return static_cast<T>(value / multiple * multiple);
}

template <typename T, size_t N>
constexpr size_t count_of(const T (&)[N]) {
  return N;
}

}  // namespace fbl

#endif
