// Package web is the API server's Fiber application: every route in routes.go
// with its authorization, the middleware that resolves a request's region and
// who asks, and the JSON handlers and pages, which parse, call the steps of the
// application layer (accounts, twopillar, supervision, fourpillar) and render.
package web

import (
	"embed"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/template/html/v2"

	"pilar.id/pilar/apiserver/authz"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/step"
	"pilar.id/pilar/apiserver/tenancy"
)

//go:embed templates
var templates embed.FS

// Options configure the application.
type Options struct {
	Registry *tenancy.Registry
	// BaseDomain, when set, makes <region>.<BaseDomain> serve that region.
	BaseDomain string
	// PathRegions serves /r/<region>/ as well, for development and the embedded mode.
	PathRegions bool
	// InsecureCookies drops the Secure attribute of session cookies, for a
	// server reached over plain HTTP other than on localhost.
	InsecureCookies bool
	// Platform serves the national agencies' accounts under /platform when set.
	Platform *Platform
	// Throttle limits failed sign-ins; one is made when nil.
	Throttle *authz.Throttle
	// Demo serves the demo sign-in, which lets a visitor act as any demo
	// role: for the embedded mode only, never in a cluster.
	Demo bool
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Listener is told the events of every step committed in a region.
	Listener step.Listener
	Log      *slog.Logger
}

// New builds the application. Fiber's prefork stays off: each process would
// hold its own pools and enforcers.
func New(o Options) *fiber.App {
	if o.Throttle == nil {
		o.Throttle = authz.NewThrottle()
	}
	engine := html.NewFileSystem(http.FS(templates), ".html")
	app := fiber.New(fiber.Config{
		AppName:      "pilar",
		Views:        engine,
		ViewsLayout:  "templates/layout",
		ErrorHandler: errorHandler(o.Log),
		// Strings taken from a request outlive the handler in the audit log
		// and the database; Immutable makes fasthttp's reused buffers safe.
		Immutable:             true,
		DisableStartupMessage: true,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          30 * time.Second,
		IdleTimeout:           2 * time.Minute,
		BodyLimit:             12 << 20, // a report's five 2 MiB attachments, its fields and the multipart framing
	})
	routes(app, o)
	return app
}

// apiError is the JSON body of every error response.
type apiError struct {
	Error struct {
		Code    string         `json:"code"`
		Message string         `json:"message"`
		Field   string         `json:"field,omitempty"`
		Details map[string]any `json:"details,omitempty"`
	} `json:"error"`
}

func errorHandler(log *slog.Logger) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		status, code := http.StatusInternalServerError, "internal"
		var fe *fiber.Error
		var field *partnership.FieldError
		switch {
		case errors.Is(err, tenancy.ErrUnknownRegion), errors.Is(err, partnership.ErrNotFound):
			status, code = http.StatusNotFound, "not_found"
		case errors.Is(err, partnership.ErrInvalid):
			status, code = http.StatusBadRequest, "invalid"
		case errors.Is(err, partnership.ErrConflict):
			status, code = http.StatusConflict, "conflict"
		case errors.Is(err, partnership.ErrUnauthenticated):
			status, code = http.StatusUnauthorized, "unauthenticated"
		case errors.Is(err, partnership.ErrForbidden):
			status, code = http.StatusForbidden, "forbidden"
		case errors.Is(err, partnership.ErrThrottled):
			status, code = http.StatusTooManyRequests, "throttled"
		case errors.As(err, &fe):
			status = fe.Code
			code = codeFor(status)
		}
		var body apiError
		body.Error.Code = code
		body.Error.Message = err.Error()
		if errors.As(err, &field) {
			body.Error.Field = field.Field
			body.Error.Message = field.Reason
		}
		var detailed interface{ Details() map[string]any }
		if errors.As(err, &detailed) {
			body.Error.Details = detailed.Details()
		}
		if status == http.StatusInternalServerError {
			log.Error("request failed", "request_id", c.Locals("requestid"), "path", c.Path(), "err", err)
			body.Error.Message = "internal error; the request id is " + requestID(c)
		}
		if wantsHTML(c) {
			return pageError(c, status, err)
		}
		return c.Status(status).JSON(body)
	}
}

// codeFor is the code of an error body of a status Fiber answered with.
func codeFor(status int) string {
	if code, ok := statusCodes[status]; ok {
		return code
	}
	return "error"
}

var statusCodes = map[int]string{
	http.StatusNotFound: "not_found", http.StatusBadRequest: "invalid", http.StatusUnprocessableEntity: "invalid", http.StatusConflict: "conflict",
	http.StatusForbidden: "forbidden", http.StatusUnauthorized: "forbidden", http.StatusServiceUnavailable: "unavailable",
	http.StatusMethodNotAllowed: "method_not_allowed",
}
