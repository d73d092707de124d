"""Hashed character n-grams: counts, boundaries, batch independence, normalisation."""

from __future__ import annotations

import numpy as np
import pytest

from fanzha.screening.vectorise import HashedTfidf, entry_matrix, ngram_coo


def _dense(texts: list[str], n_max: int = 3, boundaries: bool = True) -> np.ndarray:
    mat = entry_matrix(texts, n_max, 1 << 12, boundaries)
    mat.sum_duplicates()
    return mat.toarray()


def test_it_counts_every_ngram_once_per_occurrence() -> None:
    # "abc": 3 unigrams, 2 bigrams + 2 boundary bigrams, 1 trigram + 2 boundary trigrams
    assert _dense(["abc"]).sum() == 3 + 4 + 3
    assert _dense(["abc"], boundaries=False).sum() == 3 + 2 + 1


def test_it_never_builds_ngrams_across_texts() -> None:
    together = _dense(["ab", "cd"])
    assert np.array_equal(together[0], _dense(["ab"])[0])
    assert np.array_equal(together[1], _dense(["cd"])[0])


def test_it_gives_a_text_the_same_row_in_any_batch() -> None:
    text = "尊敬的建行用户您的积分可兑换现金"
    alone = _dense([text])[0]
    in_batch = _dense(["别的短信", text, "", "x"])[1]
    assert np.array_equal(alone, in_batch)


def test_it_keeps_empty_texts_as_empty_rows() -> None:
    mat = entry_matrix(["", "a", ""], 3, 1 << 10)
    assert mat.shape == (3, 1 << 10)
    assert list(np.diff(mat.indptr)) == [0, 3, 0]  # "a", start+a, a+end


def test_it_counts_repeats() -> None:
    dense = _dense(["aaaa"], n_max=1)
    assert sorted(dense[0][dense[0] > 0]) == [4.0]


def test_it_maps_rows_in_ascending_order() -> None:
    rows, cols = ngram_coo(["ab", "", "cde", "f"], 3, 1 << 10)
    assert np.all(np.diff(rows) >= 0)
    assert set(rows.tolist()) == {0, 2, 3}
    assert cols.min() >= 0 and cols.max() < 1 << 10


def test_it_normalises_rows_to_unit_length() -> None:
    vec = HashedTfidf(n_max=2, n_features=1 << 14).fit_idf(["abcdef", "ghijkl", "abc"])
    x = vec.transform(["abcdef", "xyz"])
    x.sum_duplicates()
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    assert np.allclose(norms, 1.0, atol=1e-5)


def test_a_row_is_normalised_alike_before_empty_texts_at_the_end_of_a_batch() -> None:
    # an emoji-only message normalises to nothing: last in a batch it took the row before it its last n-gram
    vec = HashedTfidf(3, 1 << 12)
    alone = vec.transform(["妈我周末回家"]).toarray()[0]
    before_empty = vec.transform(["妈我周末回家", "", ""]).toarray()[0]
    assert np.allclose(before_empty, alone)
    assert np.isclose(np.linalg.norm(before_empty), 1.0)


def test_it_weights_rare_ngrams_higher() -> None:
    vec = HashedTfidf(n_max=1, n_features=1 << 14, boundaries=False).fit_idf(["ab", "ac", "ad"])
    x = vec.transform(["ab"])
    x.sum_duplicates()
    values = dict(zip(x.indices.tolist(), x.data.tolist(), strict=True))
    a, b = (vec.counts([c]).indices[0] for c in ("a", "b"))
    assert values[b] > values[a]


def test_it_refuses_a_table_size_that_is_not_a_power_of_two() -> None:
    with pytest.raises(ValueError):
        ngram_coo(["abc"], 3, 1000)
