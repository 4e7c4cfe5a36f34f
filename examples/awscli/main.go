// Command awscli serves an in-memory embedkms handle over the AWS KMS JSON
// protocol on a loopback address, for the AWS CLI or any AWS SDK pointed
// at it with --endpoint-url. See README.md for the commands.
//
// Usage:
//
//	awscli [-addr 127.0.0.1:4599] [-region us-east-1] [-account 111122223333]
//
// Requests are not authenticated: any access key works, and every request
// acts as the account root. Keys live in memory until the process exits.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"time"

	kms "github.com/embedkms/kms"
	"github.com/embedkms/kms/awsapi"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:4599", "listen address (keep it on loopback: requests are not authenticated)")
	region := flag.String("region", kms.DefaultRegion, "AWS Region the handle acts in")
	account := flag.String("account", kms.DefaultAccountID, "12-digit AWS account id the handle acts as")
	flag.Parse()

	k, err := kms.New(kms.Options{Region: *region, AccountID: *account})
	if err != nil {
		log.Fatal(err)
	}
	defer k.Close()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: awsapi.NewHandler(k), ReadHeaderTimeout: 10 * time.Second}
	fmt.Printf("embedkms: account %s, Region %s\nendpoint: http://%s\n", k.AccountID(), k.Region(), ln.Addr())

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}
