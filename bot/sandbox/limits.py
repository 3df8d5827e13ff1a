"""What one run may use. The defaults suit the shipped bank; a question file may ask for other values
within the ceiling (`limits:` in its front matter)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

KIB, MIB, GIB = 1024, 1024**2, 1024**3


@dataclass(frozen=True)
class Limits:
    wall_seconds: float = 120
    cpu_seconds: int = 120
    memory_bytes: int = 1 * GIB  # address space of each process
    processes: int = 64  # processes and threads of the run together
    file_bytes: int = 64 * MIB  # the largest file it may write
    disk_bytes: int = 256 * MIB  # its whole writable tmpfs
    output_bytes: int = 1 * MIB  # stdout and stderr together; past this the run is stopped
    figures: int = 4
    figure_bytes: int = 2 * MIB
    value_bytes: int = 64 * KIB

    def inside(self) -> dict[str, int]:
        """What the collector inside the sandbox applies."""
        return {"cpu_seconds": self.cpu_seconds, "memory_bytes": self.memory_bytes, "processes": self.processes,
                "file_bytes": self.file_bytes, "figures": self.figures, "figure_bytes": self.figure_bytes,
                "value_bytes": self.value_bytes}


# front-matter name -> (field, unit, ceiling in that unit)
SETTINGS: dict[str, tuple[str, int, int]] = {
    "seconds": ("wall_seconds", 1, 600),
    "memory_mb": ("memory_bytes", MIB, 4096),
    "processes": ("processes", 1, 256),
    "file_mb": ("file_bytes", MIB, 512),
}


def setting_problems(settings: Mapping[str, object]) -> list[str]:
    problems = []
    for name, value in settings.items():
        if name not in SETTINGS:
            problems.append(f"limits: unknown setting {name!r} (known: {', '.join(SETTINGS)})")
        elif not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= SETTINGS[name][2]:
            problems.append(f"limits: {name} must be a whole number from 1 to {SETTINGS[name][2]}")
    return problems


def configured(settings: Mapping[str, int], base: Limits = Limits()) -> Limits:
    """The limits a question asks for; `seconds` is both the wall-clock and the CPU-time limit."""
    changes: dict[str, float | int] = {}
    for name, value in settings.items():
        field, unit, ceiling = SETTINGS[name]
        changes[field] = min(value, ceiling) * unit
        if name == "seconds":
            changes["cpu_seconds"] = min(value, ceiling)
    return replace(base, **changes)  # type: ignore[arg-type]
