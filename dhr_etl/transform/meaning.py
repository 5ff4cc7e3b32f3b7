"""What a text means, as a vector: the mean of its words' token embeddings (WordLlama).

Two wordings of one ask often share no word ("GPs should ask about abuse when patients are seen
alone" / "primary care clinicians to make routine enquiry where a patient attends without their
partner"), so word matching cannot join them; word embeddings can. The vectors are WordLlama's
``l2_supercat_256`` (PyPI package ``wordllama``, MIT licence): static token embeddings distilled
from Llama 2's tokenizer vocabulary, 32,000 tokens x 256 dimensions, shipped inside the wheel
with their tokenizer. Nothing is downloaded at run time: the weights are memory-mapped from the
installed package the first time a process needs them (about 60 ms, once per process).

A text's vector is built from its words, not its characters: each distinct word is tokenised once
(a library has a few thousand distinct words, met hundreds of thousands of times), and a text is
the sum of its words' token vectors divided by their token count, scaled to unit length. Callers
choose the words (stopwords and sentence frame removed, or only the words two texts do not share),
which is how repeat grouping compares what differs between two asks.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

import numpy as np
import polars as pl

from dhr_etl.transform.sorted_sets import distinct
from dhr_etl.transform.threads import once

VECTORS = Path("weights") / "l2_supercat_256.safetensors"
TOKENIZER = Path("tokenizers") / "l2_supercat_tokenizer_config.json"
STORED_DIMENSIONS = 256
DIMENSIONS = 256
"""The width used: WordLlama's vectors are Matryoshka embeddings (trained so that their first
dimensions carry the most), so the first DIMENSIONS of the 256 stored are taken."""


@dataclass(frozen=True)
class TokenVectors:
    matrix: np.ndarray
    """(tokens, DIMENSIONS) float16, memory-mapped from the wheel"""
    tokenizer: object
    """a ``tokenizers.Tokenizer``"""


def _package_dir() -> Path:
    spec = find_spec("wordllama")
    if spec is None or spec.origin is None:
        raise RuntimeError("the word vectors come from the Python package 'wordllama', which is not installed: "
                           "run `make .venv/.installed` (it installs requirements.lock)")
    return Path(spec.origin).parent


def _memory_map(path: Path) -> np.ndarray:
    """The one tensor of a safetensors file (8-byte header length, JSON header, raw data), mapped
    read-only: the operating system pages in only the rows a library's words use."""
    with path.open("rb") as handle:
        header_length = int.from_bytes(handle.read(8), "little")
        header = json.loads(handle.read(header_length))
    (name, tensor), = ((k, v) for k, v in header.items() if k != "__metadata__")
    if tensor["dtype"] != "F16" or len(tensor["shape"]) != 2 or tensor["shape"][1] != STORED_DIMENSIONS:
        raise RuntimeError(f"{path}: expected one float16 tensor of width {STORED_DIMENSIONS}, found {name} {tensor}")
    start, _ = tensor["data_offsets"]
    return np.memmap(path, dtype=np.float16, mode="r", offset=8 + header_length + start, shape=tuple(tensor["shape"]))


@once
def token_vectors() -> TokenVectors:
    """Loaded lazily, once per process."""
    from tokenizers import Tokenizer

    root = _package_dir()
    tokenizer = Tokenizer.from_file(str(root / TOKENIZER))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return TokenVectors(_memory_map(root / VECTORS), tokenizer)


_word_cache: dict[str, tuple[np.ndarray, int]] = {}

WORDS_PER_BATCH = 10_000
"""New words tokenised and summed at once. A library has a few thousand distinct words; a page
whose recommendation cell held 100,000 made-up ones (its token rows gathered at once: 1.3 GB for
that one page) would have ended the run at the size the page cap allows (5 MB)."""


