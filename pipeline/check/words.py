"""Chinese word boundaries from jieba, the field's segmenter. Its dictionary is read on first use,
quietly (jieba reports that on stderr), from the package itself: no cache file in the temporary
folder, which another process could have written, so the same text always splits the same way."""
from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def tokenizer() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    segmenter = jieba.Tokenizer()
    with segmenter.get_dict_file() as dictionary:
        segmenter.FREQ, segmenter.total = segmenter.gen_pfdict(dictionary)
    segmenter.initialized = True
    return segmenter


def boundaries(phrase: str) -> set[int]:
    """Offsets in phrase where a word begins or ends (dictionary words only: no guessing of
    unknown words, which would depend on statistics rather than the dictionary)."""
    offsets, at = {0}, 0
    for word in tokenizer().cut(phrase, HMM=False):
        at += len(word)
        offsets.add(at)
    return offsets
