package io.salvo.client.consumer.listener;

import io.salvo.client.message.MessageExt;
import java.util.List;

/**
 * Consumes each queue in order (RocketMQ's {@code MessageListenerOrderly}): for one queue, one call at a time, with
 * the queue's messages in offset order, so messages sent to one queue (same sharding key, or one
 * {@link io.salvo.client.producer.MessageQueueSelector} choice) are handled in send order. Different queues are
 * consumed in parallel on the consume thread pool.
 */
@FunctionalInterface
public interface MessageListenerOrderly extends MessageListener {
  /**
   * Handles a batch of at most {@code consumeMessageBatchMaxSize} consecutive messages of one queue. Returning
   * {@link ConsumeOrderlyStatus#SUSPEND_CURRENT_QUEUE_A_MOMENT}, returning null or throwing pauses the queue and
   * delivers the same batch again, each message's reconsume count increased; nothing after it is delivered before.
   * In a clustering consumer, a batch that fails {@code maxReconsumeTimes} + 1 times goes to the group's
   * dead-letter topic and the queue goes on.
   */
  ConsumeOrderlyStatus consumeMessage(List<MessageExt> msgs, ConsumeOrderlyContext context);
}
