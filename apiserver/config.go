package apiserver

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// DefaultBcryptCost is the bcrypt cost used when Config.BcryptCost is zero.
// At cost 10 one hash takes about 63 ms on one core of the 2-core AMD EPYC
// development machine, inside the 50-100 ms of the seed deployment.
const DefaultBcryptCost = 10

// Config holds the reference API's settings. The zero value of every field
// means "the production default" (see DefaultConfig), so Config{} is usable.
type Config struct {
	// LockTimeout is how long a request tries to take the storage lock before
	// it gives up with 503 (default 2s).
	LockTimeout time.Duration
	// LockSpin is the pause between two attempts to take the storage lock
	// (default 10ms).
	LockSpin time.Duration
	// BcryptCost is the bcrypt work factor for stored and dummy hashes
	// (default DefaultBcryptCost; valid range bcrypt.MinCost..bcrypt.MaxCost).
	BcryptCost int
	// LoginPermits bounds how many logins run at once; 0 turns the semaphore off.
	LoginPermits int
	// PermitWait is how long a login waits for a permit before it gets the
	// overload 503 (default 100ms). Used only when LoginPermits > 0.
	PermitWait time.Duration
	// HashUnderLock moves bcrypt inside the storage lock: the anti-pattern,
	// switched on to show that a gate catches it.
	HashUnderLock bool
	// StorageDelay is extra time spent inside the storage lock on every
	// storage operation (default 0).
	StorageDelay time.Duration
	// TokenTTL is the lifetime of issued JWTs (default 24h).
	TokenTTL time.Duration
	// JWTSecret signs tokens with HS256; empty means 32 random bytes per server.
	JWTSecret []byte
	// Logger receives one record per failed request and the lock statistics;
	// nil discards them.
	Logger *slog.Logger
}

// DefaultConfig returns the production defaults, the values the zero Config
// also gets.
func DefaultConfig() Config {
	return Config{}.withDefaults()
}

func (c Config) withDefaults() Config {
	if c.LockTimeout == 0 {
		c.LockTimeout = 2 * time.Second
	}
	if c.LockSpin == 0 {
		c.LockSpin = 10 * time.Millisecond
	}
	if c.BcryptCost == 0 {
		c.BcryptCost = DefaultBcryptCost
	}
	if c.PermitWait == 0 {
		c.PermitWait = 100 * time.Millisecond
	}
	if c.TokenTTL == 0 {
		c.TokenTTL = 24 * time.Hour
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Validate reports every setting that is out of range, naming the flag a user
// would set; defaults are applied first, so a zero field is valid.
func (c Config) Validate() error {
	c = c.withDefaults()
	var errs []error
	if c.LockTimeout < 0 {
		errs = append(errs, fmt.Errorf("--lock-timeout must be positive, got %s", c.LockTimeout))
	}
	if c.LockSpin < 0 {
		errs = append(errs, fmt.Errorf("--lock-spin must be positive, got %s", c.LockSpin))
	}
	if c.BcryptCost < bcrypt.MinCost || c.BcryptCost > bcrypt.MaxCost {
		errs = append(errs, fmt.Errorf("--bcrypt-cost must be between %d and %d, got %d", bcrypt.MinCost, bcrypt.MaxCost, c.BcryptCost))
	}
	if c.LoginPermits < 0 {
		errs = append(errs, fmt.Errorf("--login-permits must be 0 (off) or more, got %d", c.LoginPermits))
	}
	if c.PermitWait < 0 {
		errs = append(errs, fmt.Errorf("--permit-wait must be positive, got %s", c.PermitWait))
	}
	if c.StorageDelay < 0 {
		errs = append(errs, fmt.Errorf("--storage-delay must be 0 or more, got %s", c.StorageDelay))
	}
	if c.TokenTTL < 0 {
		errs = append(errs, fmt.Errorf("token TTL must be positive, got %s", c.TokenTTL))
	}
	return errors.Join(errs...)
}
