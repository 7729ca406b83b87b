package hooks

import (
	"bufio"
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	validation "github.com/go-ozzo/ozzo-validation/v4"
	"github.com/hearth-research/hearth/internal/export"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
)

// exportContentTypes maps an export format to its response content type.
var exportContentTypes = map[string]string{
	export.FormatCSV:   "text/csv; charset=utf-8; header=present",
	export.FormatJSONL: "application/x-ndjson; charset=utf-8",
	export.FormatZip:   "application/zip",
}

// bindExport adds the research data export routes. Both are for superusers
// (study staff) only:
//
//	GET /api/export/therapy-sessions/{id}?format=csv|jsonl|zip&table=…&bom=true
//	GET /api/export/study?format=csv|jsonl|zip&table=…&sessions=id1,id2&bom=true
//
// table is required for csv and jsonl, and left out for zip, whose archive
// contains every table in both formats.
func (h *Hearth) bindExport() {
	h.app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		group := se.Router.Group("/api/export")
		group.Bind(apis.RequireSuperuserAuth())
		group.GET("/therapy-sessions/{id}", handleExportSession)
		group.GET("/study", handleExportStudy)
		return se.Next()
	})
}

func handleExportSession(e *core.RequestEvent) error {
	request, err := exportRequestFromQuery(e, ExportScopeSession)
	if err != nil {
		return e.BadRequestError("Invalid export request.", err)
	}
	request.SessionIDs = []string{e.Request.PathValue("id")}
	return serveExport(e, request)
}

func handleExportStudy(e *core.RequestEvent) error {
	request, err := exportRequestFromQuery(e, ExportScopeStudy)
	if err != nil {
		return e.BadRequestError("Invalid export request.", err)
	}
	for _, id := range strings.Split(e.Request.URL.Query().Get("sessions"), ",") {
		if id = strings.TrimSpace(id); id != "" {
			request.SessionIDs = append(request.SessionIDs, id)
		}
	}
	return serveExport(e, request)
}

func exportRequestFromQuery(e *core.RequestEvent, scope string) (ExportRequest, error) {
	query := e.Request.URL.Query()
	request := ExportRequest{Scope: scope, Format: query.Get("format"), Table: query.Get("table")}
	if bom := query.Get("bom"); bom != "" {
		var err error
		if request.ByteOrderMark, err = strconv.ParseBool(bom); err != nil {
			return request, validation.Errors{"bom": validation.NewError("validation_invalid_bom", "Use true or false.")}
		}
	}
	return request, nil
}

// serveExport logs the export and streams it to the response. Errors found
// before the first byte is sent get a normal error response. After that the
// status line is gone, so a failure aborts the connection instead: the
// client sees a broken download rather than a short file that looks whole.
func serveExport(e *core.RequestEvent, request ExportRequest) error {
	if err := request.Validate(true); err != nil {
		return e.BadRequestError("Invalid export request.", err)
	}

	x, err := BeginExport(e.Request.Context(), e.App, request)
	var notFound *ExportSessionNotFoundError
	switch {
	case errors.As(err, &notFound) && request.Scope == ExportScopeSession:
		return e.NotFoundError("The therapy session was not found.", err)
	case errors.As(err, &notFound):
		return e.BadRequestError("Invalid export request.", validation.Errors{
			"sessions": validation.NewError("validation_unknown_session", "The therapy session "+notFound.ID+" was not found."),
		})
	case err != nil:
		return e.InternalServerError("Failed to start the export.", err)
	}
	defer x.Close()

	if err := LogExport(e.App, request, ExportRequester{Superuser: e.Auth}); err != nil {
		return e.InternalServerError("Failed to record the export in the export log.", err)
	}

	header := e.Response.Header()
	header.Set("Content-Type", exportContentTypes[request.Format])
	header.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": exportFileName(request, time.Now())}))
	header.Set("Cache-Control", "no-store")
	header.Set("X-Content-Type-Options", "nosniff")
	// A study can take longer to download than the server's write timeout.
	// Test recorders do not support deadlines, so the error is ignored.
	_ = http.NewResponseController(e.Response).SetWriteDeadline(time.Time{})

	sent := &sentWriter{writer: e.Response}
	buffered := bufio.NewWriterSize(sent, 64<<10)
	if request.Format == export.FormatZip {
		err = x.WriteArchive(buffered, time.Now())
	} else {
		err = x.WriteTable(buffered, request.Table)
	}
	if err == nil {
		err = buffered.Flush()
	}
	if err == nil {
		return nil
	}

	if !sent.started {
		for _, name := range []string{"Content-Type", "Content-Disposition"} {
			header.Del(name)
		}
		return e.InternalServerError("Failed to export the data.", err)
	}
	if !errors.Is(err, context.Canceled) {
		e.App.Logger().Error("Export failed after part of it was sent",
			"error", err, "scope", request.Scope, "format", request.Format, "table", request.Table)
	}
	panic(http.ErrAbortHandler)
}

// exportFileName returns the download name, e.g.
// hearth-session-abc123-actions-2026-03-01.csv or hearth-study-2026-03-01.zip.
func exportFileName(request ExportRequest, now time.Time) string {
	parts := []string{"hearth", request.Scope}
	if request.Scope == ExportScopeSession && len(request.SessionIDs) == 1 {
		parts = append(parts, request.SessionIDs[0])
	}
	if request.Table != "" {
		parts = append(parts, request.Table)
	}
	parts = append(parts, now.UTC().Format("2006-01-02"))
	return strings.Join(parts, "-") + "." + request.Format
}

// sentWriter records whether anything has been written to the response.
type sentWriter struct {
	writer  io.Writer
	started bool
}

func (w *sentWriter) Write(p []byte) (int, error) {
	w.started = true
	return w.writer.Write(p)
}
