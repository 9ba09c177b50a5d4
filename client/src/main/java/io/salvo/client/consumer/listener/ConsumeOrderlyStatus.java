package io.salvo.client.consumer.listener;

/** An orderly listener's verdict on a batch (RocketMQ's names, without its deprecated COMMIT and ROLLBACK). */
public enum ConsumeOrderlyStatus {
  /** The batch is consumed; the queue's next messages follow. */
  SUCCESS,
  /**
   * Stop this queue for a moment and deliver the same batch again, before anything after it (the suspend time is the
   * consumer's {@code suspendCurrentQueueTimeMillis}, or the context's when set).
   */
  SUSPEND_CURRENT_QUEUE_A_MOMENT
}
