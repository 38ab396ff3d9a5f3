module tcp-socket-listen

go 1.19
