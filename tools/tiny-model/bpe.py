"""A small byte-level BPE trainer that writes a Hugging Face tokenizer.json (GPT-2 style).

The Python `tokenizers` package is not available on the build machine, so merges are learned
here with a plain merge loop and written in the tokenizer.json format that @huggingface/tokenizers
(JS) and the Rust library both read. Python only needs an approximate pre-tokenizer for
training: evaluation always tokenizes on the JS side, and the parity test sends those token ids to
score.py, so the two sides never have to agree on tokenization.
"""
import collections
import heapq
import re

EOS = "<|endoftext|>"

# GPT-2's split pattern with Python's Unicode classes standing in for \p{L} and \p{N}.
PRETOKEN = re.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?[^\W\d_]+| ?\d+| ?(?:[^\s\w]|_)+|\s+(?!\S)|\s+""")


def bytes_to_unicode():
    """GPT-2's reversible byte -> printable character map."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


BYTE_CHAR = bytes_to_unicode()


def pretokens(text):
    for m in PRETOKEN.finditer(text):
        yield "".join(BYTE_CHAR[b] for b in m.group(0).encode("utf-8"))


def train_merges(texts, num_merges, min_count=2):
    """Learns up to num_merges merges from pre-token frequencies (incremental pair counts)."""
    freq = collections.Counter()
    for text in texts:
        for part in text.split(EOS):
            for w in pretokens(part):
                # Long runs (Chinese has no spaces) are cut into pieces: merges are local, and
                # this keeps every word update cheap.
                freq.update(w[i : i + 24] for i in range(0, len(w), 24))
    words = [list(w) for w in freq]
    counts = [freq[w] for w in freq]
    pair_count = collections.Counter()
    where = collections.defaultdict(set)
    for i, w in enumerate(words):
        for a, b in zip(w, w[1:]):
            pair_count[(a, b)] += counts[i]
            where[(a, b)].add(i)
    # Lazy max-heap of (-count, pair): stale entries are skipped when popped.
    heap = [(-c, p) for p, c in pair_count.items()]
    heapq.heapify(heap)
    merges = []
    while len(merges) < num_merges and heap:
        neg, best = heapq.heappop(heap)
        c = pair_count.get(best, 0)
        if c != -neg:
            continue
        if c < min_count:
            break
        merges.append(best)
        a, b = best
        touched = set()
        for i in list(where[best]):
            w = words[i]
            merged = []
            j = 0
            while j < len(w):
                if j + 1 < len(w) and w[j] == a and w[j + 1] == b:
                    merged.append(a + b)
                    j += 2
                else:
                    merged.append(w[j])
                    j += 1
            words[i] = merged
            # Apply only the pair counts that changed.
            diff = collections.Counter(zip(merged, merged[1:]))
            diff.subtract(zip(w, w[1:]))
            for p, d in diff.items():
                if d == 0:
                    continue
                pair_count[p] += d * counts[i]
                if d > 0:
                    where[p].add(i)
                if pair_count[p] <= 0:
                    del pair_count[p]
                touched.add(p)
        where.pop(best, None)
        pair_count.pop(best, None)
        for p in touched:
            if p in pair_count:
                heapq.heappush(heap, (-pair_count[p], p))
    return merges


class ByteBPE:
    def __init__(self, merges):
        self.merges = merges
        self.rank = {m: i for i, m in enumerate(merges)}
        self.vocab = {BYTE_CHAR[b]: b for b in range(256)}
        for a, b in merges:
            self.vocab.setdefault(a + b, len(self.vocab))
        self.eos_id = len(self.vocab)
        self.cache = {}

    @property
    def size(self):
        return self.eos_id + 1

    def _word(self, w):
        if w in self.cache:
            return self.cache[w]
        parts = list(w)
        while len(parts) > 1:
            ranked = [(self.rank.get((x, y), 1 << 30), k) for k, (x, y) in enumerate(zip(parts, parts[1:]))]
            r, k = min(ranked)
            if r == 1 << 30:
                break
            parts[k : k + 2] = [parts[k] + parts[k + 1]]
        ids = [self.vocab[p] for p in parts]
        self.cache[w] = ids
        return ids

    def encode(self, text):
        ids = []
        for n, part in enumerate(text.split(EOS)):
            if n > 0:
                ids.append(self.eos_id)
            for w in pretokens(part):
                ids.extend(self._word(w))
        return ids

    def tokenizer_json(self):
        return {
            "version": "1.0",
            "truncation": None,
            "padding": None,
            "added_tokens": [
                {"id": self.eos_id, "content": EOS, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True}
            ],
            "normalizer": None,
            "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
            "post_processor": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": True},
            "decoder": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
            "model": {
                "type": "BPE",
                "dropout": None,
                "unk_token": None,
                "continuing_subword_prefix": None,
                "end_of_word_suffix": None,
                "fuse_unk": False,
                "byte_fallback": False,
                "ignore_merges": False,
                "vocab": dict(sorted(self.vocab.items(), key=lambda kv: kv[1])),
                "merges": [f"{a} {b}" for a, b in self.merges],
            },
        }
