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
   * From a point in time. Not yet supported by protocol v1 (no offset-by-time lookup): treated like
   * {@link #CONSUME_FROM_FIRST_OFFSET}.
   */
  CONSUME_FROM_TIMESTAMP
}
