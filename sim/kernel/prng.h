/*
** Seeded pseudo-random streams.  Every random choice in a run comes from an
** rng stream derived from (scenario seed, stream id) with splitmix64, then
** advanced with xoshiro256**.  Each subsystem owns its own stream, so adding a
** draw in one (say, replication jitter) never shifts another (the generated
** source organization).  No rand(), no time-based seeding.
*/
#ifndef MIGSIM_PRNG_H
#define MIGSIM_PRNG_H

#include <stdint.h>

/* Stream ids.  Append new ones; never renumber (it would change every run). */
enum rngStream {
    RNG_SOURCE = 1,   /* the source organization's contents */
    RNG_JITTER = 2,   /* replication latency and notification jitter */
    RNG_TEST = 3,     /* property tests and benchmarks */
    RNG_MODEL = 4,    /* any other model choice */
    RNG_GEN_WORLD = 5,   /* explore: a generated scenario's world (sim/run/gen.c) */
    RNG_GEN_SCRIPT = 6,  /* explore: its steps */
    RNG_GEN_PROC = 7     /* explore: the migrator's procedure (cleanups, waits, reruns) */
};

typedef struct rng {
    uint64_t s[4];
} rng;

/* Seed r as stream `stream` of seed `seed`.  Any values are valid. */
void rngSeed(rng *r, uint64_t seed, uint64_t stream);

/* The next 64 random bits. */
uint64_t rngNext(rng *r);

/* A uniform integer in [0, n); n == 0 yields 0.  Unbiased (rejection). */
uint64_t rngBelow(rng *r, uint64_t n);

/* A uniform integer in [lo, hi] (inclusive); lo > hi yields lo. */
int64_t rngBetween(rng *r, int64_t lo, int64_t hi);

#endif
