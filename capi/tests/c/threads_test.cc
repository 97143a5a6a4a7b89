// zxsim's C++ ABI test: the headers compile as C++, and a thread parked in each blocking call
// reports the matching ZX_THREAD_STATE_BLOCKED_* through ZX_INFO_THREAD (what Zircon's
// core-tests poll before they wake a thread), then RUNNING again and DEAD once it exits.
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>
#include <zircon/syscalls/port.h>
#include <zircon/types.h>
#include <zxsim/zxsim.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <functional>
#include <thread>

#include "check.h"

namespace {

zxsim_kernel_t* kernel;
zxsim_process_t* process;

uint32_t state_of(zx_handle_t thread) {
  zx_info_thread_t info{};
  CHECK_OK(zx_object_get_info(thread, ZX_INFO_THREAD, &info, sizeof(info), nullptr, nullptr));
  return info.state;
}

bool wait_for_state(zx_handle_t thread, uint32_t state) {
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (state_of(thread) != state) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::yield();
  }
  return true;
}

// Runs `block` on a new thread bound to the test process; once that thread reports `state`,
// runs `wake` here. Returns the blocked call's status.
zx_status_t park(uint32_t state, std::function<zx_status_t()> block, std::function<void()> wake) {
  std::atomic<zx_handle_t> thread{ZX_HANDLE_INVALID};
  zx_status_t status = ZX_ERR_INTERNAL;
  uint32_t after = 0;
  std::thread worker([&] {
    zxsim_thread_bind(process);
    thread = zx_thread_self();
    status = block();
    after = state_of(thread);
    zxsim_thread_unbind();
  });
  while (thread == ZX_HANDLE_INVALID) std::this_thread::yield();
  CHECK(wait_for_state(thread, state));
  wake();
  worker.join();
  CHECK_EQ(after, ZX_THREAD_STATE_RUNNING);
  CHECK_EQ(state_of(thread), ZX_THREAD_STATE_DEAD);
  zx_signals_t observed = 0;
  CHECK_OK(zx_object_wait_one(thread, ZX_THREAD_TERMINATED, 0, &observed));
  CHECK_OK(zx_handle_close(thread));
  return status;
}

void wait_one() {
  zx_handle_t e;
  CHECK_OK(zx_event_create(0, &e));
  zx_status_t status = park(
      ZX_THREAD_STATE_BLOCKED_WAIT_ONE,
      [&] { return zx_object_wait_one(e, ZX_EVENT_SIGNALED, ZX_TIME_INFINITE, nullptr); },
      [&] { CHECK_OK(zx_object_signal(e, 0, ZX_EVENT_SIGNALED)); });
  CHECK_OK(status);
  CHECK_OK(zx_handle_close(e));
}

void wait_many() {
  zx_handle_t a, b;
  CHECK_OK(zx_eventpair_create(0, &a, &b));
  zx_status_t status = park(
      ZX_THREAD_STATE_BLOCKED_WAIT_MANY,
      [&] {
        zx_wait_item_t items[1] = {{a, ZX_EVENTPAIR_PEER_CLOSED, 0}};
        return zx_object_wait_many(items, 1, ZX_TIME_INFINITE);
      },
      [&] { CHECK_OK(zx_handle_close(b)); });
  CHECK_OK(status);
  CHECK_OK(zx_handle_close(a));
}

void port_wait() {
  zx_handle_t port;
  CHECK_OK(zx_port_create(0, &port));
  zx_port_packet_t packet{};
  zx_status_t status = park(
      ZX_THREAD_STATE_BLOCKED_PORT,
      [&] { return zx_port_wait(port, ZX_TIME_INFINITE, &packet); },
      [&] {
        zx_port_packet_t user{};
        user.key = 77;
        CHECK_OK(zx_port_queue(port, &user));
      });
  CHECK_OK(status);
  CHECK_EQ(packet.key, 77);
  CHECK_OK(zx_handle_close(port));
}

void channel_call() {
  zx_handle_t client, server;
  CHECK_OK(zx_channel_create(0, &client, &server));
  zx_status_t status = park(
      ZX_THREAD_STATE_BLOCKED_CHANNEL,
      [&] {
        uint32_t request[2] = {0, 5}, reply[2] = {0, 0};
        zx_channel_call_args_t args{request, nullptr, reply, nullptr, 8, 0, 8, 0};
        uint32_t nb, nh;
        zx_status_t s = zx_channel_call(client, 0, ZX_TIME_INFINITE, &args, &nb, &nh);
        return s == ZX_OK && reply[1] == 6 ? ZX_OK : ZX_ERR_INTERNAL;
      },
      [&] {
        uint32_t msg[2];
        uint32_t nb = 0;
        CHECK_OK(zx_channel_read(server, 0, msg, nullptr, sizeof(msg), 0, &nb, nullptr));
        msg[1] += 1;
        CHECK_OK(zx_channel_write(server, 0, msg, sizeof(msg), nullptr, 0));
      });
  CHECK_OK(status);
  CHECK_OK(zx_handle_close(client));
  CHECK_OK(zx_handle_close(server));
}

void nanosleep() {
  zx_time_t deadline = zx_deadline_after(ZX_MSEC(1));
  zx_status_t status = park(
      ZX_THREAD_STATE_BLOCKED_SLEEPING, [&] { return zx_nanosleep(deadline); },
      [&] { CHECK_OK(zxsim_clock_advance(kernel, ZX_MSEC(1), nullptr)); });
  CHECK_OK(status);
}

}  // namespace

int main() {
  CHECK_OK(zxsim_kernel_create(ZXSIM_PROFILE_RFC0240, ZXSIM_KERNEL_VIRTUAL_CLOCK, &kernel));
  CHECK_OK(zxsim_process_create(kernel, &process));
  CHECK_OK(zxsim_thread_bind(process));
  wait_one();
  wait_many();
  port_wait();
  channel_call();
  nanosleep();
  CHECK_EQ(zxsim_kernel_live_handles(kernel), 0);
  CHECK_EQ(zxsim_kernel_live_objects(kernel), 0);
  CHECK_OK(zxsim_thread_unbind());
  zxsim_process_destroy(process);
  zxsim_kernel_destroy(kernel);
  return check_report("threads_test");
}
