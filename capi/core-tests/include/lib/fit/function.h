// zxsim's host stand-in for lib/fit/function.h: fit::function is std::function here.
#ifndef ZXSIM_LIB_FIT_FUNCTION_H_
#define ZXSIM_LIB_FIT_FUNCTION_H_

#include <functional>

namespace fit {

template <typename Signature>
using function = std::function<Signature>;

template <typename Signature>
using callback = std::function<Signature>;

}  // namespace fit

#endif
