package io.salvo.client.producer;

import io.salvo.client.message.Message;
import io.salvo.client.message.MessageQueue;
import java.util.List;

/**
 * Picks the queue of an ordered send (RocketMQ's {@code MessageQueueSelector}): messages sent to one queue are stored
 * and, with an orderly listener, consumed in send order. Called on the sending thread with the topic's queues (in
 * queue id order) and the {@code arg} given to {@link DefaultMQProducer#send(Message, MessageQueueSelector, Object)};
 * it must return one of {@code mqs}.
 */
@FunctionalInterface
public interface MessageQueueSelector {
  MessageQueue select(List<MessageQueue> mqs, Message msg, Object arg);
}
