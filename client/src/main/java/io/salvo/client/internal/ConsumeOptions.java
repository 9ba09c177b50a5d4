package io.salvo.client.internal;

import java.time.Duration;

/** A push consumer's per-queue delivery settings, fixed at start. Immutable. */
public record ConsumeOptions(
    int batchSize,
    int pullThresholdForQueue,
    int receiveMaxBatch,
    Duration reconsumeDelay,
    Duration suspendCurrentQueueTime,
    Duration consumeTimeout,
    Duration reconnectMinBackoff,
    Duration reconnectMaxBackoff,
    double reconnectRandomFactor,
    Duration receiveSilenceTimeout,
    int maxReconsumeTimes) {

  /** {@link #maxReconsumeTimes} of a consumer that redelivers in place without limit (no retry topic). */
  public static final int IN_PLACE = -1;

  /** Options with the given batching and suspend time; the rest from the client's consumer settings. */
  public static ConsumeOptions of(ClientSettings.Consumer settings, int batchSize, int pullThresholdForQueue,
      int receiveMaxBatch, Duration suspendCurrentQueueTime) {
    return new ConsumeOptions(batchSize, pullThresholdForQueue, receiveMaxBatch, settings.reconsumeDelay(),
        suspendCurrentQueueTime, settings.consumeTimeout(), settings.reconnectMinBackoff(), settings.reconnectMaxBackoff(),
        settings.reconnectRandomFactor(), settings.receiveSilenceTimeout(), IN_PLACE);
  }

  /**
   * These options with retries through the group's retry topic and, after {@code max} of them, its dead-letter topic
   * (a clustering push consumer), and a listener call longer than {@code timeout} retried that way too.
   */
  public ConsumeOptions withRetryTopic(int max, Duration timeout) {
    return new ConsumeOptions(batchSize, pullThresholdForQueue, receiveMaxBatch, reconsumeDelay,
        suspendCurrentQueueTime, timeout, reconnectMinBackoff, reconnectMaxBackoff, reconnectRandomFactor,
        receiveSilenceTimeout, max);
  }

  /** Whether failed messages go to the retry topic (and finally the dead-letter topic) rather than come again in place. */
  public boolean retryTopic() {
    return maxReconsumeTimes != IN_PLACE;
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
