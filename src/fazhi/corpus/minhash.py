"""MinHash signatures and LSH band keys of normalised passages (fazhi.corpus.fingerprint cuts
and normalises them; this module only hashes strings).

A string is shingled into character n-grams; each shingle gets a 32-bit key, and a MinHash
signature is the minimum of a multiply-shift family h_k(x) = ((a_k * x + b_k) mod 2**64) >> 32
over its shingles' keys. The signature is cut into `bands` bands of `rows` rows; each band is
hashed to one signed integer key that the database indexes, the band index mixed in so that
keys never meet across bands.

Two schemes of hashing are in use (Params.scheme; a corpus keeps the one it was built with
until `fazhi corpus reindex`):

- scheme ≤ 2: a shingle's key is xxh32 of its UTF-8 (one dict lookup per shingle) and a band's
  key xxh64 of its rows (one call per band): full 64-bit keys.
- scheme 3: both in numpy over all passages at once. A shingle's key is the top 32 bits of
  Σ c_j·K_j + T_len (mod 2**64) over its chars' code points c_j (K_j, T_len fixed random odd
  constants: for two different shingles the keys agree with probability ~2**-31, like a 32-bit
  hash); a band's key is a 64-bit mix (splitmix64's finaliser) of its rows and band index cut
  to 48 bits, signed: SQLite stores it in 6 bytes instead of 8 (bench/RESULTS.md: ~160 MB at
  100,000 reports). Distinct bands meeting by chance in 48 bits only add a candidate, which is
  verified like any other.
"""
from __future__ import annotations

from functools import cache

import numpy as np

from fazhi.corpus.fingerprint import DEFAULT_PARAMS, Params, _signed, shingles

NUMPY_SCHEME = 3  # the first scheme hashed in numpy with 48-bit band keys


def key_bits(params: Params) -> int:
    """Width of the band keys of this scheme: keys lie in [-2**(bits-1), 2**(bits-1))."""
    return 48 if params.scheme >= NUMPY_SCHEME else 64


@cache
def _perm(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Multiply-shift hash family: h_k(x) = ((a_k * x + b_k) mod 2**64) >> 32, a_k odd."""
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 1 << 63, size=num_perm, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 1 << 63, size=num_perm, dtype=np.uint64)
    return a, b


@cache
def _char_weights(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Scheme 3: K_j (one per char of a shingle) and T_len (per shingle length 0..n), random odd."""
    rng = np.random.default_rng([seed, n, 3])
    k = rng.integers(1, 1 << 63, size=n, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    t = rng.integers(1, 1 << 63, size=n + 1, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    return k, t


class _ShingleHashes(dict):
    """Shingle → xxh32 of its UTF-8, remembered: the same n-grams recur in every report."""

    def __missing__(self, g: str) -> int:
        import xxhash

        h = self[g] = xxhash.xxh32_intdigest(g.encode("utf-8"))
        return h


_SHINGLES = _ShingleHashes()
_MAX_SHINGLES = 1_000_000  # about 100 MB; cleared when full


def _xxh_shingle_keys(norms: list[str], n: int) -> tuple[np.ndarray, np.ndarray]:
    """Scheme ≤ 2: each string's distinct shingles' xxh32 (one array) and how many each has."""
    counts, hv = [], []
    hashed = _SHINGLES if len(_SHINGLES) < _MAX_SHINGLES else _SHINGLES.clear() or _SHINGLES
    for s in norms:
        sh = set(shingles(s, n)) or {""}
        counts.append(len(sh))
        hv.extend(map(hashed.__getitem__, sh))
    return np.asarray(hv, dtype=np.uint64), np.asarray(counts, dtype=np.int64)


def _poly_shingle_keys(norms: list[str], n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Scheme 3: every shingle's key, string after string (a shingle repeated in a string is
    counted again: it changes no minimum), and how many each string has. One pass of numpy over
    the strings' code points joined; a string shorter than n is one shingle of its own length."""
    k, t = _char_weights(n, seed)
    lengths = np.fromiter(map(len, norms), dtype=np.int64, count=len(norms))
    counts = np.where(lengths >= n, lengths - n + 1, 1)
    out = np.empty(int(counts.sum()), dtype=np.uint64)
    out_at = np.concatenate(([0], np.cumsum(counts)[:-1]))
    codes = np.frombuffer("".join(norms).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    with np.errstate(over="ignore"):
        if len(codes) >= n:
            m = len(codes) - n + 1
            x = np.full(m, t[n], dtype=np.uint64)
            for j in range(n):
                x += codes[j:j + m] * k[j]
            unit = np.repeat(np.arange(len(norms)), lengths)[:m]  # the string each position starts in
            pos = np.arange(m)
            ok = pos + n <= starts[unit] + lengths[unit]  # the shingle ends inside its string
            out[out_at[unit[ok]] + (pos[ok] - starts[unit[ok]])] = x[ok]
        for i in np.flatnonzero(lengths < n).tolist():  # short strings (or empty): whole
            s = codes[starts[i]:starts[i] + lengths[i]]
            out[out_at[i]] = t[len(s)] + (s * k[:len(s)]).sum(dtype=np.uint64)
    return out >> np.uint64(32), counts


def _default(params: Params | None) -> Params:
    return params or DEFAULT_PARAMS


def signatures(norms: list[str], params: Params | None = None):
    """MinHash signatures, one row of `num_perm` uint32 per string (numpy array)."""
    params = _default(params)
    a, b = _perm(params.num_perm, params.seed)
    if not norms:
        return np.zeros((0, params.num_perm), dtype=np.uint32)
    if params.scheme >= NUMPY_SCHEME:
        x, counts = _poly_shingle_keys(norms, params.ngram, params.seed)
    else:
        x, counts = _xxh_shingle_keys(norms, params.ngram)
    sig = np.empty((len(norms), params.num_perm), dtype=np.uint32)
    offsets = np.concatenate(([0], np.cumsum(counts)))
    step = max(1, 200_000 // params.num_perm)  # bound the (shingles x perms) matrix
    for lo in range(0, len(norms), 64):
        hi = min(len(norms), lo + 64)
        seg = x[offsets[lo]:offsets[hi]]
        with np.errstate(over="ignore"):
            h = np.vstack([((a * seg[i:i + step, None]) + b) >> np.uint64(32)
                           for i in range(0, len(seg), step)])
        sig[lo:hi] = np.minimum.reduceat(h, offsets[lo:hi] - offsets[lo], axis=0).astype(np.uint32)
    return sig


def _mix64(z: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser (uint64 in, uint64 out): every input bit moves every output bit."""
    with np.errstate(over="ignore"):
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def band_keys(sig: np.ndarray, params: Params | None = None) -> np.ndarray:
    """The band keys of signatures `sig` (n, num_perm): an int64 array (n, bands)."""
    params = _default(params)
    r = params.rows
    if params.scheme < NUMPY_SCHEME:
        import xxhash

        w = 4 * r
        rows = [row.tobytes() for row in sig]
        return np.array([[_signed(xxhash.xxh64_intdigest(raw[i * w:(i + 1) * w], seed=i))
                          for i in range(params.bands)] for raw in rows], dtype=np.int64).reshape(-1, params.bands)
    v = sig[:, :params.bands * r].astype(np.uint64).reshape(len(sig), params.bands, r)
    z = np.arange(params.bands, dtype=np.uint64)[None, :] * np.uint64(0x9E3779B97F4A7C15)
    for j in range(r):
        z = _mix64(z ^ v[:, :, j])
    return ((z >> np.uint64(16)).astype(np.int64) - (1 << 47)).reshape(len(sig), params.bands)
