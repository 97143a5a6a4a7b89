// zxsim's host stand-in for fbl/array.h: an owned heap array with its size.
#ifndef ZXSIM_FBL_ARRAY_H_
#define ZXSIM_FBL_ARRAY_H_

#include <cstddef>

namespace fbl {

template <typename T>
class Array {
 public:
  Array() = default;
  Array(T* data, size_t size) : data_(data), size_(size) {}
  Array(const Array&) = delete;
  Array& operator=(const Array&) = delete;
  Array(Array&& other) : data_(other.data_), size_(other.size_) {
    other.data_ = nullptr;
    other.size_ = 0;
  }
  ~Array() { delete[] data_; }
  void reset(T* data, size_t size) {
    delete[] data_;
    data_ = data;
    size_ = size;
  }
  T* data() const { return data_; }
  T* get() const { return data_; }
  size_t size() const { return size_; }
  T& operator[](size_t i) const { return data_[i]; }
  T* begin() const { return data_; }
  T* end() const { return data_ + size_; }

 private:
  T* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace fbl

#endif
