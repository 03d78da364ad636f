/*
** Seeded pseudo-random streams: splitmix64 expands (seed, stream) into the
** 256-bit xoshiro256** state, as the xoshiro authors recommend, so that
** streams of one seed and equal streams of neighbouring seeds are unrelated.
*/
#include "kernel/prng.h"

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) {
    return (x << k) | (x >> (64 - k));
}

void rngSeed(rng *r, uint64_t seed, uint64_t stream) {
    uint64_t x = seed;
    /* Mix the stream id in through a second splitmix so stream k of seed s
    ** is not stream 0 of seed s+k. */
    uint64_t y = stream ^ 0x6a09e667f3bcc909ULL;
    x ^= splitmix64(&y);
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&x);
}

uint64_t rngNext(rng *r) {
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t rngBelow(rng *r, uint64_t n) {
    if (n == 0) return 0;
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do x = rngNext(r);
    while (x >= limit);
    return x % n;
}

int64_t rngBetween(rng *r, int64_t lo, int64_t hi) {
    if (lo >= hi) return lo;
    uint64_t span = (uint64_t)hi - (uint64_t)lo;
    if (span == UINT64_MAX) return (int64_t)rngNext(r);
    return (int64_t)((uint64_t)lo + rngBelow(r, span + 1));
}
