// zxsim's host stand-in: the lib/zx handle types (see lib/zx/object.h).
#ifndef ZXSIM_LIB_ZX_TYPES_H_
#define ZXSIM_LIB_ZX_TYPES_H_

#include <lib/zx/object.h>

namespace zx {

class event : public object<event> {
 public:
  using object<event>::object;
  static zx_status_t create(uint32_t options, event* result) {
    return zx_event_create(options, result->reset_and_get_address());
  }
};

class eventpair : public object<eventpair> {
 public:
  using object<eventpair>::object;
  static zx_status_t create(uint32_t options, eventpair* a, eventpair* b) {
    zx_handle_t h0 = ZX_HANDLE_INVALID, h1 = ZX_HANDLE_INVALID;
    zx_status_t status = zx_eventpair_create(options, &h0, &h1);
    a->reset(h0);
    b->reset(h1);
    return status;
  }
};

class channel : public object<channel> {
 public:
  using object<channel>::object;
  static zx_status_t create(uint32_t options, channel* a, channel* b) {
    zx_handle_t h0 = ZX_HANDLE_INVALID, h1 = ZX_HANDLE_INVALID;
    zx_status_t status = zx_channel_create(options, &h0, &h1);
    a->reset(h0);
    b->reset(h1);
    return status;
  }
  zx_status_t read(uint32_t flags, void* bytes, zx_handle_t* handles, uint32_t num_bytes,
                   uint32_t num_handles, uint32_t* actual_bytes, uint32_t* actual_handles) const {
    return zx_channel_read(value_, flags, bytes, handles, num_bytes, num_handles, actual_bytes,
                           actual_handles);
  }
  zx_status_t read_etc(uint32_t flags, void* bytes, zx_handle_info_t* handles,
                       uint32_t num_bytes, uint32_t num_handles, uint32_t* actual_bytes,
                       uint32_t* actual_handles) const {
    return zx_channel_read_etc(value_, flags, bytes, handles, num_bytes, num_handles,
                               actual_bytes, actual_handles);
  }
  zx_status_t write(uint32_t flags, const void* bytes, uint32_t num_bytes,
                    const zx_handle_t* handles, uint32_t num_handles) const {
    return zx_channel_write(value_, flags, bytes, num_bytes, handles, num_handles);
  }
  zx_status_t write_etc(uint32_t flags, const void* bytes, uint32_t num_bytes,
                        zx_handle_disposition_t* handles, uint32_t num_handles) const {
    return zx_channel_write_etc(value_, flags, bytes, num_bytes, handles, num_handles);
  }
  zx_status_t call(uint32_t flags, zx::time deadline, const zx_channel_call_args_t* args,
                   uint32_t* actual_bytes, uint32_t* actual_handles) const {
    return zx_channel_call(value_, flags, deadline.get(), args, actual_bytes, actual_handles);
  }
  zx_status_t call_etc(uint32_t flags, zx::time deadline, zx_channel_call_etc_args_t* args,
                       uint32_t* actual_bytes, uint32_t* actual_handles) const {
    return zx_channel_call_etc(value_, flags, deadline.get(), args, actual_bytes,
                               actual_handles);
  }
};

class socket : public object<socket> {
 public:
  using object<socket>::object;
  static zx_status_t create(uint32_t options, socket* a, socket* b) {
    zx_handle_t h0 = ZX_HANDLE_INVALID, h1 = ZX_HANDLE_INVALID;
    zx_status_t status = zx_socket_create(options, &h0, &h1);
    a->reset(h0);
    b->reset(h1);
    return status;
  }
  zx_status_t write(uint32_t options, const void* buffer, size_t len, size_t* actual) const {
    return zx_socket_write(value_, options, buffer, len, actual);
  }
  zx_status_t read(uint32_t options, void* buffer, size_t len, size_t* actual) const {
    return zx_socket_read(value_, options, buffer, len, actual);
  }
  zx_status_t set_disposition(uint32_t disposition, uint32_t disposition_peer) const {
    return zx_socket_set_disposition(value_, disposition, disposition_peer);
  }
};

class fifo : public object<fifo> {
 public:
  using object<fifo>::object;
  static zx_status_t create(size_t elem_count, size_t elem_size, uint32_t options, fifo* a,
                            fifo* b) {
    zx_handle_t h0 = ZX_HANDLE_INVALID, h1 = ZX_HANDLE_INVALID;
    zx_status_t status = zx_fifo_create(elem_count, elem_size, options, &h0, &h1);
    a->reset(h0);
    b->reset(h1);
    return status;
  }
  zx_status_t write(size_t elem_size, const void* buffer, size_t count,
                    size_t* actual_count) const {
    return zx_fifo_write(value_, elem_size, buffer, count, actual_count);
  }
  zx_status_t read(size_t elem_size, void* buffer, size_t count, size_t* actual_count) const {
    return zx_fifo_read(value_, elem_size, buffer, count, actual_count);
  }
};

class port : public object<port> {
 public:
  using object<port>::object;
  static zx_status_t create(uint32_t options, port* result) {
    return zx_port_create(options, result->reset_and_get_address());
  }
  zx_status_t queue(const zx_port_packet_t* packet) const { return zx_port_queue(value_, packet); }
  zx_status_t wait(zx::time deadline, zx_port_packet_t* packet) const {
    return zx_port_wait(value_, deadline.get(), packet);
  }
  zx_status_t cancel(const object_base& source, uint64_t key) const {
    return zx_port_cancel(value_, source.get(), key);
  }
  zx_status_t cancel_key(uint32_t options, uint64_t key) const {
    return zx_port_cancel_key(value_, options, key);
  }
};

class timer : public object<timer> {
 public:
  using object<timer>::object;
  static zx_status_t create(uint32_t options, zx_clock_t clock_id, timer* result) {
    return zx_timer_create(options, clock_id, result->reset_and_get_address());
  }
  template <zx_clock_t kClock>
  zx_status_t set(zx::basic_time<kClock> deadline, zx::duration slack) const {
    return zx_timer_set(value_, deadline.get(), slack.get());
  }
  zx_status_t cancel() const { return zx_timer_cancel(value_); }
};

class vmo : public object<vmo> {
 public:
  using object<vmo>::object;
  static zx_status_t create(uint64_t size, uint32_t options, vmo* result) {
    return zx_vmo_create(size, options, result->reset_and_get_address());
  }
  zx_status_t read(void* data, uint64_t offset, size_t len) const {
    return zx_vmo_read(value_, data, offset, len);
  }
  zx_status_t write(const void* data, uint64_t offset, size_t len) const {
    return zx_vmo_write(value_, data, offset, len);
  }
  zx_status_t get_size(uint64_t* size) const { return zx_vmo_get_size(value_, size); }
  zx_status_t set_size(uint64_t size) const { return zx_vmo_set_size(value_, size); }
};

class vmar : public object<vmar> {
 public:
  using object<vmar>::object;
  static unowned<vmar> root_self() { return unowned<vmar>(zx_vmar_root_self()); }
  zx_status_t map(zx_vm_option_t options, size_t vmar_offset, const vmo& vmo_handle,
                  uint64_t vmo_offset, size_t len, zx_vaddr_t* ptr) const {
    return zx_vmar_map(value_, options, vmar_offset, vmo_handle.get(), vmo_offset, len, ptr);
  }
  zx_status_t unmap(uintptr_t address, size_t len) const {
    return zx_vmar_unmap(value_, address, len);
  }
  zx_status_t allocate(zx_vm_option_t options, size_t offset, size_t size, vmar* child,
                       uintptr_t* child_addr) const {
    zx_handle_t h = ZX_HANDLE_INVALID;
    zx_vaddr_t addr = 0;
    zx_status_t status = zx_vmar_allocate(value_, options, offset, size, &h, &addr);
    child->reset(h);
    if (child_addr) *child_addr = addr;
    return status;
  }
  zx_status_t protect(zx_vm_option_t options, uintptr_t address, size_t len) const {
    (void)options;
    (void)address;
    (void)len;
    return ZX_ERR_NOT_SUPPORTED;
  }
  zx_status_t destroy() const { return ZX_ERR_NOT_SUPPORTED; }
};

class job : public object<job> {
 public:
  using object<job>::object;
  static unowned<job> default_job() { return unowned<job>(zx_job_default()); }
  static zx_status_t create(const job& parent, uint32_t options, job* result) {
    return zx_job_create(parent.get(), options, result->reset_and_get_address());
  }
  zx_status_t set_policy(uint32_t options, uint32_t topic, const void* policy,
                         uint32_t count) const {
    return zx_job_set_policy(value_, options, topic, policy, count);
  }
  zx_status_t kill() const { return zx_task_kill(value_); }
};

class thread;

class suspend_token : public object<suspend_token> {
 public:
  using object<suspend_token>::object;
};

class process : public object<process> {
 public:
  using object<process>::object;
  static unowned<process> self() { return unowned<process>(zx_process_self()); }
  static zx_status_t create(const job& job_handle, const char* name, uint32_t name_len,
                            uint32_t flags, process* proc, vmar* root_vmar) {
    zx_handle_t p = ZX_HANDLE_INVALID, v = ZX_HANDLE_INVALID;
    zx_status_t status = zx_process_create(job_handle.get(), name, name_len, flags, &p, &v);
    proc->reset(p);
    root_vmar->reset(v);
    return status;
  }
  zx_status_t kill() const { return zx_task_kill(value_); }
  zx_status_t suspend(suspend_token* result) const {
    return zx_task_suspend(value_, result->reset_and_get_address());
  }
};

class thread : public object<thread> {
 public:
  using object<thread>::object;
  static unowned<thread> self() { return unowned<thread>(zx_thread_self()); }
  static zx_status_t create(const process& proc, const char* name, uint32_t name_len,
                            uint32_t flags, thread* result) {
    return zx_thread_create(proc.get(), name, name_len, flags, result->reset_and_get_address());
  }
  zx_status_t start(uintptr_t entry, uintptr_t stack, uintptr_t arg1, uintptr_t arg2) const {
    return zx_thread_start(value_, entry, stack, arg1, arg2);
  }
  zx_status_t kill() const { return zx_task_kill(value_); }
  zx_status_t suspend(suspend_token* result) const {
    return zx_task_suspend(value_, result->reset_and_get_address());
  }
};

using unowned_event = unowned<event>;
using unowned_eventpair = unowned<eventpair>;
using unowned_channel = unowned<channel>;
using unowned_socket = unowned<socket>;
using unowned_fifo = unowned<fifo>;
using unowned_port = unowned<port>;
using unowned_timer = unowned<timer>;
using unowned_vmo = unowned<vmo>;
using unowned_vmar = unowned<vmar>;
using unowned_job = unowned<job>;
using unowned_process = unowned<process>;
using unowned_thread = unowned<thread>;

}  // namespace zx

#endif  // ZXSIM_LIB_ZX_TYPES_H_
