"""Near-duplicate groups: MinHash (datasketch) over word shingles per group, LSH, union-find clusters.

Packaging keeps near-duplicate groups in one split, so a copied or lightly edited story cannot sit in train
and test at once. Texts are lower-cased and split on whitespace; a shingle is three consecutive words of one
record. One MinHash is made per group, not per record. To keep a large corpus fast and its memory flat,
shingles are sampled consistently: a shingle is kept when a few bits of its hash are zero, and the number of
bits grows (1 in 2, 1 in 4, ...) whenever more than ``budget`` shingles are held. Every group ends up sampled
at the same rate, which only depends on the corpus, so the result does not depend on the order of the input.
A small corpus is never sampled.
"""

from __future__ import annotations

import hashlib
from array import array
from dataclasses import dataclass
from typing import Any

from toolkit.disjoint import DisjointSets

SHINGLE_WORDS = 3
NUM_PERM = 128
THRESHOLD = 0.8
SHINGLE_BUDGET = 2_000_000
MINHASH_SEED = 1
_LOW32 = 0xFFFFFFFF
_WORD_CACHE_LIMIT = 2_000_000
PENDING_RECORDS = 4096
# Odd 64-bit multipliers that combine three word hashes into one shingle hash (arithmetic wraps mod 2**64).
_MULTIPLIERS = (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9)


@dataclass(frozen=True)
class NearDuplicates:
    clusters: list[list[str]]
    sample_rate: int  # 1 = every shingle used; n = about one in n
    groups_hashed: int  # groups with at least one shingle after sampling


def _word_hash(word: str) -> int:
    # A content hash, not Python's hash(): str hashes change from one process to the next.
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "little")


class NearDuplicateFinder:
    """Collects sampled shingle hashes per group while records stream past, then clusters the groups."""

    def __init__(self, *, budget: int = SHINGLE_BUDGET) -> None:
        self.budget = budget
        self.sample_rate = 1
        self._held = 0
        self._words: dict[str, int] = {}
        self._shingles: dict[str, array] = {}
        # Records wait here and are shingled a batch at a time with numpy.
        self._groups: list[str] = []
        self._lengths: list[int] = []
        self._ids: list[int] = []

    def add(self, group: str, text: str) -> None:
        """Queue one record's words for its group."""
        words = text.lower().split()
        if not words:
            return
        try:
            ids = list(map(self._words.__getitem__, words))  # the common case: every word seen before
        except KeyError:
            cache = self._words
            ids = [cache[w] if w in cache else self._remember(w) for w in words]
        self._ids += ids
        self._lengths.append(len(words))
        self._groups.append(group)
        if len(self._groups) >= PENDING_RECORDS:
            self._shingle_pending()

    def _shingle_pending(self) -> None:
        """Shingle hashes of the queued records, sampled, added to their groups' stores."""
        import numpy as np

        if not self._groups:
            return
        ids = np.array(self._ids, dtype=np.uint64)
        lengths = np.array(self._lengths, dtype=np.int64)
        record = np.repeat(np.arange(len(lengths)), lengths)
        # A shingle starts at every word with two more words of the same record after it.
        starts = np.flatnonzero(record[:-2] == record[2:]) if len(ids) > 2 else np.zeros(0, dtype=np.int64)
        k1, k2, k3 = (np.uint64(k) for k in _MULTIPLIERS)
        hashes = _mix64(ids[starts] * k1 + ids[starts + 1] * k2 + ids[starts + 2])
        owners = record[starts]
        short = np.flatnonzero(lengths < SHINGLE_WORDS)
        if len(short):  # a record of one or two words is one shingle of its own
            ends = np.cumsum(lengths)
            sums = np.array(
                [ids[ends[i] - lengths[i] : ends[i]].sum(dtype=np.uint64) for i in short], dtype=np.uint64
            )
            hashes = np.concatenate([hashes, _mix64(sums * k3)])
            owners = np.concatenate([owners, short])
        if self.sample_rate > 1:
            kept = ((hashes >> np.uint64(32)) & np.uint64(self.sample_rate - 1)) == 0
            hashes, owners = hashes[kept], owners[kept]
        order = np.argsort(owners, kind="stable")
        hashes, owners = hashes[order], owners[order]
        edges = [0, *(np.flatnonzero(np.diff(owners)) + 1).tolist(), len(owners)]
        data = hashes.tobytes()
        for first, last in zip(edges, edges[1:], strict=False):
            if last > first:
                group = self._groups[owners[first]]
                store = self._shingles.get(group)
                if store is None:
                    store = self._shingles[group] = array("Q")
                store.frombytes(data[first * 8 : last * 8])
        self._held += len(hashes)
        self._groups, self._lengths, self._ids = [], [], []
        while self._held > self.budget:
            self._thin()

    def _remember(self, word: str) -> int:
        if len(self._words) >= _WORD_CACHE_LIMIT:
            self._words.clear()
        value = self._words[word] = _word_hash(word)
        return value

    def _thin(self) -> None:
        """Halve the sample: keep the shingles that the stricter rate keeps too (samples are nested)."""
        import numpy as np

        self.sample_rate *= 2
        mask = np.uint64(self.sample_rate - 1)
        held = 0
        for group, store in list(self._shingles.items()):
            values = np.frombuffer(store, dtype=np.uint64)
            kept = values[((values >> np.uint64(32)) & mask) == 0]
            self._shingles[group] = array("Q", kept.tobytes())
            held += len(kept)
        self._held = held

    def find(self, *, threshold: float = THRESHOLD, num_perm: int = NUM_PERM) -> NearDuplicates:
        """Clusters of two or more groups whose estimated Jaccard similarity reaches ``threshold``."""
        import numpy as np
        from datasketch import LeanMinHash, MinHash, MinHashLSH

        self._shingle_pending()
        groups = sorted(g for g, store in self._shingles.items() if len(store))
        values = [
            np.unique(np.frombuffer(self._shingles[g], dtype=np.uint64) & np.uint64(_LOW32)).astype(np.uint32)
            for g in groups
        ]
        # The shingle hashes are already uniform 32-bit numbers, so ``int`` is the hash function.
        sketches = [
            LeanMinHash(sketch)
            for sketch in MinHash.bulk(values, num_perm=num_perm, seed=MINHASH_SEED, hashfunc=int)
        ]
        lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        with lsh.insertion_session() as session:
            for index, sketch in enumerate(sketches):
                session.insert(index, sketch)
        similar = DisjointSets(len(groups))
        for index, sketch in enumerate(sketches):
            for other in lsh.query(sketch):
                # LSH gives candidates; the estimate itself decides, so the threshold means what it says.
                if other != index and sketch.jaccard(sketches[other]) >= threshold:
                    similar.join(index, other)
        members = [[groups[i] for i in indices] for indices in similar.groups().values()]
        clusters = sorted((sorted(m) for m in members if len(m) > 1), key=lambda m: m[0])
        return NearDuplicates(clusters=clusters, sample_rate=self.sample_rate, groups_hashed=len(groups))


def _mix64(values: Any) -> Any:
    """MurmurHash3's 64-bit finalizer over a uint64 array: every input bit moves every output bit."""
    import numpy as np

    values = values ^ (values >> np.uint64(33))
    values = values * np.uint64(0xFF51AFD7ED558CCD)
    values = values ^ (values >> np.uint64(33))
    values = values * np.uint64(0xC4CEB9FE1A85EC53)
    return values ^ (values >> np.uint64(33))
