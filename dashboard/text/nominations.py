"""UI text of the nominations page: key -> (中文, English)."""

TEXT: dict[str, tuple[str, str]] = {
}
