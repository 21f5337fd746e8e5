/* duet tests — the harness behind check.h, and main(). */
#include "check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define CHECK_MAX 512

static struct { const char *name; check_fn fn; } check_cases[CHECK_MAX];
static int check_ncases;
static int check_cur_failed, check_cur_skipped;

void check_register(const char *name, check_fn fn)
{
	if (check_ncases == CHECK_MAX) {
		fprintf(stderr, "check: too many tests\n");
		exit(2);
	}
	check_cases[check_ncases].name = name;
	check_cases[check_ncases].fn = fn;
	check_ncases++;
}

void check_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "  FAIL %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	check_cur_failed++;
}

void check_mem_fail(const char *file, int line, const char *what, const void *a,
		    const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;
	size_t i;

	for (i = 0; i < n && x[i] == y[i]; i++)
		;
	check_fail(file, line, "%s: first difference at byte %zu (%02x != %02x)", what, i,
		   x[i], y[i]);
}

void check_skip(const char *why)
{
	printf("  skip: %s\n", why);
	check_cur_skipped = 1;
}

size_t check_hex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	for (; *hex; hex++) {
		int v;
		char ch = *hex;
		if (ch == ' ' || ch == '\n' || ch == '\t' || ch == ':')
			continue;
		if (ch >= '0' && ch <= '9')
			v = ch - '0';
		else if (ch >= 'a' && ch <= 'f')
			v = ch - 'a' + 10;
		else if (ch >= 'A' && ch <= 'F')
			v = ch - 'A' + 10;
		else
			abort();
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n == cap)
			abort();
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	if (hi >= 0)
		abort();
	return n;
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0, skipped = 0, i, j;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < check_ncases; i++) {
		int selected = argc < 2;
		for (j = 1; j < argc; j++)
			if (strcmp(argv[j], check_cases[i].name) == 0)
				selected = 1;
		if (!selected)
			continue;
		check_cur_failed = check_cur_skipped = 0;
		check_cases[i].fn();
		if (check_cur_failed) {
			printf("FAIL %s\n", check_cases[i].name);
			failed++;
		} else if (check_cur_skipped) {
			printf("skip %s\n", check_cases[i].name);
			skipped++;
		} else {
			printf("ok   %s\n", check_cases[i].name);
			passed++;
		}
	}
	printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
	if (failed)
		return 1;
	if (skipped && !passed)
		return 77;
	return 0;
}
