"""Deterministic identifiers: object ids, error ids, retry-data and request keys.

Why: the simulator must answer byte-for-byte the same for the same seed, and must find an error by its
`errorId`, `retryDataKey` or `reqAndResKey` without building the 100,000 errors of the large account. So error
ids and keys are *invertible* encodings of the error's index within its step (a bijection on 32 bits, plus a
hash prefix that makes forged or foreign keys fail the check), not random strings kept in a table.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

_MASK32 = 0xFFFFFFFF
_MULT = 0x9E3779B1  # odd, so multiplication mod 2**32 is a bijection
_MULT_INV = pow(_MULT, -1, 1 << 32)


def stable_hash(*parts: object) -> int:
    """A 64-bit hash of the parts that is the same in every process (unlike `hash()`)."""
    text = "\x1f".join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big")


def hex_digest(*parts: object, length: int = 32) -> str:
    """Hex string of `length` characters derived from the parts (for keys that only need to look random)."""
    text = "\x1f".join(str(p) for p in parts).encode()
    return hashlib.blake2b(text, digest_size=(length + 1) // 2).hexdigest()[:length]


def _scramble(salt: int, i: int) -> int:
    return (i * _MULT + salt) & _MASK32


def _unscramble(salt: int, value: int) -> int:
    return ((value - salt) * _MULT_INV) & _MASK32


def error_id(salt: int, index: int) -> str:
    """The `errorId` of error number `index` of a step: 8 hex chars, unique within the step."""
    return f"{_scramble(salt, index):08x}"


def error_index(salt: int, eid: str) -> int | None:
    """Invert `error_id`; None when the text is not an 8-hex id."""
    if len(eid) != 8:
        return None
    try:
        value = int(eid, 16)
    except ValueError:
        return None
    return _unscramble(salt, value)


@lru_cache(maxsize=16)
def _purpose_bits(purpose: str) -> int:
    return stable_hash(purpose) & _MASK32


def encode_key(salt: int, purpose: str, index: int) -> str:
    """A 32-hex key (retryDataKey or the middle of a reqAndResKey) that encodes `index`."""
    body = _scramble(salt ^ _purpose_bits(purpose), index)
    return hex_digest(salt, purpose, index, length=24) + f"{body:08x}"


def decode_key(salt: int, purpose: str, key: str) -> int | None:
    """Invert `encode_key`; None for keys this step did not issue."""
    if len(key) != 32:
        return None
    try:
        body = int(key[24:], 16)
    except ValueError:
        return None
    index = _unscramble(salt ^ _purpose_bits(purpose), body)
    return index if encode_key(salt, purpose, index) == key else None


class IdFactory:
    """Issues 24-hex object ids (Mongo ObjectId look-alikes) from a seeded counter."""

    def __init__(self, seed: int, namespace: str) -> None:
        self._seed = seed
        self._namespace = namespace
        self._count = 0
        self._prefix = f"{seed}\x1f{namespace}\x1f".encode()
        """What `hex_digest(seed, namespace, count)` hashes before the count, encoded once."""

    def object_id(self) -> str:
        """The next id; the same sequence for the same seed and namespace."""
        return self.id_at(self.reserve(1))

    def reserve(self, n: int) -> int:
        """Take the next ``n`` ids without making them yet; returns the first one's number (``id_at``)."""
        first = self._count + 1
        self._count += n
        return first

    def id_at(self, count: int) -> str:
        """The id numbered ``count`` (1 is the first ``object_id``).

        The digest is `hex_digest(seed, namespace, count, length=16)`, with the constant part of its input
        encoded once: the demo account makes ~1,300 ids on the way to `iox --demo`'s first frame.
        """
        digest = hashlib.blake2b(self._prefix + str(count).encode(), digest_size=8).hexdigest()
        return f"{0x6590_0000 + count:08x}{digest}"