def word_vectors(words: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(sums, counts) for DISTINCT words: each word's summed token vectors (float32) and its
    number of tokens. Each word is tokenised as inside a sentence (after a space), once per process."""
    missing = [w for w in words if w not in _word_cache]
    for start in range(0, len(missing), WORDS_PER_BATCH):
        _add_words(missing[start:start + WORDS_PER_BATCH])
    if not words:
        return np.zeros((0, DIMENSIONS), np.float32), np.zeros(0, np.int64)
    return np.stack([_word_cache[w][0] for w in words]), np.array([_word_cache[w][1] for w in words], dtype=np.int64)


def _add_words(missing: list[str]) -> None:
    """Each word's summed token vectors and token count, into the process's cache (each word's
    rows summed on their own: the same sums in any batch)."""
    vectors = token_vectors()
    encoded = vectors.tokenizer.encode_batch([" " + w for w in missing], add_special_tokens=False)
    ids = [np.asarray(e.ids, dtype=np.int64) for e in encoded]
    lengths = np.array([len(i) for i in ids])
    flat = np.concatenate(ids) if ids else np.zeros(0, dtype=np.int64)
    rows = vectors.matrix[np.clip(flat, 0, vectors.matrix.shape[0] - 1), :DIMENSIONS].astype(np.float32)
    sums = sum_rows(np.repeat(np.arange(len(missing)), lengths), rows, len(missing))
    for i, word in enumerate(missing):
        _word_cache[word] = (sums[i], int(lengths[i]))


def occurrence_words(occurrences: pl.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(sums, tokens, word, times) for a frame with ``word`` and ``times`` (occurrences): the
    summed token vectors and token counts of its distinct words, and for each row the number of
    its word among them and its occurrences. Looked up per distinct word, never gathered by row."""
    vocabulary = occurrences["word"].unique(maintain_order=True)
    sums, tokens = word_vectors(vocabulary.to_list())
    index = occurrences.select(pl.col("word").replace_strict(vocabulary, pl.int_range(len(vocabulary), eager=True),
                                                             return_dtype=pl.Int64))["word"].to_numpy()
    return sums, tokens, index, occurrences["times"].to_numpy()


def sum_rows(index: np.ndarray, rows: np.ndarray, count: int, take: np.ndarray | None = None,
             times: np.ndarray | None = None) -> np.ndarray:
    """(count, width): the sum by ``index`` (0 <= index < count) of ``rows``, or of
    ``rows[take] * times`` (each entry's row and its multiplier) without gathering them all at once.

    Bit for bit what ``np.add.reduceat`` over the gathered rows gives (the theme model and the
    same-ask model were fitted on those sums, and a last-bit change could tip a rounded evidence
    figure or a threshold). Not reduceat itself: it adds one segment at a time, and a library has
    thousands of short segments; here all segments of one length are added together, in
    reduceat's order (:func:`_segments_sum`)."""
    out = np.zeros((count,) + rows.shape[1:], dtype=rows.dtype)
    if not len(index):
        return out
    take = np.arange(len(index)) if take is None else take
    if times is not None and times.max() <= 1:  # most words occur once in a text: then skip the products
        times = None
    if np.any(index[1:] < index[:-1]):
        order = np.argsort(index, kind="stable")
        index, take = index[order], take[order]
        times = None if times is None else times[order]
    starts = np.flatnonzero(np.r_[True, index[1:] != index[:-1]])
    lengths = np.diff(np.r_[starts, len(index)])
    for length in distinct(lengths).tolist():
        these = starts[lengths == length]
        out[index[these]] = _segments_sum(rows, take, times, these, length)
    return out


def _segments_sum(rows: np.ndarray, take: np.ndarray, times: np.ndarray | None, these: np.ndarray,
                  length: int) -> np.ndarray:
    """:func:`sum_rows` of the segments of ``length`` rows that start at ``these``: reduceat's order,
    a segment's first row plus numpy's pairwise sum of the rest (:func:`_pairwise_sum`), gathering
    one row of every segment at a time. Gathering each length's (segments, length, width) block
    first took a third longer where most segments are short (the words two texts do not share,
    summed for every pair the same-ask model measures)."""
    def row(i: int) -> np.ndarray:
        gathered = np.take(rows, take[these + i], axis=0)  # a gather as rows[take[...]], a half to a third of its time
        if times is not None:
            gathered *= times[these + i][:, None].astype(rows.dtype)
        return gathered

    first = row(0)
    return first if length == 1 else first + _pairwise_sum(row, 1, length - 1)


def _pairwise_sum(row: Callable[[int], np.ndarray], start: int, m: int) -> np.ndarray:
    """The sum of ``row(start)`` .. ``row(start + m - 1)`` in numpy's pairwise order (what reduceat
    adds to a segment's first row): under 8 terms one by one from zero; up to 128, eight running
    sums combined as a tree, then the rest one by one; beyond, each half (a multiple of 8) apart.
    Checked bit for bit against np.add.reduceat by tests/transform/test_meaning.py."""
    if m < 8:
        first = row(start)
        total = np.zeros_like(first)
        total += first
        for i in range(start + 1, start + m):
            total += row(i)
        return total
    if m <= 128:
        lanes = [row(start + j) for j in range(8)]
        end = m - m % 8
        for i in range(8, end, 8):
            for j in range(8):
                lanes[j] += row(start + i + j)
        total = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]))
        for i in range(end, m):
            total += row(start + i)
        return total
    half = m // 2 - (m // 2) % 8
    return _pairwise_sum(row, start, half) + _pairwise_sum(row, start + half, m - half)


def unit(rows: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1 (a row of zeros stays zeros)."""
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.where(norms > 0, norms, 1.0)


def text_vectors(words: pl.DataFrame, documents: int) -> np.ndarray:
    """(documents, DIMENSIONS) unit vectors from a frame of doc (0-based row number) and word
    (one row per occurrence): the mean of the words' token vectors. A text with no words gets zeros."""
    counted = words.group_by("doc", "word").agg(pl.len().alias("times")).sort("doc", "word")  # a fixed order of sums: same input, same bits
    sums, _, word, times = occurrence_words(counted)
    return unit(sum_rows(counted["doc"].to_numpy(), sums, documents, take=word, times=times))
