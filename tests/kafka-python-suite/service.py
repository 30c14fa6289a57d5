"""Stand-in for kafka-python's `test/service.py`, which its 3.0.12 sdist does not ship.

kafka-python's integration fixtures import `ExternalService` (a broker someone else runs, used
when KAFKA_URI is set, which is how we run them against Strata) and `SpawnedService` (a Kafka
or ZooKeeper process the fixtures start from a Kafka distribution). We only ever use the first;
the second refuses, naming why. This file is our harness, not a change to any test.
"""


class ExternalService:
    """A service already running at host:port; start/stop/wait are no-ops."""

    def __init__(self, host, port):
        self.host = host
        self.port = port

    def start(self):
        pass

    def stop(self):
        pass

    def dump_logs(self):
        pass

    def wait_for(self, pattern, timeout=30):
        return True


class SpawnedService:
    """Never used against Strata: the suite runs with KAFKA_URI pointing at a live node."""

    def __init__(self, args=None, env=None):
        raise RuntimeError("kafka-python suite runs against an external Strata node (KAFKA_URI); "
                           "spawning a Kafka distribution is not supported here")
