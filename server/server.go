package server

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/kiseki-forensics/kiseki/engine"
	"github.com/kiseki-forensics/kiseki/search"
	"github.com/kiseki-forensics/kiseki/web"
)

// Options configure a server.
type Options struct {
	// Addr is the listen address; a non-loopback address requires Token.
	Addr string
	// Token, when set, must accompany every request (Authorization: Bearer,
	// the kiseki_token cookie, or ?token= on a page, which sets the cookie).
	Token string
	// User is who annotations are recorded as (default: the OS user).
	User string
	// Assets overrides the embedded front end (tests); nil uses web.Dist.
	Assets fs.FS
	// CacheSegments is how many timeline segments (2^18 events each) stay
	// loaded between requests (default 8). Random access over a large case
	// is faster with more, at the cost of memory.
	CacheSegments int
	// ReadTimeout bounds reading one request, body included (default
	// requestReadTimeout): a client that stalls half-way through a body
	// must not hold a connection and a handler open.
	ReadTimeout time.Duration
}

// Connection limits of the HTTP server.
const (
	// requestReadTimeout: request bodies are at most 1 MiB of JSON, which
	// any client sends in well under this.
	requestReadTimeout = 30 * time.Second
	// idleTimeout: how long a keep-alive connection waits for its next
	// request.
	idleTimeout = 2 * time.Minute
	// headerTimeout: the request line and headers.
	headerTimeout = 10 * time.Second
)

// Server serves one case.
type Server struct {
	c      *engine.Case
	v      views
	notes  *engine.Annotations
	opt    Options
	assets fs.FS
	mux    *http.ServeMux

	mu       sync.Mutex
	scans    limiter            // slots for requests that scan the timeline
	reports  limiter            // slots for reports
	cache    answerCache        // count, histogram and facet answers per query
	inflight map[string]*flight // answers being computed
}

// New opens a server over an open case and searcher, and takes the
// searcher over: the server closes it when a new timeline generation
// replaces it, or on Close (also when New fails).
func New(c *engine.Case, s *search.Searcher, opt Options) (*Server, error) {
	notes, err := c.OpenAnnotations()
	if err != nil {
		s.Close()
		return nil, err
	}
	if opt.CacheSegments <= 0 {
		opt.CacheSegments = 8
	}
	s.CacheSegments(opt.CacheSegments)
	srv := &Server{c: c, notes: notes, opt: opt, mux: http.NewServeMux(), inflight: map[string]*flight{},
		scans: make(limiter, scanSlots()), reports: make(limiter, reportSlots)}
	s.SetNotes(srv.noteSource) // tag:, starred: and comment: read the annotations
	srv.assets = opt.Assets
	if srv.assets == nil {
		sub, err := fs.Sub(web.Dist, "dist")
		if err != nil {
			s.Close()
			return nil, err
		}
		srv.assets = sub
	}
	srv.routes()
	srv.startViews(s)
	return srv, nil
}

// NeedsToken reports whether an address is not loopback, so that serving on
// it requires a token.
func NeedsToken(addr string) (bool, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false, fmt.Errorf("address %q: %w", addr, err)
	}
	if host == "localhost" {
		return false, nil
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return true, nil // a name could resolve anywhere
	}
	return !ip.IsLoopback(), nil
}

// NewToken returns a random 128-bit token in hex.
func NewToken() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return hex.EncodeToString(b)
}

// Handler is the server's HTTP handler with every security check applied.
func (srv *Server) Handler() http.Handler { return srv.secure(srv.withView(srv.mux)) }

const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// secure wraps every request: security headers, Host check, token, and
// same-origin JSON for requests that change state.
func (srv *Server) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		if !srv.hostAllowed(r.Host) {
			http.Error(w, "unexpected Host header", http.StatusMisdirectedRequest)
			return
		}
		if srv.opt.Token != "" {
			switch srv.checkToken(w, r) {
			case tokenRedirected:
				return
			case tokenMissing:
				http.Error(w, "token required: open the address printed by kiseki serve", http.StatusUnauthorized)
				return
			}
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if o := r.Header.Get("Origin"); o != "" && o != "http://"+r.Host && o != "https://"+r.Host {
				http.Error(w, "cross-origin request refused", http.StatusForbidden)
				return
			}
			if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
				http.Error(w, "want application/json", http.StatusUnsupportedMediaType)
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
		}
		next.ServeHTTP(w, r)
	})
}

// hostAllowed refuses requests addressed to another name (DNS rebinding:
// a page on evil.example resolving to 127.0.0.1 sends Host: evil.example).
func (srv *Server) hostAllowed(host string) bool {
	if srv.opt.Token != "" {
		return true // the token already proves the client was given the address
	}
	h, _, err := net.SplitHostPort(host)
	if err != nil {
		h = host
	}
	h = strings.Trim(h, "[]")
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

const (
	tokenMissing = iota
	tokenValid
	tokenRedirected
)

// checkToken accepts the token from the Authorization header or the cookie;
// a page opened with ?token= sets the cookie and is redirected without it,
// so the token does not stay in the address bar or history.
func (srv *Server) checkToken(w http.ResponseWriter, r *http.Request) int {
	want := []byte(srv.opt.Token)
	eq := func(s string) bool { return s != "" && subtle.ConstantTimeCompare([]byte(s), want) == 1 }
	if a := r.Header.Get("Authorization"); strings.HasPrefix(a, "Bearer ") && eq(a[len("Bearer "):]) {
		return tokenValid
	}
	if ck, err := r.Cookie("kiseki_token"); err == nil && eq(ck.Value) {
		return tokenValid
	}
	if t := r.URL.Query().Get("token"); eq(t) && r.Method == http.MethodGet {
		http.SetCookie(w, &http.Cookie{Name: "kiseki_token", Value: t, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
		q := r.URL.Query()
		q.Del("token")
		u := *r.URL
		u.RawQuery = q.Encode()
		http.Redirect(w, r, u.RequestURI(), http.StatusSeeOther)
		return tokenRedirected
	}
	return tokenMissing
}

// HTTPServer is an http.Server for the handler with the server's
// connection limits. No write timeout: an export or a report of a large
// case may take minutes to send, and the client is reading it.
func (srv *Server) HTTPServer() *http.Server {
	rt := srv.opt.ReadTimeout
	if rt <= 0 {
		rt = requestReadTimeout
	}
	return &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: min(headerTimeout, rt),
		ReadTimeout:       rt,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    64 << 10,
	}
}

// ListenAndServe serves until the listener fails.
func (srv *Server) ListenAndServe(l net.Listener) error {
	err := srv.HTTPServer().Serve(l)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}
