package hooks

import (
	"database/sql"

	"github.com/hearth-research/hearth/internal/export"
	"github.com/pocketbase/dbx"
)

// actionsSource exports the session's event log with everything staff may
// see: recipients of private messages, original bodies of deleted messages,
// keystroke histories and writing times.
var actionsSource = exportSource{
	table: export.Table{Name: "actions", Columns: []export.Column{
		{Name: "session_id", Kind: export.Text, Description: "Id of the therapy session."},
		{Name: "action_id", Kind: export.Integer, Description: "Sequence number of the action in its session: 1, 2, 3… with no gaps, in commit order. The `id` of the action in the API."},
		{Name: "type", Kind: export.Text, Description: "message, delete, notice, message_read, reaction or whiteboard."},
		{Name: "user_id", Kind: export.Text, Description: "Id of the person who acted; null for system notices."},
		{Name: "alias", Kind: export.Text, Description: "The author's alias as stored with the action, which is the alias shown at that time."},
		{Name: "recipient_ids", Kind: export.TextList, Description: "Messages only: ids of the people a private message was addressed to; an empty list means everyone. Null for other types."},
		{Name: "recipient_aliases", Kind: export.TextList, Description: "Messages only: the recipients' aliases at the time of export, in the order of recipient_ids (empty text for a deleted user)."},
		{Name: "target", Kind: export.Integer, Description: "action_id of the message a delete or reaction refers to; for message_read, the action_id read up to. Null for other types."},
		{Name: "icon", Kind: export.Text, Description: "Reactions only: heart, thumbs_up, smile, sad, hug or clap."},
		{Name: "remove", Kind: export.Bool, Description: "Reactions only: true when the reaction withdraws an earlier one."},
		{Name: "sender", Kind: export.Text, Description: "Notices only: system or therapist."},
		{Name: "body", Kind: export.Text, Description: "Text of a message, notice or whiteboard as members see it; empty for a deleted message. Null for other types."},
		{Name: "deleted", Kind: export.Bool, Description: "Messages only: true when the message was later deleted."},
		{Name: "original_body", Kind: export.Text, Description: "Messages only: the text of a deleted message as it was sent, kept by the server when the message was deleted; null when nothing was kept."},
		{Name: "client_id", Kind: export.Text, Description: "Id the sending client gave the action (unique per user); null for actions the server created."},
		{Name: "client_ts", Kind: export.Time, Description: "The sending device's clock when the action was created; it may be wrong or in another time zone than the server."},
		{Name: "timestamp", Kind: export.Time, Description: "Server time when the action was saved."},
		{Name: "time_to_complete", Kind: export.Number, Description: "Messages only: seconds from the first keystroke to sending, as measured by the client. Null when the message was posted without keystroke data (see below)."},
		{Name: "character_history", Kind: export.Text, Description: "Messages only: every keystroke that wrote the message, in the keystroke history grammar described below. Null when the message was posted without keystroke data."},
		{Name: "history_replays", Kind: export.Bool, Description: "Messages only: true when replaying character_history rebuilds the body exactly. Null when the message was posted without keystroke data."},
	}},
	// The recipient aliases are looked up in one subquery per row, so the
	// export never holds a map of all users.
	query: "SELECT a.seq, a.type, a.user, a.alias, a.recipients, " +
		"(SELECT json_group_array(COALESCE(u.alias, '') ORDER BY j.key) " +
		"FROM json_each(" + validJSONArray("a.recipients") + ") j LEFT JOIN users u ON u.id = j.value), " +
		"a.target, a.icon, a.remove, a.sender, a.body, a.deleted, a.original_body, a.client_id, a.client_ts, " +
		"a.created, a.typing_recorded, a.time_to_complete, a.character_history, a.history_replays " +
		"FROM actions a WHERE a.therapy_session = {:session} ORDER BY a.seq",
	scan: scanAction,
}

