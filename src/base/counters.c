/* duet — names and descriptions of the stack's counters. */
#include <duet/counters.h>

#include <string.h>

static const char *const ctr_names[DUET_CTR__COUNT] = {
#define X(name, desc) #name,
	DUET_COUNTERS(X)
#undef X
};

static const char *const ctr_descs[DUET_CTR__COUNT] = {
#define X(name, desc) desc,
	DUET_COUNTERS(X)
#undef X
};

const char *duet_counter_name(enum duet_counter id)
{
	return (unsigned)id < DUET_CTR__COUNT ? ctr_names[id] : NULL;
}

const char *duet_counter_desc(enum duet_counter id)
{
	return (unsigned)id < DUET_CTR__COUNT ? ctr_descs[id] : NULL;
}

int duet_counter_by_name(const char *name)
{
	int i;
	for (i = 0; i < DUET_CTR__COUNT; i++)
		if (strcmp(ctr_names[i], name) == 0)
			return i;
	return -1;
}
