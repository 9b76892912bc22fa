// Package exporttest checks exports with the tools their readers use:
// the followthemoney library for FtM, networkx for GraphML and GEXF, and
// Cytoscape.js for its JSON. The tools are installed from their package
// registries at test time (`make test-tools` puts followthemoney and
// networkx, pinned in test-requirements.txt, into .venv; `make web` puts
// cytoscape, pinned in web/package-lock.json, into web/node_modules). A
// missing tool fails the test, never skips it: a skipped check looks like
// a passed one.
package exporttest

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

var (
	//go:embed check_ftm.py
	checkFtMScript []byte
	//go:embed read_networkx.py
	readNetworkXScript []byte
	//go:embed read_cytoscape.cjs
	readCytoscapeScript []byte
)

// Root returns the repository's root: the nearest directory above the
// working directory that holds go.mod.
func Root(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("no go.mod above the working directory")
		}
		dir = parent
	}
}

var (
	pythonOnce sync.Once
	pythonErr  string
)

// MustPython returns the virtual environment's Python, with followthemoney
// and networkx importable.
func MustPython(tb testing.TB) string {
	tb.Helper()
	py := filepath.Join(Root(tb), ".venv", "bin", "python")
	pythonOnce.Do(func() {
		if out, err := exec.Command(py, "-c", "import followthemoney, networkx").CombinedOutput(); err != nil {
			pythonErr = fmt.Sprintf("%s cannot import followthemoney and networkx (%v): run `make test-tools` to install them from PyPI into .venv\n%s", py, err, out)
		}
	})
	if pythonErr != "" {
		tb.Fatal(pythonErr)
	}
	return py
}

// MustNodeCytoscape returns node and the NODE_PATH under which Cytoscape.js
// resolves.
func MustNodeCytoscape(tb testing.TB) (node, nodePath string) {
	tb.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		tb.Fatal("node is not on PATH: install Node.js (it reads the Cytoscape JSON export with Cytoscape.js)")
	}
	nodePath = filepath.Join(Root(tb), "web", "node_modules")
	if _, err := os.Stat(filepath.Join(nodePath, "cytoscape", "package.json")); err != nil {
		tb.Fatalf("cytoscape is not in %s: run `make web` (npm ci) to install it from npm", nodePath)
	}
	return node, nodePath
}

// script writes an embedded script to a temporary file.
func script(tb testing.TB, name string, body []byte) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(path, body, 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

// run runs cmd and decodes its standard output as JSON into v.
func run(tb testing.TB, cmd *exec.Cmd, v any) {
	tb.Helper()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		tb.Fatalf("%s: %v\n%s", filepath.Base(cmd.Args[1]), err, stderr.Bytes())
	}
	if err := json.Unmarshal(stdout.Bytes(), v); err != nil {
		tb.Fatalf("%s printed no JSON (%v): %.500s\n%s", filepath.Base(cmd.Args[1]), err, stdout.Bytes(), stderr.Bytes())
	}
}

// FtMReport is what the followthemoney check found.
type FtMReport struct {
	Entities int            `json:"entities"`
	Schemata map[string]int `json:"schemata"`
	Errors   []struct {
		Line    int    `json:"line"`
		ID      string `json:"id"`
		Problem string `json:"problem"`
	} `json:"errors"`
}

// CheckFtM loads FtM exports (JSON lines) with the followthemoney library
// and reports every problem of each (see check_ftm.py), in one process.
func CheckFtM(tb testing.TB, exports ...[]byte) []FtMReport {
	tb.Helper()
	args := []string{script(tb, "check_ftm.py", checkFtMScript)}
	for i, data := range exports {
		args = append(args, script(tb, fmt.Sprintf("export-%d.ftm.json", i), data))
	}
	var r []FtMReport
	run(tb, exec.Command(MustPython(tb), args...), &r)
	if len(r) != len(exports) {
		tb.Fatalf("check_ftm.py reported on %d exports, not %d", len(r), len(exports))
	}
	return r
}

// NetworkX is a graph as networkx reads it.
type NetworkX struct {
	Directed   bool                      `json:"directed"`
	Multigraph bool                      `json:"multigraph"`
	Graph      map[string]any            `json:"graph"`
	Nodes      map[string]map[string]any `json:"nodes"`
	Edges      []struct {
		Source string         `json:"source"`
		Target string         `json:"target"`
		Key    string         `json:"key"`
		Data   map[string]any `json:"data"`
	} `json:"edges"`
}

// ReadNetworkX reads a GraphML or GEXF export ("graphml" or "gexf") with
// networkx.
func ReadNetworkX(tb testing.TB, format string, data []byte) *NetworkX {
	tb.Helper()
	file := script(tb, "export."+format, data)
	var g NetworkX
	run(tb, exec.Command(MustPython(tb), script(tb, "read_networkx.py", readNetworkXScript), format, file), &g)
	return &g
}

// Cytoscape is a Cytoscape.js JSON export as Cytoscape.js loads it.
type Cytoscape struct {
	Data  map[string]any `json:"data"`
	Nodes map[string]struct {
		Data     map[string]any     `json:"data"`
		Position map[string]float64 `json:"position"`
		Color    string             `json:"color"`
		Shape    string             `json:"shape"`
	} `json:"nodes"`
	Edges []struct {
		Data   map[string]any `json:"data"`
		Source string         `json:"source"`
		Target string         `json:"target"`
	} `json:"edges"`
	Problems []string `json:"problems"`
}

// ReadCytoscape loads a Cytoscape.js JSON export with Cytoscape.js.
func ReadCytoscape(tb testing.TB, data []byte) *Cytoscape {
	tb.Helper()
	node, nodePath := MustNodeCytoscape(tb)
	file := script(tb, "export.cyjs", data)
	cmd := exec.Command(node, script(tb, "read_cytoscape.cjs", readCytoscapeScript), file)
	cmd.Env = append(os.Environ(), "NODE_PATH="+nodePath)
	var c Cytoscape
	run(tb, cmd, &c)
	return &c
}
