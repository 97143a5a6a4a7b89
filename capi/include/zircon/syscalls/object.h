/* zxsim: object types, zx_object_get_info topics and records, properties, thread states. */
#ifndef ZIRCON_SYSCALLS_OBJECT_H_
#define ZIRCON_SYSCALLS_OBJECT_H_

#include <zircon/syscalls/types.h>
#include <zircon/types.h>

__BEGIN_CDECLS

/* Object types. */
#define ZX_OBJ_TYPE_NONE ((zx_obj_type_t)0u)
#define ZX_OBJ_TYPE_PROCESS ((zx_obj_type_t)1u)
#define ZX_OBJ_TYPE_THREAD ((zx_obj_type_t)2u)
#define ZX_OBJ_TYPE_VMO ((zx_obj_type_t)3u)
#define ZX_OBJ_TYPE_CHANNEL ((zx_obj_type_t)4u)
#define ZX_OBJ_TYPE_EVENT ((zx_obj_type_t)5u)
#define ZX_OBJ_TYPE_PORT ((zx_obj_type_t)6u)
#define ZX_OBJ_TYPE_INTERRUPT ((zx_obj_type_t)9u)
#define ZX_OBJ_TYPE_PCI_DEVICE ((zx_obj_type_t)11u)
#define ZX_OBJ_TYPE_DEBUGLOG ((zx_obj_type_t)12u)
#define ZX_OBJ_TYPE_LOG ZX_OBJ_TYPE_DEBUGLOG
#define ZX_OBJ_TYPE_SOCKET ((zx_obj_type_t)14u)
#define ZX_OBJ_TYPE_RESOURCE ((zx_obj_type_t)15u)
#define ZX_OBJ_TYPE_EVENTPAIR ((zx_obj_type_t)16u)
#define ZX_OBJ_TYPE_JOB ((zx_obj_type_t)17u)
#define ZX_OBJ_TYPE_VMAR ((zx_obj_type_t)18u)
#define ZX_OBJ_TYPE_FIFO ((zx_obj_type_t)19u)
#define ZX_OBJ_TYPE_GUEST ((zx_obj_type_t)20u)
#define ZX_OBJ_TYPE_VCPU ((zx_obj_type_t)21u)
#define ZX_OBJ_TYPE_TIMER ((zx_obj_type_t)22u)
#define ZX_OBJ_TYPE_IOMMU ((zx_obj_type_t)23u)
#define ZX_OBJ_TYPE_BTI ((zx_obj_type_t)24u)
#define ZX_OBJ_TYPE_PROFILE ((zx_obj_type_t)25u)
#define ZX_OBJ_TYPE_PMT ((zx_obj_type_t)26u)
#define ZX_OBJ_TYPE_SUSPEND_TOKEN ((zx_obj_type_t)27u)
#define ZX_OBJ_TYPE_PAGER ((zx_obj_type_t)28u)
#define ZX_OBJ_TYPE_EXCEPTION ((zx_obj_type_t)29u)
#define ZX_OBJ_TYPE_CLOCK ((zx_obj_type_t)30u)
#define ZX_OBJ_TYPE_STREAM ((zx_obj_type_t)31u)
#define ZX_OBJ_TYPE_MSI ((zx_obj_type_t)32u)
#define ZX_OBJ_TYPE_IOB ((zx_obj_type_t)33u)
#define ZX_OBJ_TYPE_COUNTER ((zx_obj_type_t)34u)
#define ZX_OBJ_TYPE_IOB_SHARED_REGION ((zx_obj_type_t)35u)
#define ZX_OBJ_TYPE_SAMPLER ((zx_obj_type_t)36u)
#define ZX_OBJ_TYPE_UPPER_BOUND ((zx_obj_type_t)64u)

/* zx_object_get_info topics. */
#define ZX_INFO_NONE ((zx_object_info_topic_t)0u)
#define ZX_INFO_HANDLE_VALID ((zx_object_info_topic_t)1u)
#define ZX_INFO_HANDLE_BASIC ((zx_object_info_topic_t)2u)
#define ZX_INFO_THREAD ((zx_object_info_topic_t)10u)
#define ZX_INFO_HANDLE_COUNT ((zx_object_info_topic_t)19u)
#define ZX_INFO_PROCESS_HANDLE_STATS ((zx_object_info_topic_t)21u)
#define ZX_INFO_SOCKET ((zx_object_info_topic_t)22u)
#define ZX_INFO_TIMER ((zx_object_info_topic_t)25u)
#define ZX_INFO_HANDLE_TABLE ((zx_object_info_topic_t)27u)

