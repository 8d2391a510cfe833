package main

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// env points the standard chain at static test credentials and no files.
func env(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
}

// TestBadInput: flags that cannot work exit 2 before any AWS call, naming
// what is wrong.
func TestBadInput(t *testing.T) {
	env(t)
	base := []string{"-bucket", "b", "-database", "billing", "-symlink-uri", "s3://links/x/", "-endpoint", "http://127.0.0.1:1"}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no flags", nil, "-bucket, -database, -symlink-uri required"},
		{"no database", []string{"-bucket", "b", "-symlink-uri", "s3://links/"}, "-database required"},
		{"database with capitals", append(base[:2:2], "-database", "Billing-DB", "-symlink-uri", "s3://links/"), "Database"},
		{"not an s3 URI", append(base[:4:4], "-symlink-uri", "https://links/x/"), "SymlinkURI"},
		{"bad bucket in the URI", append(base[:4:4], "-symlink-uri", "s3://A_B/x/"), "bucket name"},
		{"role without external id", append(base, "-role-arn", "arn:aws:iam::111122223333:role/r"), "-role-arn and -external-id go together"},
		{"unknown flag", append(base, "-nope"), "flag provided but not defined"},
		{"stray argument", append(base, "extra"), "unexpected argument"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := run(t.Context(), tc.args, &out, &errOut)
			require.Error(t, err)
			assert.Equal(t, exitBadInput, exitCode(err, &errOut))
			assert.Contains(t, errOut.String(), tc.want)
			assert.Empty(t, out.String())
		})
	}
	var out, errOut bytes.Buffer
	err := run(t.Context(), []string{"-h"}, &out, &errOut)
	assert.Equal(t, exitOK, exitCode(err, &errOut))
	assert.Contains(t, errOut.String(), "-symlink-uri")
}
