package s3io

import (
	"context"
	"errors"
	"net"
	"testing"

	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/stretchr/testify/assert"

	"github.com/curconnect/curconnect/internal/awserr"
)

// A request AWS could not authenticate gets the same answer every time
// (the SDK has already retried a skewed clock): no read retries it. A
// transport failure may clear, and is retried within MaxRetries.
func TestRetryableByCategory(t *testing.T) {
	ctx := context.Background()
	classified := func(c error) error { return &awserr.ClassifiedError{Category: c, Err: errors.New("cause")} }
	assert.False(t, retryable(ctx, classified(awserr.ErrSignature)))
	assert.False(t, retryable(ctx, classified(awserr.ErrAccessDenied)))
	assert.True(t, retryable(ctx, classified(awserr.ErrThrottled)))
	assert.True(t, retryable(ctx, classified(awserr.ErrUnreachable)))
	assert.True(t, retryable(ctx, &smithyhttp.RequestSendError{Err: &net.OpError{Op: "dial", Err: errors.New("refused")}}))
}
