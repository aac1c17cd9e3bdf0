package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"path"

	"github.com/gofiber/fiber/v2"
)

// The portal's static files — one stylesheet and one small script that only
// enhances — are embedded in the binary and served with a fingerprint in
// their URL, so that a browser keeps them for a year and fetches them again
// only when they change.

//go:embed static
var staticFiles embed.FS

// staticHashes is each static file's fingerprint, computed once.
var staticHashes = func() map[string]string {
	m := map[string]string{}
	fs.WalkDir(staticFiles, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := staticFiles.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		m[path.Base(p)] = hex.EncodeToString(sum[:])[:12]
		return nil
	})
	return m
}()

// Static is the URL of a static file of the region's portal, fingerprinted.
func (v *view) Static(name string) string {
	base := v.Base
	if v.StaticBase != "" {
		base = v.StaticBase
	}
	return base + "/static/" + name + "?v=" + staticHashes[name]
}

// staticFile serves an embedded static file. A request naming the current
// fingerprint may be kept for good.
func staticFile(c *fiber.Ctx) error {
	name := path.Base(c.Params("name"))
	hash, ok := staticHashes[name]
	if !ok {
		return fiber.ErrNotFound
	}
	data, err := staticFiles.ReadFile("static/" + name)
	if err != nil {
		return fiber.ErrNotFound
	}
	c.Set(fiber.HeaderContentType, mime.TypeByExtension(path.Ext(name)))
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderETag, `"`+hash+`"`)
	if c.Query("v") == hash {
		c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	} else {
		c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	}
	if c.Get(fiber.HeaderIfNoneMatch) == `"`+hash+`"` {
		return c.SendStatus(fiber.StatusNotModified)
	}
	return c.Send(data)
}
