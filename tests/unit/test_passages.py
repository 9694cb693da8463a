"""Context files as passages and their BM25 ranking (contract §7: content files are split
into passages and ranked against each chapter)."""

from __future__ import annotations

from learnpath.domain.words import count_words
from learnpath.research.passages import Passage, PassageIndex, split_passages, tokens


def test_small_paragraphs_merge_and_headings_start_passages() -> None:
    text = "# One\n\nalpha beta gamma.\n\ndelta epsilon.\n## Two\nzeta eta theta iota kappa."
    passages = split_passages(4, "notes.md", text, target_words=6)
    assert passages == [
        Passage(4, "notes.md", "# One\n\nalpha beta gamma.\n\ndelta epsilon.", 0),
        Passage(4, "notes.md", "## Two\nzeta eta theta iota kappa.", 1),
    ]


def test_a_huge_paragraph_is_cut_at_word_boundaries() -> None:
    text = " ".join(f"w{i}" for i in range(1000))
    passages = split_passages(1, "t", text, target_words=100)
    assert [count_words(p.text) for p in passages] == [100] * 10
    assert " ".join(p.text for p in passages) == text
    assert [p.index for p in passages] == list(range(10))


def test_chinese_is_cut_by_characters() -> None:
    text = "机器学习是人工智能的分支。" * 100  # 1100 Han characters, no spaces
    passages = split_passages(1, "zh", text, target_words=150)
    assert all(count_words(p.text) <= 150 for p in passages)
    assert "".join(p.text for p in passages) == text


def test_output_is_bounded_for_a_two_megabyte_file() -> None:
    paragraph = "lorem ipsum dolor sit amet consectetur " * 12 + "\n\n"
    text = paragraph * (2_000_000 // len(paragraph))
    passages = split_passages(1, "big", text)
    # Plain latin words: str.split counts them as count_words does, faster.
    assert len(passages) <= len(text.split()) // 150 + 1
    assert max(len(p.text.split()) for p in passages) <= 300
    assert max(len(p.text) for p in passages) <= 3000


def test_wordless_text_gives_no_passage() -> None:
    assert split_passages(1, "t", "---\n\n***\n\n|---|---|") == []
    assert split_passages(1, "t", "=" * 10_000) == []


def test_tokens_lowercase_drop_stopwords_and_pair_cjk() -> None:
    assert tokens("The Cat and a DOG") == ["cat", "dog"]
    assert tokens("机器学习 x 猫") == ["机器", "器学", "学习", "x", "猫"]


def _corpus() -> list[Passage]:
    texts = [
        "Bread needs flour, water, yeast and an oven.",
        "Photosynthesis lets plants turn sunlight into chemical energy.",
        "The stock market rose as interest rates fell.",
        "光合作用是植物利用阳光制造养分的过程。",
        "股票市场在利率下降时上涨。",
        "面包需要面粉、水和酵母。",
    ]
    return [p for i, t in enumerate(texts) for p in split_passages(i + 1, f"s{i}", t)]


def test_bm25_ranks_the_relevant_passage_first_in_english_and_chinese() -> None:
    index = PassageIndex(_corpus())
    assert index.rank("how do plants use sunlight", 2)[0].source_n == 2
    assert [p.source_n for p in index.rank("利率和股票", 1)] == [5]
    assert index.rank("酵母面包", 1)[0].source_n == 6


def test_no_shared_term_or_no_corpus_gives_nothing() -> None:
    index = PassageIndex(_corpus())
    assert index.rank("zebra quantum", 3) == []
    assert index.rank("the and of", 3) == []
    assert index.rank("bread", 0) == []
    assert PassageIndex([]).rank("bread", 3) == []
    assert [p.source_n for p in index.rank("bread flour", 5)] == [1]
