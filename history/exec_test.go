package history

import (
	"os"
	"os/exec"
	"testing"
)

// execSelf runs this test binary again with extra environment variables
// (TestMain then acts as a worker).
func execSelf(t *testing.T, env ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), env...)
	return cmd
}
