/* zxsim: Zircon's basic C types, signals, options and limits, and the structs syscalls take. */
#ifndef ZIRCON_TYPES_H_
#define ZIRCON_TYPES_H_

#include <stddef.h>
#include <stdint.h>
#include <zircon/compiler.h>
#include <zircon/errors.h>
#include <zircon/rights.h>
#include <zircon/time.h>

__BEGIN_CDECLS

typedef uint32_t zx_handle_t;
typedef int32_t zx_status_t;
typedef uint32_t zx_signals_t;
typedef uint64_t zx_koid_t;
typedef uint32_t zx_obj_type_t;
typedef uint32_t zx_clock_t;
typedef uint64_t zx_off_t;
typedef uint64_t zx_vaddr_t;
typedef uint64_t zx_paddr_t;
typedef uint64_t zx_gpaddr_t;
typedef size_t zx_vaddr_size_t;
typedef uint32_t zx_vm_option_t;
typedef uint32_t zx_handle_op_t;
typedef uint32_t zx_object_info_topic_t;
typedef uint32_t zx_txid_t;

#define ZX_HANDLE_INVALID ((zx_handle_t)0)
#define ZX_HANDLE_FIXED_BITS_MASK ((zx_handle_t)0x3)

#define ZX_KOID_INVALID ((zx_koid_t)0)
#define ZX_KOID_KERNEL ((zx_koid_t)1)
#define ZX_KOID_FIRST ((zx_koid_t)1024)

#define ZX_CLOCK_MONOTONIC ((zx_clock_t)0)
#define ZX_CLOCK_BOOT ((zx_clock_t)1)

#define ZX_MAX_NAME_LEN ((size_t)32u)

/* Signals. */
#define ZX_SIGNAL_NONE ((zx_signals_t)0u)
#define ZX_USER_SIGNAL_ALL ((zx_signals_t)0xff000000u)
#define __ZX_OBJECT_SIGNAL_ALL ((zx_signals_t)0x00ffffffu)

#define ZX_OBJECT_SIGNAL_0 ((zx_signals_t)1u << 0)
#define ZX_OBJECT_SIGNAL_1 ((zx_signals_t)1u << 1)
#define ZX_OBJECT_SIGNAL_2 ((zx_signals_t)1u << 2)
#define ZX_OBJECT_SIGNAL_3 ((zx_signals_t)1u << 3)
#define ZX_OBJECT_SIGNAL_4 ((zx_signals_t)1u << 4)
#define ZX_OBJECT_SIGNAL_5 ((zx_signals_t)1u << 5)
#define ZX_OBJECT_SIGNAL_6 ((zx_signals_t)1u << 6)
#define ZX_OBJECT_SIGNAL_7 ((zx_signals_t)1u << 7)
#define ZX_OBJECT_SIGNAL_8 ((zx_signals_t)1u << 8)
#define ZX_OBJECT_SIGNAL_9 ((zx_signals_t)1u << 9)
#define ZX_OBJECT_SIGNAL_10 ((zx_signals_t)1u << 10)
#define ZX_OBJECT_SIGNAL_11 ((zx_signals_t)1u << 11)
#define ZX_OBJECT_SIGNAL_12 ((zx_signals_t)1u << 12)
#define ZX_OBJECT_SIGNAL_13 ((zx_signals_t)1u << 13)
#define ZX_OBJECT_SIGNAL_14 ((zx_signals_t)1u << 14)
#define ZX_OBJECT_SIGNAL_15 ((zx_signals_t)1u << 15)
#define ZX_OBJECT_SIGNAL_16 ((zx_signals_t)1u << 16)
#define ZX_OBJECT_SIGNAL_17 ((zx_signals_t)1u << 17)
#define ZX_OBJECT_SIGNAL_18 ((zx_signals_t)1u << 18)
#define ZX_OBJECT_SIGNAL_19 ((zx_signals_t)1u << 19)
#define ZX_OBJECT_SIGNAL_20 ((zx_signals_t)1u << 20)
#define ZX_OBJECT_SIGNAL_21 ((zx_signals_t)1u << 21)
#define ZX_OBJECT_SIGNAL_22 ((zx_signals_t)1u << 22)
#define ZX_OBJECT_SIGNAL_23 ((zx_signals_t)1u << 23)
#define __ZX_OBJECT_HANDLE_CLOSED ZX_OBJECT_SIGNAL_23

