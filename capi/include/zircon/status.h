/* zxsim: status names. */
#ifndef ZIRCON_STATUS_H_
#define ZIRCON_STATUS_H_

#include <zircon/types.h>

__BEGIN_CDECLS

/* The status's name ("ZX_ERR_BAD_HANDLE"), or "(UNKNOWN)"; the string is static. */
const char* zx_status_get_string(zx_status_t status);

__END_CDECLS

#endif /* ZIRCON_STATUS_H_ */
