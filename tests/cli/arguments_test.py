"""The parsers of the command line's values (`keras_gans.cli.arguments`), in-process."""

import argparse

import pytest

from keras_gans.cli import arguments


@pytest.mark.parametrize(
    "text, seeds",
    [
        ("0", [0]),
        ("0-3", [0, 1, 2, 3]),
        ("0-7,12", [0, 1, 2, 3, 4, 5, 6, 7, 12]),
        ("5,1,5", [5, 1, 5]),  # order kept, repeats allowed: one image per seed
        (" 2 - 4 , 9 ", [2, 3, 4, 9]),
        ("3-3", [3]),
        ("4294967296", [4294967296]),  # default_rng takes any integer >= 0
    ],
)
def test_seeds(text, seeds):
    assert arguments.parse_seeds(text) == seeds


@pytest.mark.parametrize(
    "text, message",
    [
        ("3-1", "invalid seed range '3-1': its start exceeds its end (write 1-3)"),
        ("a", "invalid seed 'a' in 'a'"),
        ("1,,2", "invalid seed '' in '1,,2'"),
        ("-1", "invalid seed '-1'"),
        ("1.5", "invalid seed '1.5'"),
        ("1-2-3", "invalid seed '1-2-3'"),
        ("", "expected seeds such as '0-7,12'"),
        ("0-2000000", "too many seeds"),
    ],
)
def test_bad_seeds(text, message):
    with pytest.raises(argparse.ArgumentTypeError) as raised:
        arguments.parse_seeds(text)
    assert message in str(raised.value)


@pytest.mark.parametrize(
    "text, pair",
    [
        ("d_steps=3", ("d_steps", 3)),
        ("weight_clip=0.01", ("weight_clip", 0.01)),
        ('generator_args={"base_filters": 32}', ("generator_args", {"base_filters": 32})),
        ("loss=hinge", ("loss", "hinge")),  # a bare word is a string
        ('loss="hinge"', ("loss", "hinge")),
        ("augmentation=null", ("augmentation", None)),
        ("jit_compile=false", ("jit_compile", False)),
        ("name=a=b", ("name", "a=b")),
    ],
)
def test_setting(text, pair):
    assert arguments.parse_setting(text) == pair


@pytest.mark.parametrize(
    "text, message",
    [
        ("d_steps", "expected key=value"),
        ("=3", "expected key=value"),
        ("2x=3", "expected key=value"),
        ("generator_args={base_filters: 32}", "the value of generator_args is not valid JSON"),
        ("sizes=[1, 2", "not valid JSON"),
    ],
)
def test_bad_setting(text, message):
    with pytest.raises(argparse.ArgumentTypeError, match=message):
        arguments.parse_setting(text)


def test_settings_dict_refuses_a_repeated_key():
    assert arguments.settings_dict([("a", 1), ("b", 2)]) == {"a": 1, "b": 2}
    assert arguments.settings_dict(None) == {}
    with pytest.raises(argparse.ArgumentTypeError, match="--set a is given twice"):
        arguments.settings_dict([("a", 1), ("a", 2)])


def test_names():
    parse = arguments.parse_names(("fid", "kid", "pr"))
    assert parse("fid,kid") == ["fid", "kid"]
    assert parse(" KID , pr ") == ["kid", "pr"]
    assert parse("none") == []
    with pytest.raises(argparse.ArgumentTypeError, match="invalid metric 'is': choose among"):
        parse("fid,is")
    with pytest.raises(argparse.ArgumentTypeError, match="named twice"):
        parse("fid,fid")
    with pytest.raises(argparse.ArgumentTypeError, match="choose among fid, kid, pr"):
        parse(",")


@pytest.mark.parametrize(
    "parse, good, bad",
    [
        (arguments.positive_int, [("1", 1), ("10", 10)], ["0", "-1", "1.5", "x"]),
        (arguments.non_negative_int, [("0", 0)], ["-1", "a"]),
        (arguments.at_least_two, [("2", 2)], ["1"]),
        (arguments.finite_float, [("-0.5", -0.5), ("1e-3", 0.001)], ["nan", "inf", "x"]),
        (arguments.positive_float, [("0.1", 0.1)], ["0", "-1"]),
        (arguments.non_negative_float, [("0", 0.0)], ["-0.1"]),
        (arguments.fraction, [("0", 0.0), ("1", 1.0)], ["1.5", "-0.1"]),
    ],
)
def test_numbers(parse, good, bad):
    for text, value in good:
        assert parse(text) == value
    for text in bad:
        with pytest.raises(argparse.ArgumentTypeError, match=f"received {text!r}"):
            parse(text)


def test_differing_keys():
    saved = {"preset": "dcgan", "seed": 0, "set.d_steps": 2}
    assert arguments.differing_keys(saved, dict(saved)) == []
    assert arguments.differing_keys(saved, {"preset": "wgan", "seed": 0}) == [
        "preset",
        "set.d_steps",
    ]
    # A key missing on one side equals None on the other (an option left unset).
    assert arguments.differing_keys({"size": None}, {}) == []
