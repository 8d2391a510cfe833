package curreader_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/parquet-go/parquet-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/curreader"
	"github.com/curconnect/curconnect/curreader/curtest"
	"github.com/curconnect/curconnect/internal/testutil"
)

// TestFileColumns: the footer of every Parquet layout curtest writes gives
// the types it wrote (DOUBLE, TIMESTAMP(MILLIS), MAP of strings or
// doubles, strings), in file order, with one GET per file from S3.
func TestFileColumns(t *testing.T) {
	const bkt = "schema-bucket"
	srv := testutil.NewS3(t, bkt)
	ctx := t.Context()
	specs := []curtest.Spec{
		{Kind: curtest.CUR2, Name: "cur2", Prefix: "p", Format: curtest.Parquet, Files: 2},
		{Kind: curtest.FOCUS12, Name: "focus", Prefix: "p", Format: curtest.Parquet},
		{Kind: curtest.LegacyCUR, Name: "legacy", Prefix: "p", Format: curtest.Parquet, Athena: true, Versioning: curtest.Overwrite},
	}
	want := map[string]map[string]string{
		"cur2":   {"line_item_unblended_cost": "double", "line_item_usage_start_date": "timestamp", "resource_tags": "map<string,string>", "product": "map<string,string>", "line_item_product_code": "string"},
		"focus":  {"BilledCost": "double", "ChargePeriodStart": "timestamp", "Tags": "map<string,string>", "x_Discounts": "map<string,double>"},
		"legacy": {"line_item_unblended_cost": "double", "line_item_usage_start_date": "timestamp", "identity_line_item_id": "string"},
	}
	for _, spec := range specs {
		spec.Bucket = bkt
		_, err := curtest.Generate(ctx, curtest.S3Sink{Client: srv, Bucket: bkt}, spec)
		require.NoError(t, err)
	}
	r := curreader.New(srv.Client, bkt)
	reps, err := r.Reports(ctx, "p")
	require.NoError(t, err)
	require.Len(t, reps, len(specs))
	for _, rep := range reps {
		ds, err := r.Latest(ctx, rep)
		require.NoError(t, err)
		d := ds[0]
		srv.ResetRequests()
		for _, f := range d.Files {
			cols, err := r.FileColumns(ctx, d, f)
			require.NoError(t, err, f.Key)
			names := make([]string, len(cols))
			got := map[string]string{}
			for i, c := range cols {
				names[i], got[c.Name] = c.Name, c.Type
			}
			for name, typ := range want[rep.Name] {
				assert.Equal(t, typ, got[name], "%s %s", rep.Name, name)
			}
			// The file's own order, which the manifest shares.
			var manifest []string
			for _, c := range d.Columns {
				manifest = append(manifest, c.Name)
			}
			if rep.Name != "legacy" {
				assert.Equal(t, manifest, names, rep.Name)
			}
		}
		assert.Equal(t, map[string]int{"GetObject": len(d.Files)}, srv.Requests(), "one GET of the tail per file")
	}

	// A CSV delivery has no footer.
	_, err = curtest.Generate(ctx, curtest.S3Sink{Client: srv, Bucket: bkt}, curtest.Spec{Name: "csv", Prefix: "c", Bucket: bkt})
	require.NoError(t, err)
	rep, err := r.Find(ctx, "c", "csv")
	require.NoError(t, err)
	ds, err := r.Latest(ctx, rep)
	require.NoError(t, err)
	_, err = r.FileColumns(ctx, ds[0], ds[0].Files[0])
	require.ErrorIs(t, err, curreader.ErrUnsupportedFormat)

	// A file that is not Parquet is a *FileError naming it.
	_, err = srv.Client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bkt), Key: aws.String("x/bad.parquet"), Body: bytes.NewReader([]byte("not a parquet file at all"))})
	require.NoError(t, err)
	bad := &curreader.Delivery{Format: curreader.FormatParquet, Bucket: bkt}
	_, err = r.FileColumns(ctx, bad, curreader.DataFile{Key: "x/bad.parquet", Size: 25})
	var fe *curreader.FileError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "x/bad.parquet", fe.File)
}

// TestFileColumnsTypes: every Parquet type a table can declare is spelled
// as Hive DDL spells it; types with no Hive spelling are refused by name.
func TestFileColumnsTypes(t *testing.T) {
	type row struct {
		B   bool              `parquet:"b"`
		I8  int8              `parquet:"i8"`
		I16 int16             `parquet:"i16"`
		I32 int32             `parquet:"i32"`
		I64 int64             `parquet:"i64"`
		U32 uint32            `parquet:"u32"`
		F   float32           `parquet:"f"`
		D   float64           `parquet:"d"`
		S   string            `parquet:"s"`
		Bin []byte            `parquet:"bin"`
		Dec int64             `parquet:"dec,decimal(2:12)"`
		Dt  int32             `parquet:"dt,date"`
		Ts  int64             `parquet:"ts,timestamp(microsecond)"`
		M   map[string]string `parquet:"m"`
		L   []int64           `parquet:"l,list"`
		St  struct {
			X string `parquet:"x"`
		} `parquet:"st"`
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "all.parquet")
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[row](&buf)
	_, err := w.Write([]row{{S: "a"}})
	require.NoError(t, err)
	require.NoError(t, w.Close())
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))

	r := curreader.NewFS(os.DirFS(dir), "b")
	d := &curreader.Delivery{Format: curreader.FormatParquet}
	cols, err := r.FileColumns(t.Context(), d, curreader.DataFile{Key: "all.parquet", Size: int64(buf.Len())})
	require.NoError(t, err)
	got := map[string]string{}
	for _, c := range cols {
		got[c.Name] = c.Type
	}
	assert.Equal(t, map[string]string{
		"b": "boolean", "i8": "tinyint", "i16": "smallint", "i32": "int", "i64": "bigint", "u32": "bigint",
		"f": "float", "d": "double", "s": "string", "bin": "binary", "dec": "decimal(12,2)", "dt": "date",
		"ts": "timestamp", "m": "map<string,string>", "l": "array<bigint>", "st": "struct<x:string>",
	}, got)

	type timeRow struct {
		T int64 `parquet:"t,time(microsecond)"`
	}
	buf.Reset()
	tw := parquet.NewGenericWriter[timeRow](&buf)
	_, err = tw.Write([]timeRow{{T: 1}})
	require.NoError(t, err)
	require.NoError(t, tw.Close())
	require.NoError(t, os.WriteFile(filepath.Join(dir, "time.parquet"), buf.Bytes(), 0o644))
	_, err = r.FileColumns(t.Context(), d, curreader.DataFile{Key: "time.parquet", Size: int64(buf.Len())})
	require.ErrorIs(t, err, curreader.ErrUnsupportedFormat)
	assert.Contains(t, err.Error(), "column t")
}
