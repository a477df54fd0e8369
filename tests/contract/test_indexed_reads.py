"""The indexed reads of ``/people?q=`` and ``/search`` answer what the full reads answer, page for page.

SQLite finds the people whose ids or names hold a text of 3 or more characters by a trigram index
(PERSON_PAGE_NAMED) and ranks a search over its best matches only (SEARCH_TOP); PostgreSQL runs the
full reads. Each answer here is compared with the full statement's (PERSON_PAGE, SEARCH) run on the
same store at the same read point: retracted facts, read points, LIKE's own characters, quotes,
case, ties in rank and pages far down all included.
"""

from __future__ import annotations

import random
import re
import sqlite3
import uuid
from collections.abc import Sequence
from pathlib import Path

import msgspec

from api.projections import words
from api.store.base import EventStore
from api.store.program import Store
from api.store.readpoint import ReadPoint
from api.store.sqlite import SQLiteStore
from api.store.sqlite.dialect import SCHEMA_VERSION
from api.store.statements import Q
from schema.events import Event
from tests import fts
from tests.contract.history import random_history
from tests.contract.test_read_plans import _plan, _recorded
from tests.factories import event_retracted, executive_reported, product_launched

ODD_NAMES = {
    "person-odd-1": '100% "Zed" Mü_ller!',
    "person-odd-2": "Ångström O'Neil",
    "person-odd-3": "Zoë Zhang",
}
"""Names with LIKE's wildcards and escape, a double quote (the index's quote), and letters beyond ASCII."""


async def _filled_with_people(store: EventStore) -> tuple[int, int]:
    """A random history, people with odd names, one of whose roles is then retracted; the positions
    before and after the retraction."""
    await random_history(20251205, 300).append_to(store, random.Random(20251205))
    odd: list[Event] = [
        msgspec.structs.replace(executive_reported("company-01", person, name=name), id=uuid.uuid4())
        for person, name in ODD_NAMES.items()
    ]
    await store.append(odd)
    before = await store.last_position()
    await store.append([event_retracted(odd[2].id)])
    return before, await store.last_position()


def _texts(store_people: Sequence[tuple[str, str | None]]) -> list[str]:
    """Parts of the people's ids and names, and texts that hold none or only LIKE's characters."""
    rng = random.Random(17)
    texts = {"%", "_", "!", '"', "%_!", "zzz", "ÅNGSTRÖM", "ZOË", '"zed"', "ü_l", "r!", "o'n", "person-1", "erson 1"}
    for person_id, name in store_people:
        for whole in (person_id, name or ""):
            for size in (1, 2, 3, 4, 6):
                if len(whole) >= size:
                    start = rng.randrange(len(whole) - size + 1)
                    texts.add(whole[start : start + size])
    return sorted(texts)


async def _full_page(store: Store, q: str, at: int, cursor: str, limit: int) -> list[str]:
    pattern = "%" + re.sub(r"([!%_])", r"!\1", q.lower()) + "%"
    async with store.driver.reading() as tx:
        return [str(row[0]) for row in await tx.rows(Q.PERSON_PAGE, cursor, at, None, pattern, limit + 1)]


async def test_people_by_a_part_of_their_name_are_those_the_full_read_finds(store: EventStore) -> None:
    assert isinstance(store, Store)
    before, after = await _filled_with_people(store)
    everyone, _ = await store.people(ReadPoint(), q=None, company=None, cursor=None, limit=1000)
    names = {
        p: msgspec.json.decode(item)["name"]
        for p, rows in everyone
        for view, _, _, item in rows
        if view == "person_role"
    }
    texts = _texts([(p, names.get(p)) for p, _ in everyone])
    compared = 0
    for point, at in ((ReadPoint(), after), (ReadPoint(at_position=before), before), (ReadPoint(at_position=40), 40)):
        for q in texts:
            cursor = ""
            while True:
                found, more = await store.people(point, q=q, company=None, cursor=cursor or None, limit=3)
                full = await _full_page(store, q, at, cursor, 3)
                assert ([p for p, _ in found], more) == (full[:3], len(full) > 3), (q, at, cursor)
                compared += len(found)
                if not more:
                    break
                cursor = found[-1][0]
    assert compared > 500, "the texts find people"
    zoe = [
        p
        for p, _ in (await store.people(ReadPoint(at_position=before), q="zoë", company=None, cursor=None, limit=9))[0]
    ]
    assert zoe == ["person-odd-3"], "found before the retraction of her only role"
    assert (await store.people(ReadPoint(), q="zoë", company=None, cursor=None, limit=9))[0] == [], "not after it"
    assert [p for p, _ in (await store.people(ReadPoint(), q='"zed"', company=None, cursor=None, limit=9))[0]] == [
        "person-odd-1"
    ]


