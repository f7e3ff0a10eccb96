"""Frame arithmetic for a decision basis (DOMAIN.md §2-3): what the need requires of the plan's
frame, what the proposal leaves, and when a plan is over its frame. Pure, table-tested.

    needed change  = estimate - what is left now   (never below 0, per unit)
    left after     = (frame + proposed change) - (committed + estimate)
    short          = what the proposal lacks to cover the need (the part of `left after` below 0)

A plan whose frame is already overspent has a negative "left": it is shown as "over the frame by",
never as a negative amount left.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.rules.routing import Frame


@dataclass(frozen=True)
class Outlook:
    """The frame before and after approving a basis, and how far its proposal falls short."""

    now: Frame
    after: Frame
    needed_hours: int  # the frame change the need requires
    needed_sek: int
    short_hours: int  # what the proposed change lacks (0: covered)
    short_sek: int

    @property
    def covered(self) -> bool:
        return self.short_hours == 0 and self.short_sek == 0


def needed_change(frame: Frame, hours: int, sek: int) -> tuple[int, int]:
    """(hours, SEK) the frame must grow by for this estimate: the estimate minus what is left."""
    return max(0, hours - frame.left_hours), max(0, sek - frame.left_sek)


def approved(frame: Frame, hours: int, sek: int, change_hours: int, change_sek: int) -> Frame:
    """The frame once a basis is approved: the proposed change applied, the estimate committed."""
    return Frame(frame.frame_hours + change_hours, frame.frame_sek + change_sek,
                 frame.committed_hours + hours, frame.committed_sek + sek)


def outlook(frame: Frame, hours: int, sek: int, change_hours: int, change_sek: int) -> Outlook:
    after = approved(frame, hours, sek, change_hours, change_sek)
    need_h, need_s = needed_change(frame, hours, sek)
    short_h, short_s = over(after)  # = needed - proposed change, when that is above 0
    return Outlook(frame, after, need_h, need_s, short_h, short_s)


def over(frame: Frame) -> tuple[int, int]:
    """(hours, SEK) committed beyond the frame; (0, 0) when the plan is within it."""
    return max(0, -frame.left_hours), max(0, -frame.left_sek)


def is_over(frame: Frame) -> bool:
    return over(frame) != (0, 0)


def pushed_over(before: Frame, after: Frame) -> bool:
    """A change that puts the plan over its frame, or further over it, in hours or money."""
    (bh, bs), (ah, as_) = over(before), over(after)
    return ah > bh or as_ > bs
