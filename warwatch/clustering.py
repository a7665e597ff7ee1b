"""Near-duplicate detection: MinHash over word shingles, LSH bands to find candidates.

The same statement reposted by an embassy, issued jointly by the White House and State,
or carried by several wires shares most of its five-word shingles; two different
statements built on one template ("Secretary Blinken's Call with …") share few. Bands only
*propose* candidates; a candidate joins a cluster only if the exact Jaccard similarity of
the two shingle sets reaches ``THRESHOLD`` and the two are not variants of one template
(``template_variants``), so LSH misses cost recall, never precision.
"""

from __future__ import annotations

import re
import unicodedata
import zlib

import numpy as np

SHINGLE = 5  # words per shingle
NUM_PERM = 128
BANDS = 32  # 32 bands of 4 rows: pairs from Jaccard ≈ 0.45 up become candidates
ROWS = NUM_PERM // BANDS
MIN_WORDS = 40  # shorter texts (a one-line notice) are too generic to group safely
THRESHOLD = 0.6

_WORD = re.compile(r"\w+", re.UNICODE)
_RNG = np.random.default_rng(20261123)  # fixed: band keys are stored and must be stable
_MULTIPLIERS = _RNG.integers(1, 2**63, size=NUM_PERM, dtype=np.uint64) | np.uint64(1)
_ADDENDS = _RNG.integers(0, 2**63, size=NUM_PERM, dtype=np.uint64)


def words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def shingles(text: str) -> set[int]:
    """32-bit hashes of the text's overlapping five-word sequences (empty if too short)."""
    tokens = words(text)
    if len(tokens) < MIN_WORDS:
        return set()
    return {
        zlib.crc32(" ".join(tokens[i : i + SHINGLE]).encode())
        for i in range(len(tokens) - SHINGLE + 1)
    }


def signature(hashes: set[int]) -> np.ndarray:
    """MinHash signature: per permutation, the least multiply-shift hash of any shingle."""
    values = np.fromiter(hashes, dtype=np.uint64, count=len(hashes))
    with np.errstate(over="ignore"):  # multiply-shift hashing wraps modulo 2**64 by design
        permuted = (values[None, :] * _MULTIPLIERS[:, None] + _ADDENDS[:, None]) >> np.uint64(32)
    return permuted.min(axis=1)


def band_keys(hashes: set[int]) -> list[int]:
    """One signed 64-bit key per LSH band (the band's number in the top bits)."""
    if not hashes:
        return []
    sig = signature(hashes)
    keys = []
    for band in range(BANDS):
        digest = zlib.crc32(sig[band * ROWS : (band + 1) * ROWS].tobytes())
        keys.append((band << 40) | digest)
    return keys


_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|\w+")


def template_variants(a: str, b: str) -> bool:
    """Two statements cut from one template: each names something the other does not.

    Monthly "Visitor Log Records Posted", disaster declarations for two states, the same
    delegation of authority for two drawdowns share most shingles but differ in names and
    numbers on *both* sides. A repost differs on one side at most (an embassy's header
    added to the State Department's text), and a copy not at all.
    """
    tokens_a, tokens_b = _TOKEN.findall(a), _TOKEN.findall(b)
    words_a = {t.casefold() for t in tokens_a}
    words_b = {t.casefold() for t in tokens_b}
    only_a = {t.casefold() for t in tokens_a if _is_marker(t)} - words_b
    only_b = {t.casefold() for t in tokens_b if _is_marker(t)} - words_a
    return bool(only_a) and bool(only_b)


def _is_marker(token: str) -> bool:
    """A name or a number: what tells two fillings of one template apart."""
    return token[0].isdigit() or (token[0].isupper() and len(token) > 1)


def jaccard(a: set[int], b: set[int]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)
