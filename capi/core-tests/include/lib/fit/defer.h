// zxsim's host stand-in for lib/fit/defer.h: runs a callable when the scope ends.
#ifndef ZXSIM_LIB_FIT_DEFER_H_
#define ZXSIM_LIB_FIT_DEFER_H_

#include <utility>

namespace fit {

template <typename F>
class deferred_action {
 public:
  explicit deferred_action(F f) : f_(std::move(f)), armed_(true) {}
  deferred_action(deferred_action&& other) : f_(std::move(other.f_)), armed_(other.armed_) {
    other.armed_ = false;
  }
  deferred_action(const deferred_action&) = delete;
  ~deferred_action() { call(); }
  void call() {
    if (armed_) {
      armed_ = false;
      f_();
    }
  }
  void cancel() { armed_ = false; }

 private:
  F f_;
  bool armed_;
};

template <typename F>
deferred_action<F> defer(F f) {
  return deferred_action<F>(std::move(f));
}

}  // namespace fit

#endif  // ZXSIM_LIB_FIT_DEFER_H_
