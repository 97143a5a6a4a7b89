/* zxsim: the syscalls zxsim implements, with Zircon's C signatures. Calls that need VMOs, VMARs,
 * jobs or real processes are declared too and answer ZX_ERR_NOT_SUPPORTED. */
#ifndef ZIRCON_SYSCALLS_H_
#define ZIRCON_SYSCALLS_H_

#include <zircon/process.h>
#include <zircon/syscalls/object.h>
#include <zircon/syscalls/port.h>
#include <zircon/syscalls/types.h>
#include <zircon/types.h>

__BEGIN_CDECLS

/* Handles. */
zx_status_t zx_handle_close(zx_handle_t handle);
zx_status_t zx_handle_close_many(const zx_handle_t* handles, size_t num_handles);
zx_status_t zx_handle_duplicate(zx_handle_t handle, zx_rights_t rights, zx_handle_t* out);
zx_status_t zx_handle_replace(zx_handle_t handle, zx_rights_t rights, zx_handle_t* out);
zx_status_t zx_handle_check_valid(zx_handle_t handle);

/* Objects. */
zx_status_t zx_object_signal(zx_handle_t handle, uint32_t clear_mask, uint32_t set_mask);
zx_status_t zx_object_signal_peer(zx_handle_t handle, uint32_t clear_mask, uint32_t set_mask);
zx_status_t zx_object_get_info(zx_handle_t handle, uint32_t topic, void* buffer,
                               size_t buffer_size, size_t* actual, size_t* avail);
zx_status_t zx_object_get_property(zx_handle_t handle, uint32_t property, void* value,
                                   size_t value_size);
zx_status_t zx_object_set_property(zx_handle_t handle, uint32_t property, const void* value,
                                   size_t value_size);
zx_status_t zx_object_wait_one(zx_handle_t handle, zx_signals_t signals, zx_time_t deadline,
                               zx_signals_t* observed);
zx_status_t zx_object_wait_many(zx_wait_item_t* items, size_t num_items, zx_time_t deadline);
zx_status_t zx_object_wait_async(zx_handle_t handle, zx_handle_t port, uint64_t key,
                                 zx_signals_t signals, uint32_t options);
zx_status_t zx_object_get_child(zx_handle_t handle, uint64_t koid, zx_rights_t rights,
                                zx_handle_t* out);

/* Events and eventpairs. */
zx_status_t zx_event_create(uint32_t options, zx_handle_t* out);
zx_status_t zx_eventpair_create(uint32_t options, zx_handle_t* out0, zx_handle_t* out1);

/* Channels. */
zx_status_t zx_channel_create(uint32_t options, zx_handle_t* out0, zx_handle_t* out1);
zx_status_t zx_channel_read(zx_handle_t handle, uint32_t options, void* bytes,
                            zx_handle_t* handles, uint32_t num_bytes, uint32_t num_handles,
                            uint32_t* actual_bytes, uint32_t* actual_handles);
zx_status_t zx_channel_read_etc(zx_handle_t handle, uint32_t options, void* bytes,
                                zx_handle_info_t* handles, uint32_t num_bytes,
                                uint32_t num_handles, uint32_t* actual_bytes,
                                uint32_t* actual_handles);
zx_status_t zx_channel_write(zx_handle_t handle, uint32_t options, const void* bytes,
                             uint32_t num_bytes, const zx_handle_t* handles,
                             uint32_t num_handles);
zx_status_t zx_channel_write_etc(zx_handle_t handle, uint32_t options, const void* bytes,
                                 uint32_t num_bytes, zx_handle_disposition_t* handles,
                                 uint32_t num_handles);
zx_status_t zx_channel_call(zx_handle_t handle, uint32_t options, zx_time_t deadline,
                            const zx_channel_call_args_t* args, uint32_t* actual_bytes,
                            uint32_t* actual_handles);
zx_status_t zx_channel_call_etc(zx_handle_t handle, uint32_t options, zx_time_t deadline,
                                zx_channel_call_etc_args_t* args, uint32_t* actual_bytes,
                                uint32_t* actual_handles);

/* Sockets. */
zx_status_t zx_socket_create(uint32_t options, zx_handle_t* out0, zx_handle_t* out1);
zx_status_t zx_socket_write(zx_handle_t handle, uint32_t options, const void* buffer,
                            size_t buffer_size, size_t* actual);
