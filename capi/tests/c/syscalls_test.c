/* zxsim's C ABI test: every exported call, its NULL / faulting-pointer paths, misaligned
 * structs and ZX_CHANNEL_WRITE_USE_IOVEC, on an isolated zircon-profile kernel with a virtual
 * clock. Ends by checking that nothing leaked. */
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/status.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>
#include <zircon/syscalls/port.h>
#include <zircon/types.h>
#include <zxsim/zxsim.h>

#include "check.h"

static zxsim_kernel_t* kernel;
static zxsim_process_t* process;

static zx_handle_t make_event(void) {
  zx_handle_t h = ZX_HANDLE_INVALID;
  CHECK_OK(zx_event_create(0, &h));
  return h;
}

static zx_signals_t signals_of(zx_handle_t h) {
  zx_signals_t observed = 0;
  CHECK_EQ(zx_object_wait_one(h, 0, ZX_TIME_INFINITE_PAST, &observed), ZX_ERR_TIMED_OUT);
  return observed;
}

static void test_handles(void) {
  zx_handle_t e = make_event();
  zx_handle_t d = ZX_HANDLE_INVALID;
  CHECK_OK(zx_handle_check_valid(e));
  CHECK_EQ(zx_handle_check_valid(ZX_HANDLE_INVALID), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_handle_check_valid(e & ~1u), ZX_ERR_OUT_OF_RANGE);
  CHECK_OK(zx_handle_duplicate(e, ZX_RIGHT_SAME_RIGHTS, &d));
  CHECK(d != e);
  /* A faulting out-pointer: INVALID_ARGS, and no handle is left behind. */
  size_t before = zxsim_kernel_live_handles(kernel);
  CHECK_EQ(zx_handle_duplicate(e, ZX_RIGHT_SAME_RIGHTS, NULL), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zxsim_kernel_live_handles(kernel), before);
  CHECK_EQ(zx_handle_duplicate(e, ZX_RIGHT_SIGNAL_PEER, &d), ZX_ERR_INVALID_ARGS);
  zx_handle_t r = ZX_HANDLE_INVALID;
  CHECK_OK(zx_handle_replace(d, ZX_RIGHT_WAIT | ZX_RIGHT_INSPECT, &r));
  CHECK_EQ(zx_handle_check_valid(d), ZX_ERR_NOT_FOUND);
  zx_info_handle_basic_t info;
  CHECK_OK(zx_object_get_info(r, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL));
  CHECK_EQ(info.rights, ZX_RIGHT_WAIT | ZX_RIGHT_INSPECT);
  CHECK_EQ(info.type, ZX_OBJ_TYPE_EVENT);
  /* close_many: a faulting array closes nothing; a bad entry still closes the good ones. */
  CHECK_EQ(zx_handle_close_many(NULL, 2), ZX_ERR_INVALID_ARGS);
  CHECK_OK(zx_handle_close_many(NULL, 0));
  zx_handle_t many[3] = {r, ZX_HANDLE_INVALID, e};
  CHECK_OK(zx_handle_close_many(many, 3));
  CHECK_EQ(zx_handle_close(e), ZX_ERR_BAD_HANDLE);
  CHECK_OK(zx_handle_close(ZX_HANDLE_INVALID));
}

