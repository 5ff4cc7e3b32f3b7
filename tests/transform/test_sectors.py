"""Sectors come from the editable rule file, in the Home Office library's vocabulary."""

from __future__ import annotations

import pytest

from dhr_etl.transform.names import normalise_name
from dhr_etl.transform.rules import is_group, sector_of

LIBRARY_SECTORS = {
    "police", "social services", "health services", "IDVA or other domestic abuse support service",
    "probation services", "housing services", "school", "employer", "other educational institution",
    "religious institution", "military", "community safety partnership",
}
EXTENDED = {"multi-agency groups", "national government", "courts and prosecution", "other"}


@pytest.mark.parametrize(
    ("printed", "sector"),
    [
        ("Warwickshire Police", "police"),
        ("Greater Manchester Police", "police"),
        ("Coventry & Warwickshire Partnership NHS Trust", "health services"),
        ("West Midlands Ambulance Service", "health services"),
        ("GP practices", "health services"),
        ("All health agencies", "health services"),
        ("Warwickshire Children’s Services", "social services"),
        ("Warwickshire Probation Trust", "probation services"),
        ("Refuge", "IDVA or other domestic abuse support service"),
        ("Women's Aid", "IDVA or other domestic abuse support service"),
        ("MARAC Steering Group", "multi-agency groups"),
        ("All agencies", "multi-agency groups"),
        ("Community Safety Partnership", "community safety partnership"),
        ("CPS", "courts and prosecution"),
        ("Department for Work and Pensions", "national government"),
        ("Housing Providers", "housing services"),
    ],
)
def test_sector_of_realistic_bodies(printed: str, sector: str) -> None:
    assert sector_of(normalise_name(printed)) == sector


def test_every_rule_names_a_known_sector() -> None:
    from dhr_etl.transform.rules import sector_rules

    assert {sector for _, sector in sector_rules()} <= LIBRARY_SECTORS | EXTENDED


def test_groups_are_flagged_and_single_bodies_are_not() -> None:
    assert all(is_group(normalise_name(n)) for n in ["All agencies", "All health agencies", "GP practices", "Housing Providers"])
    assert not any(is_group(normalise_name(n)) for n in ["Warwickshire Police", "MARAC", "Refuge", "Medical Centre"])
