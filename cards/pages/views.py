"""View data of the tab's pages: plain values, already in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode


@dataclass(frozen=True)
class Links:
    """Builds the pages' links, carrying the signed link, language and theme along."""

    carry: tuple[tuple[str, str], ...] = ()

    def __call__(self, path: str, **params: object) -> str:
        values = dict(self.carry)
        values.update({k: str(v) for k, v in params.items() if v not in (None, "")})
        values = {k: v for k, v in values.items() if v}
        return f"{path}?{urlencode(values)}" if values else path

    def value(self, name: str) -> str:
        return dict(self.carry).get(name, "")


@dataclass(frozen=True)
class Page:
    """What every page shares."""

    lang: str
    theme: str  # auto | light | dark | contrast
    links: Links = field(default_factory=Links)
    path: str = "/tab/portfolio"  # this page, for the language switch
    viewer: str = ""  # the reader's name, when known
    static: str = "/tab/static"


@dataclass(frozen=True)
class Mark:
    goal: str
    colour: str | None  # green | yellow | red | None (not set)
    trend: str | None = None  # new | better | same | worse


@dataclass(frozen=True)
class Row:
    name: str
    href: str | None  # the e-area page, when the reader may open it
    period: str  # the period of the report shown ('' when none)
    status: str  # draft | submitted | reviewed | none
    marks: tuple[Mark, ...] = ()
    worst: str | None = None
    used_percent: int | None = None
    open_deviations: int = 0
    escalations: int = 0
    awaiting_chair: int = 0
    punctuality: str = "open"  # on_time | late | missing | open
    latest: str = ""  # when there is no report of the period: the newest earlier one
    draft_hidden: bool = False  # a draft exists, but the reader may not read drafts


@dataclass(frozen=True)
class PortfolioView:
    period: str
    due: str
    rows: tuple[Row, ...]
    total: int  # rows before filtering
    periods: tuple[str, ...]  # what the period picker offers
    sort: str = "name"
    desc: bool = False
    query: str = ""
    only: str = ""  # '' | attention
    empty_reason: str | None = None  # why the reader sees no e-area at all


@dataclass(frozen=True)
class GoalHistory:
    title: str
    cells: tuple[Mark, ...]  # one per quarter of the year


@dataclass(frozen=True)
class Quarter:
    label: str  # "Q1"
    period: str  # "2026-Q1"
    status: str  # submitted | reviewed | draft | none


@dataclass(frozen=True)
class FrameLine:
    label: str
    committed: int
    frame: int
    unit: str


@dataclass(frozen=True)
class Count:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class DecisionItem:
    number: str
    registry_number: str
    date: str
    outcome: str
    title: str
    level: str


@dataclass(frozen=True)
class CommissionItem:
    number: str
    title: str
    lead: str
    period: str


@dataclass(frozen=True)
class WheelItem:
    month: str
    title: str
    status: str  # the status key (done, open ...)
    status_label: str
    number: int = 0  # the number on the picture's mark


@dataclass(frozen=True)
class AreaView:
    name: str
    year: int
    plan_title: str
    quarters: tuple[Quarter, ...]
    goals: tuple[GoalHistory, ...]
    frame: tuple[FrameLine, ...]  # empty: no plan for the year
    needs: tuple[Count, ...]
    needs_total: int
    inventory: tuple[tuple[str, str], ...]
    inventory_total: int
    awaiting_chair: tuple[tuple[str, str], ...]
    decisions: tuple[DecisionItem, ...]
    decisions_total: int
    commissions: tuple[CommissionItem, ...] | None  # None: not kept by this Styra
    wheel_svg: str  # the annual wheel picture (SVG markup built from plain data)
    wheel: tuple[WheelItem, ...]
    back: str | None  # the portfolio page, when the reader may see it


@dataclass(frozen=True)
class ConfigView:
    areas: tuple[tuple[int, str], ...]  # (id, name) the reader may show in a channel tab
    origin: str  # where the channel tab's page lives (https://host)
