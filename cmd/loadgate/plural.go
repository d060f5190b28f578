package main

// plural is the "s" that follows a count of n things, when n is not 1.
func plural[N int | int64 | uint64](n N) string {
	if n == 1 {
		return ""
	}
	return "s"
}
