package io.salvo.client.internal;

import java.time.Duration;

/** A push consumer's per-queue delivery settings, fixed at start. Immutable. */
public record ConsumeOptions(
    int batchSize,
    int pullThresholdForQueue,
    int receiveMaxBatch,
    Duration reconsumeDelay,
    Duration suspendCurrentQueueTime,
    Duration reconnectMinBackoff,
    Duration reconnectMaxBackoff,
    double reconnectRandomFactor) {

  /** Options with the given batching and suspend time; the rest from the client's consumer settings. */
  public static ConsumeOptions of(ClientSettings.Consumer settings, int batchSize, int pullThresholdForQueue,
      int receiveMaxBatch, Duration suspendCurrentQueueTime) {
    return new ConsumeOptions(batchSize, pullThresholdForQueue, receiveMaxBatch, settings.reconsumeDelay(),
        suspendCurrentQueueTime, settings.reconnectMinBackoff(), settings.reconnectMaxBackoff(),
        settings.reconnectRandomFactor());
  }

  /** Listener calls in flight per queue: the threshold in batches, at least one. */
  public int parallelism() {
    return Math.max(1, pullThresholdForQueue / batchSize);
  }

  /** Messages per stream element asked of the broker: never more than the threshold. */
  public int maxBatch() {
    return Math.max(1, Math.min(receiveMaxBatch, pullThresholdForQueue));
  }
}
