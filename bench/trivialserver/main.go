// Command trivialserver is the loopback target of bench/peers: it answers
// every request with 200 and a two-byte body, optionally stalling for
// -stall at the start of every -period (all requests arriving during a stall
// wait until it ends), to check load generators for coordinated omission.
// It prints its base URL on stdout and runs until killed.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	stall := flag.Duration("stall", 0, "how long each stall lasts (0: never stall)")
	period := flag.Duration("period", 5*time.Second, "time from the start of one stall to the next")
	flag.Parse()
	if *stall < 0 || *period <= 0 || *stall >= *period {
		fmt.Fprintln(os.Stderr, "trivialserver: want 0 <= -stall < -period")
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	began := time.Now()
	fmt.Printf("http://%s\n", ln.Addr())
	log.Fatal(http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if phase := time.Since(began) % *period; phase < *stall {
			time.Sleep(*stall - phase)
		}
		w.Write([]byte("ok"))
	})))
}
