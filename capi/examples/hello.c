// A first C program on zxsim: an event, a port, an async wait, and a message over a channel.
// Build: see docs/c-abi.md.
#include <stdio.h>
#include <string.h>
#include <zircon/syscalls.h>
#include <zircon/status.h>
#include <zircon/syscalls/port.h>

int main(void) {
  zx_handle_t port, event, a, b;
  if (zx_port_create(0, &port) != ZX_OK || zx_event_create(0, &event) != ZX_OK ||
      zx_channel_create(0, &a, &b) != ZX_OK) {
    return 1;
  }

  // Ask for a packet when the event is signaled, then signal it.
  zx_object_wait_async(event, port, 7, ZX_EVENT_SIGNALED, 0);
  zx_object_signal(event, 0, ZX_EVENT_SIGNALED);
  zx_port_packet_t packet;
  zx_status_t status = zx_port_wait(port, ZX_TIME_INFINITE, &packet);
  printf("port_wait: %s, key %llu\n", zx_status_get_string(status),
         (unsigned long long)packet.key);

  // Send the event over the channel; it arrives as a new handle.
  zx_channel_write(a, 0, "hello", 5, &event, 1);
  char bytes[16];
  zx_handle_t received;
  uint32_t num_bytes, num_handles;
  status = zx_channel_read(b, 0, bytes, &received, sizeof(bytes), 1, &num_bytes, &num_handles);
  printf("channel_read: %s, \"%.*s\" + %u handle\n", zx_status_get_string(status), (int)num_bytes,
         bytes, num_handles);

  zx_handle_t all[] = {port, received, a, b};
  return zx_handle_close_many(all, 4) == ZX_OK ? 0 : 1;
}
