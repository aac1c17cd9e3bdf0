package partnership

import "errors"

// invalidOn reports whether err is bad input on the field named.
func invalidOn(err error, field string) bool {
	var fe *FieldError
	return errors.As(err, &fe) && fe.Field == field
}
