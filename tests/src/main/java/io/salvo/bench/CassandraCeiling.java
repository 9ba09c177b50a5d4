package io.salvo.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchStatementBuilder;
import com.datastax.oss.driver.api.core.cql.DefaultBatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.uuid.Uuids;
import com.typesafe.config.ConfigFactory;
import io.salvo.persistence.PersistenceSettings;
import io.salvo.persistence.schema.CassandraSchema;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What Cassandra alone can take on this machine: journal rows shaped as the akka-persistence-cassandra plugin
 * writes them (same table, same columns, a 1 KiB event, an empty tag set), sent from one driver session as unlogged
 * single-partition batches of {@code k} rows with {@code inflight} batches outstanding, with no broker in between.
 * It is the ceiling a Salvo send workload cannot pass, since every message is one such row. Writes to its own
 * keyspace ({@code salvo_ceiling}, created with Salvo's schema files), never to the broker's.
 *
 * <pre>
 * java -cp ... io.salvo.bench.CassandraCeiling HOST:CQLPORT SECONDS [CASSANDRA_PID] [K/INFLIGHT ...]
 * </pre>
 *
 * Prints one line per K/INFLIGHT pair (default 1/8 12/16 32/8 128/4): rows/s, batches/s and, with the pid, the
 * cores Cassandra used (from /proc). Run it against an otherwise idle Cassandra ({@code bin/salvo bench --cassandra}).
 */
public final class CassandraCeiling {
  private static final String KEYSPACE = "salvo_ceiling";

  private CassandraCeiling() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: CassandraCeiling HOST:CQLPORT SECONDS [CASSANDRA_PID] [K/INFLIGHT ...]");
      System.exit(2);
    }
    String[] hostPort = args[0].split(":");
    int seconds = Integer.parseInt(args[1]);
    long pid = args.length > 2 ? Long.parseLong(args[2]) : -1;
    String[] shapes = args.length > 3
        ? java.util.Arrays.copyOfRange(args, 3, args.length) : new String[] {"1/8", "12/16", "32/8", "128/4"};

    PersistenceSettings settings = PersistenceSettings.create(ConfigFactory.parseString(
            "salvo.persistence.keyspace = " + KEYSPACE + "\nsalvo.persistence.cassandra.contact-points = [\""
                + args[0] + "\"]")
        .withFallback(ConfigFactory.load()).resolve());
    CassandraSchema.create(settings);
    try (CqlSession session = CqlSession.builder()
        .addContactPoint(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])))
        .withLocalDatacenter(settings.localDatacenter())
        .build()) {
      PreparedStatement insert = session.prepare("INSERT INTO " + KEYSPACE + ".messages (persistence_id, partition_nr,"
          + " sequence_nr, timestamp, timebucket, writer_uuid, ser_id, ser_manifest, event_manifest, event, tags)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      byte[] event = new byte[1100]; // a 1 KiB body plus the event's other fields
      new SplittableRandom(7).nextBytes(event);
      for (String shape : shapes) {
        String[] kv = shape.split("/");
        run(session, insert, event, Integer.parseInt(kv[0]), Integer.parseInt(kv[1]), seconds, pid);
      }
    }
  }

  private static void run(CqlSession session, PreparedStatement insert, byte[] event, int k, int inflight,
      int seconds, long pid) throws Exception {
    String writer = UUID.randomUUID().toString();
    String run = "ceiling-" + UUID.randomUUID();
    int partitions = 4; // like a topic's 4 queues
    long[] sequence = new long[partitions];
    Semaphore window = new Semaphore(inflight);
    AtomicLong rows = new AtomicLong();
    AtomicLong batches = new AtomicLong();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    long cpuBefore = cpuTicks(pid);
    long began = System.nanoTime();
    long end = began + seconds * 1_000_000_000L;
    for (int next = 0; System.nanoTime() < end && failure.get() == null; next++) {
      window.acquire();
      int partition = next % partitions;
      BatchStatementBuilder batch = BatchStatement.builder(DefaultBatchType.UNLOGGED);
      for (int i = 0; i < k; i++) {
        batch.addStatement(insert.bind(run + "#" + partition, 0L, ++sequence[partition], Uuids.timeBased(),
            "19700101T00", writer, 8001, "A", "", ByteBuffer.wrap(event), Set.<String>of()));
      }
      session.executeAsync(batch.build()).whenComplete((result, error) -> {
        if (error != null) {
          failure.compareAndSet(null, error);
        } else {
          rows.addAndGet(k);
          batches.incrementAndGet();
        }
        window.release();
      });
    }
    window.acquire(inflight);
    double elapsed = (System.nanoTime() - began) / 1e9;
    String cores = pid > 0 ? String.format(" cassandra_cores=%.2f", (cpuTicks(pid) - cpuBefore) / 100.0 / elapsed) : "";
    System.out.printf("RESULT tool=cassandra-ceiling rows_per_batch=%d inflight=%d seconds=%.1f rows_per_s=%.0f"
            + " batches_per_s=%.0f%s errors=%s%n", k, inflight, elapsed, rows.get() / elapsed, batches.get() / elapsed,
        cores, failure.get() == null ? "0" : failure.get().toString().replaceAll("\\s+", "_"));
  }

  /** User + system CPU ticks of a process (1/100 s on Linux), or 0 when unknown. */
  private static long cpuTicks(long pid) {
    if (pid <= 0) {
      return 0;
    }
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    } catch (Exception e) {
      return 0;
    }
  }
}
