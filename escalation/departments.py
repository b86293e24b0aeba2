"""The departments of the municipality; Erhvervsservice is the entry itself and the fallback."""

FALLBACK = "Erhvervsservice"

DEPARTMENTS: tuple[str, ...] = (
    "Erhvervsservice",
    "Byggesag",
    "Byplan",
    "Industrimiljø",
    "Vej og Trafik",
    "Grundsalg",
    "Jobcenter Virksomhedsservice",
    "Borgerservice",
    "Affald",
    "Brand og Redning",
    "Opkrævning",
    "Kultur og Events",
)


def normalise_department(name: str | None) -> str:
    """Accept case-insensitive spellings; anything unknown goes to the fallback."""
    if not name:
        return FALLBACK
    lowered = name.strip().lower()
    for department in DEPARTMENTS:
        if department.lower() == lowered:
            return department
    return FALLBACK
