"""A round trip through the proxy's gRPC port with rocketmq-python-client, Apache RocketMQ's 5.x Python client:
a simple consumer of a new group subscribes, a producer sends COUNT messages whose bodies start with RUN_ID, and
the consumer receives and acknowledges them. The contract of the test suite's round-trip clients
(bench/clients/round-trip.ts):

    python round_trip.py ENDPOINTS TOPIC COUNT RUN_ID

prints one JSON line {"sent": n, "received": k}; ROUNDTRIP_ACCESS_KEY/ROUNDTRIP_SECRET_KEY sign requests (ACL) and
ROUNDTRIP_TIMEOUT_MS bounds the whole run. Exit 1 on failure, 64 on bad arguments.
"""

import json
import logging
import os
import sys
import time

from rocketmq import ClientConfiguration, Credentials, FilterExpression, Message, Producer, SimpleConsumer


def retry_until(action, deadline):
    """A topic or group created a moment ago may not be routed yet: retries until the deadline."""
    while True:
        try:
            return action()
        except Exception:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.5)


def round_trip(endpoints, topic, count, run_id, deadline):
    credentials = Credentials(os.environ.get("ROUNDTRIP_ACCESS_KEY", ""), os.environ.get("ROUNDTRIP_SECRET_KEY", ""))
    config = ClientConfiguration(endpoints, credentials)
    # Subscribed before anything is sent, so the new group starts where the messages are. A receive long-polls one
    # broker: once that broker's share is read, each receive sent to it waits the whole await_duration, so the
    # shortest the proxy allows (its grpcClientConsumerMinLongPollingTimeoutMillis, 5 s).
    consumer = SimpleConsumer(config, f"{run_id}-python", {topic: FilterExpression()}, await_duration=5)
    retry_until(consumer.startup, deadline)
    seen = set()
    sent = 0
    try:
        producer = Producer(config, (topic,))
        retry_until(producer.startup, deadline)
        try:
            for i in range(count):
                message = Message()
                message.topic = topic
                message.body = f"{run_id}-{i}".encode()
                message.keys = f"{run_id}-{i}"
                retry_until(lambda: producer.send(message), deadline)
                sent += 1
        finally:
            producer.shutdown()
        while len(seen) < count and time.monotonic() < deadline:
            try:
                messages = consumer.receive(16, 30)
            except Exception:
                # A long poll can end in an error while the proxy's pop is slow: poll again until the deadline.
                if time.monotonic() >= deadline:
                    raise
                continue
            for message in messages or []:
                body = message.body.decode(errors="replace")
                if body.startswith(f"{run_id}-"):
                    seen.add(body)
                consumer.ack(message)
    finally:
        consumer.shutdown()
    return sent, len(seen)


def main():
    if len(sys.argv) != 5 or not sys.argv[3].isdigit() or int(sys.argv[3]) < 1:
        print("usage: round_trip.py ENDPOINTS TOPIC COUNT RUN_ID (COUNT a positive integer)", file=sys.stderr)
        sys.exit(64)
    endpoints, topic, count, run_id = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    timeout_ms = int(os.environ.get("ROUNDTRIP_TIMEOUT_MS", "120000"))
    # The client logs every call at INFO level to its own file handler; warnings and errors are enough here.
    logging.getLogger("rocketmq-python-client").setLevel(logging.WARNING)
    sent, received = round_trip(endpoints, topic, count, run_id, time.monotonic() + timeout_ms / 1000)
    print(json.dumps({"sent": sent, "received": received}), flush=True)
    # The client's gRPC threads can outlive shutdown(): leave at once.
    os._exit(0 if received == count else 1)


if __name__ == "__main__":
    main()
