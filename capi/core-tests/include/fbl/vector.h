// zxsim's host stand-in for fbl/vector.h: std::vector with fbl's AllocChecker overloads.
#ifndef ZXSIM_FBL_VECTOR_H_
#define ZXSIM_FBL_VECTOR_H_

#include <fbl/alloc_checker.h>

#include <vector>

namespace fbl {

template <typename T>
class Vector : public std::vector<T> {
 public:
  using std::vector<T>::vector;
  using std::vector<T>::push_back;
  void push_back(T value, AllocChecker* ac) {
    this->std::vector<T>::push_back(std::move(value));
    ac->arm(sizeof(T), true);
  }
  void reserve(size_t n, AllocChecker* ac) {
    this->std::vector<T>::reserve(n);
    ac->arm(n, true);
  }
};

}  // namespace fbl

#endif  // ZXSIM_FBL_VECTOR_H_
