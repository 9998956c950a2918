"""Each language's answer to a message is looked up once per process (coproduce.core.translations)
and is exactly what Django's catalogues and their fallbacks answer."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext, pgettext
from django.utils.translation.trans_real import DjangoTranslation
from django.utils.translation.trans_real import translation as translation_for

from coproduce.core import translations


def _msgids(language: str) -> list[str]:
    catalogue = translation_for(language)._catalog  # a TranslationCatalog: no iteration
    return [key for key in catalogue.keys() if isinstance(key, str) and key]  # noqa: SIM118


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_every_message_of_every_catalogue_gets_the_same_answer_kept_or_not(language):
    ours = translation_for(language)
    messages = _msgids(language) + _msgids("cy") + ["Not a message anyone wrote", "Offers"]
    for message in messages:
        expected = translations.asked(ours, message)
        assert ours.gettext(message) == expected  # asked, then kept
        assert ours.gettext(message) == expected  # kept
        assert ours._coproduce_kept[message] == expected


def test_a_page_in_english_and_in_welsh_reads_its_own_language():
    with translation.override("cy"):
        welsh = gettext("Offers")
    with translation.override("en-gb"):
        english = gettext("Offers")
    assert english == "Offers"
    assert welsh != english
    assert welsh == translations.asked(translation_for("cy"), "Offers")


def test_a_message_with_context_is_kept_apart_from_the_same_words_without():
    with translation.override("cy"):
        assert gettext("Offers") != "Offers"
        assert pgettext("no context known", "Offers") == "Offers"
        assert gettext("Offers") != "Offers"


def test_safe_text_stays_safe_and_is_not_kept():
    ours = translation_for("en-gb")
    text = "Safe words nobody translates"
    with translation.override("en-gb"):
        assert isinstance(gettext(SafeString(text)), SafeString)
    assert text in ours._coproduce_kept  # Django's gettext passes the plain text on
    assert ours.gettext(SafeString("Another safe text")) == "Another safe text"
    assert "Another safe text" not in ours._coproduce_kept


def test_no_more_than_kept_answers_per_language(monkeypatch):
    ours = DjangoTranslation("en-gb")
    monkeypatch.setattr(translations, "KEPT", 3)
    for n in range(10):
        assert ours.gettext(f"text a person typed {n}") == f"text a person typed {n}"
    assert len(ours._coproduce_kept) == 3
    assert ours.gettext("text a person typed 9") == "text a person typed 9"


def _display_methods():
    from functools import partialmethod

    from django.apps import apps

    for model in apps.get_models(include_auto_created=True):
        for name, method in vars(model).items():
            if name.endswith("_display") and isinstance(method, partialmethod):
                yield model, name, method


def test_every_fields_display_reads_its_kept_labels():
    methods = list(_display_methods())
    assert len(methods) > 30
    assert all(method.func is translations._display for _model, _name, method in methods)


@pytest.mark.parametrize("language", ["en-gb", "cy"])
def test_every_choice_of_every_model_shows_the_label_django_would(language):
    from django.db.models import Model

    with translation.override(language):
        for model, name, method in _display_methods():
            field = method.keywords["field"]
            values = [value for value, _label in field.flatchoices]
            for value in [*values, "not one of them", None, 7]:
                row = model.__new__(model)
                row.__dict__[field.attname] = value
                expected = Model._get_FIELD_display(row, field)
                assert getattr(row, name)() == expected, (model, name, value)
                assert type(getattr(row, name)()) is type(expected)
