module tcp-socket-tools

go 1.25
