package onboard

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/curconnect/curconnect/billingconn"
	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/iampolicy"
	"github.com/curconnect/curconnect/internal/jsonerr"
)

// The JSON API's shapes (DESIGN.md, examples/onboard).

type apiCreated struct {
	ID             string `json:"id"`
	ExternalID     string `json:"externalId"`
	QuickCreateURL string `json:"quickCreateUrl"`
	State          State  `json:"state"`
}

type apiListItem struct {
	ID             string `json:"id"`
	PayerAccountID string `json:"payerAccountId"`
	Bucket         string `json:"bucket"`
	Prefix         string `json:"prefix"`
	ReportName     string `json:"reportName"`
	State          State  `json:"state"`
}

// apiCheck is examples/verify -json's check object.
type apiCheck struct {
	ID          billingconn.CheckID `json:"id"`
	Status      billingconn.Status  `json:"status"`
	Code        string              `json:"code"`
	Message     string              `json:"message"`
	Remediation string              `json:"remediation"`
	Retryable   bool                `json:"retryable"`
	Hint        string              `json:"hint"`
}

type apiConnection struct {
	apiListItem
	Profile        string     `json:"profile"`
	RoleARN        string     `json:"roleArn"`
	ExternalID     string     `json:"externalId"`
	QuickCreateURL string     `json:"quickCreateUrl"`
	Checks         []apiCheck `json:"checks"`
}

type apiVerified struct {
	ID     string     `json:"id"`
	State  State      `json:"state"`
	Checks []apiCheck `json:"checks"`
}

func apiChecks(checks []Check) []apiCheck {
	out := []apiCheck{}
	for _, c := range checks {
		out = append(out, apiCheck{ID: c.ID, Status: c.Status, Code: c.Code, Message: c.Message, Remediation: c.Remediation, Retryable: c.Retryable, Hint: c.Hint})
	}
	return out
}

func (h *Handler) listItem(c Connection) apiListItem {
	return apiListItem{ID: c.ID, PayerAccountID: c.PayerAccountID, Bucket: c.Bucket, Prefix: c.Prefix, ReportName: c.ReportName,
		State: c.EffectiveState(h.o.Now(), h.o.VerifyTimeout)}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

type apiErrors struct {
	Errors []apiFieldError `json:"errors"`
}

// apiFieldError is a refused input in the JSON API.
type apiFieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func apiFieldErrors(fields []*curerr.FieldError) apiErrors {
	out := apiErrors{Errors: []apiFieldError{}}
	for _, f := range fields {
		out.Errors = append(out.Errors, apiFieldError{Field: f.Field, Message: f.Msg})
	}
	return out
}

func writeJSONError(w http.ResponseWriter, status int, field, msg string) {
	writeJSON(w, status, apiErrors{Errors: []apiFieldError{{Field: field, Message: msg}}})
}

// writeAPIError answers err as the API does: 400 with every field's
// problem, 404, 409, 429 with Retry-After, or 500 (whose cause is logged,
// not shown).
func (h *Handler) writeAPIError(w http.ResponseWriter, r *http.Request, err error) {
	var in *inputError
	var rl *RateLimitError
	switch {
	case errors.As(err, &in):
		writeJSON(w, http.StatusBadRequest, apiFieldErrors(in.fields))
	case errors.Is(err, ErrNotFound):
		writeJSONError(w, http.StatusNotFound, "", "no such connection")
	case errors.Is(err, ErrVerifying):
		writeJSONError(w, http.StatusConflict, "", "A verification of this connection is running; wait for it to finish.")
	case errors.Is(err, ErrLeaseLost):
		writeJSONError(w, http.StatusConflict, "", "This verification took too long and another one started; see its result.")
	case errors.As(err, &rl):
		w.Header().Set("Retry-After", strconv.Itoa(rl.seconds()))
		writeJSONError(w, http.StatusTooManyRequests, "", "This connection was verified moments ago. Verify again in "+strconv.Itoa(rl.seconds())+" seconds.")
	default:
		h.log.LogAttrs(r.Context(), slog.LevelError, "onboard: request failed", slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.String("error", err.Error()))
		writeJSONError(w, http.StatusInternalServerError, "", "something went wrong on our side; try again")
	}
}

// decodeJSON reads a JSON object into v, refusing unknown fields: a field
// the API does not take (an externalId above all) is an error, never
// silently dropped.
func decodeJSON(r *http.Request, w http.ResponseWriter, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			f = strings.Trim(f, `"`)
			if f == "externalId" {
				return fieldErr(f, "is not accepted: the server generates the external ID")
			}
			return fieldErr(f, "is not a field of this request")
		}
		return fieldErr("", "The body is not the JSON object this request takes: %s.", jsonerr.Text(err, ""))
	}
	if dec.More() {
		return fieldErr("", "The body holds more than one JSON value.")
	}
	return nil
}

