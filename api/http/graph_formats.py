"""The relationship graph as GraphML and as Graphviz DOT, for Gephi, yEd, networkx and ``dot``."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from schema.graph import Graph

__all__ = ["DOT", "GRAPHML", "to_dot", "to_graphml"]

GRAPHML = "application/graphml+xml"
DOT = "text/vnd.graphviz"

_NODE_KEYS = (("kind", "string"), ("key", "string"), ("name", "string"))
_EDGE_KEYS = (
    ("kind", "string"),
    ("status", "string"),
    ("role", "string"),
    ("certainty", "string"),
    ("facts", "int"),
    ("source_count", "int"),
)
_BOTH_WAYS = frozenset({"partners_with", "competes_with", "met"})


def to_graphml(graph: Graph) -> bytes:
    """GraphML 1.0: one directed graph; node and edge fields as ``data`` (absent where null)."""
    root = ET.Element("graphml", xmlns="http://graphml.graphdrawing.org/xmlns")
    for name, kind in _NODE_KEYS:
        ET.SubElement(root, "key", {"id": f"n_{name}", "for": "node", "attr.name": name, "attr.type": kind})
    for name, kind in _EDGE_KEYS:
        ET.SubElement(root, "key", {"id": f"e_{name}", "for": "edge", "attr.name": name, "attr.type": kind})
    body = ET.SubElement(root, "graph", id="tidings", edgedefault="directed")
    for node in graph.nodes:
        element = ET.SubElement(body, "node", id=node.id)
        for name, value in (("kind", node.kind), ("key", node.key), ("name", node.name)):
            if value is not None:
                ET.SubElement(element, "data", key=f"n_{name}").text = value
    for index, edge in enumerate(graph.edges):
        element = ET.SubElement(body, "edge", id=f"e{index}", source=edge.source, target=edge.target)
        values = (edge.kind, edge.status, edge.role, edge.certainty, str(edge.facts), str(edge.source_count))
        for (name, _), text in zip(_EDGE_KEYS, values, strict=True):
            if text is not None:
                ET.SubElement(element, "data", key=f"e_{name}").text = text
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document


def _quoted(text: str) -> str:
    """A DOT double-quoted string: backslashes and quotes escaped, line breaks as ``\\n``."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "").replace("\n", "\\n")
    return f'"{escaped}"'


def to_dot(graph: Graph) -> bytes:
    """A Graphviz digraph: nodes labelled by name, edges by kind; two-way kinds drawn without arrows."""
    lines = ["digraph tidings {"]
    for node in graph.nodes:
        shape = "box" if node.kind == "company" else "ellipse"
        lines.append(f"  {_quoted(node.id)} [label={_quoted(node.name or node.key)}, shape={shape}];")
    for edge in graph.edges:
        label = edge.kind if edge.status is None else f"{edge.kind} ({edge.status})"
        if edge.role is not None:
            label = f"{edge.kind} ({edge.role})"
        style = "dashed" if edge.certainty == "speculative" else "solid"
        direction = ", dir=none" if edge.kind in _BOTH_WAYS else ""
        lines.append(
            f"  {_quoted(edge.source)} -> {_quoted(edge.target)} [label={_quoted(label)}, style={style}{direction}];"
        )
    lines.append("}")
    return ("\n".join(lines) + "\n").encode()
