//go:build unix

package ensemble

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// LockFile is the lock an ensemble folder's owner holds.
const LockFile = ".lock"

// Lock takes an exclusive lock on ensemble folder dir so that two local
// runs cannot write the same folder at once. The operating system releases
// it when the process ends, however it ends.
func Lock(dir string) (unlock func(), err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(dir, LockFile), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("another caravan process is working in %s", dir)
	}
	return func() { f.Close() }, nil
}
