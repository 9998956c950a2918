from coproduce.matching.text import category_term, stem, term_of, terms_of


def test_stems_join_the_forms_of_a_word():
    assert stem("gardening") == stem("gardener") == stem("garden")
    assert stem("hedges") == stem("hedge")


def test_care_never_shrinks_into_car():
    assert term_of("care") != term_of("car")
    assert term_of("caring") == term_of("care")


def test_synonyms_share_one_term():
    assert term_of("weeding") == term_of("gardening") == term_of("lawn")
    assert term_of("lift") == term_of("driving") == term_of("transport")


def test_filler_days_and_stop_words_are_not_terms():
    assert terms_of("Please help me on Tuesday with the") == {}


def test_terms_remember_the_first_word_written():
    assert terms_of("Weeding and gardening") == {term_of("weeding"): "weeding"}
    assert category_term("gardening") == "c:gardening"