// create makes a connection from the settings, with a new external ID.
func (h *Handler) create(ctx context.Context, tenant string, s Settings) (Connection, error) {
	s = s.trim()
	if errs := h.validateSettings(s); len(errs) > 0 {
		return Connection{}, &inputError{fields: errs}
	}
	now := h.o.Now()
	c := Connection{
		ID: newID(), Tenant: tenant, Profile: s.Profile,
		PayerAccountID: s.PayerAccountID, Bucket: s.Bucket, Prefix: s.Prefix, ReportName: s.ReportName,
		ExternalID: iampolicy.NewExternalID(), State: StatePending, CreatedAt: now, UpdatedAt: now,
	}
	c, err := h.store.Create(ctx, c)
	if err != nil {
		return Connection{}, err
	}
	h.log.LogAttrs(ctx, slog.LevelInfo, "onboard: connection created", slog.String("tenant", tenant), slog.String("id", c.ID),
		slog.String("payerAccountId", c.PayerAccountID), slog.String("profile", c.Profile))
	return c, nil
}

func (h *Handler) apiCreate(w http.ResponseWriter, r *http.Request, tenant string) {
	var s Settings
	if err := decodeJSON(r, w, &s); err != nil {
		h.writeAPIError(w, r, err)
		return
	}
	c, err := h.create(r.Context(), tenant, s)
	if err != nil {
		h.writeAPIError(w, r, err)
		return
	}
	link, err := h.quickCreateURL(r, c)
	if err != nil {
		h.writeAPIError(w, r, err)
		return
	}
	w.Header().Set("Location", h.o.Prefix+"/api/connections/"+c.ID)
	writeJSON(w, http.StatusCreated, apiCreated{ID: c.ID, ExternalID: c.ExternalID, QuickCreateURL: link, State: c.State})
}