zx_status_t zx_socket_read(zx_handle_t handle, uint32_t options, void* buffer,
                           size_t buffer_size, size_t* actual);
zx_status_t zx_socket_set_disposition(zx_handle_t handle, uint32_t disposition,
                                      uint32_t disposition_peer);

/* FIFOs (counts are in elements). */
zx_status_t zx_fifo_create(size_t elem_count, size_t elem_size, uint32_t options,
                           zx_handle_t* out0, zx_handle_t* out1);
zx_status_t zx_fifo_read(zx_handle_t handle, size_t elem_size, void* data, size_t data_size,
                         size_t* actual_count);
zx_status_t zx_fifo_write(zx_handle_t handle, size_t elem_size, const void* data, size_t count,
                          size_t* actual_count);

/* Ports. */
zx_status_t zx_port_create(uint32_t options, zx_handle_t* out);
zx_status_t zx_port_queue(zx_handle_t handle, const zx_port_packet_t* packet);
zx_status_t zx_port_wait(zx_handle_t handle, zx_time_t deadline, zx_port_packet_t* packet);
zx_status_t zx_port_cancel(zx_handle_t handle, zx_handle_t source, uint64_t key);
zx_status_t zx_port_cancel_key(zx_handle_t handle, uint32_t options, uint64_t key);

/* Timers. */
zx_status_t zx_timer_create(uint32_t options, zx_clock_t clock_id, zx_handle_t* out);
zx_status_t zx_timer_set(zx_handle_t handle, zx_time_t deadline, zx_duration_t slack);
zx_status_t zx_timer_cancel(zx_handle_t handle);

/* Time. */
zx_time_t zx_clock_get_monotonic(void);
zx_time_t zx_deadline_after(zx_duration_t nanoseconds);
zx_status_t zx_nanosleep(zx_time_t deadline);
zx_ticks_t zx_ticks_get(void);
zx_ticks_t zx_ticks_per_second(void);

/* System. */
uint32_t zx_system_get_page_size(void);
uint32_t zx_system_get_num_cpus(void);

/* Not modelled by zxsim: ZX_ERR_NOT_SUPPORTED. */
zx_status_t zx_vmo_create(uint64_t size, uint32_t options, zx_handle_t* out);
zx_status_t zx_vmo_read(zx_handle_t handle, void* buffer, uint64_t offset, size_t buffer_size);
zx_status_t zx_vmo_write(zx_handle_t handle, const void* buffer, uint64_t offset,
                         size_t buffer_size);
zx_status_t zx_vmo_get_size(zx_handle_t handle, uint64_t* size);
zx_status_t zx_vmo_set_size(zx_handle_t handle, uint64_t size);
zx_status_t zx_vmar_map(zx_handle_t handle, zx_vm_option_t options, size_t vmar_offset,
                        zx_handle_t vmo, uint64_t vmo_offset, size_t len,
                        zx_vaddr_t* mapped_addr);
zx_status_t zx_vmar_unmap(zx_handle_t handle, zx_vaddr_t addr, size_t len);
zx_status_t zx_vmar_allocate(zx_handle_t parent_vmar, zx_vm_option_t options, size_t offset,
                             size_t size, zx_handle_t* child_vmar, zx_vaddr_t* child_addr);
zx_status_t zx_job_create(zx_handle_t parent_job, uint32_t options, zx_handle_t* out);
zx_status_t zx_process_create(zx_handle_t job, const char* name, size_t name_size,
                              uint32_t options, zx_handle_t* proc_handle,
                              zx_handle_t* vmar_handle);
zx_status_t zx_process_start(zx_handle_t handle, zx_handle_t thread, zx_vaddr_t entry,
                             zx_vaddr_t stack, zx_handle_t arg1, uintptr_t arg2);
zx_status_t zx_thread_create(zx_handle_t process, const char* name, size_t name_size,
                             uint32_t options, zx_handle_t* out);
zx_status_t zx_thread_start(zx_handle_t handle, zx_vaddr_t thread_entry, zx_vaddr_t stack,
                            uintptr_t arg1, uintptr_t arg2);
zx_status_t zx_job_set_policy(zx_handle_t handle, uint32_t options, uint32_t topic,
                              const void* policy, uint32_t policy_size);
zx_status_t zx_task_kill(zx_handle_t handle);
zx_status_t zx_task_suspend(zx_handle_t handle, zx_handle_t* token);

__END_CDECLS

#endif /* ZIRCON_SYSCALLS_H_ */
