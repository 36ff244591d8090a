package main

import (
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSetGCPercent(t *testing.T) {
	old := debug.SetGCPercent(100)
	defer debug.SetGCPercent(old)
	setGCPercent(func(string) string { return "" })
	assert.Equal(t, gcPercent, debug.SetGCPercent(100), "GOGC unset: trustml's headroom")
	setGCPercent(func(k string) string { return map[string]string{"GOGC": "300"}[k] })
	assert.Equal(t, 100, debug.SetGCPercent(100), "GOGC set: left to the runtime")
}