#define ZX_USER_SIGNAL_0 ((zx_signals_t)1u << 24)
#define ZX_USER_SIGNAL_1 ((zx_signals_t)1u << 25)
#define ZX_USER_SIGNAL_2 ((zx_signals_t)1u << 26)
#define ZX_USER_SIGNAL_3 ((zx_signals_t)1u << 27)
#define ZX_USER_SIGNAL_4 ((zx_signals_t)1u << 28)
#define ZX_USER_SIGNAL_5 ((zx_signals_t)1u << 29)
#define ZX_USER_SIGNAL_6 ((zx_signals_t)1u << 30)
#define ZX_USER_SIGNAL_7 ((zx_signals_t)1u << 31)

#define ZX_OBJECT_READABLE ZX_OBJECT_SIGNAL_0
#define ZX_OBJECT_WRITABLE ZX_OBJECT_SIGNAL_1
#define ZX_OBJECT_PEER_CLOSED ZX_OBJECT_SIGNAL_2
#define ZX_SIGNAL_HANDLE_CLOSED __ZX_OBJECT_HANDLE_CLOSED

#define ZX_EVENT_SIGNALED ZX_OBJECT_SIGNAL_3
#define ZX_EVENT_SIGNAL_MASK (ZX_USER_SIGNAL_ALL | ZX_EVENT_SIGNALED)
#define ZX_EVENTPAIR_SIGNALED ZX_OBJECT_SIGNAL_3
#define ZX_EVENTPAIR_PEER_CLOSED ZX_OBJECT_PEER_CLOSED
#define ZX_EVENTPAIR_SIGNAL_MASK (ZX_USER_SIGNAL_ALL | ZX_EVENTPAIR_SIGNALED | ZX_EVENTPAIR_PEER_CLOSED)
#define ZX_CHANNEL_READABLE ZX_OBJECT_READABLE
#define ZX_CHANNEL_WRITABLE ZX_OBJECT_WRITABLE
#define ZX_CHANNEL_PEER_CLOSED ZX_OBJECT_PEER_CLOSED
#define ZX_SOCKET_READABLE ZX_OBJECT_READABLE
#define ZX_SOCKET_WRITABLE ZX_OBJECT_WRITABLE
#define ZX_SOCKET_PEER_CLOSED ZX_OBJECT_PEER_CLOSED
#define ZX_SOCKET_PEER_WRITE_DISABLED ZX_OBJECT_SIGNAL_4
#define ZX_SOCKET_WRITE_DISABLED ZX_OBJECT_SIGNAL_5
#define ZX_SOCKET_READ_THRESHOLD ZX_OBJECT_SIGNAL_10
#define ZX_SOCKET_WRITE_THRESHOLD ZX_OBJECT_SIGNAL_11
#define ZX_FIFO_READABLE ZX_OBJECT_READABLE
#define ZX_FIFO_WRITABLE ZX_OBJECT_WRITABLE
#define ZX_FIFO_PEER_CLOSED ZX_OBJECT_PEER_CLOSED
#define ZX_TIMER_SIGNALED ZX_OBJECT_SIGNAL_3
#define ZX_TASK_TERMINATED ZX_OBJECT_SIGNAL_3
#define ZX_JOB_TERMINATED ZX_OBJECT_SIGNAL_3
#define ZX_PROCESS_TERMINATED ZX_OBJECT_SIGNAL_3
#define ZX_THREAD_TERMINATED ZX_OBJECT_SIGNAL_3
#define ZX_THREAD_RUNNING ZX_OBJECT_SIGNAL_4
#define ZX_THREAD_SUSPENDED ZX_OBJECT_SIGNAL_5
#define ZX_CLOCK_STARTED ZX_OBJECT_SIGNAL_4
#define ZX_CLOCK_UPDATED ZX_OBJECT_SIGNAL_5
#define ZX_COUNTER_SIGNALED ZX_OBJECT_SIGNAL_3
#define ZX_COUNTER_POSITIVE ZX_OBJECT_SIGNAL_4
#define ZX_COUNTER_NON_POSITIVE ZX_OBJECT_SIGNAL_5

/* zx_object_wait_many. */
#define ZX_WAIT_MANY_MAX_ITEMS ((size_t)64)

typedef struct zx_wait_item {
  zx_handle_t handle;
  zx_signals_t waitfor;
  zx_signals_t pending;
} zx_wait_item_t;

/* zx_object_wait_async options. */
#define ZX_WAIT_ASYNC_ONCE ((uint32_t)0u)
#define ZX_WAIT_ASYNC_TIMESTAMP ((uint32_t)1u)
#define ZX_WAIT_ASYNC_EDGE ((uint32_t)2u)
#define ZX_WAIT_ASYNC_BOOT_TIMESTAMP ((uint32_t)4u)

