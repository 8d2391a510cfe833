package curreader

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestFileErrorMessage: the message names the file and where the read
// stopped, in the file's own unit, and says nothing of a line before the
// first one was read.
func TestFileErrorMessage(t *testing.T) {
	cause := errors.New("boom")
	for _, tc := range []struct {
		e    FileError
		want string
	}{
		{FileError{File: "a/r-00001.csv.gz", Line: 12, Err: cause}, "curreader: a/r-00001.csv.gz: after line 12: boom"},
		{FileError{File: "a/r-00001.snappy.parquet", Line: 70000, Err: cause}, "curreader: a/r-00001.snappy.parquet: after row 70000: boom"},
		{FileError{File: "a/r-00001.snappy.parquet", Err: cause}, "curreader: a/r-00001.snappy.parquet: boom"},
	} {
		assert.Equal(t, tc.want, tc.e.Error())
		assert.ErrorIs(t, &tc.e, cause)
	}
}
