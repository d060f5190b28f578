package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/loadgate/loadgate/apiserver"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// shutdownGrace is how long serve waits for in-flight requests after a signal.
const shutdownGrace = 10 * time.Second

// serverFlags are the reference API's settings as flags, shared by every
// command that starts it.
type serverFlags struct {
	cfg       apiserver.Config
	logFormat string
	logLevel  string
}

func (f *serverFlags) register(fs *pflag.FlagSet) {
	d := apiserver.DefaultConfig()
	fs.DurationVar(&f.cfg.LockTimeout, "lock-timeout", d.LockTimeout, "how long a request tries to take the storage lock before it answers 503")
	fs.DurationVar(&f.cfg.LockSpin, "lock-spin", d.LockSpin, "pause between two attempts to take the storage lock")
	fs.IntVar(&f.cfg.BcryptCost, "bcrypt-cost", d.BcryptCost, "bcrypt work factor (4-31); 10 costs about 63 ms a hash on one core")
	fs.IntVar(&f.cfg.LoginPermits, "login-permits", 0, "logins allowed to run at once; 0 turns the login semaphore off")
	fs.DurationVar(&f.cfg.PermitWait, "permit-wait", d.PermitWait, "how long a login waits for a permit before it gets the overload 503")
	fs.BoolVar(&f.cfg.HashUnderLock, "hash-under-lock", false, "fault: run bcrypt inside the storage lock")
	fs.DurationVar(&f.cfg.StorageDelay, "storage-delay", 0, "fault: extra time spent inside the storage lock on every storage operation")
	fs.StringVar(&f.logFormat, "log-format", "text", "server log format: text or json")
	fs.StringVar(&f.logLevel, "log-level", "info", "server log level: debug (one record per storage operation), info, warn or error")
}

// config returns the validated server configuration, logging to logs.
func (f *serverFlags) config(logs io.Writer) (apiserver.Config, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(f.logLevel)); err != nil {
		return apiserver.Config{}, usagef("invalid --log-level %q: want debug, info, warn or error", f.logLevel)
	}
	opts := &slog.HandlerOptions{Level: level}
	cfg := f.cfg
	switch f.logFormat {
	case "text":
		cfg.Logger = slog.New(slog.NewTextHandler(logs, opts))
	case "json":
		cfg.Logger = slog.New(slog.NewJSONHandler(logs, opts))
	default:
		return apiserver.Config{}, usagef("invalid --log-format %q: want text or json", f.logFormat)
	}
	if err := cfg.Validate(); err != nil {
		return apiserver.Config{}, usageError{err}
	}
	return cfg, nil
}

func newServeCommand(stdout, stderr io.Writer) *cobra.Command {
	var flags serverFlags
	var addr string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the reference auth API in the foreground",
		Long: `Run the reference auth API (register, login, profile, health) until SIGINT or
SIGTERM, then shut down gracefully. Logs go to stderr; the address to stdout.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, _, err := net.SplitHostPort(addr); err != nil {
				return usagef("invalid --addr %q: want host:port, such as 127.0.0.1:8080", addr)
			}
			cfg, err := flags.config(stderr)
			if err != nil {
				return err
			}
			in, err := apiserver.Listen(addr, cfg)
			if err != nil {
				return fmt.Errorf("starting the reference API: %w", err)
			}
			fprintf(stdout, "loadgate serve: reference API listening on %s\n", in.URL())
			<-cmd.Context().Done()
			ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
			defer cancel()
			err = in.Shutdown(ctx)
			in.LogLockStats()
			return err
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "address to listen on (host:port; port 0 picks a free one)")
	flags.register(cmd.Flags())
	return cmd
}
