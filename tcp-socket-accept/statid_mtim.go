//go:build linux || openbsd || dragonfly

package main

import "syscall"

// statID is the identity of the file st describes.
func statID(st *syscall.Stat_t) fileID {
	return fileID{dev: uint64(st.Dev), ino: uint64(st.Ino), size: st.Size, mtime: st.Mtim, ctime: st.Ctim}
}
