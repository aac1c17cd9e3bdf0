package web

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"pilar.id/pilar/apiserver/step"
)

// The JSON handlers of most steps have one of two shapes, written once here:
// parse the body, take the step, answer with its result as the API shows it.

// takeNew is the handler of a step making an object of the body's input: it
// answers 201 with the object as out shows it.
func takeNew[I, T, J any](take func(context.Context, *step.Region, step.Actor, I) (T, error), out func(T) J) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var in I
		if err := parseBody(c, &in); err != nil {
			return err
		}
		return answer(c, fiber.StatusCreated, out)(take(c.UserContext(), realmOf(c), actorOf(c), in))
	}
}

// takeOn is the handler of a step on the object the path's id names: the
// body parsed as B becomes the step's input by in; it answers 200 with the
// result as out shows it.
func takeOn[B, I, T, J any](in func(B) I, take func(context.Context, *step.Region, step.Actor, int64, I) (T, error), out func(T) J) fiber.Handler {
	return takeOnWith(parseBody, fiber.StatusOK, in, take, out)
}

// takeOnWith is takeOn with its own reading of the body (optionalBody for a
// step that may do without) and its own success status.
func takeOnWith[B, I, T, J any](parse func(*fiber.Ctx, any) error, status int, in func(B) I,
	take func(context.Context, *step.Region, step.Actor, int64, I) (T, error), out func(T) J) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var body B
		if err := parse(c, &body); err != nil {
			return err
		}
		id, err := idParam(c)
		if err != nil {
			return err
		}
		return answer(c, status, out)(take(c.UserContext(), realmOf(c), actorOf(c), id, in(body)))
	}
}

// answer answers with a step's result as out shows it, or with its refusal:
// answer(c, status, out)(step(...)).
func answer[T, J any](c *fiber.Ctx, status int, out func(T) J) func(T, error) error {
	return func(v T, err error) error {
		if err != nil {
			return err
		}
		return c.Status(status).JSON(out(v))
	}
}

// same is a body the step takes as it is.
func same[B any](in B) B { return in }

// optionalBody decodes a body a step may do without: an empty one is no input.
func optionalBody(c *fiber.Ctx, v any) error {
	if err := parseBody(c, v); err != nil && len(c.Body()) > 0 {
		return err
	}
	return nil
}
