/* zxsim: the calling task's own handles. */
#ifndef ZIRCON_PROCESS_H_
#define ZIRCON_PROCESS_H_

#include <zircon/types.h>

__BEGIN_CDECLS

/* The bound process's handle to itself (the same value every call; do not close it). */
zx_handle_t zx_process_self(void);
/* The calling thread's handle to itself in the bound process (same value every call). */
zx_handle_t zx_thread_self(void);
/* No job or VMAR objects exist in zxsim: both answer ZX_HANDLE_INVALID. */
zx_handle_t zx_job_default(void);
zx_handle_t zx_vmar_root_self(void);

__END_CDECLS

#endif /* ZIRCON_PROCESS_H_ */
