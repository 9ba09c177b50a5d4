package io.salvo.client.consumer.listener;

import io.salvo.client.message.MessageQueue;

/**
 * The context of one orderly listener call (RocketMQ's name). Made per call and used by one thread only.
 * {@link #setSuspendCurrentQueueTimeMillis(long)} overrides, for this call's SUSPEND_CURRENT_QUEUE_A_MOMENT, how long
 * the queue pauses before the batch comes again (-1, the default: the consumer's setting).
 */
public final class ConsumeOrderlyContext {
  private final MessageQueue messageQueue;
  private long suspendCurrentQueueTimeMillis = -1;

  public ConsumeOrderlyContext(MessageQueue messageQueue) {
    this.messageQueue = messageQueue;
  }

  public MessageQueue getMessageQueue() {
    return messageQueue;
  }

  public long getSuspendCurrentQueueTimeMillis() {
    return suspendCurrentQueueTimeMillis;
  }

  public void setSuspendCurrentQueueTimeMillis(long suspendCurrentQueueTimeMillis) {
    this.suspendCurrentQueueTimeMillis = suspendCurrentQueueTimeMillis;
  }
}
