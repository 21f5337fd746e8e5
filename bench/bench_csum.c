/* Benchmark of the Internet checksum (RFC 1071): duet_csum_partial (and its
 * portable kernel) against memcpy over the same buffers in the same run, and
 * against a 16-bit-at-a-time loop. One JSON object per line on stdout. */
#include <duet/csum.h>
#include <duet/random.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Medians over this many timed trials. Short trials, many of them: on a
 * shared machine most then run without being preempted, and the median
 * ignores those that were. */
#define BENCH_TRIALS_MAX 51
#define BENCH_TRIAL_NS 1000000 /* each in-cache trial lasts about 1 ms */
#define BENCH_SMALL_BYTES 1500
#define BENCH_LARGE_BYTES ((size_t)64 << 20)

enum bench_op { OP_MEMCPY, OP_CSUM, OP_CSUM_PORTABLE, OP_CSUM_16BIT, OP_COUNT };

struct bench_buf {
	uint8_t *src;
	uint8_t *dst;
	size_t len;
};

static volatile uint32_t bench_sink;

static double bench_now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

/* Tells the compiler p's memory may be read and changed here, so repeated
 * work over it can be neither dropped nor hoisted. */
static void bench_clobber(const void *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
}

/* The loop duet started with: one big-endian 16-bit word at a time. */
static uint32_t bench_csum_16bit(const uint8_t *p, size_t len, uint32_t sum)
{
	uint64_t s = sum;

	for (; len >= 2; p += 2, len -= 2)
		s += (uint32_t)p[0] << 8 | p[1];
	if (len)
		s += (uint32_t)p[0] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint32_t)s;
}

static void bench_run_op(enum bench_op op, const struct bench_buf *b, long reps)
{
	uint32_t acc = 0;
	long i;

	for (i = 0; i < reps; i++) {
		switch (op) {
		case OP_MEMCPY:
			memcpy(b->dst, b->src, b->len);
			break;
		case OP_CSUM:
			acc += duet_csum_partial(b->src, b->len, 0);
			break;
		case OP_CSUM_PORTABLE:
			acc += duet_csum_partial_portable(b->src, b->len, 0);
			break;
		default:
			acc += bench_csum_16bit(b->src, b->len, 0);
			break;
		}
		bench_clobber(b->dst);
		bench_clobber(b->src);
	}
	bench_sink += acc;
}

static int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Repetitions of op that take about BENCH_TRIAL_NS (at least one). */
static long bench_calibrate(enum bench_op op, const struct bench_buf *b)
{
	long reps = 1;
	double t;

	for (;;) {
		t = bench_now_ns();
		bench_run_op(op, b, reps);
		t = bench_now_ns() - t;
		if (t >= BENCH_TRIAL_NS / 4 || reps >= (1L << 30))
			break;
		reps *= 2;
	}
	reps = (long)((double)reps * BENCH_TRIAL_NS / (t > 1 ? t : 1));
	return reps > 0 ? reps : 1;
}

/* Median rate in GB/s (10^9 bytes per second) of every op over b, trials
 * interleaved so that machine noise falls on all ops alike. */
static void bench_measure(const struct bench_buf *b, int trials, double gbps[OP_COUNT])
{
	double rate[OP_COUNT][BENCH_TRIALS_MAX];
	long reps[OP_COUNT];
	int op, trial;

	for (op = 0; op < OP_COUNT; op++)
		reps[op] = bench_calibrate((enum bench_op)op, b);
	for (trial = 0; trial < trials; trial++) {
		for (op = 0; op < OP_COUNT; op++) {
			double t = bench_now_ns();
			bench_run_op((enum bench_op)op, b, reps[op]);
			t = bench_now_ns() - t;
			rate[op][trial] = (double)b->len * (double)reps[op] / (t > 1 ? t : 1);
		}
	}
	for (op = 0; op < OP_COUNT; op++) {
		qsort(rate[op], (size_t)trials, sizeof(double), bench_cmp_double);
		gbps[op] = rate[op][trials / 2];
	}
}

static void bench_print(const char *name, double value, const char *baseline, double base)
{
	printf("{\"name\":\"%s\",\"value\":%.3f,\"unit\":\"GB/s\",\"baseline\":\"%s\","
	       "\"baseline_value\":%.3f,\"ratio\":%.3f,\"kernel\":\"%s\"}\n",
	       name, value, baseline, base, value / base, duet_csum_impl());
}

/* Measures one buffer size over trials (odd, <= BENCH_TRIALS_MAX) trials and
 * prints its result lines. */
static int bench_size(const char *label, size_t len, int trials, struct duet_rng *rng)
{
	struct bench_buf b = { malloc(len), malloc(len), len };
	double g[OP_COUNT];
	char name[64];

	if (!b.src || !b.dst) {
		free(b.src);
		free(b.dst);
		return -1;
	}
	duet_rng_fill(rng, b.src, len);
	memset(b.dst, 0, len); /* fault the pages in before timing */
	bench_measure(&b, trials, g);
	snprintf(name, sizeof name, "csum_%s", label);
	bench_print(name, g[OP_CSUM], "memcpy", g[OP_MEMCPY]);
	snprintf(name, sizeof name, "csum_portable_%s", label);
	bench_print(name, g[OP_CSUM_PORTABLE], "memcpy", g[OP_MEMCPY]);
	snprintf(name, sizeof name, "csum_%s_vs_16bit", label);
	bench_print(name, g[OP_CSUM], "csum_16bit_loop", g[OP_CSUM_16BIT]);
	free(b.src);
	free(b.dst);
	return 0;
}

int main(void)
{
	struct duet_rng rng;

	duet_rng_seed(&rng, 1071);
	/* A 64 MiB pass takes 2-15 ms: fewer trials keep the run short. */
	if (bench_size("1500B_cached", BENCH_SMALL_BYTES, BENCH_TRIALS_MAX, &rng) != 0 ||
	    bench_size("64MiB", BENCH_LARGE_BYTES, 15, &rng) != 0) {
		fprintf(stderr, "bench_csum: out of memory\n");
		return 1;
	}
	fflush(stdout);
	return 0;
}
