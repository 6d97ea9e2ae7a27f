//go:build !unix

package ensemble

// LockFile is the lock an ensemble folder's owner holds.
const LockFile = ".lock"

// Lock does nothing on systems without flock.
func Lock(dir string) (unlock func(), err error) { return func() {}, nil }
