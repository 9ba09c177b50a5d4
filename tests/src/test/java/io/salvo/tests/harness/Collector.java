package io.salvo.tests.harness;

import io.salvo.client.consumer.ConsumeFromWhere;
import io.salvo.client.consumer.DefaultMQPushConsumer;
import io.salvo.client.consumer.listener.ConsumeConcurrentlyStatus;
import io.salvo.client.exception.MQClientException;
import io.salvo.client.message.MessageExt;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** A push consumer that records every delivery: message id → times delivered. */
public final class Collector implements AutoCloseable {
  private final DefaultMQPushConsumer consumer;
  private final Map<String, Integer> deliveries = new ConcurrentHashMap<>();
  private final Map<String, MessageExt> messages = new ConcurrentHashMap<>();
  private final AtomicLong total = new AtomicLong();

  private Collector(DefaultMQPushConsumer consumer) {
    this.consumer = consumer;
  }

  public static Collector start(String address, String group, String topic) {
    DefaultMQPushConsumer consumer = new DefaultMQPushConsumer(group);
    consumer.setNamesrvAddr(address);
    consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
    Collector collector = new Collector(consumer);
    try {
      consumer.subscribe(topic, "*");
      consumer.registerMessageListener((io.salvo.client.consumer.listener.MessageListenerConcurrently) (msgs, context) -> {
        for (MessageExt m : msgs) {
          collector.deliveries.merge(m.getMsgId(), 1, Integer::sum);
          collector.messages.putIfAbsent(m.getMsgId(), m);
          collector.total.incrementAndGet();
        }
        return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
      });
      consumer.start();
    } catch (MQClientException e) {
      throw new IllegalStateException(e);
    }
    return collector;
  }

  public Map<String, Integer> deliveries() {
    return deliveries;
  }

  public Map<String, MessageExt> messages() {
    return messages;
  }

  public long totalDeliveries() {
    return total.get();
  }

  @Override
  public void close() {
    consumer.shutdown();
  }
}
