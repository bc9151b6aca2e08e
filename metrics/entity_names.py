"""Entity names as people type them, matched to the entities the store holds: never guessed.

A name is compared in its canonical form on both sides (full-width brackets and letters as
half-width, no spaces, Latin letters in one case), so `甲开发区（示例）` copied from the store matches
itself, and an alias an administrator set (`XX经开区` → `XX经济开发区`) matches its entity. A name
that matches nothing is not an entity: the upload names the closest ones instead.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


def canonical(name: str) -> str:
    """The form two spellings of one name share: NFKC, no whitespace, case-folded."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(name))).casefold()


@dataclass(frozen=True)
class EntityDirectory:
    """The store's entities and their aliases, by canonical form → the entity's stored name."""
    by_canonical: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, names: Iterable[str], aliases: Mapping[str, str] | None = None) -> "EntityDirectory":
        """`aliases`: alias → the stored name of the entity it stands for."""
        lookup = {canonical(alias): name for alias, name in (aliases or {}).items()}
        lookup.update({canonical(name): name for name in names})  # a real name wins over an alias
        return cls(lookup)

    def match(self, raw: str) -> str | None:
        """The stored name `raw` means, or None when it names no entity held."""
        return self.by_canonical.get(canonical(raw))

    def suggestions(self, raw: str, n: int = 3) -> list[str]:
        """The stored names closest to `raw`, for a did-you-mean; none when nothing is close."""
        close = difflib.get_close_matches(canonical(raw), list(self.by_canonical), n=n * 2, cutoff=0.5)
        return list(dict.fromkeys(self.by_canonical[c] for c in close))[:n]

    @property
    def names(self) -> list[str]:
        return sorted(set(self.by_canonical.values()))
