// Command validate checks legacy Cost and Usage Report definitions and Data
// Exports, as the AWS CLI prints them, against AWS's own rules and a
// consumer profile, and prints every finding with the exact fix.
//
// Usage:
//
//	go run ./examples/validate -profile optima|eco|FILE.json [-json] DEFINITION.json...
//
// Each file holds a ReportDefinition or an Export in the AWS API's JSON
// shape, bare or wrapped in {"ReportDefinition": …} / {"Export": …} (the
// output of aws cur describe-report-definitions and aws bcm-data-exports
// get-export work as they are); "-" reads standard input. -profile may be
// given more than once to check one report for several consumers.
//
// -json prints {"findings": [{"file", "code", "severity", "field",
// "message", "fixId", "fix"}, …]}. The findings of one definition that one
// fix resolves share it, and it is given once: every finding it resolves
// has the same "fixId" (a number, unique in the output; null when no fix
// is proposed), and the first of them in the list carries the fix in
// "fix", the others null. So
//
//	jq '[.findings[] | select(.fix)] | map(.fix)'
//
// lists each distinct fix once, and a finding's fix is the "fix" of the
// first finding with its "fixId". A fix is {"action", "note", "needsInput",
// "input"}: "input" is the AWS CLI's --cli-input-json for the action;
// "needsInput", present only when the input cannot be sent as it is, lists
// {"path", "need"}: the fields of "input" (dot-separated keys, such as
// "ReportDefinition.S3Bucket") the user must set first, and what they must
// hold (Eco's fix for a report in eu-west-1 moves it to us-east-1 and needs
// a bucket there).
//
// Exit codes: 0 no error findings (warnings allowed), 1 error findings, 2 bad
// input (flags, unreadable or malformed files, invalid profile).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/curconnect/curconnect/billingconn"
	"github.com/curconnect/curconnect/curreader/curerr"
)

// Exit codes, as every example program uses them.
const (
	exitOK       = 0
	exitFindings = 1
	exitBadInput = 2
)

// usageError marks bad flags or arguments (exit code 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// errFindings reports that at least one finding is an error (exit code 1).
var errFindings = errors.New("the definitions have error findings")

func main() {
	os.Exit(exitCode(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr), os.Stderr))
}

func exitCode(err error, stderr io.Writer) int {
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errFindings):
		return exitFindings
	}
	fmt.Fprintln(stderr, "validate:", err)
	var ue usageError
	if errors.As(err, &ue) || errors.Is(err, curerr.ErrMalformed) {
		return exitBadInput
	}
	return exitFindings
}

// profileFlag collects -profile values.
type profileFlag []string

func (p *profileFlag) String() string     { return strings.Join(*p, ",") }
func (p *profileFlag) Set(v string) error { *p = append(*p, v); return nil }

// jsonFinding is one element of the -json output.
type jsonFinding struct {
	File     string           `json:"file"`
	Code     billingconn.Code `json:"code"`
	Severity string           `json:"severity"`
	Field    string           `json:"field"`
	Message  string           `json:"message"`
	FixID    *int             `json:"fixId"`
	Fix      *billingconn.Fix `json:"fix"`
}

func loadProfile(v string) (*billingconn.Profile, error) {
	switch strings.ToLower(v) {
	case "optima":
		return billingconn.Optima(), nil
	case "eco":
		return billingconn.Eco(), nil
	}
	data, err := os.ReadFile(v)
	if err != nil {
		return nil, usageError{fmt.Errorf("-profile %s: not optima, eco or a readable profile file: %w", v, err)}
	}
	p, err := billingconn.ParseProfile(data)
	if err != nil {
		return nil, fmt.Errorf("-profile %s: %w", v, err)
	}
	return p, nil
}

// checked is one definition and its findings.
type checked struct {
	file     string
	def      billingconn.Definition
	findings billingconn.Findings
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var profileArgs profileFlag
	fs.Var(&profileArgs, "profile", "consumer profile: optima, eco or a profile JSON file (repeatable)")
	asJSON := fs.Bool("json", false, `print {"findings": [{"file", "code", "severity", "field", "message", "fixId", "fix"}, …]}; a fix shared by several findings is given once, on the first with its fixId`)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: validate -profile optima|eco|FILE.json [-json] DEFINITION.json...")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if fs.NArg() == 0 {
		return usageError{errors.New("no definition files given")}
	}
	var profiles []*billingconn.Profile
	var names []string
	for _, v := range profileArgs {
		p, err := loadProfile(v)
		if err != nil {
			return err
		}
		profiles = append(profiles, p)
		names = append(names, p.Name)
	}

	var results []checked
	var badInput []error
	for _, file := range fs.Args() {
		if err := ctx.Err(); err != nil {
			return err
		}
		var data []byte
		var err error
		if file == "-" {
			data, err = io.ReadAll(io.LimitReader(stdin, billingconn.MaxDefinitionSize+1))
		} else {
			data, err = os.ReadFile(file)
		}
		if err != nil {
			badInput = append(badInput, usageError{err})
			continue
		}
		defs, err := billingconn.ParseDefinitions(data)
		if err != nil {
			badInput = append(badInput, fmt.Errorf("%s: %w", file, err))
			continue
		}
		for _, d := range defs {
			findings, err := billingconn.Validate(d, profiles...)
			if err != nil {
				return err
			}
			results = append(results, checked{file: file, def: d, findings: findings})
		}
	}

	var werr error
	if *asJSON {
		werr = writeJSON(stdout, results)
	} else {
		werr = writeText(stdout, results, names)
	}
	if werr != nil {
		return werr
	}
	if len(badInput) > 0 {
		return errors.Join(badInput...)
	}
	for _, r := range results {
		if r.findings.HasErrors() {
			return errFindings
		}
	}
	return nil
}

