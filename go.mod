module github.com/homeshore/homeshore

go 1.26.8
