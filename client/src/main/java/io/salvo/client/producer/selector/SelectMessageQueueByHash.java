package io.salvo.client.producer.selector;

import io.salvo.client.message.Message;
import io.salvo.client.message.MessageQueue;
import io.salvo.client.producer.MessageQueueSelector;
import java.util.List;

/**
 * The queue at {@code arg.hashCode()} modulo the queue count, never negative (RocketMQ's
 * {@code SelectMessageQueueByHash}): one argument's messages, an order id for example, always land in one queue while
 * the topic's queue count stays the same.
 */
public class SelectMessageQueueByHash implements MessageQueueSelector {
  @Override
  public MessageQueue select(List<MessageQueue> mqs, Message msg, Object arg) {
    if (arg == null) {
      throw new IllegalArgumentException("SelectMessageQueueByHash needs a non-null arg to hash");
    }
    return mqs.get(Math.floorMod(arg.hashCode(), mqs.size()));
  }
}
