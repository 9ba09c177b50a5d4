package io.salvo.cluster.queue;

import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of journal writes by the queue entities of one node: writes, appends (one per send, or per group of
 * sends a Publish stream combined), messages, and how long the writes took (from the entity's persist to the
 * journal's acknowledgement, in buckets). The ratio messages / writes shows group commit at work; served on the admin
 * API ({@code GET /stats}, and as Prometheus series on {@code GET /metrics}). Thread safe.
 */
public final class WriteStats {
  /** Upper bounds of the latency buckets, in microseconds; a last bucket holds everything slower. */
  private static final long[] BUCKET_MICROS = {
      250, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000, 2_000_000,
      5_000_000};

  private final LongAdder writes = new LongAdder();
  private final LongAdder appends = new LongAdder();
  private final LongAdder messages = new LongAdder();
  private final LongAdder[] latencyBuckets = new LongAdder[BUCKET_MICROS.length + 1];
  private final LongAccumulator maxLatencyMicros = new LongAccumulator(Math::max, 0);
  private final LongAdder totalLatencyMicros = new LongAdder();

  public WriteStats() {
    for (int i = 0; i < latencyBuckets.length; i++) {
      latencyBuckets[i] = new LongAdder();
    }
  }

  void record(int appendCount, int messageCount, long latencyNanos) {
    writes.increment();
    appends.add(appendCount);
    messages.add(messageCount);
    long micros = latencyNanos / 1_000;
    int bucket = 0;
    while (bucket < BUCKET_MICROS.length && micros > BUCKET_MICROS[bucket]) {
      bucket++;
    }
    latencyBuckets[bucket].increment();
    maxLatencyMicros.accumulate(micros);
    totalLatencyMicros.add(micros);
  }

  /**
   * The counters since the node started. {@code latencyBuckets[i]} counts writes that took at most
   * {@link #bucketBoundsMillis()}{@code [i]} (and more than the bound before it); the last one counts the rest.
   */
  public record Snapshot(long writes, long appends, long messages, long[] latencyBuckets, long maxLatencyMicros,
      long totalLatencyMicros) {
    public double messagesPerWrite() {
      return writes == 0 ? 0 : (double) messages / writes;
    }

    /** The bound of the bucket that holds the {@code percentile}-th write (an upper estimate), in ms; 0 if none. */
    public double latencyPercentileMillis(double percentile) {
      long total = 0;
      for (long count : latencyBuckets) {
        total += count;
      }
      if (total == 0) {
        return 0;
      }
      long rank = (long) Math.ceil(percentile / 100.0 * total);
      long seen = 0;
      for (int i = 0; i < BUCKET_MICROS.length; i++) {
        seen += latencyBuckets[i];
        if (seen >= rank) {
          return BUCKET_MICROS[i] / 1000.0;
        }
      }
      return maxLatencyMicros / 1000.0; // in the last, unbounded bucket
    }
  }

  /** The upper bounds of the latency buckets but the last, in ms. */
  public static double[] bucketBoundsMillis() {
    double[] bounds = new double[BUCKET_MICROS.length];
    for (int i = 0; i < bounds.length; i++) {
      bounds[i] = BUCKET_MICROS[i] / 1000.0;
    }
    return bounds;
  }

  public Snapshot snapshot() {
    long[] buckets = new long[latencyBuckets.length];
    for (int i = 0; i < buckets.length; i++) {
      buckets[i] = latencyBuckets[i].sum();
    }
    return new Snapshot(writes.sum(), appends.sum(), messages.sum(), buckets, maxLatencyMicros.get(),
        totalLatencyMicros.sum());
  }
}
