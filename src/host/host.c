/* duet — the host runtime: a thread that polls one stack whenever a device
 * is readable, its next deadline passes, or another thread wakes it; and
 * the runtime hooks (core/stack_internal.h) that make the socket API
 * thread-safe and blocking on it (S-2): one mutex, one condition variable
 * on CLOCK_MONOTONIC that every socket event broadcasts, and OS eventfds
 * for sockets an application waits on beside its own descriptors. */
#include <duet/host.h>
#include <duet/random.h>

#include "core/stack_internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

struct duet_host {
	struct duet_stack *stack;
	pthread_mutex_t lock;
	pthread_cond_t cond;          /* broadcast on every socket event */
	struct stack_runtime rt;
	uint64_t armed_ns;            /* the deadline the thread sleeps until (lock held) */
	pthread_t thread;
	bool is_running;
	atomic_bool stop;
	atomic_uint_fast64_t polls;
	int epfd, timerfd, wakefd;
};

static int host_watch(struct duet_host *host, int fd)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.fd = fd;
	return epoll_ctl(host->epfd, EPOLL_CTL_ADD, fd, &ev) == 0 ? 0 : -errno;
}

/* Wakes the thread when the stack now has work before the deadline it
 * sleeps until (a frame queued to send, a timer armed). Lock held. */
static void host_kick(struct duet_host *host)
{
	if (duet_stack_next_deadline(host->stack) < host->armed_ns) {
		host->armed_ns = 0;
		duet_host_wake(host);
	}
}

static void host_rt_lock(void *ctx)
{
	duet_host_lock(ctx);
}

static void host_rt_unlock(void *ctx)
{
	host_kick(ctx);
	duet_host_unlock(ctx);
}

static int host_rt_wait(void *ctx, uint64_t deadline_ns)
{
	struct duet_host *host = ctx;
	struct timespec ts;
	int err;

	host_kick(host);
	if (deadline_ns == DUET_TIME_NEVER)
		return pthread_cond_wait(&host->cond, &host->lock) == 0 ? 0 : -EINTR;
	ts.tv_sec = (time_t)(deadline_ns / DUET_NS_PER_S);
	ts.tv_nsec = (long)(deadline_ns % DUET_NS_PER_S);
	err = pthread_cond_timedwait(&host->cond, &host->lock, &ts);
	return err == ETIMEDOUT ? -ETIMEDOUT : 0;
}

static void host_rt_notify(void *ctx)
{
	struct duet_host *host = ctx;

	pthread_cond_broadcast(&host->cond);
}

static int host_rt_evfd_open(void *ctx)
{
	int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

	(void)ctx;
	return fd >= 0 ? fd : -errno;
}

/* Readable while ready: a counter of 1, drained when no longer ready. */
static void host_rt_evfd_set(void *ctx, int fd, bool is_ready)
{
	uint64_t v = 1;
	ssize_t r = is_ready ? write(fd, &v, sizeof(v)) : read(fd, &v, sizeof(v));

	(void)ctx;
	(void)r; /* EAGAIN: already in that state */
}

static void host_rt_evfd_close(void *ctx, int fd)
{
	(void)ctx;
	close(fd);
}

static int host_open_fds(struct duet_host *host)
{
	int err;

	host->epfd = epoll_create1(EPOLL_CLOEXEC);
	host->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	host->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (host->epfd < 0 || host->timerfd < 0 || host->wakefd < 0)
		return -errno;
	err = host_watch(host, host->timerfd);
	return err ? err : host_watch(host, host->wakefd);
}

int duet_host_create(const struct duet_stack_config *cfg, struct duet_host **out)
{
	struct duet_stack_config c;
	struct duet_host *host;
	int err;

	if (cfg) {
		c = *cfg;
	} else {
		duet_stack_config_init(&c);
		err = duet_random_os(&c.seed, sizeof(c.seed));
		if (err)
			return err;
	}
	c.clock = duet_clock_monotonic();
	if (!c.has_secret) {
		err = duet_random_os(c.secret, sizeof(c.secret));
		if (err)
			return err;
		c.has_secret = true;
	}
	host = calloc(1, sizeof(*host));
	if (!host)
		return -ENOMEM;
	host->epfd = host->timerfd = host->wakefd = -1;
	pthread_mutex_init(&host->lock, NULL);
	{
		pthread_condattr_t ca;
		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* the stack's clock */
		pthread_cond_init(&host->cond, &ca);
		pthread_condattr_destroy(&ca);
	}
	host->armed_ns = DUET_TIME_NEVER;
	err = host_open_fds(host);
	if (!err)
		err = duet_stack_create(&c, &host->stack);
	if (err) {
		duet_host_destroy(host);
		return err;
	}
	host->rt = (struct stack_runtime){
		.lock = host_rt_lock,
		.unlock = host_rt_unlock,
		.wait = host_rt_wait,
		.notify = host_rt_notify,
		.evfd_open = host_rt_evfd_open,
		.evfd_set = host_rt_evfd_set,
		.evfd_close = host_rt_evfd_close,
		.ctx = host,
	};
	stack_set_runtime(host->stack, &host->rt);
	*out = host;
	return 0;
}

