package s3io_test

import (
	"context"
	"errors"
	"io"
	"log"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/curconnect/curconnect/internal/s3io"
)

// A report file is read to the end even if its body breaks on the way; an
// object replaced meanwhile is an error, not a mix of two versions.
func ExampleNewReader() {
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		log.Fatal(err)
	}
	r, err := s3io.NewReader(ctx, s3.NewFromConfig(cfg), "billing-bucket", "cur/report/20240301-20240401/report-00001.csv.gz")
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	n, err := io.Copy(io.Discard, r)
	if errors.Is(err, s3io.ErrObjectChanged) {
		log.Fatal("the report was rewritten while it was read; read the new version")
	}
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("read %d of %d bytes", n, r.Size())
}
