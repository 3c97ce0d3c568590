module github.com/homeshore/homeshore

go 1.26.8

require (
	github.com/gordonklaus/portaudio v0.0.0-20250206071425-98a94950218b
	github.com/pion/rtcp v1.2.20
	github.com/pion/rtp v1.10.6
	gopkg.in/hraban/opus.v2 v2.0.0-20230925203106-0188a62cb302
)

require github.com/pion/randutil v0.1.0 // indirect
