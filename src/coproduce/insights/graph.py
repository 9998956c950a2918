"""Graph measures on an already-aggregated list of ties (pure Python, no database access).

The database reduces a million exchanges to one row per pair of people who exchanged; these
functions then work on that small edge list: connected components, and the people who connect
otherwise separate groups (articulation points). Both are iterative, so a long chain of members
cannot overflow Python's recursion limit.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass

Node = Hashable


@dataclass(frozen=True)
class GraphSummary:
    nodes: int
    ties: int
    density: float  # ties / possible ties among the nodes, 0 when fewer than two nodes
    ties_per_node: float  # mean number of distinct partners
    components: int
    largest_component: int
    brokers: frozenset  # nodes whose removal splits their group in two or more


def adjacency(nodes: Iterable[Node], ties: Iterable[tuple[Node, Node]]) -> dict[Node, set[Node]]:
    graph: dict[Node, set[Node]] = {node: set() for node in nodes}
    for a, b in ties:
        if a == b:
            continue
        graph.setdefault(a, set()).add(b)
        graph.setdefault(b, set()).add(a)
    return graph


def components(graph: dict[Node, set[Node]]) -> list[set[Node]]:
    seen: set[Node] = set()
    found: list[set[Node]] = []
    for start in graph:
        if start in seen:
            continue
        group = {start}
        stack = [start]
        seen.add(start)
        while stack:
            for neighbour in graph[stack.pop()]:
                if neighbour not in seen:
                    seen.add(neighbour)
                    group.add(neighbour)
                    stack.append(neighbour)
        found.append(group)
    return found


def articulation_points(graph: dict[Node, set[Node]]) -> set[Node]:
    """Hopcroft-Tarjan, iteratively: a node is a cut vertex when one of its DFS children cannot
    reach above it without passing through it (or, for a DFS root, when it has two children)."""
    order: dict[Node, int] = {}
    low: dict[Node, int] = {}
    cut: set[Node] = set()
    counter = 0
    for root in graph:
        if root in order:
            continue
        order[root] = low[root] = counter
        counter += 1
        root_children = 0
        # Each frame: (node, parent, iterator over its neighbours).
        stack: list[tuple[Node, Node | None, Iterator[Node]]] = [(root, None, iter(graph[root]))]
        while stack:
            node, parent, neighbours = stack[-1]
            advanced = False
            for neighbour in neighbours:
                if neighbour == parent:
                    continue
                if neighbour in order:
                    low[node] = min(low[node], order[neighbour])
                    continue
                order[neighbour] = low[neighbour] = counter
                counter += 1
                if node == root:
                    root_children += 1
                stack.append((neighbour, node, iter(graph[neighbour])))
                advanced = True
                break
            if advanced:
                continue
            stack.pop()
            if parent is not None:
                low[parent] = min(low[parent], low[node])
                if parent != root and low[node] >= order[parent]:
                    cut.add(parent)
        if root_children >= 2:
            cut.add(root)
    return cut


def summarise(nodes: Iterable[Node], ties: Iterable[tuple[Node, Node]]) -> GraphSummary:
    graph = adjacency(nodes, ties)
    n = len(graph)
    edge_count = sum(len(partners) for partners in graph.values()) // 2
    groups = components(graph)
    return GraphSummary(
        nodes=n,
        ties=edge_count,
        density=(2 * edge_count / (n * (n - 1))) if n > 1 else 0.0,
        ties_per_node=(2 * edge_count / n) if n else 0.0,
        components=len(groups),
        largest_component=max((len(group) for group in groups), default=0),
        brokers=frozenset(articulation_points(graph)),
    )
