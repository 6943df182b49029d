package main

import (
	"encoding/binary"
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// cycleCounter counts the CPU cycles of every CPU (all processes: the
// machine is meant to be quiet), so that A/B runs compare on work done
// rather than on a shared host's changing speed. Cycles a virtual CPU
// does not run (steal) are not counted.
type cycleCounter struct{ fds []int }

// newCycleCounter opens one counter per CPU; on failure (no permission,
// no PMU) it returns a counter that reads 0.
func newCycleCounter() *cycleCounter {
	cc := &cycleCounter{}
	for cpu := range runtime.NumCPU() {
		attr := unix.PerfEventAttr{
			Type:   unix.PERF_TYPE_HARDWARE,
			Config: unix.PERF_COUNT_HW_CPU_CYCLES,
			Size:   uint32(unsafe.Sizeof(unix.PerfEventAttr{})),
		}
		fd, err := unix.PerfEventOpen(&attr, -1, cpu, -1, unix.PERF_FLAG_FD_CLOEXEC)
		if err != nil {
			cc.close()
			return &cycleCounter{}
		}
		cc.fds = append(cc.fds, fd)
	}
	return cc
}

// read is the cycles counted so far on all CPUs.
func (cc *cycleCounter) read() uint64 {
	var sum uint64
	buf := make([]byte, 8)
	for _, fd := range cc.fds {
		if n, err := unix.Read(fd, buf); err == nil && n == 8 {
			sum += binary.LittleEndian.Uint64(buf)
		}
	}
	return sum
}

func (cc *cycleCounter) close() {
	for _, fd := range cc.fds {
		_ = unix.Close(fd)
	}
	cc.fds = nil
}
