package cli

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// availableMemory returns the memory the machine can give a new process
// (MemAvailable on Linux), or 0 when it cannot tell.
func availableMemory() uint64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "MemAvailable:" {
			kb, err := strconv.ParseUint(fields[1], 10, 64)
			if err == nil {
				return kb * 1024
			}
		}
	}
	return 0
}

// parseBytes reads sizes like 512MiB, 8GiB, 2GB or a plain number of bytes.
func parseBytes(s string) (uint64, error) {
	t := strings.TrimSpace(strings.ToLower(s))
	mult := uint64(1)
	for _, u := range []struct {
		suffix string
		m      uint64
	}{{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"tib", 1 << 40}, {"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9}, {"tb", 1e12}, {"k", 1 << 10}, {"m", 1 << 20}, {"g", 1 << 30}, {"b", 1}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.m
			break
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("%q is not a size (e.g. 8GiB, 512MiB)", s)
	}
	return uint64(v * float64(mult)), nil
}

func humanBytes(b uint64) string {
	switch {
	case b >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(b)/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20))
	}
	return fmt.Sprintf("%d bytes", b)
}

// checkMemory refuses a run whose estimated peak exceeds the limit: the
// --max-memory flag if given ("0" turns the check off), else the memory
// the machine has available.
func checkMemory(need uint64, flag string) error {
	limit := availableMemory()
	source := "the machine has"
	if flag != "" {
		v, err := parseBytes(flag)
		if err != nil {
			return usageError{fmt.Errorf("--max-memory: %v", err)}
		}
		if v == 0 {
			return nil
		}
		limit, source = v, "--max-memory allows"
	}
	if limit == 0 || need <= limit {
		return nil
	}
	return usageError{fmt.Errorf("this run needs about %s of memory but %s %s; reduce the scenario (e.g. optimisations.hasten in simsetting.yml) or raise the limit with --max-memory",
		humanBytes(need), source, humanBytes(limit))}
}
