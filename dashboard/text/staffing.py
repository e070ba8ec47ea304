"""UI text of the staffing page: key -> (中文, English)."""

TEXT: dict[str, tuple[str, str]] = {
}
