/* duet — the host runtime: one stack driven by a thread of its own on real
 * time, waiting on its devices' file descriptors and a timer (epoll +
 * timerfd + an eventfd for wake-ups).
 *
 * The stack itself stays single-threaded: the runtime thread polls it with
 * the host lock held, and any other thread that calls into the stack takes
 * the same lock (duet_host_lock/unlock) and then calls duet_host_wake() so
 * the thread sees the change. The socket API (duet/socket.h) does both by
 * itself on a host's stack: its calls are thread-safe from any thread, and
 * blocking sockets sleep on a condition variable that every socket event
 * broadcasts (never call the socket API with the host lock held). */
#ifndef DUET_HOST_H
#define DUET_HOST_H

#include <duet/stack.h>

struct duet_host;

/* Creates a host runtime and its stack. cfg may be NULL (defaults); its clock
 * is replaced by CLOCK_MONOTONIC, and unless cfg->has_secret the secret (and
 * the seed, when cfg is NULL) come from the OS entropy source. The thread is
 * not started yet. Returns 0, -ENOMEM, a stack error, or an epoll/timerfd/
 * eventfd creation error (negative errno). */
int duet_host_create(const struct duet_stack_config *cfg, struct duet_host **out);

/* The runtime's stack. Call into it only with the host lock held once the
 * thread runs. */
struct duet_stack *duet_host_stack(struct duet_host *host);

/* Attaches link as an interface (as duet_stack_add_link) and, when fd >= 0,
 * watches fd for input (the link's poll() reads it). Takes the lock itself.
 * Returns the interface index or a negative errno. */
int duet_host_add_link(struct duet_host *host, struct duet_link *link, const char *name, int fd);

/* Starts the runtime thread. Returns 0, -EALREADY, or the pthread error. */
int duet_host_start(struct duet_host *host);

/* Takes and releases the lock that serialises calls into the stack. */
void duet_host_lock(struct duet_host *host);
void duet_host_unlock(struct duet_host *host);

/* Tells the runtime thread to poll the stack again now (after another
 * thread queued work or armed a timer). Async-signal-safe. */
void duet_host_wake(struct duet_host *host);

/* Stops and joins the thread (no-op if not running). */
void duet_host_stop(struct duet_host *host);

/* How many times the thread has polled the stack (for tests and stats). */
uint64_t duet_host_polls(struct duet_host *host);

/* Stops the thread and destroys the stack and the runtime. NULL allowed. */
void duet_host_destroy(struct duet_host *host);

#endif
