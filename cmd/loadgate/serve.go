package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
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
	cfg apiserver.Config
}

// serverFlagNames lists the flags serverFlags registers.
func serverFlagNames() []string {
	fs := pflag.NewFlagSet("server", pflag.ContinueOnError)
	(&serverFlags{}).register(fs)
	var names []string
	fs.VisitAll(func(f *pflag.Flag) { names = append(names, f.Name) })
	return names
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
}

// config returns the validated server configuration with logger. A zero
// duration would silently mean the default in apiserver.Config, so on the
// command line it is refused.
func (f *serverFlags) config(logger *slog.Logger) (apiserver.Config, error) {
	cfg := f.cfg
	for name, d := range map[string]time.Duration{"lock-timeout": cfg.LockTimeout, "lock-spin": cfg.LockSpin, "permit-wait": cfg.PermitWait} {
		if d == 0 {
			return apiserver.Config{}, usagef("--%s must be positive, got 0s", name)
		}
	}
	cfg.Logger = logger
	if err := cfg.Validate(); err != nil {
		return apiserver.Config{}, usageError{err}
	}
	return cfg, nil
}

// logFlags choose the format and level of serve's logs.
type logFlags struct {
	format string
	level  string
}

func (f *logFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.format, "log-format", "text", "log format: text or json")
	fs.StringVar(&f.level, "log-level", "info", "log level: debug (adds one record per storage operation), info, warn or error")
}

// logger returns a logger writing to w as the flags say.
func (f *logFlags) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(f.level)); err != nil {
		return nil, usagef("invalid --log-level %q: want debug, info, warn or error", f.level)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch f.format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	default:
		return nil, usagef("invalid --log-format %q: want text or json", f.format)
	}
}

func newServeCommand(stdout, stderr io.Writer) *cobra.Command {
	var flags serverFlags
	var logs logFlags
	var addr, metricsAddr string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the reference auth API in the foreground",
		Long: `Run the reference auth API (register, login, profile, health) until SIGINT or
SIGTERM, then shut down gracefully. Logs go to stderr; the address to stdout.
With --metrics-addr, its Prometheus metrics are served at /metrics on a
listener of their own.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkAddr("--addr", addr); err != nil {
				return err
			}
			if err := checkAddr("--metrics-addr", metricsAddr); metricsAddr != "" && err != nil {
				return err
			}
			logger, err := logs.logger(stderr)
			if err != nil {
				return err
			}
			cfg, err := flags.config(logger)
			if err != nil {
				return err
			}
			in, err := apiserver.Listen(addr, cfg)
			if err != nil {
				return fmt.Errorf("starting the reference API: %w", err)
			}
			fprintf(stdout, "loadgate serve: reference API listening on %s\n", in.URL())
			stopMetrics := func(context.Context) error { return nil }
			if metricsAddr != "" {
				ln, err := net.Listen("tcp", metricsAddr)
				if err != nil {
					in.Shutdown(cmd.Context())
					return fmt.Errorf("serving the metrics: %w", err)
				}
				mux := http.NewServeMux()
				mux.Handle("/metrics", in.MetricsHandler())
				metrics := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
				go metrics.Serve(ln)
				stopMetrics = metrics.Shutdown
				fprintf(stdout, "loadgate serve: metrics at http://%s/metrics\n", ln.Addr())
			}
			<-cmd.Context().Done()
			ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
			defer cancel()
			err = errors.Join(in.Shutdown(ctx), stopMetrics(ctx))
			in.LogLockStats()
			return err
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "address to listen on (host:port; port 0 picks a free one)")
	cmd.Flags().StringVar(&metricsAddr, "metrics-addr", "", "serve Prometheus metrics at /metrics on this address (host:port), apart from the API (default: none)")
	flags.register(cmd.Flags())
	logs.register(cmd.Flags())
	return cmd
}

// checkAddr refuses an address that is not host:port with a valid port.
func checkAddr(flag, addr string) error {
	if _, port, err := net.SplitHostPort(addr); err != nil || !validPort(port) {
		return usagef("invalid %s %q: want host:port with a port from 0 to 65535, such as 127.0.0.1:8080", flag, addr)
	}
	return nil
}

// validPort reports whether port is a number from 0 to 65535.
func validPort(port string) bool {
	n, err := strconv.Atoi(port)
	return err == nil && n >= 0 && n <= 65535
}
