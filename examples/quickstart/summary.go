package main

import (
	"context"
	"fmt"
	"sort"

	"github.com/curconnect/curconnect/curreader"
	"github.com/curconnect/curconnect/curreader/decimal"
)

// summary is the cost summary of one report: exact unblended cost per
// month, service and account.
type summary struct {
	Report  string            `json:"report"`
	Months  []monthSummary    `json:"months"`
	Checked bool              `json:"checkedAgainstGenerated"`
	Totals  map[string]string `json:"totalByMonth"`
}

type monthSummary struct {
	Period    string            `json:"period"`
	Version   string            `json:"version"`
	Rows      int64             `json:"rows"`
	Total     string            `json:"total"`
	ByService map[string]string `json:"byService"`
	ByAccount map[string]string `json:"byAccount"`
}

func (st *story) summarize(ctx context.Context, env *environment) error {
	r := env.newResolver()
	name := st.opts.report
	if name == "" {
		name = demoReport
		if !env.embedded {
			reps, err := r.Reports(ctx, st.opts.prefix)
			if err != nil {
				return err
			}
			name = ""
			for _, rep := range reps {
				if rep.Kind == curreader.KindCUR {
					name = rep.Name
					break
				}
			}
			if name == "" {
				return nil
			}
		}
	}
	sum, err := st.summarizeOne(ctx, env, r, name, "6. Cost by service and by account (exact, from "+name+")")
	if err != nil || sum == nil {
		return err
	}
	st.Summary = sum
	if env.embedded && st.opts.report == "" {
		// The CUR 2.0 export is summed too: its data files are Parquet.
		sum, err := st.summarizeOne(ctx, env, r, demoExport, "7. Cost by service and by account (exact, from "+demoExport+", Parquet)")
		if err != nil {
			return err
		}
		st.ExportSummary = sum
	}
	return nil
}

// summarizeOne sums one report's or export's latest deliveries by service
// and account and checks them against the generated truth, if any. The
// column names are the legacy ones; the reader finds them in CUR 2.0
// (line_item_unblended_cost) too.
func (st *story) summarizeOne(ctx context.Context, env *environment, r *curreader.Resolver, name, title string) (*summary, error) {
	rep, err := r.Find(ctx, st.opts.prefix, name)
	if err != nil {
		return nil, err
	}
	deliveries, err := r.Latest(ctx, rep)
	if err != nil {
		return nil, err
	}
	st.section(title)
	sum := &summary{Report: name, Totals: map[string]string{}}
	for _, d := range deliveries {
		rd, err := r.Open(ctx, d, func(o *curreader.ReadOptions) {
			o.Columns = []string{"lineItem/UnblendedCost", "lineItem/ProductCode", "lineItem/UsageAccountId"}
		})
		if err != nil {
			return nil, err
		}
		m := monthSummary{Period: d.Period.String(), Version: d.Version}
		var total decimal.Decimal
		bySvc, byAcct := map[string]decimal.Decimal{}, map[string]decimal.Decimal{}
		for row, err := range rd.Rows() {
			if err != nil {
				rd.Close()
				return nil, err
			}
			m.Rows++
			v, ok, err := row.Decimal("lineItem/UnblendedCost")
			if err != nil {
				rd.Close()
				return nil, err
			}
			if !ok {
				continue
			}
			svc, _ := row.Get("lineItem/ProductCode")
			acct, _ := row.Get("lineItem/UsageAccountId")
			total = total.Add(v)
			bySvc[svc] = bySvc[svc].Add(v)
			byAcct[acct] = byAcct[acct].Add(v)
		}
		rd.Close()
		m.Total, m.ByService, m.ByAccount = total.String(), strs(bySvc), strs(byAcct)
		sum.Months = append(sum.Months, m)
		sum.Totals[m.Period] = m.Total

		fmt.Fprintf(st.w, "%s (%d rows, version %s): total %s USD\n", m.Period, m.Rows, shorten(m.Version, 20), m.Total)
		tw := st.table()
		fmt.Fprintln(tw, "  SERVICE\tCOST\t\tACCOUNT\tCOST")
		svcs, accts := sortedByCost(bySvc), sortedByCost(byAcct)
		for i := 0; i < len(svcs) || i < len(accts); i++ {
			if i == 5 {
				more := func(n int) string {
					if n <= 0 {
						return ""
					}
					return fmt.Sprintf("…%d more", n)
				}
				fmt.Fprintf(tw, "  %s\t\t\t%s\t\n", more(len(svcs)-5), more(len(accts)-5))
				break
			}
			var a, b, c, e string
			if i < len(svcs) {
				a, b = svcs[i], bySvc[svcs[i]].String()
			}
			if i < len(accts) {
				c, e = accts[i], byAcct[accts[i]].String()
			}
			fmt.Fprintf(tw, "  %s\t%s\t\t%s\t%s\n", shorten(a, 24), b, c, e)
		}
		if err := tw.Flush(); err != nil {
			return nil, err
		}

		if truth := st.truth[name]; truth != nil {
			cur := truth.Current(m.Period)
			switch {
			case cur == nil:
				st.Problems = append(st.Problems, m.Period+": nothing was generated for this month")
			case decimal.MustParse(cur.Total).String() != m.Total || cur.Rows != m.Rows || !sameSums(cur.ByProduct, m.ByService) || !sameSums(cur.ByAccount, m.ByAccount):
				st.Problems = append(st.Problems, fmt.Sprintf("%s: read %s over %d rows, generated %s over %d rows", m.Period, m.Total, m.Rows, cur.Total, cur.Rows))
			default:
				sum.Checked = true
			}
		}
	}
	if st.truth != nil && sum.Checked && len(st.Problems) == 0 {
		fmt.Fprintln(st.w, "Checked: every total, per service and per account, equals what was")
		fmt.Fprintln(st.w, "generated, to the last digit.")
	}
	return sum, nil
}

func strs(m map[string]decimal.Decimal) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v.String()
	}
	return out
}

func sortedByCost(m map[string]decimal.Decimal) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if c := m[keys[i]].Cmp(m[keys[j]]); c != 0 {
			return c > 0
		}
		return keys[i] < keys[j]
	})
	return keys
}

// sameSums compares generated and read per-group sums as decimals.
func sameSums(want, got map[string]string) bool {
	if len(want) != len(got) {
		return false
	}
	for k, w := range want {
		g, ok := got[k]
		if !ok || decimal.MustParse(w).String() != g {
			return false
		}
	}
	return true
}
