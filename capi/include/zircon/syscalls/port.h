/* zxsim: port packets. */
#ifndef ZIRCON_SYSCALLS_PORT_H_
#define ZIRCON_SYSCALLS_PORT_H_

#include <zircon/types.h>

__BEGIN_CDECLS

#define ZX_PKT_TYPE_USER ((uint8_t)0x00u)
#define ZX_PKT_TYPE_SIGNAL_ONE ((uint8_t)0x01u)
#define ZX_PKT_TYPE_GUEST_BELL ((uint8_t)0x03u)
#define ZX_PKT_TYPE_GUEST_MEM ((uint8_t)0x04u)
#define ZX_PKT_TYPE_GUEST_IO ((uint8_t)0x05u)
#define ZX_PKT_TYPE_GUEST_VCPU ((uint8_t)0x06u)
#define ZX_PKT_TYPE_INTERRUPT ((uint8_t)0x07u)
#define ZX_PKT_TYPE_PAGE_REQUEST ((uint8_t)0x09u)

#define ZX_PKT_IS_USER(type) ((type) == ZX_PKT_TYPE_USER)
#define ZX_PKT_IS_SIGNAL_ONE(type) ((type) == ZX_PKT_TYPE_SIGNAL_ONE)
#define ZX_PKT_IS_INTERRUPT(type) ((type) == ZX_PKT_TYPE_INTERRUPT)

typedef union zx_packet_user {
  uint64_t u64[4];
  uint32_t u32[8];
  uint16_t u16[16];
  uint8_t c8[32];
} zx_packet_user_t;

typedef struct zx_packet_signal {
  zx_signals_t trigger;
  zx_signals_t observed;
  uint64_t count;
  zx_time_t timestamp;
  uint64_t reserved1;
} zx_packet_signal_t;

typedef struct zx_packet_interrupt {
  zx_time_t timestamp;
  uint64_t reserved0;
  uint64_t reserved1;
  uint64_t reserved2;
} zx_packet_interrupt_t;

typedef struct zx_port_packet {
  uint64_t key;
  uint32_t type;
  zx_status_t status;
  union {
    zx_packet_user_t user;
    zx_packet_signal_t signal;
    zx_packet_interrupt_t interrupt;
  };
} zx_port_packet_t;

__END_CDECLS

#endif /* ZIRCON_SYSCALLS_PORT_H_ */
