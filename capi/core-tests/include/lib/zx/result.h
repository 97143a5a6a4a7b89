// zxsim's host stand-in for lib/zx/result.h: a status or a value.
#ifndef ZXSIM_LIB_ZX_RESULT_H_
#define ZXSIM_LIB_ZX_RESULT_H_

#include <zircon/types.h>

#include <optional>
#include <utility>

namespace zx {

struct error {
  explicit error(zx_status_t status) : status(status) {}
  zx_status_t status;
};

template <typename T = void>
struct ok_value {
  T value;
};

template <typename T>
ok_value<T> ok(T value) {
  return ok_value<T>{std::move(value)};
}

template <typename T = void>
class result {
 public:
  result(error e) : status_(e.status) {}
  template <typename U>
  result(ok_value<U> v) : status_(ZX_OK), value_(std::move(v.value)) {}
  result(result&&) = default;
  bool is_ok() const { return status_ == ZX_OK; }
  bool is_error() const { return status_ != ZX_OK; }
  zx_status_t status_value() const { return status_; }
  T& value() { return *value_; }
  const T& value() const { return *value_; }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

 private:
  zx_status_t status_;
  std::optional<T> value_;
};

}  // namespace zx

#endif