func writeJSON(w io.Writer, results []checked) error {
	out := struct {
		Findings []jsonFinding `json:"findings"`
	}{Findings: []jsonFinding{}}
	ids := map[*billingconn.Fix]int{} // one number per distinct fix, in order of first use
	for _, r := range results {
		for _, f := range r.findings {
			jf := jsonFinding{File: r.file, Code: f.Code, Severity: string(f.Severity), Field: f.Field, Message: f.Message}
			if f.Fix != nil {
				id, seen := ids[f.Fix]
				if !seen {
					id = len(ids) + 1
					ids[f.Fix] = id
					jf.Fix = f.Fix // given once, on the first finding it resolves
				}
				jf.FixID = &id
			}
			out.Findings = append(out.Findings, jf)
		}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// cliCommand is the AWS CLI command that sends a fix's input.
func cliCommand(a billingconn.FixAction) string {
	switch a {
	case billingconn.FixModifyReportDefinition:
		return "aws cur modify-report-definition --region us-east-1"
	case billingconn.FixPutReportDefinition:
		return "aws cur put-report-definition --region us-east-1"
	case billingconn.FixUpdateExport:
		return "aws bcm-data-exports update-export --region us-east-1"
	}
	return "aws bcm-data-exports create-export --region us-east-1"
}

func writeText(w io.Writer, results []checked, profiles []string) error {
	against := "AWS's rules"
	if len(profiles) > 0 {
		against += " and " + strings.Join(profiles, ", ")
	}
	for i, r := range results {
		if i > 0 {
			fmt.Fprintln(w)
		}
		kind := "Data Export"
		if r.def.ReportDefinition != nil {
			kind = "legacy report"
		}
		errs, warns := 0, 0
		for _, f := range r.findings {
			if f.Severity == billingconn.SeverityError {
				errs++
			} else {
				warns++
			}
		}
		fmt.Fprintf(w, "%s: %s %q checked against %s: %s, %s\n", r.file, kind, r.def.Name(), against, plural(errs, "error"), plural(warns, "warning"))
		if len(r.findings) == 0 {
			continue
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  SEVERITY\tCODE\tFIELD\tMESSAGE")
		for _, f := range r.findings {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", f.Severity, f.Code, f.Field, f.Message)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		// Each distinct fix once, with the codes it resolves.
		var fixes []*billingconn.Fix
		resolves := map[*billingconn.Fix][]string{}
		var unfixed []string
		for _, f := range r.findings {
			if f.Fix == nil {
				unfixed = append(unfixed, string(f.Code))
				continue
			}
			if _, seen := resolves[f.Fix]; !seen {
				fixes = append(fixes, f.Fix)
			}
			resolves[f.Fix] = append(resolves[f.Fix], string(f.Code))
		}
		for _, fx := range fixes {
			j, err := json.MarshalIndent(fx, "    ", "  ")
			if err != nil {
				return err
			}
			var parsed struct{ Input json.RawMessage }
			if err := json.Unmarshal(j, &parsed); err != nil {
				return err
			}
			input, err := json.Marshal(parsed.Input)
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "  fix (%s): %s\n", strings.Join(resolves[fx], ", "), fx.Action)
			if fx.Note != "" {
				fmt.Fprintf(w, "    note: %s\n", fx.Note)
			}
			for _, in := range fx.NeedsInput {
				fmt.Fprintf(w, "    before sending: set %s to %s\n", in.Path, in.Need)
			}
			fmt.Fprintf(w, "    %s --cli-input-json '%s'\n", cliCommand(fx.Action), strings.ReplaceAll(string(input), "'", `'\''`))
		}
		if len(unfixed) > 0 {
			fmt.Fprintf(w, "  no automatic fix for: %s (see the messages)\n", strings.Join(unfixed, ", "))
		}
	}
	return nil
}
