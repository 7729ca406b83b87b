package hooks

import (
	"context"
	"slices"

	validation "github.com/go-ozzo/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
)

// loadMember loads the caller as a member of the writer's room inside its
// transaction. It also records the ids of the room and its members as
// existing records, because that read found them in this transaction.
func (w *roomWriter) loadMember(e *core.RequestEvent) (*roomMember, error) {
	return w.loadMemberWith(e, loadMember)
}

// loadMemberWith is loadMember with another loader, such as
// loadInsideMember for posts.
func (w *roomWriter) loadMemberWith(e *core.RequestEvent, load memberLoader) (*roomMember, error) {
	member, err := load(e, w.tx, w.roomID)
	if err != nil {
		return nil, err
	}
	// When PocketBase deletes a user, it removes the id from every optional
	// relation field in the same transaction (core/record_model.go,
	// cascadeRecordDelete). So every id in these lists is an existing user.
	w.existing = slices.Concat([]string{member.session.Id},
		member.session.GetStringSlice("therapists"),
		member.session.GetStringSlice("participants"))
	return member, nil
}

// validateAction checks a new action against the rules of every field of its
// collection, as Validate does, with two differences. A relation whose ids
// were all read in this transaction (see roomWriter.loadMember) is checked
// for its number of ids only, and the id, which insertValidated generates,
// is not checked.
//
// Validate runs one query per relation to find those records again. For a
// post, that was a query each for therapy_session, user and recipients. A
// relation with any other id still gets the full check.
//
// NOTE: the record validation hooks do not run, as no other record hooks run
// for actions (see insertValidated). No hook is bound to actions.
func (w *roomWriter) validateAction(action *core.Record) error {
	ctx := context.Background()
	errs := validation.Errors{}
	for _, field := range action.Collection().Fields {
		// insertValidated has just set the id with GenerateDefaultRandomId,
		// in the id field's own format. Checking it would compile the
		// field's pattern again, as PocketBase does on every check of a
		// text field with a pattern (core/field_text.go).
		if field.GetName() == core.FieldNameId {
			continue
		}
		var err error
		if relation, ok := field.(*core.RelationField); ok && w.allExisting(action.GetStringSlice(relation.Name)) {
			err = relationCount(relation, len(action.GetStringSlice(relation.Name)))
		} else {
			err = field.ValidateValue(ctx, w.tx, action)
		}
		if err != nil {
			errs[field.GetName()] = err
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// allExisting reports whether every id is known to exist in this transaction.
func (w *roomWriter) allExisting(ids []string) bool {
	for _, id := range ids {
		if !slices.Contains(w.existing, id) {
			return false
		}
	}
	return true
}

// relationCount applies a relation field's limits on the number of ids,
// the part of its validation that needs no query.
func relationCount(field *core.RelationField, count int) error {
	switch {
	case count == 0 && field.Required:
		return validation.ErrRequired
	case count == 0:
		return nil
	case field.MinSelect > 0 && count < field.MinSelect:
		return validation.NewError("validation_not_enough_values", "Select at least {{.minSelect}}").
			SetParams(map[string]any{"minSelect": field.MinSelect})
	case count > max(field.MaxSelect, 1):
		return validation.NewError("validation_too_many_values", "Select no more than {{.maxSelect}}").
			SetParams(map[string]any{"maxSelect": max(field.MaxSelect, 1)})
	}
	return nil
}
