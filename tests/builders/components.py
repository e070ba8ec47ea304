"""Reading a Dash component tree the way a person reads the page: its words, and the components
of a kind."""
from __future__ import annotations


def texts(component) -> list[str]:
    """Every string in a Dash component tree, in order."""
    if component is None:
        return []
    if isinstance(component, (str, int, float)):
        return [str(component)]
    if isinstance(component, (list, tuple)):
        return [s for c in component for s in texts(c)]
    return texts(getattr(component, "children", None))


def find(component, predicate) -> list:
    """Every component in the tree for which `predicate` holds."""
    found = [component] if hasattr(component, "to_plotly_json") and predicate(component) else []
    children = getattr(component, "children", None) if not isinstance(component, (list, tuple)) else component
    if isinstance(children, (list, tuple)):
        for child in children:
            found += find(child, predicate)
    elif children is not None and not isinstance(children, (str, int, float)):
        found += find(children, predicate)
    return found
