package athena

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/glue/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/curconnect/curconnect/curreader"
	"github.com/curconnect/curconnect/internal/awserr"
)

// S3API is the S3 operation that writes symlink files. It is never asked
// to change a bucket's configuration (event notifications included).
type S3API interface {
	PutObject(ctx context.Context, params *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

var _ S3API = (*s3.Client)(nil)

// GlueAPI is the part of the Glue client Publish uses.
type GlueAPI interface {
	GetDatabase(ctx context.Context, params *glue.GetDatabaseInput, optFns ...func(*glue.Options)) (*glue.GetDatabaseOutput, error)
	CreateDatabase(ctx context.Context, params *glue.CreateDatabaseInput, optFns ...func(*glue.Options)) (*glue.CreateDatabaseOutput, error)
	GetTable(ctx context.Context, params *glue.GetTableInput, optFns ...func(*glue.Options)) (*glue.GetTableOutput, error)
	CreateTable(ctx context.Context, params *glue.CreateTableInput, optFns ...func(*glue.Options)) (*glue.CreateTableOutput, error)
	UpdateTable(ctx context.Context, params *glue.UpdateTableInput, optFns ...func(*glue.Options)) (*glue.UpdateTableOutput, error)
	GetPartitions(ctx context.Context, params *glue.GetPartitionsInput, optFns ...func(*glue.Options)) (*glue.GetPartitionsOutput, error)
	BatchCreatePartition(ctx context.Context, params *glue.BatchCreatePartitionInput, optFns ...func(*glue.Options)) (*glue.BatchCreatePartitionOutput, error)
	BatchUpdatePartition(ctx context.Context, params *glue.BatchUpdatePartitionInput, optFns ...func(*glue.Options)) (*glue.BatchUpdatePartitionOutput, error)
	BatchDeletePartition(ctx context.Context, params *glue.BatchDeletePartitionInput, optFns ...func(*glue.Options)) (*glue.BatchDeletePartitionOutput, error)
}

var _ GlueAPI = (*glue.Client)(nil)

// Glue's batch limits (API_BatchCreatePartition, API_BatchUpdatePartition,
// API_BatchDeletePartition).
const (
	maxCreatePartitions = 100
	maxUpdatePartitions = 100
	maxDeletePartitions = 25
)

// Result is what Publish did.
type Result struct {
	// Plan is the plan it published, Problems included.
	Plan *Plan
	// DatabaseCreated reports that the database did not exist.
	DatabaseCreated bool
	// TablesCreated and TablesUpdated name the tables written.
	TablesCreated, TablesUpdated []string
	// SymlinksWritten are the s3:// URIs of the symlink files written.
	SymlinksWritten []string
	// PartitionsCreated, PartitionsUpdated and PartitionsDeleted are
	// "table/YYYY-MM".
	PartitionsCreated, PartitionsUpdated, PartitionsDeleted []string
}

// Publish makes every report and export under prefix queryable in Athena,
// as NewPlan plans it: it writes the symlink files through s3c and creates
// or updates the Glue database, tables and partitions through gc. It
// never touches a bucket's configuration or event notifications, and never
// changes a table it did not make for the same report (ErrTableNotOurs).
//
// It keeps its record in the catalog: each partition's parameters hold the
// version of the delivery it reads (ParamVersion). A run compares the
// deliveries with them and writes only what changed: after AWS restates a
// month, that month's symlink file and partition, and nothing else; with
// nothing new, no write at all. A partition of a period the plan now
// refuses (PeriodError without Keep) is deleted, so that no query reads it
// wrong; one left out for a passing reason (Keep) stays.
//
// Options.Published is ignored: the catalog says what was published.
// Writes run in this order: database, table, symlink files, partitions,
// deletions; a failure stops the run with an *ApplyError, and the next run
// redoes what is left (a partition records its version only once its
// symlink file is written).
func Publish(ctx context.Context, r *curreader.Resolver, prefix string, dest Destination, s3c S3API, gc GlueAPI, optFns ...func(*Options)) (*Result, error) {
	o := resolveOptions(optFns)
	loc, err := dest.parse()
	if err != nil {
		return nil, err
	}
	reps, err := listReports(ctx, r, prefix, o.Report)
	if err != nil {
		return nil, err
	}
	cat, err := readCatalog(ctx, gc, loc.database, r.Bucket(), reps, o)
	if err != nil {
		return nil, err
	}
	o.Published = cat.published(r.Bucket())
	plan, err := planReports(ctx, r, reps, loc, o)
	if err != nil {
		return nil, err
	}
	// Tables this package did not make for the report are left alone.
	kept := plan.Tables[:0]
	for _, t := range plan.Tables {
		if ct := cat.tables[t.Name]; ct != nil && !ct.ours {
			plan.Problems = append(plan.Problems, &PeriodError{Report: t.Report, Table: t.Name, Keep: true,
				Err: fmt.Errorf("%w: %s.%s", ErrTableNotOurs, loc.database, t.Name)})
			continue
		}
		kept = append(kept, t)
	}
	plan.Tables = kept
	res := &Result{Plan: plan}
	a := &applier{s3: s3c, glue: gc, db: loc.database, res: res, dbExists: cat.dbExists}
	for _, t := range plan.Tables {
		if err := a.table(ctx, t, cat.tables[t.Name], plan.Problems); err != nil {
			return res, err
		}
	}
	return res, nil
}

// WriteSymlinks writes the symlink file of every partition of the plan
// that Changed, and returns their s3:// URIs. It is for callers that keep
// their own catalog (running the plan's DDL themselves): write the
// symlinks, run the DDL, then Commit the plan to the state NewPlan was
// given.
func WriteSymlinks(ctx context.Context, s3c S3API, p *Plan) ([]string, error) {
	var out []string
	for _, t := range p.Tables {
		for _, part := range t.Partitions {
			if !part.Changed {
				continue
			}
			if err := putSymlink(ctx, s3c, part); err != nil {
				return out, err
			}
			out = append(out, "s3://"+part.SymlinkBucket+"/"+part.SymlinkKey)
		}
	}
	return out, nil
}

func putSymlink(ctx context.Context, s3c S3API, part *Partition) error {
	_, err := s3c.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(part.SymlinkBucket), Key: aws.String(part.SymlinkKey),
		Body: bytes.NewReader(part.Symlink()), ContentType: aws.String("text/plain; charset=utf-8"),
	})
	if err != nil {
		return &ApplyError{Op: "PutObject", Resource: "s3://" + part.SymlinkBucket + "/" + part.SymlinkKey, Err: awserr.Classify(err)}
	}
	return nil
}

