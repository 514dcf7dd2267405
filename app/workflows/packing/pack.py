"""The posting on the desk, in memory: what it needs, what is packed, and the pure rules over them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from app.domain.postings import Posting, PostingStatus, Requirement
from app.repos.postings import CachedPosting
from app.workflows.packing.outcomes import PackageItems, PackLine, PackView, Prompt
from app.workflows.shipping import UnitData


@dataclass(frozen=True, slots=True)
class Mark:
    sku: int
    ident: str  # 01 + GTIN + 21 + serial: unique per physical unit
    text: str  # the whole code, as Ozon wants it


Customs = tuple[tuple[int, str, bool], ...]  # ((sku, gtd, absent), ...)


@dataclass(frozen=True, slots=True)
class Pack:
    """The posting on the desk. Immutable: a step builds a new one and keeps it only once written."""

    posting: Posting
    items: tuple[PackLine, ...]  # what the posting needs; `scanned` is counted from `packages`
    packages: tuple[PackageItems, ...]
    marks: tuple[Mark, ...] = ()  # in scan order
    customs: Customs = ()

    @property
    def number(self) -> str:
        return self.posting.posting_number

    def scanned(self, sku: int) -> int:
        return sum(qty for pkg in self.packages for s, qty in pkg if s == sku)

    def needed(self, sku: int) -> int:
        return sum(it.needed for it in self.items if it.sku == sku)

    def marked(self, sku: int) -> int:
        return sum(1 for m in self.marks if m.sku == sku)

    def needs_mark(self, sku: int) -> bool:
        return self.posting.requirements.needs(Requirement.MANDATORY_MARK, sku)

    def needs_customs(self, sku: int) -> bool:
        return self.posting.requirements.needs(Requirement.GTD, sku)

    def customs_of(self, sku: int) -> tuple[str, bool] | None:
        return next(((gtd, absent) for s, gtd, absent in self.customs if s == sku), None)

    def remaining(self) -> int:
        return sum(max(0, it.needed - self.scanned(it.sku)) for it in self.items)

    def prompt_for(self, sku: int) -> Prompt:
        """What the unit of `sku` just counted still needs: its SKU's customs number first (asked once
        per posting), then its own marking code."""
        if self.needs_customs(sku) and self.customs_of(sku) is None:
            return Prompt.CUSTOMS
        if self.needs_mark(sku) and self.marked(sku) < self.scanned(sku):
            return Prompt.MARK
        return Prompt.NONE

    def add(self, sku: int) -> Pack:
        packages = list(self.packages) or [()]
        current = dict(packages[-1])
        current[sku] = current.get(sku, 0) + 1
        packages[-1] = tuple(current.items())
        return replace(self, packages=tuple(packages))

    def with_mark(self, mark: Mark) -> Pack:
        return replace(self, marks=(*self.marks, mark))

    def with_customs(self, sku: int, gtd: str, absent: bool) -> Pack:
        kept = tuple(c for c in self.customs if c[0] != sku)
        return replace(self, customs=(*kept, (sku, gtd, absent)))

    def new_package(self) -> Pack:
        return replace(self, packages=(*self.packages, ()))

    def ship_packages(self, fill_missing: bool) -> list[list[tuple[int, int]]]:
        """Packages for the ship call; with an override the unscanned units go into the last box.
        A multi-box posting is one package (Ozon is told the number of boxes instead)."""
        result = [list(pkg) for pkg in self.packages if pkg]
        if self.posting.is_multibox and len(result) > 1:
            merged: dict[int, int] = {}
            for pkg in result:
                for sku, qty in pkg:
                    merged[sku] = merged.get(sku, 0) + qty
            result = [list(merged.items())]
        if fill_missing:
            missing = [(it.sku, it.needed - self.scanned(it.sku)) for it in self.items]
            missing = [(sku, qty) for sku, qty in missing if qty > 0]
            if missing:
                if not result:
                    result.append([])
                last = dict(result[-1])
                for sku, qty in missing:
                    last[sku] = last.get(sku, 0) + qty
                result[-1] = list(last.items())
        return result

    def box_count(self) -> int:
        return self.view().box_count

    def units(self) -> dict[int, list[UnitData]]:
        """What Ozon gets per unit before the ship call: its marking code and its SKU's customs number."""
        result: dict[int, list[UnitData]] = {}
        for it in self.items:
            if not (self.needs_mark(it.sku) or self.needs_customs(it.sku) or self.marked(it.sku)):
                continue
            gtd, absent = self.customs_of(it.sku) or ("", False)
            codes = [m.text for m in self.marks if m.sku == it.sku]
            result[it.sku] = [
                UnitData(mark=codes[i] if i < len(codes) else "", gtd=gtd, gtd_absent=absent) for i in range(it.needed)
            ]
        return result

    def missing_text(self) -> str:
        return ", ".join(
            f"SKU {it.sku} ×{it.needed - self.scanned(it.sku)}" for it in self.items if self.scanned(it.sku) < it.needed
        )

    def view(self) -> PackView:
        p = self.posting
        lines = []
        for it in self.items:
            gtd, absent = self.customs_of(it.sku) or ("", False)
            lines.append(
                replace(
                    it,
                    scanned=self.scanned(it.sku),
                    needs_mark=self.needs_mark(it.sku),
                    marked=self.marked(it.sku),
                    needs_customs=self.needs_customs(it.sku),
                    gtd=gtd,
                    gtd_absent=absent,
                )
            )
        return PackView(
            p.posting_number,
            p.order_number,
            p.is_rfbs,
            p.delivery_method_name,
            p.shipment_date,
            tuple(lines),
            self.packages or ((),),
            p.is_multibox,
            p.multi_box_qty if p.is_multibox else 0,
        )


def packable(cached: CachedPosting) -> bool:
    return cached.local_status is None and cached.posting.status is PostingStatus.AWAITING_PACKAGING


def encode(packages: Sequence[PackageItems]) -> list[list[list[int]]]:
    return [[[int(sku), int(qty)] for sku, qty in pkg] for pkg in packages]


def decode(raw: object) -> tuple[PackageItems, ...]:
    result: list[PackageItems] = []
    for pkg in raw if isinstance(raw, list) else []:
        result.append(tuple((int(sku), int(qty)) for sku, qty in pkg))
    return tuple(result)
