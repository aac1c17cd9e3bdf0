package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"strings"

	"github.com/gofiber/fiber/v2"

	"pilar.id/pilar/apiserver/partnership"
)

// parseBody decodes a JSON or form body into v; a value of the wrong type is
// refused with the field it was given for.
func parseBody(c *fiber.Ctx, v any) error {
	err := c.BodyParser(v)
	if err == nil {
		return nil
	}
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) && typeErr.Field != "" {
		return partnership.Invalid(typeErr.Field, "must be a %s", typeErr.Type.String())
	}
	var syntaxErr *json.SyntaxError
	if errors.As(err, &syntaxErr) {
		return partnership.Invalid("body", "not valid JSON: %v", syntaxErr)
	}
	if errors.Is(err, fiber.ErrUnprocessableEntity) {
		return partnership.Invalid("body", "send JSON (Content-Type: application/json) or a form")
	}
	return partnership.Invalid("body", "%s", strings.TrimPrefix(err.Error(), "json: "))
}

// idParam reads a positive id from the path.
func idParam(c *fiber.Ctx) (int64, error) {
	id, err := c.ParamsInt("id")
	if err != nil || id <= 0 {
		return 0, partnership.Invalid("id", "a positive whole number")
	}
	return int64(id), nil
}

// multipartUploads decodes a multipart body's fields into v and reads the
// files it sent in field; files in any other field are refused.
func multipartUploads(c *fiber.Ctx, field string, v any) ([]partnership.Upload, error) {
	form, err := c.MultipartForm()
	if err != nil {
		return nil, partnership.Invalid("body", "not a readable multipart form: %v", err)
	}
	if err := parseBody(c, v); err != nil {
		return nil, err
	}
	for f := range form.File {
		if f != field {
			return nil, partnership.Invalid(f, "files go in the field %s", field)
		}
	}
	return readUploads(form.File[field], false)
}

// readUploads reads uploaded files for the domain to check: the data of the
// first MaxAttachments only, and of each no more than one byte past
// MaxAttachmentSize, so that too many or too large files are refused without
// being read whole. skipBlank leaves out the empty part a page's file input
// sends when no file was chosen.
func readUploads(fhs []*multipart.FileHeader, skipBlank bool) ([]partnership.Upload, error) {
	var files []partnership.Upload
	for _, fh := range fhs {
		if skipBlank && fh.Size == 0 && fh.Filename == "" {
			continue
		}
		u := partnership.Upload{Name: fh.Filename, Size: fh.Size}
		if len(files) < partnership.MaxAttachments {
			f, err := fh.Open()
			if err != nil {
				return nil, fmt.Errorf("web: unable to open the upload %q: %w", fh.Filename, err)
			}
			u.Data, err = io.ReadAll(io.LimitReader(f, partnership.MaxAttachmentSize+1))
			f.Close()
			if err != nil {
				return nil, fmt.Errorf("web: unable to read the upload %q: %w", fh.Filename, err)
			}
		}
		files = append(files, u)
	}
	return files, nil
}

// formUpload reads one file of a multipart body for a step to check — no
// more than one byte past partnership.MaxDocumentSize of it; nil when the
// body sent none in the field.
func formUpload(c *fiber.Ctx, field string) (*partnership.Upload, error) {
	fh, err := c.FormFile(field)
	if err != nil {
		return nil, nil
	}
	f, err := fh.Open()
	if err != nil {
		return nil, fmt.Errorf("web: unable to open the upload %s: %w", field, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, partnership.MaxDocumentSize+1))
	if err != nil {
		return nil, fmt.Errorf("web: unable to read the upload %s: %w", field, err)
	}
	return &partnership.Upload{Name: fh.Filename, Size: fh.Size, Data: data}, nil
}