// catalog is what the Glue catalog holds of the plan's tables.
type catalog struct {
	dbExists bool
	tables   map[string]*catalogTable
}

type catalogTable struct {
	rep   curreader.Report
	table *types.Table
	ours  bool
	parts map[string]types.Partition // by period
}

func isNotFound(err error) bool {
	var nf *types.EntityNotFoundException
	return errors.As(err, &nf)
}

func readCatalog(ctx context.Context, gc GlueAPI, db, bucket string, reps []curreader.Report, o Options) (*catalog, error) {
	cat := &catalog{tables: map[string]*catalogTable{}}
	if _, err := gc.GetDatabase(ctx, &glue.GetDatabaseInput{Name: aws.String(db)}); err != nil {
		if isNotFound(err) {
			return cat, nil
		}
		return nil, &ApplyError{Op: "GetDatabase", Resource: db, Err: awserr.Classify(err)}
	}
	cat.dbExists = true
	named, _ := nameTables(reps, o)
	for _, nt := range named {
		out, err := gc.GetTable(ctx, &glue.GetTableInput{DatabaseName: aws.String(db), Name: aws.String(nt.table)})
		if err != nil {
			if isNotFound(err) {
				continue
			}
			return nil, &ApplyError{Op: "GetTable", Resource: db + "." + nt.table, Err: awserr.Classify(err)}
		}
		p := out.Table.Parameters
		ct := &catalogTable{rep: nt.rep, table: out.Table, parts: map[string]types.Partition{},
			ours: p[ParamReport] == nt.rep.Name && p[ParamPrefix] == nt.rep.Prefix && p[ParamBucket] == bucket}
		cat.tables[nt.table] = ct
		if !ct.ours {
			continue
		}
		in := &glue.GetPartitionsInput{DatabaseName: aws.String(db), TableName: aws.String(nt.table)}
		for {
			page, err := gc.GetPartitions(ctx, in)
			if err != nil {
				return nil, &ApplyError{Op: "GetPartitions", Resource: db + "." + nt.table, Err: awserr.Classify(err)}
			}
			for _, part := range page.Partitions {
				if len(part.Values) == 1 {
					ct.parts[part.Values[0]] = part
				}
			}
			if aws.ToString(page.NextToken) == "" {
				break
			}
			in.NextToken = page.NextToken
		}
	}
	return cat, nil
}