async def _full_search(store: Store, query: str, at: int, offset: int, limit: int) -> list[tuple[int, bytes, float]]:
    async with store.driver.reading() as tx:
        found = await tx.rows(Q.SEARCH, query, at, limit + 1, offset)
    return [(int(p), bytes(item), float(score)) for p, item, score in found]


async def test_a_search_over_the_best_matches_pages_as_the_full_search_does(store: EventStore) -> None:
    """Many documents tie in rank (one product launched by every company, twice), others differ (longer
    names rank lower); some are retracted. Every page, at every size and offset, at three read points."""
    assert isinstance(store, Store)
    await random_history(20251206, 120).append_to(store, random.Random(20251206))
    rng = random.Random(5)
    launches: list[Event] = []
    for n in range(260):
        company = f"company-{rng.randrange(1, 9):02d}"  # those the history registered
        name = "Battery Pack" if n % 2 else "Battery Pack " + " ".join(f"Mark{k}" for k in range(n % 7))
        launches.append(msgspec.structs.replace(product_launched(company, name), id=uuid.uuid4()))
    await store.append(launches[:130])
    middle = await store.last_position()
    await store.append(launches[130:])
    await store.append([event_retracted(e.id) for e in rng.sample(launches, 40)])
    last = await store.last_position()
    query = store.dialect.search_query(words.query_terms("battery"))

    for point, at in ((ReadPoint(), last), (ReadPoint(at_position=middle), middle), (ReadPoint(at_position=3), 3)):
        for limit in (1, 7, 50):
            for offset in sorted({0, 1, 6, 49, 60, 99, 120, 200, 300, rng.randrange(250)}):
                position, found, more = await store.search(
                    point, words.query_terms("battery"), offset=offset, limit=limit
                )
                full = await _full_search(store, query, at, offset, limit)
                assert (position, found, more) == (at, full[:limit], len(full) > limit), (at, limit, offset)

    async def first_page() -> None:
        assert (await store.search(ReadPoint(), words.query_terms("battery"), offset=0, limit=7))[1]

    ran = {statement for statement, _ in await _recorded(store, first_page)}
    indexed = store.dialect.sql[Q.SEARCH_TOP] is not None
    assert ran == ({Q.SEARCH_TOP} if indexed else {Q.SEARCH}) | {Q.LAST_POSITION}, "the best matches decide the page"


async def test_people_by_a_part_of_their_name_are_looked_up_in_the_name_index(store: EventStore) -> None:
    """SQLite: the candidates come from the trigram index, each then sought by its id; no table is read
    whole (LIKE over every person's rows took 1.3 s a page at 1,000,000 events). PostgreSQL keeps the
    full read, and a text too short for a trigram too."""
    assert isinstance(store, Store)
    await _filled_with_people(store)

    async def page(q: str) -> None:
        assert (await store.people(ReadPoint(), q=q, company=None, cursor=None, limit=5))[0]

    indexed = store.dialect.name_query("per") is not None
    for q, wanted in (("person 1", Q.PERSON_PAGE_NAMED if indexed else Q.PERSON_PAGE), ("pe", Q.PERSON_PAGE)):
        (params,) = [params for statement, params in await _recorded(store, lambda q=q: page(q)) if statement == wanted]
        if wanted != Q.PERSON_PAGE_NAMED:
            continue
        plan = await _plan(store, wanted, params)
        assert any(step.startswith("SCAN person_names_text VIRTUAL TABLE INDEX") for step in plan), plan
        assert any(step.startswith("SEARCH n USING INTEGER PRIMARY KEY") for step in plan), plan
        assert any(step.startswith("SEARCH r USING INDEX people (key=?") for step in plan), plan
        assert [step for step in plan if step.startswith("SCAN") and "VIRTUAL TABLE" not in step] == [], plan


