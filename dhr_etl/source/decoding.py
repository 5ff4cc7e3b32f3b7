"""Undo a response's Content-Encoding as its bytes arrive, under a cap on the decoded size.

httpx decodes for us only without a limit: one chunk of a body sent as ``gzip, gzip`` inflates
by a factor of a million in a single call, so a 13 kB answer becomes gigabytes before any cap
could count it. Here every layer is inflated a bounded slice at a time and the cap is counted on
the decoded bytes, so decoding stops as soon as the cap is passed, whatever the encodings.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

ACCEPT_ENCODING = "gzip, deflate"
"""What we ask for; exactly the codings :class:`CappedDecoder` can undo."""

MAX_CODINGS = 3
"""More stacked codings than this is no site's honest configuration; refused rather than undone."""

_SLICE = 1 << 16
"""Most bytes one layer produces per step: bounds memory whatever the compression ratio."""

_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}


class BodyRejected(ValueError):
    """The body cannot be accepted; the message completes "the response …"."""


class CappedDecoder:
    """Feed it the raw body chunk by chunk; :meth:`finish` gives the decoded body, or raises
    :class:`BodyRejected` the moment the decoded size passes ``max_bytes``."""

    def __init__(self, content_encoding: str, max_bytes: int) -> None:
        codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        if len(codings) > MAX_CODINGS:
            raise BodyRejected(f"is encoded {len(codings)} times over (Content-Encoding); "
                               f"at most {MAX_CODINGS} are undone")
        unknown = [c for c in codings if c not in _WBITS]
        if unknown:
            raise BodyRejected(f"uses Content-Encoding {unknown[0][:40]!r}; accepted: {ACCEPT_ENCODING}, identity")
        self.codings = ", ".join(codings) or "identity"
        # Codings are listed in the order they were applied, so they are undone last first.
        too_large = f"is over the cap of {max_bytes} bytes once decoded (Content-Encoding: {self.codings})"
        self._layers = [_Inflater(c, max_bytes, too_large) for c in reversed(codings)]
        self._too_large = too_large
        self._max_bytes = max_bytes
        self._chunks: list[bytes] = []
        self._size = 0

    def feed(self, raw: bytes) -> None:
        for decoded in self._through(raw, 0):
            self._keep(decoded)

    def finish(self) -> bytes:
        for index, layer in enumerate(self._layers):
            for decoded in layer.drain():
                for final in self._through(decoded, index + 1):
                    self._keep(final)
            if not layer.complete:
                raise BodyRejected(f"ends before its {layer.coding} stream does (truncated or corrupt)")
        return b"".join(self._chunks)

    def _through(self, data: bytes, first_layer: int) -> Iterator[bytes]:
        """``data`` passed through the layers from ``first_layer`` on, lazily, a slice at a time."""
        if first_layer == len(self._layers):
            yield data
            return
        for piece in self._layers[first_layer].feed(data):
            yield from self._through(piece, first_layer + 1)

    def _keep(self, decoded: bytes) -> None:
        self._size += len(decoded)
        if self._size > self._max_bytes:
            raise BodyRejected(self._too_large)
        self._chunks.append(decoded)


class _Inflater:
    """One gzip or deflate layer, inflated at most :data:`_SLICE` bytes per step and at most
    ``max_bytes`` in all: a layer that has to inflate past the cap is refused like the final body
    (compressed data is never larger than what it holds), which bounds the CPU time too."""

    def __init__(self, coding: str, max_bytes: int, too_large: str) -> None:
        self.coding = coding
        self._too_large = too_large
        self._inflate = zlib.decompressobj(_WBITS[coding])
        self._max_bytes = max_bytes
        self._produced = 0
        self._started = False
        self._raw_deflate_tried = False

    @property
    def complete(self) -> bool:
        return self._inflate.eof or not self._started

    def feed(self, data: bytes) -> Iterator[bytes]:
        while data and not self._inflate.eof:
            out = self._step(data)
            data = self._inflate.unconsumed_tail
            if out:
                yield out
        yield from self.drain()

    def drain(self) -> Iterator[bytes]:
        """Output zlib holds back when a slice filled up just as the input ran out."""
        while self._started and not self._inflate.eof and (out := self._step(b"")):
            yield out

    def _step(self, data: bytes) -> bytes:
        try:
            out = self._inflate.decompress(data, _SLICE)
        except zlib.error as exc:
            if self.coding == "deflate" and not self._started and not self._raw_deflate_tried:
                # "deflate" is meant to be zlib-wrapped; some servers send it raw, and httpx allows that.
                self._raw_deflate_tried = True
                self._inflate = zlib.decompressobj(-zlib.MAX_WBITS)
                return self._step(data)
            raise BodyRejected(f"is not valid {self.coding} data ({exc})") from None
        self._started = self._started or bool(data)
        self._produced += len(out)
        if self._produced > self._max_bytes:
            raise BodyRejected(self._too_large)
        return out