// published is the catalog's record as a SyncState: the version each of
// this package's partitions reads. A partition whose period or version is
// not one this package writes is left out: it counts as changed, and is
// written again.
func (c *catalog) published(bucket string) *curreader.SyncState {
	s := new(curreader.SyncState)
	for _, ct := range c.tables {
		if !ct.ours {
			continue
		}
		for period, part := range ct.parts {
			month, err := time.Parse("2006-01", period)
			if v := part.Parameters[ParamVersion]; v != "" && err == nil {
				s.Commit(&curreader.Delivery{Bucket: bucket, Prefix: ct.rep.Prefix, Report: ct.rep.Name,
					Period: curreader.Period{Month: month}, Version: v})
			}
		}
	}
	return s
}

type applier struct {
	s3       S3API
	glue     GlueAPI
	db       string
	res      *Result
	dbExists bool
}

func (a *applier) database(ctx context.Context) error {
	if a.dbExists {
		return nil
	}
	_, err := a.glue.CreateDatabase(ctx, &glue.CreateDatabaseInput{DatabaseInput: &types.DatabaseInput{
		Name:        aws.String(a.db),
		Description: aws.String("AWS billing data (Cost and Usage Reports, Data Exports) as their manifests say; made by curconnect"),
	}})
	var exists *types.AlreadyExistsException
	if err != nil && !errors.As(err, &exists) {
		return &ApplyError{Op: "CreateDatabase", Resource: a.db, Err: awserr.Classify(err)}
	}
	a.dbExists, a.res.DatabaseCreated = true, err == nil
	return nil
}

