"""Tables for people: literal values, money at its minor unit with its currency, totals."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rich.console import Console

from costplane.cli import output
from costplane.cli.output import money, percent, ratio, sums_by_currency, table


@pytest.fixture
def printed(monkeypatch: pytest.MonkeyPatch) -> Console:
    console = Console(width=100, record=True, highlight=False)
    monkeypatch.setattr(output, "console", console)
    return console


def test_money_is_rounded_to_the_minor_unit_with_separators_and_currency() -> None:
    assert money(Decimal("1234567.125"), "USD").text == "1,234,567.12 USD"
    assert money(Decimal("1234.5"), "JPY").text == "1,234 JPY"
    assert money(Decimal("0.6055792441"), "KWD").text == "0.606 KWD"


def test_percentages_read_as_percentages() -> None:
    assert ratio(0.785086179944834).text == "78.5%"
    assert percent(Decimal("22222.04")).text == "22,222.0%"


def test_totals_are_summed_per_currency() -> None:
    rows = [("USD", (Decimal(1), Decimal(2))), ("EUR", (Decimal(5), Decimal(0)))]
    rows.append(("USD", (Decimal("0.5"), Decimal(1))))
    assert sums_by_currency(rows) == {
        "EUR": [Decimal(5), Decimal(0)],
        "USD": [Decimal("1.5"), Decimal(3)],
    }


def test_markup_in_a_value_title_or_header_is_printed_as_given(printed: Console) -> None:
    table("[bold]title", ["[/x]"], [["[red]value[/red]"]])
    text = printed.export_text()
    assert "[bold]title" in text
    assert "[/x]" in text
    assert "[red]value[/red]" in text


def test_a_control_character_is_shown_escaped(printed: Console) -> None:
    table("", ["v"], [["a\x1b[2Jb\x00"]])
    assert "a\\x1b[2Jb\\x00" in printed.export_text()


def test_a_money_column_of_one_currency_names_it_in_the_header(printed: Console) -> None:
    table("", ["cost"], [[money(Decimal("1.5"), "USD")]], totals=[[money(Decimal(2), "USD")]])
    lines = printed.export_text().splitlines()
    assert any("USD" in line for line in lines[:4])
    assert any(line.strip("│ ") == "1.50" for line in lines)
    assert any(line.strip("│ ") == "2.00" for line in lines[-3:])


def test_a_money_column_of_several_currencies_names_one_on_each_line(printed: Console) -> None:
    table("", ["cost"], [[money(Decimal(1), "USD")], [money(Decimal(1), "EUR")]])
    text = printed.export_text()
    assert "1.00 USD" in text
    assert "1.00 EUR" in text


def test_bare_decimals_of_a_column_share_one_scale(printed: Console) -> None:
    column = [[Decimal("0.6055792441")], [Decimal(13)], [Decimal("18.0066386184")]]
    table("", ["sum"], column)
    text = printed.export_text()
    assert [line.strip("│ ") for line in text.splitlines() if line.startswith("│")] == [
        "0.6056",
        "13.0000",
        "18.0066",
    ]
    assert "--json has every digit" in text
