// Command marquee runs the batch side of a release-catalog data platform.
package main

import "os"

func main() { os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr)) }
