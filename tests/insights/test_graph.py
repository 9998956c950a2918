"""The graph measures on hand-drawn edge lists."""

from __future__ import annotations

from coproduce.insights.graph import adjacency, articulation_points, components, summarise


def test_a_triangle_has_no_connectors():
    graph = adjacency("abc", [("a", "b"), ("b", "c"), ("c", "a")])
    assert articulation_points(graph) == set()
    assert [len(c) for c in components(graph)] == [3]


def test_the_middle_of_a_chain_connects_its_ends():
    graph = adjacency("abcd", [("a", "b"), ("b", "c"), ("c", "d")])
    assert articulation_points(graph) == {"b", "c"}


def test_a_bridge_between_two_triangles():
    ties = [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("d", "e"), ("e", "f"), ("f", "d")]
    assert articulation_points(adjacency("abcdef", ties)) == {"c", "d"}


def test_a_star_centre_is_the_only_connector():
    graph = adjacency("hxyz", [("h", "x"), ("h", "y"), ("h", "z")])
    assert articulation_points(graph) == {"h"}


def test_separate_groups_and_lonely_points():
    summary = summarise("abcdeg", [("a", "b"), ("c", "d"), ("d", "e")])
    assert (summary.nodes, summary.ties, summary.components, summary.largest_component) == (
        6,
        3,
        3,
        3,
    )
    assert summary.density == 2 * 3 / (6 * 5)
    assert summary.ties_per_node == 1
    assert summary.brokers == {"d"}


def test_a_long_chain_does_not_hit_the_recursion_limit():
    n = 5000
    summary = summarise(range(n), [(i, i + 1) for i in range(n - 1)])
    assert len(summary.brokers) == n - 2


def test_repeated_and_self_ties_count_once():
    summary = summarise("ab", [("a", "b"), ("b", "a"), ("a", "a")])
    assert summary.ties == 1
    assert summary.density == 1


def _brute_force(nodes, ties):
    """Components by repeated flooding, and cut vertices by removing each node in turn."""

    def groups(without=None):
        graph = {n: set() for n in nodes if n != without}
        for a, b in ties:
            if a != b and without not in (a, b):
                graph[a].add(b)
                graph[b].add(a)
        return components(graph)

    whole = groups()
    cut = {n for n in nodes if len(groups(without=n)) > len(whole) - (1 if _alone(n, ties) else 0)}
    return sorted(len(g) for g in whole), cut


def _alone(node, ties):
    return not any(node in (a, b) and a != b for a, b in ties)


def test_the_one_pass_measures_agree_with_brute_force_on_random_networks():
    import random

    rng = random.Random(17)
    for _ in range(200):
        nodes = list(range(rng.randrange(1, 25)))
        ties = [(rng.choice(nodes), rng.choice(nodes)) for _ in range(rng.randrange(0, 40))]
        sizes, cut = _brute_force(nodes, ties)
        summary = summarise(nodes, ties)
        assert (summary.components, summary.largest_component) == (len(sizes), max(sizes))
        assert summary.brokers == cut
        assert summary.brokers == articulation_points(adjacency(nodes, ties))
        distinct = {(min(a, b), max(a, b)) for a, b in ties if a != b}
        assert summarise(nodes, sorted(distinct), distinct=True) == summary