func (a *applier) table(ctx context.Context, t *Table, ct *catalogTable, problems []*PeriodError) error {
	exists := ct != nil
	if len(t.Partitions) == 0 {
		if !exists {
			return nil
		}
		// Every period is left out: the table stays as it is (its columns
		// are not known now), and only the partitions that would be read
		// wrong go.
		return a.deletions(ctx, t, ct, nil, problems)
	}
	if err := a.database(ctx); err != nil {
		return err
	}
	in := t.tableInput()
	switch {
	case !exists:
		if _, err := a.glue.CreateTable(ctx, &glue.CreateTableInput{DatabaseName: aws.String(a.db), TableInput: in}); err != nil {
			return &ApplyError{Op: "CreateTable", Resource: a.db + "." + t.Name, Err: awserr.Classify(err)}
		}
		a.res.TablesCreated = append(a.res.TablesCreated, t.Name)
		ct = &catalogTable{parts: map[string]types.Partition{}}
	case tableDiffers(ct.table, in):
		merged := maps.Clone(ct.table.Parameters)
		if merged == nil {
			merged = map[string]string{}
		}
		maps.Copy(merged, in.Parameters)
		in.Parameters = merged
		if _, err := a.glue.UpdateTable(ctx, &glue.UpdateTableInput{DatabaseName: aws.String(a.db), TableInput: in}); err != nil {
			return &ApplyError{Op: "UpdateTable", Resource: a.db + "." + t.Name, Err: awserr.Classify(err)}
		}
		a.res.TablesUpdated = append(a.res.TablesUpdated, t.Name)
	}

	var creates []types.PartitionInput
	var updates []types.BatchUpdatePartitionRequestEntry
	planned := map[string]bool{}
	for _, part := range t.Partitions {
		planned[part.Period] = true
		pin := t.partitionInput(part)
		old, had := ct.parts[part.Period]
		rewrite := !had || part.Changed || old.Parameters[ParamVersion] != part.Parameters[ParamVersion] ||
			old.StorageDescriptor == nil || aws.ToString(old.StorageDescriptor.Location) != part.Location
		if !rewrite && !partitionDiffers(old, pin) {
			continue
		}
		if rewrite {
			if err := putSymlink(ctx, a.s3, part); err != nil {
				return err
			}
			a.res.SymlinksWritten = append(a.res.SymlinksWritten, "s3://"+part.SymlinkBucket+"/"+part.SymlinkKey)
		}
		if had {
			updates = append(updates, types.BatchUpdatePartitionRequestEntry{PartitionValueList: []string{part.Period}, PartitionInput: &pin})
		} else {
			creates = append(creates, pin)
		}
	}
	for chunk := range slices.Chunk(creates, maxCreatePartitions) {
		out, err := a.glue.BatchCreatePartition(ctx, &glue.BatchCreatePartitionInput{DatabaseName: aws.String(a.db), TableName: aws.String(t.Name), PartitionInputList: chunk})
		if err == nil && len(out.Errors) > 0 {
			err = partitionErrors(out.Errors)
		}
		if err != nil {
			return &ApplyError{Op: "BatchCreatePartition", Resource: a.db + "." + t.Name, Err: awserr.Classify(err)}
		}
		for _, p := range chunk {
			a.res.PartitionsCreated = append(a.res.PartitionsCreated, t.Name+"/"+p.Values[0])
		}
	}
	for chunk := range slices.Chunk(updates, maxUpdatePartitions) {
		out, err := a.glue.BatchUpdatePartition(ctx, &glue.BatchUpdatePartitionInput{DatabaseName: aws.String(a.db), TableName: aws.String(t.Name), Entries: chunk})
		if err == nil && len(out.Errors) > 0 {
			err = updateErrors(out.Errors)
		}
		if err != nil {
			return &ApplyError{Op: "BatchUpdatePartition", Resource: a.db + "." + t.Name, Err: awserr.Classify(err)}
		}
		for _, e := range chunk {
			a.res.PartitionsUpdated = append(a.res.PartitionsUpdated, t.Name+"/"+e.PartitionValueList[0])
		}
	}

	return a.deletions(ctx, t, ct, planned, problems)
}

// deletions removes this package's partitions of periods refused now, or
// gone from the bucket, which would be read wrong. Those left out for a
// passing reason (Keep) stay, and so do partitions someone else made.
func (a *applier) deletions(ctx context.Context, t *Table, ct *catalogTable, planned map[string]bool, problems []*PeriodError) error {
	keep := map[string]bool{}
	for _, p := range problems {
		if p.Table == t.Name && p.Keep {
			keep[p.Period] = true
		}
	}
	var dels []types.PartitionValueList
	for _, period := range slices.Sorted(maps.Keys(ct.parts)) {
		old := ct.parts[period]
		if planned[period] || keep[period] || old.Parameters[ParamVersion] == "" {
			continue
		}
		dels = append(dels, types.PartitionValueList{Values: []string{period}})
	}
	for chunk := range slices.Chunk(dels, maxDeletePartitions) {
		out, err := a.glue.BatchDeletePartition(ctx, &glue.BatchDeletePartitionInput{DatabaseName: aws.String(a.db), TableName: aws.String(t.Name), PartitionsToDelete: chunk})
		if err == nil && len(out.Errors) > 0 {
			err = partitionErrors(out.Errors)
		}
		if err != nil {
			return &ApplyError{Op: "BatchDeletePartition", Resource: a.db + "." + t.Name, Err: awserr.Classify(err)}
		}
		for _, v := range chunk {
			a.res.PartitionsDeleted = append(a.res.PartitionsDeleted, t.Name+"/"+v.Values[0])
		}
	}
	return nil
}

func partitionErrors(errs []types.PartitionError) error {
	var out []error
	for _, e := range errs {
		var code, msg string
		if e.ErrorDetail != nil {
			code, msg = aws.ToString(e.ErrorDetail.ErrorCode), aws.ToString(e.ErrorDetail.ErrorMessage)
		}
		out = append(out, fmt.Errorf("partition %v: %s: %s", e.PartitionValues, code, msg))
	}
	return errors.Join(out...)
}

