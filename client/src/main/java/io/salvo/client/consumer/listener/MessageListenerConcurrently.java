package io.salvo.client.consumer.listener;

import io.salvo.client.message.MessageExt;
import java.util.List;

/**
 * Consumes messages concurrently: calls run on the consumer's consume thread pool, several at once, also for one
 * queue, so an implementation must be thread safe. Messages of one queue may be handled out of order.
 */
@FunctionalInterface
public interface MessageListenerConcurrently extends MessageListener {
  /**
   * Handles a batch of at most {@code consumeMessageBatchMaxSize} messages of one queue. Returning
   * {@link ConsumeConcurrentlyStatus#RECONSUME_LATER}, returning null or throwing delivers the batch again after
   * a delay, with each message's reconsume count increased: through the group's retry topic with growing delays,
   * and after {@code maxReconsumeTimes} into its dead-letter topic (clustering), or in place (broadcasting).
   */
  ConsumeConcurrentlyStatus consumeMessage(List<MessageExt> msgs, ConsumeConcurrentlyContext context);
}
