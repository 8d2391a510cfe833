package curtest

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestServerCloseRemovesItsFile(t *testing.T) {
	started, err := NewServer()
	require.NoError(t, err)
	unstarted, err := NewUnstartedServer("billing")
	require.NoError(t, err)
	for _, srv := range []*Server{started, unstarted} {
		_, err = os.Stat(filepath.Join(srv.dir, "s3.bolt"))
		require.NoError(t, err)
		srv.Close()
		_, err = os.Stat(srv.dir)
		require.ErrorIs(t, err, fs.ErrNotExist)
	}
}
