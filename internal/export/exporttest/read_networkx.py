"""Read a GraphML or GEXF export with networkx and print what it read.

Usage: read_networkx.py graphml|gexf FILE. Prints JSON: whether the graph is
directed, the graph's attributes, every node with its attributes and every
edge with its source, target and attributes, as networkx holds them. The
caller compares that with what it exported.
"""

import json
import sys

import networkx as nx


def main(fmt, path):
    if fmt == "graphml":
        graph = nx.read_graphml(path, force_multigraph=True)
    elif fmt == "gexf":
        graph = nx.read_gexf(path, version="1.3")
    else:
        raise SystemExit("unknown format %r" % fmt)
    out = {
        "directed": graph.is_directed(),
        "multigraph": graph.is_multigraph(),
        "graph": graph.graph,
        "nodes": {str(n): data for n, data in graph.nodes(data=True)},
        "edges": [],
    }
    if graph.is_multigraph():
        edges = graph.edges(keys=True, data=True)
    else:  # read_gexf returns a simple graph when no two edges share their ends
        edges = ((u, v, data.get("id"), data) for u, v, data in graph.edges(data=True))
    for u, v, k, data in edges:
        out["edges"].append({"source": str(u), "target": str(v), "key": str(k), "data": data})
    json.dump(out, sys.stdout, default=str)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
