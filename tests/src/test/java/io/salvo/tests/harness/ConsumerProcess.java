package io.salvo.tests.harness;

import io.salvo.client.consumer.DefaultMQPushConsumer;
import io.salvo.client.consumer.listener.ConsumeConcurrentlyStatus;
import io.salvo.client.consumer.listener.ConsumeOrderlyStatus;
import io.salvo.client.consumer.listener.MessageListenerConcurrently;
import io.salvo.client.consumer.listener.MessageListenerOrderly;
import io.salvo.client.message.MessageExt;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * A push consumer in its own JVM, for tests that kill one: {@code address group topic name [orderly]}. Prints
 * {@code CONSUMED <name> <body> <queue> <offset>} for every message before its listener call returns (so before any commit of it),
 * then runs until killed. Orderly: an orderly listener that also prints {@code START <name> <queue> <nanoTime>} and
 * {@code END <name> <queue> <nanoTime>} around each call (System.nanoTime is CLOCK_MONOTONIC on Linux, so the
 * times of processes on one machine compare).
 */
public final class ConsumerProcess {
  private ConsumerProcess() {}

  /** Starts a member in its own JVM and waits (bounded) until it has started. */
  public static JavaProcess launch(BrokerProcess broker, String group, String topic, String name, boolean orderly) {
    JavaProcess p = orderly
        ? JavaProcess.start(ConsumerProcess.class.getName(), broker.address(), group, topic, name, "orderly")
        : JavaProcess.start(ConsumerProcess.class.getName(), broker.address(), group, topic, name);
    Eventually.within(Duration.ofSeconds(60), () -> {
      if (!p.lines().contains("STARTED " + name)) {
        throw new AssertionError(name + " not started: " + p.lines());
      }
      return null;
    });
    return p;
  }

  public static void main(String[] args) throws Exception {
    String name = args[3];
    DefaultMQPushConsumer consumer = new DefaultMQPushConsumer(args[1]);
    consumer.setNamesrvAddr(args[0]);
    consumer.setInstanceName(name);
    consumer.subscribe(args[2], "*");
    consumer.setConsumeMessageBatchMaxSize(16);
    if (args.length > 4 && args[4].equals("orderly")) {
      consumer.registerMessageListener((MessageListenerOrderly) (msgs, ctx) -> {
        int queue = ctx.getMessageQueue().getQueueId();
        print("START " + name + " " + queue + " " + System.nanoTime() + "\n");
        print(consumed(name, msgs) + "END " + name + " " + queue + " " + System.nanoTime() + "\n");
        return ConsumeOrderlyStatus.SUCCESS;
      });
    } else {
      consumer.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
        print(consumed(name, msgs));
        return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
      });
    }
    consumer.start();
    System.out.println("STARTED " + name);
    System.out.flush();
    Thread.currentThread().join();
  }

  private static String consumed(String name, List<MessageExt> msgs) {
    StringBuilder out = new StringBuilder();
    for (MessageExt m : msgs) {
      out.append("CONSUMED ").append(name).append(' ').append(new String(m.getBody(), StandardCharsets.UTF_8))
          .append(' ').append(m.getQueueId()).append(' ').append(m.getQueueOffset()).append('\n');
    }
    return out.toString();
  }

  private static void print(String lines) {
    synchronized (System.out) {
      System.out.print(lines);
      System.out.flush();
    }
  }
}
