package curreader

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/parquet-go/parquet-go"
)

// maxStatusBytes bounds the Athena status file (a one-row Parquet file).
const maxStatusBytes = 1 << 20

// readStatus reads the Athena layout's cost_and_usage_data_status file and
// returns its status (READY or UPDATING).
func (r *Resolver) readStatus(ctx context.Context, key string, size int64) (string, error) {
	data, _, err := r.st.get(ctx, key, maxStatusBytes)
	if err != nil {
		return "", &ManifestError{Bucket: r.st.bucketName(), Key: key, Err: err}
	}
	status, err := parseStatus(data)
	if err != nil {
		return "", &ManifestError{Bucket: r.st.bucketName(), Key: key, Err: err, kind: ErrMalformedManifest}
	}
	return status, nil
}

// parseStatus reads the status column of the status file. Its footer and
// page headers are checked as a data file's are before parquet-go trusts
// them (a hostile status file must not make it allocate without bound), and
// a panic inside parquet-go is an error.
func parseStatus(data []byte) (status string, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("status file: parquet reader failed: %v", p)
		}
	}()
	ra := bytes.NewReader(data)
	if _, err := checkFooter(ra, int64(len(data))); err != nil {
		return "", fmt.Errorf("status file: %w", err)
	}
	f, err := parquet.OpenFile(ra, int64(len(data)), parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	if err != nil {
		return "", fmt.Errorf("status file: %w", err)
	}
	col, ok := f.Schema().Lookup("status")
	if !ok {
		return "", errors.New("status file has no status column")
	}
	meta := f.Metadata()
	for i, rg := range meta.RowGroups {
		if col.ColumnIndex >= len(rg.Columns) {
			return "", fmt.Errorf("status file: row group %d has no status column", i)
		}
		if err := checkChunk(ra, &rg.Columns[col.ColumnIndex].MetaData, rg.NumRows, col.MaxRepetitionLevel == 0, nil); err != nil {
			return "", fmt.Errorf("status file: %w", err)
		}
	}
	for _, rg := range f.RowGroups() {
		pages := rg.ColumnChunks()[col.ColumnIndex].Pages()
		for {
			pg, err := pages.ReadPage()
			if err == io.EOF {
				break
			}
			if err != nil {
				pages.Close()
				return "", fmt.Errorf("status file: %w", err)
			}
			vals := make([]parquet.Value, pg.NumValues())
			n, _ := pg.Values().ReadValues(vals)
			for _, v := range vals[:n] {
				if !v.IsNull() {
					status = strings.ToUpper(strings.TrimSpace(v.String()))
				}
			}
			parquet.Release(pg)
		}
		pages.Close()
	}
	if status == "" {
		return "", errors.New("status file holds no status")
	}
	return status, nil
}
