/* zxsim: types shared by several syscall families. */
#ifndef ZIRCON_SYSCALLS_TYPES_H_
#define ZIRCON_SYSCALLS_TYPES_H_

#include <zircon/types.h>

__BEGIN_CDECLS

/* zx_cpu_set_t: one bit per CPU. */
#define ZX_CPU_SET_MAX_CPUS 512
#define ZX_CPU_SET_BITS_PER_WORD 64

typedef struct zx_cpu_set {
  uint64_t mask[ZX_CPU_SET_MAX_CPUS / ZX_CPU_SET_BITS_PER_WORD];
} zx_cpu_set_t;

__END_CDECLS

#endif /* ZIRCON_SYSCALLS_TYPES_H_ */
