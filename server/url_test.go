package server_test

import "net/url"

type urlT = url.URL
