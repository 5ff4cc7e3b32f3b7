"""The phrase rules of reference/theme_rules.csv read asks that name no theme word: a document asked
to say something is record keeping."""

from __future__ import annotations

import polars as pl

from dhr_etl.transform.themes import _rule_hits


def ruled(texts: list[str], theme: str) -> set[int]:
    """The texts (by number) whose rules fire for ``theme``."""
    return set(_rule_hits(pl.Series(texts)).filter(pl.col("theme") == theme)["doc"].to_list())


def test_a_document_asked_to_say_something_is_record_keeping():
    texts = [
        "The discharge letter to the GP should state that the patient disclosed abuse by her husband.",
        "Crews should set down in the patient report what the carer said about the fall.",
        "The summary sent at each transfer must describe the family's history of abuse.",
        "Officers should tell the duty sergeant about any weapon in the house.",
        "Health visitors should ask about abuse at every contact.",
    ]
    assert ruled(texts, "record keeping") == {0, 1, 2}


def test_staff_who_are_to_understand_or_be_refreshed_are_asked_to_learn():
    texts = [
        "Housing officers should be helped to understand how economic abuse shows itself in rent arrears.",
        "Call handlers must be reminded that a silent 999 call can be a victim who cannot speak.",
        "Ward staff should be refreshed every year on the hospital's domestic abuse pathway.",
        "The refuge should be given a second bedroom for larger families.",
    ]
    assert ruled(texts, "training") == {0, 1, 2}