func scanAction(rows *dbx.Rows, sessionID string, values []any) error {
	var (
		seq, target                                     sql.NullInt64
		actionType, userID, alias, recipients, aliases  sql.NullString
		icon, sender, body, originalBody, clientID      sql.NullString
		clientTimestamp, created, characterHistory      sql.NullString
		remove, deleted, typingRecorded, historyReplays bool
		timeToComplete                                  sql.NullFloat64
	)
	err := rows.Scan(&seq, &actionType, &userID, &alias, &recipients, &aliases,
		&target, &icon, &remove, &sender, &body, &deleted, &originalBody, &clientID, &clientTimestamp,
		&created, &typingRecorded, &timeToComplete, &characterHistory, &historyReplays)
	if err != nil {
		return err
	}

	values[0], values[1], values[2] = sessionID, seq.Int64, actionType.String
	values[3], values[4] = optionalText(userID), optionalText(alias)
	if target.Valid && target.Int64 > 0 {
		values[7] = target.Int64
	}
	values[8], values[10] = optionalText(icon), optionalText(sender)
	values[14] = optionalText(clientID)
	if values[15], err = optionalTime(clientTimestamp); err != nil {
		return err
	}
	if values[16], err = optionalTime(created); err != nil {
		return err
	}

	switch actionType.String {
	case "message":
		if values[5], err = textList(recipients); err != nil {
			return err
		}
		if values[6], err = textList(aliases); err != nil {
			return err
		}
		values[11], values[12], values[13] = body.String, deleted, optionalText(originalBody)
		// A message posted without keystroke data stores 0 and "", which
		// must stay null here rather than read as measured values.
		if typingRecorded {
			values[17], values[18], values[19] = timeToComplete.Float64, characterHistory.String, historyReplays
		}
	case "notice", "whiteboard":
		values[11] = body.String
	case "reaction":
		values[9] = remove
	}
	return nil
}

var responsesSource = exportSource{
	table: export.Table{Name: "responses", Columns: []export.Column{
		{Name: "session_id", Kind: export.Text, Description: "Id of the therapy session the assessment belongs to."},
		{Name: "assessment_id", Kind: export.Text, Description: "Id of the assessment (assessments record)."},
		{Name: "assessment_name", Kind: export.Text, Description: "Name of the assessment, e.g. location or post-session survey."},
		{Name: "kind", Kind: export.Text, Description: "survey (an external link) or location (an in-app check-in)."},
		{Name: "timing", Kind: export.Text, Description: "before or after the session."},
		{Name: "required_to_enter", Kind: export.Bool, Description: "True when participants must complete it before entering."},
		{Name: "response_id", Kind: export.Text, Description: "Id of the assessment_responses record; null when none exists yet for this participant."},
		{Name: "participant_id", Kind: export.Text, Description: "Id of the participant."},
		{Name: "participant_alias", Kind: export.Text, Description: "The participant's alias at the time of export."},
		{Name: "status", Kind: export.Text, Description: "complete or incomplete. A participant of the session without a response record is listed as incomplete."},
		{Name: "completed_at", Kind: export.Time, Description: "When the response was completed; null while incomplete."},
		{Name: "answer", Kind: export.Text, Description: "Location check-ins only: the place the participant entered, as typed. Null when there is none."},
	}},
	// Every stored response, then one incomplete row for each participant of
	// the session who has no response record for an assessment yet.
	query: "SELECT a.id AS assessment_id, a.name, a.kind, a.timing, a.required_to_enter, " +
		"r.id, r.participant, u.alias AS alias, r.status, r.completed_at, r.answer, a.created AS assessment_created " +
		"FROM assessment_responses r JOIN assessments a ON a.id = r.assessment LEFT JOIN users u ON u.id = r.participant " +
		"WHERE a.therapy_session = {:session} " +
		"UNION ALL " +
		"SELECT a.id, a.name, a.kind, a.timing, a.required_to_enter, NULL, p.value, u.alias, 'incomplete', '', '', a.created " +
		"FROM assessments a JOIN therapy_sessions s ON s.id = a.therapy_session " +
		"JOIN json_each(" + validJSONArray("s.participants") + ") p LEFT JOIN users u ON u.id = p.value " +
		"WHERE a.therapy_session = {:session} AND NOT EXISTS " +
		"(SELECT 1 FROM assessment_responses r WHERE r.assessment = a.id AND r.participant = p.value) " +
		"ORDER BY assessment_created, assessment_id, alias, 7",
	scan: func(rows *dbx.Rows, sessionID string, values []any) error {
		var assessmentID, name, kind, timing, responseID, participantID, alias, status, completedAt, answer, assessmentCreated sql.NullString
		var required bool
		err := rows.Scan(&assessmentID, &name, &kind, &timing, &required,
			&responseID, &participantID, &alias, &status, &completedAt, &answer, &assessmentCreated)
		if err != nil {
			return err
		}
		values[0], values[1], values[2], values[3], values[4], values[5] = sessionID, assessmentID.String, name.String, kind.String, timing.String, required
		values[6], values[7], values[8], values[9] = optionalText(responseID), participantID.String, optionalText(alias), status.String
		if values[10], err = optionalTime(completedAt); err != nil {
			return err
		}
		values[11] = optionalText(answer)
		return nil
	},
}
