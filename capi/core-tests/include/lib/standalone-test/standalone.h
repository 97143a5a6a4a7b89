// zxsim's host shim for lib/standalone-test: there are no kernel resources on the host, so the
// system resource is invalid and deriving one answers ZX_ERR_NOT_SUPPORTED.
#ifndef ZXSIM_LIB_STANDALONE_TEST_STANDALONE_H_
#define ZXSIM_LIB_STANDALONE_TEST_STANDALONE_H_

#include <lib/zx/resource.h>
#include <lib/zx/result.h>

namespace standalone {

inline zx::unowned_resource GetSystemResource() { return zx::unowned_resource(ZX_HANDLE_INVALID); }

inline zx::result<zx::resource> GetSystemResourceWithBase(const zx::unowned_resource&, uint64_t) {
  return zx::error(ZX_ERR_NOT_SUPPORTED);
}

}  // namespace standalone

#endif