func updateErrors(errs []types.BatchUpdatePartitionFailureEntry) error {
	var out []error
	for _, e := range errs {
		var code, msg string
		if e.ErrorDetail != nil {
			code, msg = aws.ToString(e.ErrorDetail.ErrorCode), aws.ToString(e.ErrorDetail.ErrorMessage)
		}
		out = append(out, fmt.Errorf("partition %v: %s: %s", e.PartitionValueList, code, msg))
	}
	return errors.Join(out...)
}

func (t *Table) glueColumns() []types.Column {
	cols := make([]types.Column, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = types.Column{Name: aws.String(c.Name), Type: aws.String(c.Type)}
		if c.Comment != "" {
			cols[i].Comment = aws.String(c.Comment)
		}
	}
	return cols
}

func (t *Table) storage(location string) *types.StorageDescriptor {
	return &types.StorageDescriptor{
		Columns:      t.glueColumns(),
		Location:     aws.String(location),
		InputFormat:  aws.String(t.InputFormat),
		OutputFormat: aws.String(t.OutputFormat),
		SerdeInfo: &types.SerDeInfo{
			SerializationLibrary: aws.String(t.SerDe),
			Parameters:           maps.Clone(t.SerDeParameters),
		},
	}
}

func (t *Table) tableInput() *types.TableInput {
	return &types.TableInput{
		Name:              aws.String(t.Name),
		Description:       aws.String(fmt.Sprintf("%s %s %s, s3://%s/%s: one partition per billing period, reading exactly its manifest's files", t.Kind, t.Format, t.Report, t.Bucket, t.ReportPrefix)),
		TableType:         aws.String("EXTERNAL_TABLE"),
		Parameters:        maps.Clone(t.Parameters),
		PartitionKeys:     []types.Column{{Name: aws.String(PartitionKey), Type: aws.String("string")}},
		StorageDescriptor: t.storage(t.Location),
	}
}

func (t *Table) partitionInput(p *Partition) types.PartitionInput {
	return types.PartitionInput{
		Values:            []string{p.Period},
		Parameters:        maps.Clone(p.Parameters),
		StorageDescriptor: t.storage(p.Location),
	}
}

// tableDiffers reports whether the catalog's table differs from what the
// plan wants in anything the plan sets.
func tableDiffers(have *types.Table, want *types.TableInput) bool {
	if have == nil || have.StorageDescriptor == nil {
		return true
	}
	if !sameColumns(have.StorageDescriptor.Columns, want.StorageDescriptor.Columns) ||
		!sameColumns(have.PartitionKeys, want.PartitionKeys) ||
		!subset(want.Parameters, have.Parameters) {
		return true
	}
	return storageDiffers(have.StorageDescriptor, want.StorageDescriptor)
}

// partitionDiffers compares what reading a partition depends on. Its
// columns are not compared: a partition with fewer columns than its table
// reads them as NULL, in both formats.
func partitionDiffers(have types.Partition, want types.PartitionInput) bool {
	if have.StorageDescriptor == nil || !subset(want.Parameters, have.Parameters) {
		return true
	}
	return storageDiffers(have.StorageDescriptor, want.StorageDescriptor)
}

func storageDiffers(have, want *types.StorageDescriptor) bool {
	if aws.ToString(have.Location) != aws.ToString(want.Location) ||
		aws.ToString(have.InputFormat) != aws.ToString(want.InputFormat) ||
		aws.ToString(have.OutputFormat) != aws.ToString(want.OutputFormat) || have.SerdeInfo == nil {
		return true
	}
	return aws.ToString(have.SerdeInfo.SerializationLibrary) != aws.ToString(want.SerdeInfo.SerializationLibrary) ||
		!maps.Equal(have.SerdeInfo.Parameters, want.SerdeInfo.Parameters)
}

func sameColumns(a, b []types.Column) bool {
	return slices.EqualFunc(a, b, func(x, y types.Column) bool {
		return aws.ToString(x.Name) == aws.ToString(y.Name) && aws.ToString(x.Type) == aws.ToString(y.Type) && aws.ToString(x.Comment) == aws.ToString(y.Comment)
	})
}

// subset reports whether every key of want has its value in have.
func subset(want, have map[string]string) bool {
	for k, v := range want {
		if hv, ok := have[k]; !ok || hv != v {
			return false
		}
	}
	return true
}
