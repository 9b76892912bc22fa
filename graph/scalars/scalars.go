// Package scalars marshals aidtrace's custom GraphQL scalars.
package scalars

import (
	"io"
	"strconv"

	"github.com/99designs/gqlgen/graphql"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// MarshalPartialDate writes a partial date as "YYYY", "YYYY-MM" or "YYYY-MM-DD".
func MarshalPartialDate(d domain.PartialDate) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		io.WriteString(w, strconv.Quote(d.String()))
	})
}

// UnmarshalPartialDate reads a partial date; a bad one is BAD_USER_INPUT.
func UnmarshalPartialDate(v any) (domain.PartialDate, error) {
	s, ok := v.(string)
	if !ok {
		return domain.PartialDate{}, domain.Errorf(domain.EBADINPUT, "a PartialDate is a string like \"2010\", \"2010-03\" or \"2010-03-29\", not %T", v)
	}
	if s == "" {
		return domain.PartialDate{}, domain.Errorf(domain.EBADINPUT, "empty PartialDate: omit the argument instead")
	}
	d, err := domain.ParsePartialDate(s)
	if err != nil {
		return domain.PartialDate{}, domain.Errorf(domain.EBADINPUT, "%s", err.Error())
	}
	return d, nil
}
