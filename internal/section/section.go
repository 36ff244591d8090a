// Package section is where each package that owns a section of the suite
// file declares how it is decoded, the way database/sql drivers register
// themselves: model registers "model", checklist "checklist", and so on.
// The root package decodes a suite through Decode, while every section's
// decoder stays unexported in the package that owns its types.
package section

import (
	"fmt"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/trustml/trustml/internal/yamlx"
)

// Env is what a section decoder knows of the suite file beyond its node.
type Env struct {
	// Dir is the directory of the suite file, against which relative
	// paths are resolved.
	Dir string
	// Task is the task the suite's model section states (its task key,
	// "regression" when it has none), read before any section is decoded
	// so that a section measuring the model knows its metrics wherever it
	// stands in the file; "" when the suite has no model section.
	Task string
}

// Func decodes the section whose key node is key and value node n, at key
// path path, recording every problem in d, and returns the section's spec
// (for example a *model.Spec).
type Func func(d *yamlx.Decoder, key, n *yaml.Node, path string, env Env) any

var (
	mu    sync.RWMutex
	funcs = map[string]Func{}
)

// Register declares the decoder of the section called name. It panics
// when name is registered twice (a programming error).
func Register(name string, f Func) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := funcs[name]; dup {
		panic(fmt.Sprintf("section: %q registered twice", name))
	}
	funcs[name] = f
}

// Decode decodes the section called name with its registered decoder. It
// panics when no package registered name (the importing package forgot to
// import the section's package).
func Decode(name string, d *yamlx.Decoder, key, n *yaml.Node, path string, env Env) any {
	mu.RLock()
	f, ok := funcs[name]
	mu.RUnlock()
	if !ok {
		panic(fmt.Sprintf("section: no decoder registered for %q", name))
	}
	return f(d, key, n, path, env)
}