async def test_a_sqlite_store_made_before_the_name_index_names_its_people_when_opened(tmp_path: Path) -> None:
    """Schema version 2 had no name index: opening the store (version 3 or later) fills it from the people rows it
    holds, with no projection caught up or rebuilt; a rebuild then keeps the same names."""
    store = SQLiteStore(tmp_path / "tidings.db")
    await store.open()
    try:
        await _filled_with_people(store)
        wanted = [await _all_people(store, q) for q in ("person 1", "rso", "ångström", '"zed"')]
    finally:
        await store.close()
    with sqlite3.connect(store.path) as conn:
        names = sorted(conn.execute("SELECT person_id, name FROM person_names"))
        for statement in (
            "DROP TRIGGER person_rows_named",
            "DROP TRIGGER person_rows_unnamed",
            "DROP TABLE person_names_text",
            "DROP TABLE person_names",
            "UPDATE schema_version SET version = 2",
        ):
            conn.execute(statement)

    upgraded = SQLiteStore(store.path)
    await upgraded.open()
    try:
        assert upgraded.caught_up == []
        assert [await _all_people(upgraded, q) for q in ("person 1", "rso", "ångström", '"zed"')] == wanted
        assert all(wanted) and len(names) > 10
        await upgraded.rebuild()
        assert [await _all_people(upgraded, q) for q in ("person 1", "rso", "ångström", '"zed"')] == wanted
    finally:
        await upgraded.close()
    with sqlite3.connect(store.path) as conn:
        assert sorted(conn.execute("SELECT person_id, name FROM person_names")) == names
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
        conn.execute("INSERT INTO person_names_text (person_names_text) VALUES ('integrity-check')")


async def test_check_names_search_text_indexed_twice(tmp_path: Path) -> None:
    """FTS5 takes a rowid it holds again without a word: its _docsize keeps one row, only its own count
    shows the document twice (as when an older release's trigger and this release both index text)."""
    store = SQLiteStore(tmp_path / "tidings.db")
    await store.open()
    try:
        await random_history(20251207, 200).append_to(store, random.Random(20251207))
        assert await store.check() == []
    finally:
        await store.close()
    rows = fts.search_rows(store.path)
    with sqlite3.connect(store.path) as conn:
        conn.execute(
            "INSERT INTO search_text (rowid, words, parts) SELECT id, 'again', '' FROM search_text_docsize LIMIT 1"
        )
    assert fts.documents(store.path) == rows + 1
    damaged = SQLiteStore(store.path)
    await damaged.open()
    try:
        faults = await damaged.check()
    finally:
        await damaged.close()
    assert faults == [f"integrity: the search index counts {rows + 1} documents but there are {rows} search rows"]


async def _all_people(store: Store, q: str) -> list[str]:
    found, _ = await store.people(ReadPoint(), q=q, company=None, cursor=None, limit=1000)
    return [person_id for person_id, _ in found]


async def test_check_names_a_name_index_out_of_step_with_the_people_rows(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "tidings.db")
    await store.open()
    try:
        await _filled_with_people(store)
        assert await store.check() == []
    finally:
        await store.close()
    with sqlite3.connect(store.path) as conn:
        conn.execute("DELETE FROM person_names WHERE person_id = 'person-odd-2'")
    damaged = SQLiteStore(store.path)
    await damaged.open()
    try:
        assert await _all_people(damaged, "ngstr") == []
        faults = await damaged.check()
    finally:
        await damaged.close()
    assert any("the name index holds" in fault for fault in faults), faults
