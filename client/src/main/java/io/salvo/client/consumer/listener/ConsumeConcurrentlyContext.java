package io.salvo.client.consumer.listener;

import io.salvo.client.message.MessageQueue;

/**
 * The context of one listener call (RocketMQ's name). Made per call and used by one thread only.
 *
 * <p>{@link #setAckIndex(int)}: with {@link ConsumeConcurrentlyStatus#CONSUME_SUCCESS}, the messages at indexes
 * {@code 0..ackIndex} are consumed and the rest are delivered again, as in RocketMQ. {@link
 * #setDelayLevelWhenNextConsume(int)} is kept for compatibility: until retry topics exist, a redelivery happens in
 * place after the consumer's fixed reconsume delay, whatever the level.
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
