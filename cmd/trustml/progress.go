package main

import (
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progressAfter is how long a run goes before it shows progress: quick
// runs stay quiet.
const progressAfter = time.Second

// newProgress returns the callback that draws a live progress line on
// stderr (done of total, rate, time left), or nil when stderr is not a
// terminal, so that CI logs stay clean. The line appears only once the
// run has lasted progressAfter, and is cleared when reading ends.
func newProgress(stderr io.Writer) func(done, total int64, unit string) {
	f, ok := stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	start := time.Now()
	var bar *progressbar.ProgressBar
	return func(done, total int64, unit string) {
		if bar == nil {
			if time.Since(start) < progressAfter || (total > 0 && done >= total) {
				return
			}
			max := total
			if max <= 0 {
				max = -1 // unknown: a spinner with the count
			}
			opts := []progressbar.Option{
				progressbar.OptionSetWriter(f),
				progressbar.OptionSetDescription("reading"),
				progressbar.OptionSetPredictTime(true),
				progressbar.OptionShowElapsedTimeOnFinish(),
				progressbar.OptionThrottle(100 * time.Millisecond),
				progressbar.OptionClearOnFinish(),
				progressbar.OptionSetWidth(30),
			}
			if unit == "bytes" {
				opts = append(opts, progressbar.OptionShowBytes(true))
			} else {
				opts = append(opts, progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString(unit))
			}
			bar = progressbar.NewOptions64(max, opts...)
		}
		_ = bar.Set64(done)
		if total > 0 && done >= total {
			_ = bar.Finish()
		}
	}
}
