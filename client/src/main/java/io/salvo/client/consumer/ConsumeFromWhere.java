package io.salvo.client.consumer;

/**
 * Where a consumer group starts in a queue for which it has no committed offset yet. A committed offset always
 * wins.
 */
public enum ConsumeFromWhere {
  /** At the queue's next offset: only messages sent from now on. */
  CONSUME_FROM_LAST_OFFSET,
  /** At the queue's first retained message (its min offset). */
  CONSUME_FROM_FIRST_OFFSET,
  /**
   * At the first message stored at or after the consumer's {@link DefaultMQPushConsumer#setConsumeTimestamp consume
   * timestamp} (the queue's next offset when there is none).
   */
  CONSUME_FROM_TIMESTAMP
}
