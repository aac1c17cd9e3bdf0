package web

import (
	"encoding/json"
	"errors"
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
