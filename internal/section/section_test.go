package section

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.yaml.in/yaml/v3"

	"github.com/trustml/trustml/internal/yamlx"
)

func TestRegisterAndDecode(t *testing.T) {
	Register("test.echo", func(d *yamlx.Decoder, _, n *yaml.Node, path string, env Env) any {
		return path + "@" + env.Dir + "=" + n.Value
	})
	got := Decode("test.echo", &yamlx.Decoder{}, nil, &yaml.Node{Kind: yaml.ScalarNode, Value: "v"}, "echo", Env{Dir: "/d"})
	assert.Equal(t, "echo@/d=v", got)
	assert.PanicsWithValue(t, `section: "test.echo" registered twice`, func() {
		Register("test.echo", func(*yamlx.Decoder, *yaml.Node, *yaml.Node, string, Env) any { return nil })
	})
	assert.PanicsWithValue(t, `section: no decoder registered for "test.none"`, func() {
		Decode("test.none", &yamlx.Decoder{}, nil, nil, "", Env{})
	})
}
