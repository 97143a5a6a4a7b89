// zxsim's host stand-in for the lib/zx C++ wrappers the core-tests use (written for zxsim; no
// upstream code): owning handle types over the C ABI, with the same member names and signatures.
// Objects zxsim does not model (vmo, vmar, job, real process/thread creation) exist so tests
// compile; their calls answer ZX_ERR_NOT_SUPPORTED.
#ifndef ZXSIM_LIB_ZX_OBJECT_H_
#define ZXSIM_LIB_ZX_OBJECT_H_

#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/types.h>

#include <lib/zx/time.h>

#include <utility>

namespace zx {

template <typename T>
class unowned;

class object_base {
 public:
  constexpr object_base() = default;
  explicit object_base(zx_handle_t value) : value_(value) {}
  zx_handle_t get() const { return value_; }
  bool is_valid() const { return value_ != ZX_HANDLE_INVALID; }
  explicit operator bool() const { return is_valid(); }
  zx_handle_t* reset_and_get_address() {
    reset();
    return &value_;
  }
  void reset(zx_handle_t value = ZX_HANDLE_INVALID) {
    if (value_ != ZX_HANDLE_INVALID) zx_handle_close(value_);
    value_ = value;
  }
  zx_handle_t release() {
    zx_handle_t value = value_;
    value_ = ZX_HANDLE_INVALID;
    return value;
  }

 protected:
  zx_handle_t value_ = ZX_HANDLE_INVALID;
};

template <typename T>
class object : public object_base {
 public:
  constexpr object() = default;
  explicit object(zx_handle_t value) : object_base(value) {}
  object(const object&) = delete;
  object& operator=(const object&) = delete;
  object(object&& other) : object_base(other.release()) {}
  object& operator=(object&& other) {
    if (this != &other) reset(other.release());
    return *this;
  }
  ~object() { reset(); }

  zx_status_t duplicate(zx_rights_t rights, T* result) const {
    zx_handle_t h = ZX_HANDLE_INVALID;
    zx_status_t status = zx_handle_duplicate(value_, rights, &h);
    result->reset(h);
    return status;
  }
  zx_status_t replace(zx_rights_t rights, T* result) {
    zx_handle_t h = ZX_HANDLE_INVALID;
    zx_status_t status = zx_handle_replace(value_, rights, &h);
    value_ = ZX_HANDLE_INVALID;  // gone whatever the outcome
    result->reset(h);
    return status;
  }
  zx_status_t wait_one(zx_signals_t signals, zx::time deadline, zx_signals_t* pending) const {
    return zx_object_wait_one(value_, signals, deadline.get(), pending);
  }
  zx_status_t wait_async(const object_base& port, uint64_t key, zx_signals_t signals,
                         uint32_t options) const {
    return zx_object_wait_async(value_, port.get(), key, signals, options);
  }
  static zx_status_t wait_many(zx_wait_item_t* items, size_t count, zx::time deadline) {
    return zx_object_wait_many(items, count, deadline.get());
  }
  zx_status_t signal(uint32_t clear_mask, uint32_t set_mask) const {
    return zx_object_signal(value_, clear_mask, set_mask);
  }
  zx_status_t signal_peer(uint32_t clear_mask, uint32_t set_mask) const {
    return zx_object_signal_peer(value_, clear_mask, set_mask);
  }
  zx_status_t get_info(uint32_t topic, void* buffer, size_t buffer_size, size_t* actual,
                       size_t* avail) const {
    return zx_object_get_info(value_, topic, buffer, buffer_size, actual, avail);
  }
  zx_status_t get_property(uint32_t property, void* value, size_t size) const {
    return zx_object_get_property(value_, property, value, size);
  }
  zx_status_t set_property(uint32_t property, const void* value, size_t size) const {
    return zx_object_set_property(value_, property, value, size);
  }
  zx_status_t get_child(uint64_t koid, zx_rights_t rights, object_base* result) const {
    zx_handle_t h = ZX_HANDLE_INVALID;
    zx_status_t status = zx_object_get_child(value_, koid, rights, &h);
    result->reset(h);
    return status;
  }
  unowned<T> borrow() const;
};

// A borrowed handle: usable as a T, never closes it.
template <typename T>
class unowned {
 public:
  unowned() = default;
  explicit unowned(zx_handle_t value) : value_(value) {}
  unowned(const T& owner) : value_(owner.get()) {}
  template <typename U>
  unowned(const unowned<U>& other) : value_(other->get()) {}
  unowned(const unowned& other) : value_(other->get()) {}
  unowned& operator=(const unowned& other) {
    static_cast<void>(value_.release());
    value_.reset(other->get());
    return *this;
  }
  ~unowned() { static_cast<void>(value_.release()); }
  const T& operator*() const { return value_; }
  const T* operator->() const { return &value_; }
  T* operator->() { return &value_; }

 private:
  T value_;
};

template <typename T>
unowned<T> object<T>::borrow() const {
  return unowned<T>(value_);
}

class handle : public object<handle> {
 public:
  using object<handle>::object;
};
using unowned_handle = unowned<handle>;

}  // namespace zx

#endif  // ZXSIM_LIB_ZX_OBJECT_H_