/* Channels. */
#define ZX_CHANNEL_READ_MAY_DISCARD ((uint32_t)1u)
#define ZX_CHANNEL_WRITE_USE_IOVEC ((uint32_t)2u)
#define ZX_CHANNEL_MAX_MSG_BYTES ((uint32_t)65536u)
#define ZX_CHANNEL_MAX_MSG_HANDLES ((uint32_t)64u)
#define ZX_CHANNEL_MAX_MSG_IOVEC ((uint32_t)8192u)
#define ZX_CHANNEL_MAX_MSG_IOVECS ZX_CHANNEL_MAX_MSG_IOVEC

#define ZX_HANDLE_OP_MOVE ((zx_handle_op_t)0u)
#define ZX_HANDLE_OP_DUPLICATE ((zx_handle_op_t)1u)

typedef struct zx_channel_iovec {
  const void* buffer;
  uint32_t capacity;
  uint32_t reserved;
} zx_channel_iovec_t;

typedef struct zx_handle_disposition {
  zx_handle_op_t operation;
  zx_handle_t handle;
  zx_obj_type_t type;
  zx_rights_t rights;
  zx_status_t result;
} zx_handle_disposition_t;

typedef struct zx_handle_info {
  zx_handle_t handle;
  zx_obj_type_t type;
  zx_rights_t rights;
  uint32_t unused;
} zx_handle_info_t;

typedef struct zx_channel_call_args {
  const void* wr_bytes;
  const zx_handle_t* wr_handles;
  void* rd_bytes;
  zx_handle_t* rd_handles;
  uint32_t wr_num_bytes;
  uint32_t wr_num_handles;
  uint32_t rd_num_bytes;
  uint32_t rd_num_handles;
} zx_channel_call_args_t;

typedef struct zx_channel_call_etc_args {
  const void* wr_bytes;
  zx_handle_disposition_t* wr_handles;
  void* rd_bytes;
  zx_handle_info_t* rd_handles;
  uint32_t wr_num_bytes;
  uint32_t wr_num_handles;
  uint32_t rd_num_bytes;
  uint32_t rd_num_handles;
} zx_channel_call_etc_args_t;

/* Sockets. */
#define ZX_SOCKET_STREAM ((uint32_t)0u)
#define ZX_SOCKET_DATAGRAM ((uint32_t)1u << 0)
#define ZX_SOCKET_CREATE_MASK (ZX_SOCKET_DATAGRAM)
#define ZX_SOCKET_PEEK ((uint32_t)1u << 3)
#define ZX_SOCKET_DISPOSITION_WRITE_DISABLED ((uint32_t)1u << 0)
#define ZX_SOCKET_DISPOSITION_WRITE_ENABLED ((uint32_t)1u << 1)

/* FIFOs. */
#define ZX_FIFO_MAX_SIZE_BYTES ((uint32_t)4096u)

/* Timers. */
#define ZX_TIMER_SLACK_CENTER ((uint32_t)0u)
#define ZX_TIMER_SLACK_EARLY ((uint32_t)1u)
#define ZX_TIMER_SLACK_LATE ((uint32_t)2u)

/* VMAR mapping options (zxsim has no VMARs; the values let programs compile). */
#define ZX_VM_PERM_READ ((zx_vm_option_t)1u << 0)
#define ZX_VM_PERM_WRITE ((zx_vm_option_t)1u << 1)
#define ZX_VM_PERM_EXECUTE ((zx_vm_option_t)1u << 2)
#define ZX_VM_COMPACT ((zx_vm_option_t)1u << 3)
#define ZX_VM_SPECIFIC ((zx_vm_option_t)1u << 4)
#define ZX_VM_SPECIFIC_OVERWRITE ((zx_vm_option_t)1u << 5)
#define ZX_VM_CAN_MAP_SPECIFIC ((zx_vm_option_t)1u << 6)
#define ZX_VM_CAN_MAP_READ ((zx_vm_option_t)1u << 7)
#define ZX_VM_CAN_MAP_WRITE ((zx_vm_option_t)1u << 8)
#define ZX_VM_CAN_MAP_EXECUTE ((zx_vm_option_t)1u << 9)
#define ZX_VM_MAP_RANGE ((zx_vm_option_t)1u << 10)
#define ZX_VM_REQUIRE_NON_RESIZABLE ((zx_vm_option_t)1u << 11)
#define ZX_VM_ALLOW_FAULTS ((zx_vm_option_t)1u << 12)

/* Ports. */
#define ZX_PORT_BIND_TO_INTERRUPT ((uint32_t)1u << 0)

__END_CDECLS

#endif /* ZIRCON_TYPES_H_ */
