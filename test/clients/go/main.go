// A round trip with github.com/apache/rocketmq-client-go/v2, Apache RocketMQ's Go client (remoting protocol):
// a push consumer of a new group subscribes, a producer sends COUNT messages whose bodies start with RUN_ID, and
// the consumer receives them all. The contract of the test suite's round-trip clients (bench/clients/round-trip.ts):
//
//	roundtrip NAMESRV TOPIC COUNT RUN_ID
//
// prints one JSON line {"sent":n,"received":k}; ROUNDTRIP_ACCESS_KEY/ROUNDTRIP_SECRET_KEY sign requests (ACL) and
// ROUNDTRIP_TIMEOUT_MS bounds the whole run. Exit 1 on failure, 64 on bad arguments.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	rocketmq "github.com/apache/rocketmq-client-go/v2"
	"github.com/apache/rocketmq-client-go/v2/consumer"
	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/apache/rocketmq-client-go/v2/producer"
	"github.com/apache/rocketmq-client-go/v2/rlog"
)

func main() {
	if len(os.Args) != 5 {
		fmt.Fprintln(os.Stderr, "usage: roundtrip NAMESRV TOPIC COUNT RUN_ID")
		os.Exit(64)
	}
	namesrv, topic, runID := os.Args[1], os.Args[2], os.Args[4]
	count, err := strconv.Atoi(os.Args[3])
	if err != nil || count < 1 {
		fmt.Fprintln(os.Stderr, "COUNT must be a positive integer")
		os.Exit(64)
	}
	timeout := 120 * time.Second
	if ms, err := strconv.Atoi(os.Getenv("ROUNDTRIP_TIMEOUT_MS")); err == nil && ms > 0 {
		timeout = time.Duration(ms) * time.Millisecond
	}
	rlog.SetLogLevel("error")
	addrs, err := resolve(namesrv)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(64)
	}
	sent, received, err := roundTrip(addrs, topic, count, runID, time.Now().Add(timeout))
	out, _ := json.Marshal(map[string]int{"sent": sent, "received": received})
	fmt.Println(string(out))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// resolve turns "host:port;host:port" into IP addresses: the Go client takes name servers by IP only.
func resolve(namesrv string) ([]string, error) {
	var addrs []string
	for _, a := range strings.Split(namesrv, ";") {
		host, port, err := net.SplitHostPort(a)
		if err != nil {
			return nil, fmt.Errorf("name server %q: %w", a, err)
		}
		ips, err := net.LookupHost(host)
		if err != nil || len(ips) == 0 {
			return nil, fmt.Errorf("name server %q: cannot resolve %s: %v", a, host, err)
		}
		addrs = append(addrs, net.JoinHostPort(ips[0], port))
	}
	return addrs, nil
}

func credentials() primitive.Credentials {
	return primitive.Credentials{AccessKey: os.Getenv("ROUNDTRIP_ACCESS_KEY"), SecretKey: os.Getenv("ROUNDTRIP_SECRET_KEY")}
}

func roundTrip(namesrv []string, topic string, count int, runID string, deadline time.Time) (int, int, error) {
	var mu sync.Mutex
	seen := map[string]bool{}
	all := make(chan struct{})
	// A new group starts at the first message of each queue, and keeps only this run's messages.
	c, err := rocketmq.NewPushConsumer(
		consumer.WithNameServer(namesrv),
		consumer.WithGroupName(runID+"-go"),
		consumer.WithConsumeFromWhere(consumer.ConsumeFromFirstOffset),
		consumer.WithCredentials(credentials()),
	)
	if err != nil {
		return 0, 0, fmt.Errorf("consumer: %w", err)
	}
	err = c.Subscribe(topic, consumer.MessageSelector{}, func(_ context.Context, msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
		mu.Lock()
		defer mu.Unlock()
		for _, m := range msgs {
			if body := string(m.Body); strings.HasPrefix(body, runID+"-") && !seen[body] {
				seen[body] = true
				if len(seen) == count {
					close(all)
				}
			}
		}
		return consumer.ConsumeSuccess, nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("subscribe: %w", err)
	}
	if err := c.Start(); err != nil {
		return 0, 0, fmt.Errorf("consumer start: %w", err)
	}
	defer c.Shutdown()

	p, err := rocketmq.NewProducer(
		producer.WithNameServer(namesrv),
		producer.WithGroupName(runID+"-go-producer"),
		producer.WithRetry(2),
		producer.WithCredentials(credentials()),
	)
	if err != nil {
		return 0, 0, fmt.Errorf("producer: %w", err)
	}
	if err := p.Start(); err != nil {
		return 0, 0, fmt.Errorf("producer start: %w", err)
	}
	sent := 0
	for i := 0; i < count; i++ {
		body := fmt.Sprintf("%s-%d", runID, i)
		msg := primitive.NewMessage(topic, []byte(body))
		msg.WithKeys([]string{body})
		// A topic created a moment ago may not be routed yet: retry until the deadline.
		for {
			r, err := p.SendSync(context.Background(), msg)
			if err == nil && r.Status == primitive.SendOK {
				sent++
				break
			}
			if time.Now().After(deadline) {
				p.Shutdown()
				return sent, 0, fmt.Errorf("send %d: %v %v", i, r, err)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	p.Shutdown()

	select {
	case <-all:
	case <-time.After(time.Until(deadline)):
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) < count {
		return sent, len(seen), fmt.Errorf("received %d of %d before the deadline", len(seen), count)
	}
	return sent, len(seen), nil
}
