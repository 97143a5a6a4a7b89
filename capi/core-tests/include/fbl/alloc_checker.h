// zxsim's host stand-in for fbl/alloc_checker.h (allocation failure aborts on the host).
#ifndef ZXSIM_FBL_ALLOC_CHECKER_H_
#define ZXSIM_FBL_ALLOC_CHECKER_H_

#include <cstddef>
#include <new>

namespace fbl {

class AllocChecker {
 public:
  void arm(size_t, bool ok) { ok_ = ok; }
  bool check() const { return ok_; }

 private:
  bool ok_ = true;
};

}  // namespace fbl

inline void* operator new(size_t size, fbl::AllocChecker* ac) noexcept {
  ac->arm(size, true);
  return ::operator new(size, std::nothrow);
}
inline void* operator new[](size_t size, fbl::AllocChecker* ac) noexcept {
  ac->arm(size, true);
  return ::operator new[](size, std::nothrow);
}

#endif  // ZXSIM_FBL_ALLOC_CHECKER_H_
