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