func (h *Handler) apiList(w http.ResponseWriter, r *http.Request, tenant string) {
	conns, err := h.store.List(r.Context(), tenant)
	if err != nil {
		h.writeAPIError(w, r, err)
		return
	}
	out := struct {
		Connections []apiListItem `json:"connections"`
	}{Connections: []apiListItem{}}
	for _, c := range conns {
		out.Connections = append(out.Connections, h.listItem(c))
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *Handler) apiGet(w http.ResponseWriter, r *http.Request, tenant string) {
	c, err := h.store.Get(r.Context(), tenant, r.PathValue("id"))
	if err != nil {
		h.writeAPIError(w, r, err)
		return
	}
	link, err := h.quickCreateURL(r, c)
	if err != nil {
		h.writeAPIError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, apiConnection{apiListItem: h.listItem(c), Profile: c.Profile, RoleARN: c.RoleARN,
		ExternalID: c.ExternalID, QuickCreateURL: link, Checks: apiChecks(c.Checks)})
}

func (h *Handler) apiDelete(w http.ResponseWriter, r *http.Request, tenant string) {
	if err := h.store.Delete(r.Context(), tenant, r.PathValue("id")); err != nil {
		h.writeAPIError(w, r, err)
		return
	}
	h.log.LogAttrs(r.Context(), slog.LevelInfo, "onboard: connection deleted", slog.String("tenant", tenant), slog.String("id", r.PathValue("id")))
	w.WriteHeader(http.StatusNoContent)
}

// apiRole takes the role ARN back and verifies. With Accept:
// application/x-ndjson the answer streams: {"plan": [{"id", "label"}]},
// then {"check": {…}} as each check ends, then the final object.
func (h *Handler) apiRole(w http.ResponseWriter, r *http.Request, tenant string) {
	var body struct {
		RoleARN string `json:"roleArn"`
	}
	if err := decodeJSON(r, w, &body); err != nil {
		h.writeAPIError(w, r, err)
		return
	}
	c, err := h.claim(r.Context(), tenant, r.PathValue("id"), body.RoleARN)
	if err != nil {
		h.writeAPIError(w, r, err)
		return
	}
	if !strings.Contains(r.Header.Get("Accept"), "application/x-ndjson") {
		out, err := h.verify(r.Context(), c, nil)
		if err != nil {
			h.writeAPIError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, apiVerified{ID: out.ID, State: out.State, Checks: apiChecks(out.Checks)})
		return
	}
	h.streamVerify(w, r, c)
}

type planItem struct {
	ID    billingconn.CheckID `json:"id"`
	Label string              `json:"label"`
}

type streamCheck struct {
	apiCheck
	Label string `json:"label"`
	Note  string `json:"note,omitempty"`
}

// streamVerify runs the verification and writes each check as it ends, one
// JSON object per line.
func (h *Handler) streamVerify(w http.ResponseWriter, r *http.Request, c Connection) {
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.Header().Set("X-Accel-Buffering", "no") // no proxy buffering of the live checks
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	var mu sync.Mutex // the writes come from Verify's goroutine and this one
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	send := func(v any) {
		mu.Lock()
		defer mu.Unlock()
		if enc.Encode(v) == nil {
			_ = rc.Flush()
		}
	}
	var plan []planItem
	for _, id := range h.plan(c) {
		plan = append(plan, planItem{ID: id, Label: CheckLabel(id)})
	}
	send(struct {
		Plan []planItem `json:"plan"`
	}{plan})
	out, err := h.verify(r.Context(), c, func(ch Check) {
		ac := apiChecks([]Check{ch})[0]
		send(struct {
			Check streamCheck `json:"check"`
		}{streamCheck{apiCheck: ac, Label: CheckLabel(ch.ID), Note: checkNote(ch)}})
	})
	if err != nil {
		h.log.LogAttrs(r.Context(), slog.LevelError, "onboard: verification failed", slog.String("id", c.ID), slog.String("error", err.Error()))
		send(apiErrors{Errors: []apiFieldError{{Message: "The verification could not finish; try again."}}})
		return
	}
	send(struct {
		apiVerified
		Waiting bool `json:"waitingForDelivery"`
	}{apiVerified{ID: out.ID, State: out.State, Checks: apiChecks(out.Checks)}, out.WaitingForDelivery()})
}

// apiDefinition takes a pasted report definition or export (the AWS CLI's
// JSON, as the body), validates it against the connection's profile and
// keeps it for the report-definition check: 200 {"findings": […]}.
func (h *Handler) apiDefinition(w http.ResponseWriter, r *http.Request, tenant string) {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxDefinition))
	if err != nil {
		h.writeAPIError(w, r, fieldErr("definition", "The definition is larger than %d bytes.", maxDefinition))
		return
	}
	c, findings, err := h.saveDefinition(r.Context(), tenant, r.PathValue("id"), string(raw))
	if err != nil {
		h.writeAPIError(w, r, err)
		return
	}
	if findings == nil {
		findings = billingconn.Findings{}
	}
	writeJSON(w, http.StatusOK, struct {
		ID       string               `json:"id"`
		Findings billingconn.Findings `json:"findings"`
	}{c.ID, findings})
}

// saveDefinition parses, checks and stores a pasted definition, and
// returns its findings against the connection's profile.
func (h *Handler) saveDefinition(ctx context.Context, tenant, id, raw string) (Connection, billingconn.Findings, error) {
	var findings billingconn.Findings
	c, err := update(ctx, h.store, tenant, id, func(c *Connection) error {
		d, err := parseDefinition(*c, raw)
		if err != nil {
			return err
		}
		if findings, err = h.validateDefinition(*c, d); err != nil {
			return err
		}
		j, err := json.Marshal(d)
		if err != nil {
			return err
		}
		c.Definition = string(j)
		c.UpdatedAt = h.o.Now()
		return nil
	})
	return c, findings, err
}

// validateDefinition validates d against c's profile.
func (h *Handler) validateDefinition(c Connection, d billingconn.Definition) (billingconn.Findings, error) {
	p := h.profile(c.Profile)
	if p == nil {
		return billingconn.Validate(d)
	}
	return billingconn.Validate(d, p)
}
