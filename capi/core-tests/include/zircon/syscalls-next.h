// zxsim's host shim for zircon/syscalls-next.h: the @next syscalls tests reference. zxsim
// implements none of them; tests resolve them weakly and skip.
#ifndef ZXSIM_ZIRCON_SYSCALLS_NEXT_H_
#define ZXSIM_ZIRCON_SYSCALLS_NEXT_H_

#include <zircon/syscalls.h>

__BEGIN_CDECLS

zx_status_t zx_system_suspend_enter(zx_handle_t resource, zx_instant_boot_t resume_deadline,
                                    uint64_t options, void* out_header, void* out_entries,
                                    uint32_t num_entries, uint32_t* actual_entries);

__END_CDECLS

#endif