struct duet_stack *duet_host_stack(struct duet_host *host)
{
	return host->stack;
}

int duet_host_add_link(struct duet_host *host, struct duet_link *link, const char *name, int fd)
{
	int idx, err;

	duet_host_lock(host);
	idx = duet_stack_add_link(host->stack, link, name);
	duet_host_unlock(host);
	if (idx < 0 || fd < 0)
		return idx;
	err = host_watch(host, fd);
	if (err) {
		duet_host_lock(host);
		duet_stack_remove_iface(host->stack, (uint32_t)idx);
		duet_host_unlock(host);
		return err;
	}
	duet_host_wake(host);
	return idx;
}

void duet_host_lock(struct duet_host *host)
{
	pthread_mutex_lock(&host->lock);
}

void duet_host_unlock(struct duet_host *host)
{
	pthread_mutex_unlock(&host->lock);
}

void duet_host_wake(struct duet_host *host)
{
	uint64_t one = 1;
	ssize_t r = write(host->wakefd, &one, sizeof(one));

	(void)r; /* a full counter (EAGAIN) still wakes the thread */
}

/* Arms the timerfd for the absolute monotonic time next_ns (or disarms it). */
static void host_arm_timer(struct duet_host *host, uint64_t next_ns)
{
	struct itimerspec its;

	memset(&its, 0, sizeof(its));
	if (next_ns != DUET_TIME_NEVER) {
		/* 0 would disarm: a deadline already due becomes 1 ns. */
		if (next_ns == 0)
			next_ns = 1;
		its.it_value.tv_sec = (time_t)(next_ns / DUET_NS_PER_S);
		its.it_value.tv_nsec = (long)(next_ns % DUET_NS_PER_S);
	}
	timerfd_settime(host->timerfd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void host_drain(int fd)
{
	uint64_t v;
	ssize_t r = read(fd, &v, sizeof(v));

	(void)r;
}

static void *host_thread(void *arg)
{
	struct duet_host *host = arg;
	struct epoll_event evs[16];

	while (!atomic_load(&host->stop)) {
		uint64_t next;
		int n, i;

		duet_host_lock(host);
		next = duet_stack_poll(host->stack);
		host->armed_ns = next;
		duet_host_unlock(host);
		atomic_fetch_add(&host->polls, 1);
		host_arm_timer(host, next);
		n = epoll_wait(host->epfd, evs, 16, -1);
		for (i = 0; i < n; i++)
			if (evs[i].data.fd == host->timerfd || evs[i].data.fd == host->wakefd)
				host_drain(evs[i].data.fd);
	}
	return NULL;
}

int duet_host_start(struct duet_host *host)
{
	int err;

	if (host->is_running)
		return -EALREADY;
	atomic_store(&host->stop, false);
	err = pthread_create(&host->thread, NULL, host_thread, host);
	if (err)
		return -err;
	host->is_running = true;
	return 0;
}

void duet_host_stop(struct duet_host *host)
{
	if (!host->is_running)
		return;
	atomic_store(&host->stop, true);
	duet_host_wake(host);
	pthread_join(host->thread, NULL);
	host->is_running = false;
}

uint64_t duet_host_polls(struct duet_host *host)
{
	return atomic_load(&host->polls);
}

void duet_host_destroy(struct duet_host *host)
{
	if (!host)
		return;
	duet_host_stop(host);
	duet_stack_destroy(host->stack);
	if (host->epfd >= 0)
		close(host->epfd);
	if (host->timerfd >= 0)
		close(host->timerfd);
	if (host->wakefd >= 0)
		close(host->wakefd);
	pthread_cond_destroy(&host->cond);
	pthread_mutex_destroy(&host->lock);
	free(host);
}