static void test_objects(void) {
  zx_handle_t e = make_event();
  CHECK_OK(zx_object_signal(e, 0, ZX_EVENT_SIGNALED | ZX_USER_SIGNAL_3));
  CHECK_EQ(zx_object_signal(e, 0, ZX_OBJECT_SIGNAL_5), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(signals_of(e), ZX_EVENT_SIGNALED | ZX_USER_SIGNAL_3);
  CHECK_EQ(zx_object_signal_peer(e, 0, ZX_USER_SIGNAL_0), ZX_ERR_ACCESS_DENIED);
  /* wait_one: observed is optional. */
  CHECK_OK(zx_object_wait_one(e, ZX_EVENT_SIGNALED, ZX_TIME_INFINITE, NULL));

  zx_handle_t p0, p1;
  CHECK_OK(zx_eventpair_create(0, &p0, &p1));
  CHECK_EQ(zx_eventpair_create(1, &p0, &p1), ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_eventpair_create(0, &p0, NULL), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_event_create(0, NULL), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_event_create(1, NULL), ZX_ERR_INVALID_ARGS);
  CHECK_OK(zx_object_signal_peer(p0, 0, ZX_USER_SIGNAL_1));
  CHECK_EQ(signals_of(p1), ZX_USER_SIGNAL_1);

  /* wait_many: items need no alignment; over 64 is OUT_OF_RANGE; NULL faults. */
  unsigned char raw[1 + 2 * sizeof(zx_wait_item_t)];
  zx_wait_item_t items[2] = {{e, ZX_EVENT_SIGNALED, 0}, {p1, ZX_USER_SIGNAL_1, 0}};
  memcpy(raw + 1, items, sizeof(items));
  CHECK_OK(zx_object_wait_many((zx_wait_item_t*)(void*)(raw + 1), 2, ZX_TIME_INFINITE));
  memcpy(items, raw + 1, sizeof(items));
  CHECK_EQ(items[0].pending, ZX_EVENT_SIGNALED | ZX_USER_SIGNAL_3);
  CHECK_EQ(items[1].pending, ZX_USER_SIGNAL_1);
  CHECK_EQ(zx_object_wait_many(NULL, 1, 0), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_object_wait_many(NULL, 65, 0), ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_object_wait_many(NULL, 0, ZX_TIME_INFINITE_PAST), ZX_ERR_TIMED_OUT);

  /* get_info: every topic zxsim knows, plus the buffer paths. */
  CHECK_OK(zx_object_get_info(e, ZX_INFO_HANDLE_VALID, NULL, 0, NULL, NULL));
  zx_info_handle_basic_t basic;
  size_t actual = 99, avail = 99;
  CHECK_OK(zx_object_get_info(p0, ZX_INFO_HANDLE_BASIC, &basic, sizeof(basic), &actual, &avail));
  CHECK_EQ(actual, 1);
  CHECK_EQ(avail, 1);
  zx_info_handle_basic_t peer;
  CHECK_OK(zx_object_get_info(p1, ZX_INFO_HANDLE_BASIC, &peer, sizeof(peer), NULL, NULL));
  CHECK_EQ(basic.related_koid, peer.koid);
  CHECK_EQ(basic.rights, ZX_DEFAULT_EVENTPAIR_RIGHTS);
  CHECK_EQ(zx_object_get_info(p0, ZX_INFO_HANDLE_BASIC, &basic, 4, &actual, &avail),
           ZX_ERR_BUFFER_TOO_SMALL);
  CHECK_EQ(actual, 0);
  CHECK_EQ(avail, 1);
  CHECK_EQ(zx_object_get_info(p0, ZX_INFO_HANDLE_BASIC, NULL, sizeof(basic), NULL, NULL),
           ZX_ERR_INVALID_ARGS);
  unsigned char misaligned[1 + sizeof(zx_info_handle_count_t)];
  CHECK_OK(zx_object_get_info(e, ZX_INFO_HANDLE_COUNT, misaligned + 1,
                              sizeof(zx_info_handle_count_t), NULL, NULL));
  zx_info_handle_count_t count;
  memcpy(&count, misaligned + 1, sizeof(count));
  CHECK_EQ(count.handle_count, 1);
  CHECK_EQ(zx_object_get_info(e, 12345, NULL, 0, NULL, NULL), ZX_ERR_NOT_SUPPORTED);

  /* wait_async onto a port; the packet comes back through zx_port_wait. */
  zx_handle_t port;
  CHECK_OK(zx_port_create(0, &port));
  CHECK_OK(zx_object_wait_async(e, port, 42, ZX_EVENT_SIGNALED, 0));
  zx_port_packet_t packet;
  CHECK_OK(zx_port_wait(port, 0, &packet));
  CHECK_EQ(packet.key, 42);
  CHECK_EQ(packet.type, ZX_PKT_TYPE_SIGNAL_ONE);
  CHECK_EQ(packet.signal.trigger, ZX_EVENT_SIGNALED);
  CHECK_EQ(packet.signal.count, 1);

  CHECK_OK(zx_handle_close(port));
  CHECK_OK(zx_handle_close(p0));
  CHECK_OK(zx_handle_close(p1));
  CHECK_OK(zx_handle_close(e));
}

static void test_ports(void) {
  zx_handle_t port;
  CHECK_OK(zx_port_create(0, &port));
  CHECK_EQ(zx_port_create(7, &port), ZX_ERR_INVALID_ARGS);
  zx_port_packet_t packet;
  memset(&packet, 0, sizeof(packet));
  packet.key = 5;
  packet.type = ZX_PKT_TYPE_SIGNAL_ONE; /* forced to USER */
  packet.user.u32[3] = 0xabcd;
  unsigned char raw[1 + sizeof(zx_port_packet_t)];
  memcpy(raw + 1, &packet, sizeof(packet));
  CHECK_OK(zx_port_queue(port, (const zx_port_packet_t*)(const void*)(raw + 1)));
  CHECK_EQ(zx_port_queue(port, NULL), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_port_queue(ZX_HANDLE_INVALID, NULL), ZX_ERR_BAD_HANDLE);
  zx_port_packet_t out;
  memset(raw, 0, sizeof(raw));
  CHECK_OK(zx_port_wait(port, ZX_TIME_INFINITE, (zx_port_packet_t*)(void*)(raw + 1)));
  memcpy(&out, raw + 1, sizeof(out));
  CHECK_EQ(out.key, 5);
  CHECK_EQ(out.type, ZX_PKT_TYPE_USER);
  CHECK_EQ(out.user.u32[3], 0xabcd);
  CHECK_EQ(zx_port_wait(port, 0, &out), ZX_ERR_TIMED_OUT);
  /* A faulting packet pointer still dequeues: the packet is lost, as on Zircon. */
  CHECK_OK(zx_port_queue(port, &packet));
  CHECK_EQ(zx_port_wait(port, 0, NULL), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_port_wait(port, 0, &out), ZX_ERR_TIMED_OUT);
  /* cancel (zircon profile) and cancel_key. */
  zx_handle_t e = make_event();
  CHECK_OK(zx_object_wait_async(e, port, 9, ZX_USER_SIGNAL_0, 0));
  CHECK_OK(zx_port_cancel(port, e, 9));
  CHECK_EQ(zx_port_cancel(port, e, 9), ZX_ERR_NOT_FOUND);
  CHECK_OK(zx_object_wait_async(e, port, 10, ZX_USER_SIGNAL_0, 0));
  CHECK_OK(zx_port_cancel_key(port, 0, 10));
  CHECK_EQ(zx_port_cancel_key(port, 1, 10), ZX_ERR_INVALID_ARGS);
  CHECK_OK(zx_handle_close(e));
  CHECK_OK(zx_handle_close(port));
}

static void test_channels(void) {
  zx_handle_t a, b;
  CHECK_OK(zx_channel_create(0, &a, &b));
  CHECK_EQ(zx_channel_create(1, &a, &b), ZX_ERR_INVALID_ARGS);
  size_t handles_before = zxsim_kernel_live_handles(kernel);
  CHECK_EQ(zx_channel_create(0, NULL, &b), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zxsim_kernel_live_handles(kernel), handles_before);

  /* Plain write/read, with a handle, misaligned handle arrays. */
  zx_handle_t e = make_event();
  unsigned char hraw[1 + sizeof(zx_handle_t)];
  memcpy(hraw + 1, &e, sizeof(e));
  CHECK_OK(zx_channel_write(a, 0, "hello", 5, (const zx_handle_t*)(const void*)(hraw + 1), 1));
  CHECK_EQ(zx_handle_check_valid(e), ZX_ERR_NOT_FOUND);
  char buf[16];
  uint32_t nb = 0, nh = 0;
  CHECK_EQ(zx_channel_read(b, 0, buf, NULL, 2, 0, &nb, &nh), ZX_ERR_BUFFER_TOO_SMALL);
  CHECK_EQ(nb, 5);
  CHECK_EQ(nh, 1);
  memset(hraw, 0, sizeof(hraw));
  CHECK_OK(zx_channel_read(b, 0, buf, (zx_handle_t*)(void*)(hraw + 1), sizeof(buf), 1, &nb, &nh));
  CHECK(memcmp(buf, "hello", 5) == 0);
  zx_handle_t received;
  memcpy(&received, hraw + 1, sizeof(received));
  CHECK_OK(zx_handle_check_valid(received));
  CHECK_OK(zx_handle_close(received));
  CHECK_EQ(zx_channel_read(b, 0, buf, NULL, sizeof(buf), 0, NULL, NULL), ZX_ERR_SHOULD_WAIT);

  /* Faulting pointers: bytes, handles, with Zircon's precedence; handles still consumed. */
  CHECK_EQ(zx_channel_write(a, 0, NULL, 4, NULL, 0), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_channel_write(ZX_HANDLE_INVALID, 0, NULL, 4, NULL, 0), ZX_ERR_BAD_HANDLE);
  CHECK_EQ(zx_channel_write(a, 0, NULL, ZX_CHANNEL_MAX_MSG_BYTES + 1, NULL, 0),
           ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_channel_write(a, 0, "x", 1, NULL, 1), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_channel_write(a, 0, "x", 1, NULL, 65), ZX_ERR_OUT_OF_RANGE);
  zx_handle_t doomed = make_event();
  CHECK_EQ(zx_channel_write(a, 0, BAD_PTR(void), 4, &doomed, 1), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_handle_check_valid(doomed), ZX_ERR_NOT_FOUND);
  /* A kernel-half address faults too; the received handle is closed, not leaked. */
  zx_handle_t carried = make_event();
  CHECK_OK(zx_channel_write(a, 0, "k", 1, &carried, 1));
  size_t handles_before_fault = zxsim_kernel_live_handles(kernel);
  CHECK_EQ(zx_channel_read(b, 0, buf, (zx_handle_t*)(uintptr_t)0xfffffffffffffff0ull, sizeof(buf),
                           1, NULL, NULL),
           ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zxsim_kernel_live_handles(kernel), handles_before_fault - 1);
  /* The empty message needs no buffers at all. */
  CHECK_OK(zx_channel_write(a, 0, NULL, 0, NULL, 0));
  CHECK_OK(zx_channel_read(b, 0, NULL, NULL, 0, 0, &nb, &nh));
  CHECK_EQ(nb, 0);
  /* A faulting read buffer: the message is taken and lost. */
  CHECK_OK(zx_channel_write(a, 0, "abcd", 4, NULL, 0));
  CHECK_EQ(zx_channel_read(b, 0, NULL, NULL, 4, 0, NULL, NULL), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_channel_read(b, 0, buf, NULL, sizeof(buf), 0, NULL, NULL), ZX_ERR_SHOULD_WAIT);

  /* Iovec writes: gathered in order; limits and reserved checked. */
  zx_channel_iovec_t iov[3] = {{"ab", 2, 0}, {"", 0, 0}, {"cdef", 4, 0}};
  CHECK_OK(zx_channel_write(a, ZX_CHANNEL_WRITE_USE_IOVEC, iov, 3, NULL, 0));
  CHECK_OK(zx_channel_read(b, 0, buf, NULL, sizeof(buf), 0, &nb, NULL));
  CHECK_EQ(nb, 6);
  CHECK(memcmp(buf, "abcdef", 6) == 0);
  iov[1].reserved = 1;
  CHECK_EQ(zx_channel_write(a, ZX_CHANNEL_WRITE_USE_IOVEC, iov, 3, NULL, 0), ZX_ERR_INVALID_ARGS);
  iov[1].reserved = 0;
  CHECK_EQ(zx_channel_write(a, ZX_CHANNEL_WRITE_USE_IOVEC, iov, ZX_CHANNEL_MAX_MSG_IOVEC + 1,
                            NULL, 0),
           ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_channel_write(a, ZX_CHANNEL_WRITE_USE_IOVEC, NULL, 1, NULL, 0), ZX_ERR_INVALID_ARGS);
  static char big[ZX_CHANNEL_MAX_MSG_BYTES];
  zx_channel_iovec_t too_big[2] = {{big, ZX_CHANNEL_MAX_MSG_BYTES, 0}, {"x", 1, 0}};
  CHECK_EQ(zx_channel_write(a, ZX_CHANNEL_WRITE_USE_IOVEC, too_big, 2, NULL, 0),
           ZX_ERR_OUT_OF_RANGE);
  zx_channel_iovec_t bad_buffer[1] = {{NULL, 3, 0}};
  CHECK_EQ(zx_channel_write(a, ZX_CHANNEL_WRITE_USE_IOVEC, bad_buffer, 1, NULL, 0),
           ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_channel_write(a, 4, iov, 3, NULL, 0), ZX_ERR_INVALID_ARGS);

  /* write_etc / read_etc: MOVE and DUPLICATE, handle infos back. */
  zx_handle_t ev = make_event();
  zx_handle_disposition_t disp[2] = {
      {ZX_HANDLE_OP_DUPLICATE, ev, ZX_OBJ_TYPE_EVENT, ZX_RIGHT_SAME_RIGHTS, ZX_OK},
      {ZX_HANDLE_OP_MOVE, ev, ZX_OBJ_TYPE_EVENT, ZX_RIGHT_SAME_RIGHTS, ZX_OK},
  };
  CHECK_OK(zx_channel_write_etc(a, 0, "etc", 3, disp, 2));
  zx_handle_info_t infos[2];
  CHECK_OK(zx_channel_read_etc(b, 0, buf, infos, sizeof(buf), 2, &nb, &nh));
  CHECK_EQ(nh, 2);
  CHECK_EQ(infos[0].type, ZX_OBJ_TYPE_EVENT);
  CHECK_EQ(infos[1].rights, ZX_DEFAULT_EVENT_RIGHTS);
  CHECK_OK(zx_handle_close(infos[0].handle));
  CHECK_OK(zx_handle_close(infos[1].handle));
  zx_handle_disposition_t wrong[1] = {
      {ZX_HANDLE_OP_MOVE, make_event(), ZX_OBJ_TYPE_CHANNEL, ZX_RIGHT_SAME_RIGHTS, ZX_OK}};
  CHECK_EQ(zx_channel_write_etc(a, 0, NULL, 0, wrong, 1), ZX_ERR_WRONG_TYPE);
  CHECK_EQ(wrong[0].result, ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_handle_check_valid(wrong[0].handle), ZX_ERR_NOT_FOUND);

  CHECK_OK(zx_handle_close(a));
  CHECK_EQ(zx_channel_write(b, 0, "x", 1, NULL, 0), ZX_ERR_PEER_CLOSED);
  CHECK_OK(zx_handle_close(b));
}

/* The server side of the call tests: answers each request with its txid and the bytes
 * reversed, then exits when the client end closes. */
static void* call_server(void* arg) {
  zx_handle_t server = *(zx_handle_t*)arg;
  zxsim_thread_bind(process);
  for (;;) {
    zx_signals_t observed;
    if (zx_object_wait_one(server, ZX_CHANNEL_READABLE | ZX_CHANNEL_PEER_CLOSED,
                           ZX_TIME_INFINITE, &observed) != ZX_OK) {
      break;
    }
    unsigned char request[64], reply[64];
    zx_handle_t handles[4];
    uint32_t nb, nh;
    if (zx_channel_read(server, 0, request, handles, sizeof(request), 4, &nb, &nh) != ZX_OK) {
      break;
    }
    memcpy(reply, request, 4);
    for (uint32_t i = 4; i < nb; i++) reply[i] = request[nb - 1 - (i - 4)];
    zx_channel_write(server, 0, reply, nb, handles, nh);
  }
  zxsim_thread_unbind();
  return NULL;
}

static void test_calls(void) {
  zx_handle_t client, server;
  CHECK_OK(zx_channel_create(0, &client, &server));
  pthread_t thread;
  CHECK_EQ(pthread_create(&thread, NULL, call_server, &server), 0);

  unsigned char request[8] = {0, 0, 0, 0, 'a', 'b', 'c', 'd'};
  unsigned char reply[8];
  zx_handle_t rd_handles[1];
  zx_channel_call_args_t args = {request, NULL, reply, rd_handles, 8, 0, 8, 1};
  uint32_t nb = 0, nh = 0;
  CHECK_OK(zx_channel_call(client, 0, ZX_TIME_INFINITE, &args, &nb, &nh));
  CHECK_EQ(nb, 8);
  CHECK_EQ(nh, 0);
  CHECK(memcmp(reply + 4, "dcba", 4) == 0);

  /* Iovec request. */
  zx_channel_iovec_t iov[2] = {{request, 4, 0}, {"wxyz", 4, 0}};
  zx_channel_call_args_t iov_args = {iov, NULL, reply, NULL, 2, 0, 8, 0};
  CHECK_OK(zx_channel_call(client, ZX_CHANNEL_WRITE_USE_IOVEC, ZX_TIME_INFINITE, &iov_args, &nb,
                           &nh));
  CHECK(memcmp(reply + 4, "zyxw", 4) == 0);

  /* call_etc with a moved handle that travels back. */
  zx_handle_t e = make_event();
  zx_handle_disposition_t disp = {ZX_HANDLE_OP_MOVE, e, ZX_OBJ_TYPE_EVENT, ZX_RIGHT_SAME_RIGHTS,
                                  ZX_OK};
  zx_handle_info_t info;
  zx_channel_call_etc_args_t etc = {request, &disp, reply, &info, 8, 1, 8, 1};
  CHECK_OK(zx_channel_call_etc(client, 0, ZX_TIME_INFINITE, &etc, &nb, &nh));
  CHECK_EQ(nh, 1);
  CHECK_EQ(info.type, ZX_OBJ_TYPE_EVENT);
  CHECK_OK(zx_handle_close(info.handle));

  /* Argument errors. */
  CHECK_EQ(zx_channel_call(client, 0, ZX_TIME_INFINITE, NULL, &nb, &nh), ZX_ERR_INVALID_ARGS);
  zx_channel_call_args_t short_args = {request, NULL, reply, NULL, 3, 0, 8, 0};
  CHECK_EQ(zx_channel_call(client, 0, ZX_TIME_INFINITE, &short_args, &nb, &nh),
           ZX_ERR_INVALID_ARGS);
  zx_channel_call_args_t bad_bytes = {NULL, NULL, reply, NULL, 8, 0, 8, 0};
  CHECK_EQ(zx_channel_call(client, 0, ZX_TIME_INFINITE, &bad_bytes, &nb, &nh),
           ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_channel_call(client, 0, ZX_TIME_INFINITE, &args, NULL, &nh), ZX_ERR_INVALID_ARGS);

  CHECK_OK(zx_handle_close(client));
  pthread_join(thread, NULL);
  CHECK_OK(zx_handle_close(server));
}

static void test_sockets_and_fifos(void) {
  zx_handle_t s0, s1;
  CHECK_OK(zx_socket_create(ZX_SOCKET_STREAM, &s0, &s1));
  CHECK_EQ(zx_socket_create(4, &s0, &s1), ZX_ERR_INVALID_ARGS);
  size_t actual = 0;
  CHECK_OK(zx_socket_write(s0, 0, "stream", 6, &actual));
  CHECK_EQ(actual, 6);
  CHECK_OK(zx_socket_write(s0, 0, "!", 1, NULL));
  CHECK_EQ(zx_socket_write(s0, 0, NULL, 3, NULL), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_socket_write(ZX_HANDLE_INVALID, 0, NULL, 3, NULL), ZX_ERR_BAD_HANDLE);
  char buf[16];
  CHECK_OK(zx_socket_read(s1, ZX_SOCKET_PEEK, buf, 3, &actual));
  CHECK_EQ(actual, 3);
  CHECK_EQ(zx_socket_read(s1, 0, NULL, 3, &actual), ZX_ERR_INVALID_ARGS);
  CHECK_OK(zx_socket_read(s1, 0, buf, sizeof(buf), &actual));
  CHECK_EQ(actual, 7);
  CHECK(memcmp(buf, "stream!", 7) == 0);
  uint64_t threshold = 2;
  CHECK_OK(zx_object_set_property(s1, ZX_PROP_SOCKET_RX_THRESHOLD, &threshold, sizeof(threshold)));
  threshold = 0;
  CHECK_OK(zx_object_get_property(s1, ZX_PROP_SOCKET_RX_THRESHOLD, &threshold, sizeof(threshold)));
  CHECK_EQ(threshold, 2);
  CHECK_EQ(zx_object_get_property(s1, ZX_PROP_SOCKET_RX_THRESHOLD, NULL, 8), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_object_set_property(s1, ZX_PROP_SOCKET_RX_THRESHOLD, NULL, 8), ZX_ERR_INVALID_ARGS);
  zx_info_socket_t sinfo;
  CHECK_OK(zx_object_get_info(s0, ZX_INFO_SOCKET, &sinfo, sizeof(sinfo), NULL, NULL));
  CHECK(sinfo.tx_buf_max > 0);
  CHECK_OK(zx_socket_set_disposition(s0, ZX_SOCKET_DISPOSITION_WRITE_DISABLED, 0));
  CHECK_EQ(zx_socket_write(s0, 0, "x", 1, NULL), ZX_ERR_BAD_STATE);
  CHECK_OK(zx_handle_close(s0));
  CHECK_OK(zx_handle_close(s1));

  zx_handle_t f0, f1;
  CHECK_OK(zx_fifo_create(4, 8, 0, &f0, &f1));
  CHECK_EQ(zx_fifo_create(0, 8, 0, &f0, &f1), ZX_ERR_OUT_OF_RANGE);
  uint64_t elems[3] = {1, 2, 3};
  CHECK_OK(zx_fifo_write(f0, 8, elems, 3, &actual));
  CHECK_EQ(actual, 3);
  CHECK_EQ(zx_fifo_write(f0, 8, NULL, 1, NULL), ZX_ERR_INVALID_ARGS);
  uint64_t got[4] = {0};
  CHECK_OK(zx_fifo_read(f1, 8, got, 4, &actual));
  CHECK_EQ(actual, 3);
  CHECK_EQ(got[2], 3);
  CHECK_EQ(zx_fifo_read(f1, 8, NULL, 1, NULL), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_fifo_read(f1, 8, got, 1, NULL), ZX_ERR_SHOULD_WAIT);
  CHECK_OK(zx_handle_close(f0));
  CHECK_OK(zx_handle_close(f1));
}

static void test_time_and_timers(void) {
  zx_time_t start = zx_clock_get_monotonic();
  CHECK_EQ(start, 0); /* a fresh virtual clock */
  CHECK_EQ(zx_deadline_after(ZX_MSEC(5)), ZX_MSEC(5));
  CHECK_EQ(zx_deadline_after(ZX_TIME_INFINITE), ZX_TIME_INFINITE);
  CHECK_EQ(zx_ticks_per_second(), ZX_SEC(1));
  CHECK_EQ(zx_ticks_get(), 0);
  CHECK_OK(zx_nanosleep(ZX_TIME_INFINITE_PAST));
  CHECK_EQ(zx_time_add_duration(ZX_TIME_INFINITE, 1), ZX_TIME_INFINITE);

  zx_handle_t t;
  CHECK_OK(zx_timer_create(ZX_TIMER_SLACK_CENTER, ZX_CLOCK_MONOTONIC, &t));
  CHECK_EQ(zx_timer_create(0, 7, &t), ZX_ERR_INVALID_ARGS);
  CHECK_OK(zx_timer_set(t, ZX_USEC(10), 0));
  CHECK_EQ(zx_timer_set(t, ZX_USEC(10), -1), ZX_ERR_OUT_OF_RANGE);
  zx_info_timer_t tinfo;
  CHECK_OK(zx_object_get_info(t, ZX_INFO_TIMER, &tinfo, sizeof(tinfo), NULL, NULL));
  CHECK_EQ(tinfo.deadline, ZX_USEC(10));
  zx_time_t now = 0;
  CHECK_OK(zxsim_clock_advance(kernel, ZX_USEC(10), &now));
  CHECK_EQ(now, ZX_USEC(10));
  CHECK_EQ(zx_ticks_get(), ZX_USEC(10));
  CHECK_OK(zx_object_wait_one(t, ZX_TIMER_SIGNALED, ZX_TIME_INFINITE, NULL));
  CHECK_OK(zx_timer_cancel(t));
  CHECK_EQ(signals_of(t) & ZX_TIMER_SIGNALED, 0);
  CHECK_OK(zx_handle_close(t));
}

static void test_tasks(void) {
  zx_handle_t self = zx_process_self();
  CHECK(self != ZX_HANDLE_INVALID);
  CHECK_EQ(zx_process_self(), self);
  zx_info_handle_basic_t info;
  CHECK_OK(zx_object_get_info(self, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL));
  CHECK_EQ(info.type, ZX_OBJ_TYPE_PROCESS);
  zx_koid_t process_koid = info.koid;
  zx_handle_t thread = zx_thread_self();
  CHECK_OK(zx_object_get_info(thread, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL));
  CHECK_EQ(info.type, ZX_OBJ_TYPE_THREAD);
  CHECK_EQ(info.related_koid, process_koid);
  zx_info_thread_t tinfo;
  CHECK_OK(zx_object_get_info(thread, ZX_INFO_THREAD, &tinfo, sizeof(tinfo), NULL, NULL));
  CHECK_EQ(tinfo.state, ZX_THREAD_STATE_RUNNING);
  CHECK(tinfo.cpu_affinity_mask.mask[0] & 1);
  CHECK_OK(zx_handle_close(self));
  CHECK_OK(zx_handle_close(thread));

  /* What zxsim does not model. */
  zx_handle_t h;
  CHECK_EQ(zx_vmo_create(4096, 0, &h), ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_vmo_read(0, NULL, 0, 0), ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_vmo_write(0, NULL, 0, 0), ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_vmo_get_size(0, NULL), ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_vmo_set_size(0, 0), ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_vmar_map(0, 0, 0, 0, 0, 0, NULL), ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_vmar_unmap(0, 0, 0), ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_vmar_allocate(0, 0, 0, 0, NULL, NULL), ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_job_create(0, 0, &h), ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_process_create(0, "p", 1, 0, &h, &h), ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_process_start(0, 0, 0, 0, 0, 0), ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_thread_create(0, "t", 1, 0, &h), ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_thread_start(0, 0, 0, 0, 0), ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_task_kill(0), ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_task_suspend(0, &h), ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_object_get_child(0, 0, 0, &h), ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_job_default(), ZX_HANDLE_INVALID);
  CHECK_EQ(zx_vmar_root_self(), ZX_HANDLE_INVALID);
}

static void test_status_strings(void) {
  CHECK(strcmp(zx_status_get_string(ZX_ERR_PEER_CLOSED), "ZX_ERR_PEER_CLOSED") == 0);
  CHECK(strcmp(zx_status_get_string(1), "(UNKNOWN)") == 0);
}

int main(void) {
  CHECK_EQ(zxsim_kernel_create(9, 0, &kernel), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zxsim_kernel_create(ZXSIM_PROFILE_ZIRCON, ZXSIM_KERNEL_VIRTUAL_CLOCK, NULL),
           ZX_ERR_INVALID_ARGS);
  CHECK_OK(zxsim_kernel_create(ZXSIM_PROFILE_ZIRCON, ZXSIM_KERNEL_VIRTUAL_CLOCK, &kernel));
  CHECK_OK(zxsim_process_create(kernel, &process));
  CHECK_EQ(zxsim_thread_unbind(), ZX_ERR_BAD_STATE);
  CHECK_OK(zxsim_thread_bind(process));

  test_handles();
  test_objects();
  test_ports();
  test_channels();
  test_calls();
  test_sockets_and_fifos();
  test_time_and_timers();
  test_status_strings();
  CHECK_EQ(zxsim_kernel_live_handles(kernel), 0);
  test_tasks();

  CHECK_OK(zxsim_thread_unbind());
  zxsim_process_destroy(process);
  /* The main thread keeps its thread object (not its handle) until it exits. */
  CHECK_EQ(zxsim_kernel_live_handles(kernel), 0);
  zxsim_kernel_destroy(kernel);

  /* The default kernel serves unbound threads. */
  zx_handle_t e;
  CHECK_OK(zx_event_create(0, &e));
  CHECK_OK(zx_handle_close(e));
  return check_report("syscalls_test");
}
