package io.salvo.client.consumer.listener;

import io.salvo.client.message.MessageQueue;

/**
 * The context of one listener call (RocketMQ's name). Made per call and used by one thread only.
 *
 * <p>{@link #setAckIndex(int)}: with {@link ConsumeConcurrentlyStatus#CONSUME_SUCCESS}, the messages at indexes
 * {@code 0..ackIndex} are consumed and the rest are retried, as in RocketMQ. {@link
 * #setDelayLevelWhenNextConsume(int)}, as in RocketMQ: 0 (the default) retries after the delay of the message's
 * reconsume count (level 3 + reconsume times), 1..18 after that level's delay, a negative level sends the messages
 * straight to the dead-letter topic. A broadcasting consumer retries in place after its fixed reconsume delay,
 * whatever the level.
 */
public final class ConsumeConcurrentlyContext {
  private final MessageQueue messageQueue;
  private int delayLevelWhenNextConsume = 0;
  private int ackIndex = Integer.MAX_VALUE;

  public ConsumeConcurrentlyContext(MessageQueue messageQueue) {
    this.messageQueue = messageQueue;
  }

  public MessageQueue getMessageQueue() {
    return messageQueue;
  }

  public int getDelayLevelWhenNextConsume() {
    return delayLevelWhenNextConsume;
  }

  public void setDelayLevelWhenNextConsume(int delayLevelWhenNextConsume) {
    this.delayLevelWhenNextConsume = delayLevelWhenNextConsume;
  }

  public int getAckIndex() {
    return ackIndex;
  }

  public void setAckIndex(int ackIndex) {
    this.ackIndex = ackIndex;
  }
}
