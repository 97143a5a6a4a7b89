// zxsim's host shim for zircon/syscalls/resource.h: resource kinds and bases (no resources
// exist in zxsim).
#ifndef ZXSIM_ZIRCON_SYSCALLS_RESOURCE_H_
#define ZXSIM_ZIRCON_SYSCALLS_RESOURCE_H_

#define ZX_RSRC_KIND_SYSTEM ((uint32_t)6u)
#define ZX_RSRC_SYSTEM_CPU_BASE ((uint64_t)1u)

#endif