typedef struct zx_info_handle_basic {
  zx_koid_t koid;
  zx_rights_t rights;
  zx_obj_type_t type;
  zx_koid_t related_koid;
  uint32_t reserved;
  uint8_t padding1[4];
} zx_info_handle_basic_t;

typedef struct zx_info_handle_count {
  uint32_t handle_count;
} zx_info_handle_count_t;

typedef struct zx_info_socket {
  uint32_t options;
  uint8_t padding1[4];
  size_t rx_buf_max;
  size_t rx_buf_size;
  size_t rx_buf_available;
  size_t tx_buf_max;
  size_t tx_buf_size;
} zx_info_socket_t;

typedef struct zx_info_timer {
  uint32_t options;
  zx_clock_t clock_id;
  zx_time_t deadline;
  zx_duration_t slack;
} zx_info_timer_t;

/* Thread states (zx_info_thread_t.state). */
typedef uint32_t zx_thread_state_t;
#define ZX_THREAD_STATE_NEW ((uint32_t)0x0000u)
#define ZX_THREAD_STATE_RUNNING ((uint32_t)0x0001u)
#define ZX_THREAD_STATE_SUSPENDED ((uint32_t)0x0002u)
#define ZX_THREAD_STATE_BLOCKED ((uint32_t)0x0003u)
#define ZX_THREAD_STATE_DYING ((uint32_t)0x0004u)
#define ZX_THREAD_STATE_DEAD ((uint32_t)0x0005u)
#define ZX_THREAD_STATE_BLOCKED_EXCEPTION ((uint32_t)0x0103u)
#define ZX_THREAD_STATE_BLOCKED_SLEEPING ((uint32_t)0x0203u)
#define ZX_THREAD_STATE_BLOCKED_FUTEX ((uint32_t)0x0303u)
#define ZX_THREAD_STATE_BLOCKED_PORT ((uint32_t)0x0403u)
#define ZX_THREAD_STATE_BLOCKED_CHANNEL ((uint32_t)0x0503u)
#define ZX_THREAD_STATE_BLOCKED_WAIT_ONE ((uint32_t)0x0603u)
#define ZX_THREAD_STATE_BLOCKED_WAIT_MANY ((uint32_t)0x0703u)
#define ZX_THREAD_STATE_BLOCKED_INTERRUPT ((uint32_t)0x0803u)
#define ZX_THREAD_STATE_BLOCKED_PAGER ((uint32_t)0x0903u)
#define ZX_THREAD_STATE_BASIC(n) ((n) & 0xff)

#define ZX_EXCEPTION_CHANNEL_TYPE_NONE ((uint32_t)0u)

typedef struct zx_info_thread {
  uint32_t state;
  uint32_t wait_exception_channel_type;
  zx_cpu_set_t cpu_affinity_mask;
} zx_info_thread_t;

/* ZX_INFO_PROCESS (zxsim has no process objects to report it for; declared so programs
 * compile). */
#define ZX_INFO_PROCESS ((zx_object_info_topic_t)3u)

typedef struct zx_info_process {
  int64_t return_code;
  zx_time_t start_time;
  uint64_t flags;
} zx_info_process_t;

/* Task return codes. */
#define ZX_TASK_RETCODE_SYSCALL_KILL ((int64_t)-1024)
#define ZX_TASK_RETCODE_OOM_KILL ((int64_t)-1025)
#define ZX_TASK_RETCODE_POLICY_KILL ((int64_t)-1026)
#define ZX_TASK_RETCODE_VDSO_KILL ((int64_t)-1027)
#define ZX_TASK_RETCODE_EXCEPTION_KILL ((int64_t)-1028)

/* Properties. */
#define ZX_PROP_NAME ((uint32_t)3u)
#define ZX_PROP_SOCKET_RX_THRESHOLD ((uint32_t)12u)
#define ZX_PROP_SOCKET_TX_THRESHOLD ((uint32_t)13u)

__END_CDECLS

#endif /* ZIRCON_SYSCALLS_OBJECT_H_ */
