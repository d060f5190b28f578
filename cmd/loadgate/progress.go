package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/loadgate/loadgate/runner"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progressInterval is how often the progress bar is redrawn.
const progressInterval = 250 * time.Millisecond

// isTerminal reports whether w (or the writer a printOut prints to) is a
// terminal.
func isTerminal(w io.Writer) bool {
	if p, ok := w.(*printOut); ok {
		w = p.w
	}
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// showProgress draws a progress bar on w while a run with load goes on:
// elapsed over total time (or iterations done over total), requests, rate,
// errors and, in the open model, dropped arrivals. The returned function removes the bar; call it before printing the
// summary.
func showProgress(w io.Writer, load runner.Load, p *runner.Progress) (stop func()) {
	length := load.Length()
	byTime := length > 0
	total := load.Iterations
	if byTime {
		total = length.Milliseconds()
	}
	began := time.Now()
	return drawBar(w, total, func(bar *progressbar.ProgressBar) {
		elapsed := time.Since(began)
		position, of := fmt.Sprintf("%d/%d it", p.Iterations(), load.Iterations), p.Iterations()
		if byTime {
			position = fmt.Sprintf("%s/%s", elapsed.Truncate(time.Second), length)
			of = min(elapsed.Milliseconds(), total)
		}
		status := fmt.Sprintf("%s  %d req  %.0f req/s  %d errors",
			position, p.Requests(), float64(p.Requests())/elapsed.Seconds(), p.Errors())
		if load.Open {
			status += fmt.Sprintf("  %d dropped", p.Dropped())
		}
		bar.Describe(status)
		bar.Set64(of)
	})
}

// showSetupProgress draws a progress bar on w while the setup phase goes
// on: users done over users. The returned function removes it.
func showSetupProgress(w io.Writer, users int, p *runner.SetupProgress) (stop func()) {
	return drawBar(w, int64(users), func(bar *progressbar.ProgressBar) {
		bar.Describe(fmt.Sprintf("setup  %d/%d users", p.Done(), users))
		bar.Set64(p.Done())
	})
}

// drawBar draws a bar of total steps on w, calling update every
// progressInterval until the returned function is called; that function
// removes the bar.
func drawBar(w io.Writer, total int64, update func(*progressbar.ProgressBar)) (stop func()) {
	bar := progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetWidth(24),
		progressbar.OptionSetPredictTime(false),
		progressbar.OptionSetElapsedTime(false),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetRenderBlankState(true))
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		ticker := time.NewTicker(progressInterval)
		defer ticker.Stop()
		for {
			select {
			case <-done:
				return
			case <-ticker.C:
			}
			update(bar)
		}
	}()
	return func() {
		close(done)
		<-finished
		bar.Clear()
		fmt.Fprint(w, "\r")
	}
}
