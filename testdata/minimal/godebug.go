//go:build go1.25

// tcp-socket-listen's runtime settings (its godebug.go), so that both
// start alike.

//go:debug containermaxprocs=0
//go:debug updatemaxprocs=0
//go:debug netdns=go
//go:debug asynctimerchan=0
//go:debug decoratemappings=1
//go:debug panicnil=0

package main
