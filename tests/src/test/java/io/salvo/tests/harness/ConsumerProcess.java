package io.salvo.tests.harness;

import io.salvo.client.consumer.DefaultMQPushConsumer;
import io.salvo.client.consumer.listener.ConsumeConcurrentlyStatus;
import io.salvo.client.consumer.listener.MessageListenerConcurrently;
import io.salvo.client.message.MessageExt;
import java.nio.charset.StandardCharsets;

/**
 * A push consumer in its own JVM, for tests that kill one: {@code address group topic name}. Prints
 * {@code CONSUMED <name> <body>} for every message before its listener call returns (so before any commit of it),
 * then runs until killed.
 */
public final class ConsumerProcess {
  private ConsumerProcess() {}

  public static void main(String[] args) throws Exception {
    String name = args[3];
    DefaultMQPushConsumer consumer = new DefaultMQPushConsumer(args[1]);
    consumer.setNamesrvAddr(args[0]);
    consumer.setInstanceName(name);
    consumer.subscribe(args[2], "*");
    consumer.setConsumeMessageBatchMaxSize(16);
    consumer.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
      StringBuilder out = new StringBuilder();
      for (MessageExt m : msgs) {
        out.append("CONSUMED ").append(name).append(' ').append(new String(m.getBody(), StandardCharsets.UTF_8))
            .append('\n');
      }
      synchronized (System.out) {
        System.out.print(out);
        System.out.flush();
      }
      return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
    });
    consumer.start();
    System.out.println("STARTED " + name);
    System.out.flush();
    Thread.currentThread().join();
  }
}
