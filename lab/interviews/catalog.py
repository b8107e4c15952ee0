"""The catalog interviews draw from, read from the database: every item of the newest
enabled version of each pack (lab/interviews/templates.py works on any catalog)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, defer

from lab.extensions import db
from lab.interviews.templates import CatalogItem, catalog_from_challenges
from lab.models import Challenge, Pack, newest_pack_ids


@dataclass
class DatabaseCatalog:
    items: list[CatalogItem]
    pack_names: set[str]  # newest enabled version of each pack
    challenge_ids: dict[str, int]  # public id -> Challenge.id of that version


def database_catalog() -> DatabaseCatalog:
    """Every item of the newest enabled version of each pack (what interviews draw from)."""
    newest = newest_pack_ids()
    query = (select(Challenge).join(Pack).join(newest, Pack.id == newest.c.id)
             .options(defer(Challenge.files), defer(Challenge.prompt_md),
                      contains_eager(Challenge.pack)))
    rows = db.session.scalars(query).all()
    names = set(db.session.scalars(select(Pack.name).join(newest, Pack.id == newest.c.id)))
    return DatabaseCatalog(catalog_from_challenges(rows), names,
                           {row.public_id: row.id for row in rows})
