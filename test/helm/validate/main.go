// Command validate decodes every document of `helm template` output (stdin)
// into the Kubernetes API types with strict decoding: an unknown field, a
// duplicate field, a wrong type or a kind the API does not know fails, naming
// the document. It stands in for the API server's own schema check, which
// cannot run here.
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/serializer/json"
	"k8s.io/client-go/kubernetes/scheme"
)

func main() {
	input, err := io.ReadAll(bufio.NewReader(os.Stdin))
	if err != nil {
		fmt.Fprintln(os.Stderr, "reading stdin:", err)
		os.Exit(2)
	}
	decoder := json.NewSerializerWithOptions(json.DefaultMetaFactory, scheme.Scheme, scheme.Scheme,
		json.SerializerOptions{Yaml: true, Strict: true})
	count, failures := 0, 0
	for _, doc := range documents(string(input)) {
		source := sourceOf(doc)
		obj, gvk, err := decoder.Decode([]byte(doc), nil, nil)
		if err != nil {
			failures++
			fmt.Fprintf(os.Stderr, "%s: %v\n", source, err)
			continue
		}
		count++
		fmt.Printf("ok %s %s (%s)\n", gvk.Kind, nameOf(obj), source)
	}
	fmt.Printf("%d objects valid, %d invalid\n", count, failures)
	if failures > 0 || count == 0 {
		os.Exit(1)
	}
}

// documents splits a YAML stream on "---" lines, leaving out documents that
// hold only comments (helm prints one per template that rendered nothing).
func documents(stream string) []string {
	var docs []string
	var current bytes.Buffer
	flush := func() {
		text := current.String()
		current.Reset()
		for _, line := range strings.Split(text, "\n") {
			trimmed := strings.TrimSpace(line)
			if trimmed != "" && !strings.HasPrefix(trimmed, "#") {
				docs = append(docs, text)
				return
			}
		}
	}
	for _, line := range strings.Split(stream, "\n") {
		if strings.HasPrefix(line, "---") {
			flush()
			continue
		}
		current.WriteString(line)
		current.WriteByte('\n')
	}
	flush()
	return docs
}

// sourceOf returns the "# Source:" comment helm puts above each document.
func sourceOf(doc string) string {
	for _, line := range strings.Split(doc, "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "# Source:"); ok {
			return strings.TrimSpace(rest)
		}
	}
	return "(no source comment)"
}

func nameOf(obj any) string {
	if named, ok := obj.(interface{ GetName() string }); ok {
		return named.GetName()
	}
	return "?"
}
