package logscan

import "bytes"

// stripANSI returns line without its ANSI escape sequences: CSI sequences
// (ESC [ parameters final-byte, the colours tracing-subscriber writes) and
// any other two-byte escape. A line without ESC is returned as it is; one
// with it is written into buf, which is returned for reuse.
func stripANSI(line, buf []byte) (out, newBuf []byte) {
	i := bytes.IndexByte(line, 0x1b)
	if i < 0 {
		return line, buf
	}
	buf = append(buf[:0], line[:i]...)
	for i < len(line) {
		c := line[i]
		if c != 0x1b {
			buf = append(buf, c)
			i++
			continue
		}
		i++
		if i < len(line) && line[i] == '[' {
			i++
			for i < len(line) && (line[i] < 0x40 || line[i] > 0x7e) { // parameter and intermediate bytes
				i++
			}
		}
		i++ // the final byte, or the second byte of a two-byte escape
	}
	return buf, buf
}
