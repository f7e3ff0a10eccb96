"""Frame arithmetic of a decision basis, as a table (bot/rules/frames.py)."""

import pytest

from bot.rules import frames
from bot.rules.routing import Frame

ROOM = Frame(frame_hours=1000, frame_sek=1_000_000, committed_hours=400, committed_sek=500_000)  # 600 h, 500 000 kr left
FULL = Frame(frame_hours=4000, frame_sek=2_500_000, committed_hours=4000, committed_sek=2_500_000)
OVER = Frame(frame_hours=100, frame_sek=100_000, committed_hours=150, committed_sek=100_000)  # 50 h over

OUTLOOKS = [
    # id, frame, (hours, sek), (change hours, change sek), needed, short, left after
    ("fits, no change", ROOM, (100, 50_000), (0, 0), (0, 0), (0, 0), (500, 450_000)),
    ("exactly what is left", ROOM, (600, 500_000), (0, 0), (0, 0), (0, 0), (0, 0)),
    ("one hour too many, no change", ROOM, (601, 0), (0, 0), (1, 0), (1, 0), (-1, 500_000)),
    ("needs more, proposal covers it", ROOM, (900, 800_000), (300, 300_000), (300, 300_000), (0, 0), (0, 0)),
    ("needs more, proposal generous", ROOM, (900, 800_000), (500, 400_000), (300, 300_000), (0, 0), (200, 100_000)),
    ("needs more, proposal short in hours", ROOM, (900, 800_000), (100, 300_000), (300, 300_000), (200, 0), (-200, 0)),
    ("needs more, no proposal", ROOM, (900, 800_000), (0, 0), (300, 300_000), (300, 300_000), (-300, -300_000)),
    ("full frame: the whole estimate", FULL, (8020, 150_000), (0, 0), (8020, 150_000), (8020, 150_000), (-8020, -150_000)),
    ("full frame, covered", FULL, (8020, 150_000), (8020, 150_000), (8020, 150_000), (0, 0), (0, 0)),
    ("already over: the overrun too", OVER, (10, 0), (10, 0), (60, 0), (50, 0), (-50, 0)),
    ("shrinking a frame that had room", ROOM, (100, 0), (-1000, 0), (0, 0), (500, 0), (-500, 500_000)),
    ("nothing asked of an over plan", OVER, (0, 0), (0, 0), (50, 0), (50, 0), (-50, 0)),
]


@pytest.mark.parametrize(("frame", "estimate", "change", "needed", "short", "left"),
                         [c[1:] for c in OUTLOOKS], ids=[c[0] for c in OUTLOOKS])
def test_outlook(frame, estimate, change, needed, short, left):
    seen = frames.outlook(frame, *estimate, *change)
    assert (seen.needed_hours, seen.needed_sek) == needed
    assert (seen.short_hours, seen.short_sek) == short
    assert (seen.after.left_hours, seen.after.left_sek) == left
    assert seen.covered is (short == (0, 0))
    assert seen.now == frame


def test_approved_grows_the_frame_and_commits_the_estimate():
    assert frames.approved(ROOM, 120, 150_000, 80, 100_000) == Frame(1080, 1_100_000, 520, 650_000)


OVERS = [
    ("within", ROOM, (0, 0)),
    ("exactly full", FULL, (0, 0)),
    ("hours over", OVER, (50, 0)),
    ("both over", Frame(10, 10, 12, 15), (2, 5)),
]


@pytest.mark.parametrize(("frame", "expected"), [c[1:] for c in OVERS], ids=[c[0] for c in OVERS])
def test_over(frame, expected):
    assert frames.over(frame) == expected
    assert frames.is_over(frame) is (expected != (0, 0))


PUSHES = [
    ("stays within", ROOM, frames.approved(ROOM, 600, 500_000, 0, 0), False),
    ("goes over in hours", ROOM, frames.approved(ROOM, 601, 0, 0, 0), True),
    ("goes over in money", ROOM, frames.approved(ROOM, 0, 500_001, 0, 0), True),
    ("over already, further over", OVER, frames.approved(OVER, 1, 0, 0, 0), True),
    ("over already, no worse", OVER, frames.approved(OVER, 10, 0, 10, 0), False),
    ("over already, brought back", OVER, frames.approved(OVER, 0, 0, 50, 0), False),
]


@pytest.mark.parametrize(("before", "after", "pushed"), [c[1:] for c in PUSHES], ids=[c[0] for c in PUSHES])
def test_pushed_over(before, after, pushed):
    assert frames.pushed_over(before, after) is pushed
