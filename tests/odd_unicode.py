"""Hypothesis strategies for the text a stranger can send that Python and databases trip on.

Lone surrogates (JSON can escape "\\ud800"; it has no UTF-8 form), digits of every script
("²" and "٣" pass str.isdigit(); int() refuses the one and reads the other as 3), confusables
(fullwidth letters, Cyrillic look-alikes, invisible and direction marks) and numbers far too
long for any id or for int()'s 4300-digit limit.
"""

import json

from hypothesis import strategies as st

SURROGATES = st.characters(categories=["Cs"])
DIGITS_OF_EVERY_SCRIPT = st.characters(categories=["Nd", "No", "Nl"])
CONFUSABLES = st.sampled_from("ｅｘａｍｐｌｅＡ０１２３аеорсхіѕԁ℮ıİßǅ\u0301\u200b\u00a0\ufeff\u202e\u2028")
ODD_CHARACTER = st.one_of(DIGITS_OF_EVERY_SCRIPT, CONFUSABLES, st.characters(codec="utf-8"))
# Longer than int()'s limit on a string of digits, and than any INTEGER column.
LONG_DIGITS = st.integers(min_value=11, max_value=6000).map(lambda length: "9" * length)
IDS = st.one_of(
    st.text(DIGITS_OF_EVERY_SCRIPT, min_size=1, max_size=6),
    LONG_DIGITS,
    st.sampled_from(["²", "٣", "١٢", "𝟙", "0", "-1", "+1", " 1", "1.0", "1e3", "0x1", "2147483648"]),
)


def odd_text(*, surrogates: bool) -> st.SearchStrategy[str]:
    """Text built from odd characters, email-shaped or not; with lone surrogates if asked."""
    word = st.text(ODD_CHARACTER, min_size=1, max_size=12)
    choices = [
        word,
        IDS,
        st.builds("{}@{}.com".format, word, word),
        st.sampled_from(["x@ｅｘａｍｐｌｅ.com", "x@exämple.com", "jose\u0301@example.com", "ｘ@example.com"]),
    ]
    if surrogates:
        choices.append(st.builds("{}{}{}".format, st.text(max_size=4), st.text(SURROGATES, min_size=1), word))
    return st.one_of(choices)


class RawNumber(str):
    """Digits to write into a JSON body as a bare number (json.dumps would quote them)."""


def json_body(body) -> str:
    """The body as JSON text, each RawNumber written as a number of that many digits."""
    raw = {}

    def placeholder(value):
        raw[f"@raw{len(raw)}@"] = value
        return f"@raw{len(raw) - 1}@"

    def walk(value):
        if isinstance(value, RawNumber):
            return placeholder(value)
        if isinstance(value, dict):
            return {key: walk(item) for key, item in value.items()}
        return value

    text = json.dumps(walk(body))
    for key, digits in raw.items():
        text = text.replace(f'"{key}"', digits)
    return text


def odd_json_values() -> st.SearchStrategy:
    """Any odd value a JSON body can carry in one field: text (with surrogates) or a huge number."""
    return st.one_of(
        odd_text(surrogates=True),
        st.integers(min_value=2**31, max_value=10**40) | st.integers(max_value=0, min_value=-(10**40)),
        LONG_DIGITS.map(RawNumber),
    )
