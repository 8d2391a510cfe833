package main

import (
	"context"
	"fmt"

	"github.com/curconnect/curconnect/curreader"
)

// listedDelivery is one report's newest delivery of one month.
type listedDelivery struct {
	Kind     curreader.Kind `json:"kind"`
	Name     string         `json:"name"`
	Period   string         `json:"period"`
	Version  string         `json:"version"`
	Format   string         `json:"format"`
	Files    int            `json:"files"`
	Bytes    int64          `json:"bytes"`
	Manifest string         `json:"manifest"`
	Error    string         `json:"error,omitempty"`
}

func (st *story) list(ctx context.Context, env *environment) error {
	st.section("5. Every report and billing period in the bucket")
	r := env.newResolver()
	reps, err := r.Reports(ctx, st.opts.prefix)
	if err != nil {
		return err
	}
	tw := st.table()
	fmt.Fprintln(tw, "KIND\tNAME\tPERIOD\tVERSION\tFORMAT\tFILES\tBYTES")
	for _, rep := range reps {
		periods, err := r.Periods(ctx, rep)
		if err != nil {
			return err
		}
		for _, p := range periods {
			d, err := r.Resolve(ctx, rep, p.Month)
			if err != nil {
				st.Reports = append(st.Reports, listedDelivery{Kind: rep.Kind, Name: rep.Name, Period: p.String(), Error: err.Error()})
				fmt.Fprintf(tw, "%s\t%s\t%s\t(%s)\t\t\t\n", rep.Kind, rep.Name, p, shorten(err.Error(), 30))
				st.Problems = append(st.Problems, fmt.Sprintf("%s %s: %v", rep.Name, p, err))
				continue
			}
			l := listedDelivery{Kind: d.Kind, Name: d.Report, Period: d.Period.String(), Version: d.Version,
				Format: string(d.Format) + "/" + string(d.Compression), Files: len(d.Files), Bytes: d.TotalSize(), Manifest: d.ManifestKey}
			st.Reports = append(st.Reports, l)
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\n", l.Kind, l.Name, l.Period, shorten(l.Version, 18), l.Format, l.Files, l.Bytes)
			if truth := st.truth[d.Report]; truth != nil {
				if cur := truth.Current(d.Period.String()); cur == nil || cur.Version != d.Version {
					st.Problems = append(st.Problems, fmt.Sprintf("%s %s: resolved version %s, generated current version differs", d.Report, d.Period, d.Version))
				}
			}
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if env.embedded {
		fmt.Fprintln(st.w, "Each month is its newest complete delivery, read from its manifest: the restated")
		fmt.Fprintln(st.w, "month's superseded assembly is never mixed in.")
	}
	return nil
}
