"""A scanner typing with the wrong keyboard layout or Caps Lock on is understood."""

from __future__ import annotations

import string

from app import scanner_input


def test_every_key_of_the_russian_layout_reads_back_as_the_us_key() -> None:
    typed_ru = 'ЙЦУКЕН фывап ячсми ё Ё Х Ъ Ж Э Б Ю . , № ; : ? " /'
    assert scanner_input.as_keys_pressed(typed_ru) == 'QWERTY asdfg zxcvb ` ~ { } : " < > / ? # $ ^ & @ |'


def test_codes_without_cyrillic_are_left_alone() -> None:
    for code in ("ii30525117479", "%101%806044518", "RP123456789RU", "0104607123456781215Ab.,/?", ""):
        assert scanner_input.as_keys_pressed(code) == code


def test_a_code_of_the_gs1_character_set_survives_the_round_trip() -> None:
    # What the Russian layout makes of every printable US character, read back, is that character.
    us = string.ascii_letters + string.digits + "!\"%&'()*+,-./:;<=>?_"
    to_ru = str.maketrans(scanner_input._US, scanner_input._RU)
    typed = "Ж" + us.translate(to_ru)  # a Cyrillic letter first, as any such code has
    assert scanner_input.as_keys_pressed(typed) == ":" + us


def test_caps_lock_variants() -> None:
    assert scanner_input.case_variants("ii305") == ["II305", "ii305"]
    assert scanner_input.case_variants("12345") == ["12345"]
