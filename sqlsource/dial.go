package sqlsource

import (
	"context"
	"net"
)

// DialFunc opens a network connection, as net.Dialer.DialContext does.
type DialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

type dialKey struct{}

// WithDialer returns a context under which the engines that reach their
// server over the network (PostgreSQL) open their connections with dial
// instead of the system's dialer: to count the bytes a run receives, or to
// route the connection. Open and the run take it from their context.
func WithDialer(ctx context.Context, dial DialFunc) context.Context {
	return context.WithValue(ctx, dialKey{}, dial)
}

// dialer returns the DialFunc of ctx, or nil.
func dialer(ctx context.Context) DialFunc {
	d, _ := ctx.Value(dialKey{}).(DialFunc)
	return d
}

// Lookup returns the engine registered under name: a program may wrap its
// Connect (to observe its sessions) and register the result under another
// name.
func Lookup(name string) (Engine, bool) {
	e := engine(name)
	if e == nil {
		return Engine{}, false
	}
	return *e, true
}
