"""Graph measures on an already-aggregated list of ties (pure Python, no database access).

The database reduces a million exchanges to one row per pair of people who exchanged; these
functions then work on that small edge list: connected components, and the people who connect
otherwise separate groups (articulation points). Both are iterative, so a long chain of members
cannot overflow Python's recursion limit.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Iterator, Sequence
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


def _numbered(
    nodes: Iterable[Node], ties: Iterable[tuple[Node, Node]], distinct: bool = False
) -> tuple[list[Node], list[set[int]] | list[list[int]]]:
    """The nodes (the given ones, then any only found on a tie) and, by position, each one's
    partners' positions: `adjacency` on numbers, without a dict look-up per step later.
    `distinct`: the caller promises each tie once, never a node with itself (lists, no sets)."""
    index: dict[Node, int] = {}
    for node in nodes:
        index.setdefault(node, len(index))
    if distinct:
        listed: list[list[int]] = [[] for _ in index]
        for a, b in ties:
            i = index.get(a)
            if i is None:
                i = index[a] = len(listed)
                listed.append([])
            j = index.get(b)
            if j is None:
                j = index[b] = len(listed)
                listed.append([])
            listed[i].append(j)
            listed[j].append(i)
        return list(index), listed
    partners: list[set[int]] = [set() for _ in index]
    for a, b in ties:
        if a == b:
            continue
        i = index.get(a)
        if i is None:
            i = index[a] = len(partners)
            partners.append(set())
        j = index.get(b)
        if j is None:
            j = index[b] = len(partners)
            partners.append(set())
        partners[i].add(j)
        partners[j].add(i)
    return list(index), partners


def _groups_and_cut_vertices(
    nodes: list[Node], adj: Sequence[Collection[int]]
) -> tuple[list[int], set[Node]]:
    """The sizes of the connected groups and the cut vertices, in one depth-first pass (the
    trees of the articulation-point search are the components): the same Hopcroft-Tarjan as
    `articulation_points`, on nodes numbered 0..n-1 with lists instead of dicts, which at
    10,000 nodes and 90,000 ties takes well under half the time of the two passes."""
    n = len(nodes)
    order = [-1] * n
    low = [0] * n
    cut = [False] * n
    sizes: list[int] = []
    counter = 0
    for root in range(n):
        if order[root] != -1:
            continue
        first = counter
        order[root] = low[root] = counter
        counter += 1
        root_children = 0
        # Three parallel stacks: the path from the root, each node's parent, and where each
        # node's list of neighbours is up to.
        path = [root]
        parents = [-1]
        pending = [iter(adj[root])]
        while path:
            node = path[-1]
            parent = parents[-1]
            for neighbour in pending[-1]:
                if neighbour == parent:
                    continue
                seen = order[neighbour]
                if seen != -1:
                    if seen < low[node]:
                        low[node] = seen
                    continue
                order[neighbour] = low[neighbour] = counter
                counter += 1
                if node == root:
                    root_children += 1
                path.append(neighbour)
                parents.append(node)
                pending.append(iter(adj[neighbour]))
                break
            else:
                path.pop()
                parents.pop()
                pending.pop()
                if parent != -1:
                    if low[node] < low[parent]:
                        low[parent] = low[node]
                    if parent != root and low[node] >= order[parent]:
                        cut[parent] = True
        if root_children >= 2:
            cut[root] = True
        sizes.append(counter - first)
    return sizes, {nodes[i] for i in range(n) if cut[i]}


def summarise(
    nodes: Iterable[Node], ties: Iterable[tuple[Node, Node]], *, distinct: bool = False
) -> GraphSummary:
    """`distinct=True` when the caller gives each tie once and none from a node to itself
    (the network's pairs): then nothing is de-duplicated."""
    names, adj = _numbered(nodes, ties, distinct)
    n = len(names)
    edge_count = sum(len(partners) for partners in adj) // 2
    sizes, cut = _groups_and_cut_vertices(names, adj)
    return GraphSummary(
        nodes=n,
        ties=edge_count,
        density=(2 * edge_count / (n * (n - 1))) if n > 1 else 0.0,
        ties_per_node=(2 * edge_count / n) if n else 0.0,
        components=len(sizes),
        largest_component=max(sizes, default=0),
        brokers=frozenset(cut),
    )
