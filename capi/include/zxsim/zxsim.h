/* zxsim's setup extras for C and C++ programs (not part of Zircon's ABI).
 *
 * Nothing here is needed to run: a thread that never binds a process uses the default kernel
 * and process (profile from the ZXSIM_SEMANTICS environment variable). Use these to give a test
 * its own kernel (a semantics profile, a virtual clock), processes, and leak counters. */
#ifndef ZXSIM_ZXSIM_H_
#define ZXSIM_ZXSIM_H_

#include <zircon/types.h>

__BEGIN_CDECLS

typedef struct zxsim_kernel zxsim_kernel_t;
typedef struct zxsim_process zxsim_process_t;

/* Semantics profiles. DEFAULT follows ZXSIM_SEMANTICS (else rfc0240). */
#define ZXSIM_PROFILE_DEFAULT ((uint32_t)0u)
#define ZXSIM_PROFILE_ZIRCON ((uint32_t)1u)
#define ZXSIM_PROFILE_RFC0240 ((uint32_t)2u)

/* Kernel flags: a virtual clock starts at 0 and moves only with zxsim_clock_advance. */
#define ZXSIM_KERNEL_VIRTUAL_CLOCK ((uint32_t)1u)

/* A new isolated kernel. ZX_ERR_INVALID_ARGS for an unknown profile or flag, or a NULL out. */
zx_status_t zxsim_kernel_create(uint32_t profile, uint32_t flags, zxsim_kernel_t** out);
/* Drops this reference (NULL: no-op); the kernel lives on while its processes or objects do. */
void zxsim_kernel_destroy(zxsim_kernel_t* kernel);

/* A new process with an empty handle table. */
zx_status_t zxsim_process_create(const zxsim_kernel_t* kernel, zxsim_process_t** out);
/* Closes every handle of the process and drops this reference (NULL: no-op). */
void zxsim_process_destroy(zxsim_process_t* process);

/* Binds the calling thread to the process until the matching zxsim_thread_unbind (nests). */
zx_status_t zxsim_thread_bind(const zxsim_process_t* process);
/* Ends the innermost binding; ZX_ERR_BAD_STATE if there is none. */
zx_status_t zxsim_thread_unbind(void);

/* Advances a virtual clock by nanoseconds (>= 0); *now (optional) gets the new time.
 * ZX_ERR_BAD_STATE on a real clock. */
zx_status_t zxsim_clock_advance(const zxsim_kernel_t* kernel, zx_duration_t nanoseconds,
                                zx_time_t* now);

/* Objects and handles alive in the kernel (0 for NULL): 0 and 0 once a test closed everything. */
size_t zxsim_kernel_live_objects(const zxsim_kernel_t* kernel);
size_t zxsim_kernel_live_handles(const zxsim_kernel_t* kernel);

__END_CDECLS

#endif /* ZXSIM_ZXSIM_H_ */
