"""What an import reports: errors (which refuse it), warnings, and the changes it made or would make."""
import json
from dataclasses import asdict, dataclass, field

# How many human-readable change lines a sheet keeps for the preview (the counts are always complete).
MAX_LINES = 200


@dataclass
class Issue:
    sheet: str
    row: int | None
    column: str
    code: str
    message: str

    def __str__(self):
        where = f"{self.sheet}!{self.row}" if self.row else self.sheet
        return f"{where} {self.column}: {self.message}" if self.column else f"{where}: {self.message}"


@dataclass
class SheetChanges:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    lines: list = field(default_factory=list)

    def add(self, outcome, line=""):
        setattr(self, outcome, getattr(self, outcome) + 1)
        if line and outcome != "unchanged" and len(self.lines) < MAX_LINES:
            self.lines.append(line)


@dataclass
class ImportResult:
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    changes: dict = field(default_factory=dict)   # sheet name → SheetChanges, in processing order
    applied: bool = False
    dry_run: bool = False

    def error(self, sheet, row, column, code, message):
        self.errors.append(Issue(sheet, row, column, code, message))

    def warn(self, sheet, row, column, code, message):
        self.warnings.append(Issue(sheet, row, column, code, message))

    def sheet(self, name):
        return self.changes.setdefault(name, SheetChanges())

    @property
    def ok(self):
        return not self.errors

    @property
    def changed(self):
        return sum(c.created + c.updated for c in self.changes.values())

    def as_dict(self):
        return {
            "applied": self.applied,
            "dry_run": self.dry_run,
            "errors": [asdict(e) for e in self.errors],
            "warnings": [asdict(w) for w in self.warnings],
            "changes": {name: asdict(c) for name, c in self.changes.items()},
        }

    def to_json(self, **kwargs):
        return json.dumps(self.as_dict(), ensure_ascii=False, **kwargs)

    @classmethod
    def from_dict(cls, data):
        """Rebuild a stored result (LedgerJob.result) for the preview page."""
        return cls(errors=[Issue(**e) for e in data.get("errors", [])],
                   warnings=[Issue(**w) for w in data.get("warnings", [])],
                   changes={k: SheetChanges(**v) for k, v in data.get("changes", {}).items()},
                   applied=data.get("applied", False), dry_run=data.get("dry_run", False))
