// zxsim's host stand-in for lib/zx/resource.h: a handle type with no operations (zxsim has no
// resources).
#ifndef ZXSIM_LIB_ZX_RESOURCE_H_
#define ZXSIM_LIB_ZX_RESOURCE_H_

#include <lib/zx/types.h>

namespace zx {

class resource : public object<resource> {
 public:
  using object<resource>::object;
};
using unowned_resource = unowned<resource>;

}  // namespace zx

#endif
