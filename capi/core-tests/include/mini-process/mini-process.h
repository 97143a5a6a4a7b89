// zxsim's host shim for mini-process: zxsim runs no second address space, so starting a mini
// process answers ZX_ERR_NOT_SUPPORTED and tests that need one fail clearly.
#ifndef ZXSIM_MINI_PROCESS_MINI_PROCESS_H_
#define ZXSIM_MINI_PROCESS_MINI_PROCESS_H_

#include <stdbool.h>
#include <zircon/types.h>

#define MINIP_CMD_ECHO_MSG (1 << 0)
#define MINIP_CMD_CREATE_EVENT (1 << 1)
#define MINIP_CMD_CREATE_CHANNEL (1 << 2)
#define MINIP_CMD_USE_BAD_HANDLE_CLOSED (1 << 3)
#define MINIP_CMD_USE_BAD_HANDLE_TRANSFERRED (1 << 4)
#define MINIP_CMD_VALIDATE_CLOSED_HANDLE (1 << 5)
#define MINIP_CMD_CREATE_PROFILE (1 << 7)
#define MINIP_CMD_CHANNEL_WRITE (1 << 8)
#define MINIP_CMD_WAIT_ASYNC (1 << 9)
#define MINIP_CMD_EXIT_NORMAL (1 << 31)

__BEGIN_CDECLS

static inline zx_status_t start_mini_process(zx_handle_t job, zx_handle_t transferred_handle,
                                             zx_handle_t* process, zx_handle_t* thread) {
  (void)job;
  (void)transferred_handle;
  (void)process;
  (void)thread;
  return ZX_ERR_NOT_SUPPORTED;
}

static inline zx_status_t start_mini_process_etc(zx_handle_t process, zx_handle_t thread,
                                                 zx_handle_t vmar, zx_handle_t transferred_handle,
                                                 bool wait_for_ack, zx_handle_t* control_channel) {
  (void)process;
  (void)thread;
  (void)vmar;
  (void)transferred_handle;
  (void)wait_for_ack;
  (void)control_channel;
  return ZX_ERR_NOT_SUPPORTED;
}

static inline zx_status_t mini_process_cmd(zx_handle_t cmd_channel, uint32_t what,
                                           zx_handle_t* handle) {
  (void)cmd_channel;
  (void)what;
  (void)handle;
  return ZX_ERR_NOT_SUPPORTED;
}

__END_CDECLS

#endif
