// Command marquee runs the batch side of a release-catalog data platform.
package main

import (
	"fmt"
	"os"
	"runtime/pprof"
)

func main() {
	os.Exit(profiled(os.Getenv("MARQUEE_CPUPROFILE"), func() int { return Main(os.Args[1:], os.Stdout, os.Stderr) }))
}

// profiled runs fn, writing a CPU profile of it to path when path is set
// (MARQUEE_CPUPROFILE: for tuning; `go tool pprof` reads it).
func profiled(path string, fn func() int) int {
	if path == "" {
		return fn()
	}
	f, err := os.Create(path)
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "marquee: MARQUEE_CPUPROFILE: %v\n", err)
		return fn()
	}
	defer f.Close()
	defer pprof.StopCPUProfile()
	return fn()
}
