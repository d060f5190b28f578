package apiserver

import "unicode"

// maxPasswordBytes is bcrypt's input limit; longer passwords are refused
// rather than silently truncated.
const maxPasswordBytes = 72

// passwordProblem returns the message for the first password rule that
// password breaks, in the seed service's order, or "" when it meets them all:
// at least 8 bytes, an upper-case letter, a lower-case letter, a digit and a
// special character (anything that is not a letter, a digit or a space).
func passwordProblem(password string) string {
	if len(password) < 8 {
		return "Password must be at least 8 characters long"
	}
	if len(password) > maxPasswordBytes {
		return "Password must be at most 72 bytes long"
	}
	var upper, lower, digit, special bool
	for _, r := range password {
		switch {
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsLower(r):
			lower = true
		case unicode.IsDigit(r):
			digit = true
		case !unicode.IsLetter(r) && !unicode.IsSpace(r):
			special = true
		}
	}
	switch {
	case !upper:
		return "Password must contain at least one uppercase letter"
	case !lower:
		return "Password must contain at least one lowercase letter"
	case !digit:
		return "Password must contain at least one digit"
	case !special:
		return "Password must contain at least one special character"
	}
	return ""
}
