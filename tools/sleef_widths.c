/* Does SLEEF's 16-wide (AVX-512) float32 function give the same bits as its 8-wide (AVX2) one, the
 * one PyTorch 1.13 calls, for every one of the 2^32 float32 inputs? cgrad's AVX-512 loops
 * (src/backend/cpu/simd_avx512.c) use a 16-wide call only where this says so.
 *
 *   cc -O2 -mavx512f -mavx2 -mfma tools/sleef_widths.c -o /tmp/sleef_widths -lsleef
 *   /tmp/sleef_widths [name...]      (exp log log1p sin cos tan tanh sigmoid; default: all)
 *
 * Prints "name: identical" or the first differing inputs and counts (a NaN with another payload or
 * sign counts as a difference: those are bits too); exits 1 on any difference.
 * sigmoid is PyTorch's vector sigmoid, 1 / (1 + exp(0 - x)), built on each width's exp; log's 16-wide
 * side is cgrad's (NaN results made the default NaN, as the 8-wide call returns them). Needs an
 * AVX-512 CPU; takes a minute or so per function. */
#include <immintrin.h>
#include <sleef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static __m256 sigmoid8(__m256 x) {
    __m256 e = Sleef_expf8_u10(_mm256_sub_ps(_mm256_setzero_ps(), x));
    return _mm256_div_ps(_mm256_set1_ps(1), _mm256_add_ps(e, _mm256_set1_ps(1)));
}
static __m512 sigmoid16(__m512 x) {
    __m512 e = Sleef_expf16_u10(_mm512_sub_ps(_mm512_setzero_ps(), x));
    return _mm512_div_ps(_mm512_set1_ps(1), _mm512_add_ps(e, _mm512_set1_ps(1)));
}

/* cgrad's 16-wide log (simd_avx512.c): SLEEF's, with every NaN result the default NaN, as the
 * 8-wide one returns. */
static __m512 log16(__m512 x) {
    __m512 y = Sleef_logf16_u10(x);
    __mmask16 nan = _mm512_cmp_ps_mask(y, y, _CMP_UNORD_Q);
    return _mm512_mask_blend_ps(nan, y, _mm512_castsi512_ps(_mm512_set1_epi32(0x7fc00000)));
}

typedef struct {
    const char *name;
    __m256 (*f8)(__m256);
    __m512 (*f16)(__m512);
} pair;

static const pair pairs[] = {
    {"exp", Sleef_expf8_u10, Sleef_expf16_u10},       {"log", Sleef_logf8_u10, log16},
    {"log1p", Sleef_log1pf8_u10, Sleef_log1pf16_u10}, {"sin", Sleef_sinf8_u10, Sleef_sinf16_u10},
    {"cos", Sleef_cosf8_u10, Sleef_cosf16_u10},       {"tan", Sleef_tanf8_u10, Sleef_tanf16_u10},
    {"tanh", Sleef_tanhf8_u10, Sleef_tanhf16_u10},    {"sigmoid", sigmoid8, sigmoid16},
};

static int check(const pair *p) {
    uint64_t differ = 0, nan_payloads = 0;
    for (uint64_t base = 0; base < (1ull << 32); base += 16) {
        uint32_t in[16], a[16], b[16];
        for (int j = 0; j < 16; j++) in[j] = (uint32_t)(base + (uint64_t)j);
        __m512 x = _mm512_loadu_ps(in);
        _mm256_storeu_ps((float *)a, p->f8(_mm512_castps512_ps256(x)));
        _mm256_storeu_ps((float *)a + 8, p->f8(_mm256_loadu_ps((const float *)in + 8)));
        _mm512_storeu_ps((float *)b, p->f16(x));
        if (memcmp(a, b, sizeof a) == 0) continue;
        for (int j = 0; j < 16; j++) {
            if (a[j] == b[j]) continue;
            bool both_nan = (a[j] & 0x7fffffff) > 0x7f800000 && (b[j] & 0x7fffffff) > 0x7f800000;
            nan_payloads += both_nan;
            if (differ++ < 5)
                printf("%s: input 0x%08x: 8-wide 0x%08x, 16-wide 0x%08x\n", p->name, in[j], a[j], b[j]);
        }
    }
    if (differ)
        printf("%s: %llu inputs differ, %llu of them NaN in both (another payload or sign)\n", p->name,
               (unsigned long long)differ, (unsigned long long)nan_payloads);
    else printf("%s: identical\n", p->name);
    fflush(stdout);
    return differ != 0;
}

int main(int argc, char **argv) {
    int bad = 0;
    for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++) {
        bool wanted = argc < 2;
        for (int i = 1; i < argc; i++) wanted = wanted || !strcmp(argv[i], pairs[k].name);
        if (wanted) bad |= check(&pairs[k]);
    }
    return bad;
}
