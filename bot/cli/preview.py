"""`styra reminders preview ACTIVITY --e-area X`: post one of the wheel's reminders now, in
development only, so the wheel can be tried without waiting for its dates.

The card is the one the tick would post (in the channel's language, the organisation's default)
and goes out through the outbox: the running Styra (`make run`) posts it within seconds, and the
answers in the card work as on any reminder."""

from __future__ import annotations

import datetime as dt

from bot.cli.lang import cli_translator
from bot.i18n import Translator, area_name, translator
from bot.outbox import card_activity
from bot.rules.calendar import to_local
from bot.rules.wheel import Occurrence, Wheel, occurrences_for_year
from bot.rules.wheel_file import WheelError, load_wheel
from cards import reminder as reminder_cards
from storage import org
from storage import reminder_preview as repo
from storage.db import Database
from storage.reminders import steering_channels


def register(actions, clock) -> None:
    preview = actions.add_parser("preview", help="development: post a reminder of the wheel now")
    preview.add_argument("activity", help="the activity's key, as `styra wheel show` lists it")
    preview.add_argument("--e-area", dest="area", required=True, help="e-area slug or name")
    preview.set_defaults(run=_preview, clock=clock)


def pick(wheel: Wheel, key: str, now: dt.datetime, zone) -> Occurrence | None:
    """The activity's next occurrence from now, else its latest this year."""
    year = to_local(now, zone).year
    found = [o for y in (year, year + 1) for o in occurrences_for_year(wheel, y, zone) if o.activity_key == key]
    upcoming = [o for o in found if o.due_at >= now]
    return upcoming[0] if upcoming else (found[-1] if found else None)


def _card(t: Translator, wheel: Wheel, row, channel) -> dict:
    activity = wheel.activity(row.activity_key)
    view = reminder_cards.ReminderView(
        occurrence_id=row.id, title=activity.title[t.lang], body=activity.body[t.lang],
        area_name=area_name((channel.area_name, channel.area_name_en), t), audience=activity.audience,
        period=row.period, answer_by=row.answer_by, status=row.status, answer=row.answer,
        answered_by_name=row.answered_by_name, answered_at=row.answered_at, snooze_until=row.snooze_until,
        reason=row.reason, action=activity.action, coordinator_ids=channel.coordinator_ids)
    return reminder_cards.reminder_card(t, view, interactive=False)


def post_now(session, wheel: Wheel, occ: Occurrence, area_text: str, lang: str, now: dt.datetime):
    """("posted", area, row) | ("unknown_area", text, None) | ("unlinked", area, None)."""
    area = org.find_e_area(session, area_text)
    if area is None:
        return "unknown_area", area_text, None
    channel = steering_channels(session, area.slug).get(area.slug)
    if channel is None:
        return "unlinked", area, None
    row = repo.occurrence(session, activity_key=occ.activity_key, period=occ.period, scope=area.slug,
                          e_area_id=area.id, due_at=occ.due_at.astimezone(dt.UTC), answer_by=occ.answer_by, now=now)
    repo.post(session, row, card_activity(_card(translator(lang), wheel, row, channel)), now)
    return "posted", area, row


def _preview(args, settings) -> int:
    t = cli_translator(args, settings)
    if settings.production:
        print(t("`styra reminders preview` posts a reminder outside the wheel's dates, so it runs only in "
                "development (STYRA_ENV=development). Nothing was posted."))
        return 2
    try:
        wheel = load_wheel(settings.wheel_file)
    except WheelError as exc:
        print(t("The wheel file is not valid: {error}", error=exc))
        return 1
    now = args.clock()
    occ = pick(wheel, args.activity, now, settings.zone)
    if occ is None:
        print(t("The wheel has no activity \"{key}\". Its activities: {keys}.", key=args.activity,
                keys=", ".join(a.key for a in wheel.activities)))
        return 2
    db = Database.from_url(settings.database_url, clock=args.clock)
    try:
        kind, area, row = db.call(post_now, wheel, occ, args.area, settings.default_locale, now)
    finally:
        db.dispose()
    if kind == "unknown_area":
        print(t("I do not know an e-area called \"{name}\".", name=area))
        return 2
    if kind == "unlinked":
        print(t("{area} has no steering-group channel yet: write **@Styra link {slug}** in the channel first.",
                area=area_name(area, t), slug=area.slug))
        return 2
    print(t("The reminder {key} ({period}) for {area} is in the outbox: the running Styra posts it in the "
            "steering-group channel within seconds.", key=occ.activity_key, period=occ.period, area=area_name(area, t)))
    return 0
