package io.salvo.tests.ordering;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.salvo.client.consumer.DefaultMQPushConsumer;
import io.salvo.client.consumer.listener.ConsumeOrderlyStatus;
import io.salvo.client.exception.MQBrokerException;
import io.salvo.client.exception.MQClientException;
import io.salvo.client.message.Message;
import io.salvo.client.message.MessageExt;
import io.salvo.client.message.MessageQueue;
import io.salvo.client.producer.DefaultMQProducer;
import io.salvo.client.producer.SendResult;
import io.salvo.client.producer.selector.SelectMessageQueueByHash;
import io.salvo.core.error.ErrorCode;
import io.salvo.tests.harness.BrokerProcess;
import io.salvo.tests.harness.CassandraFixture;
import io.salvo.tests.harness.Eventually;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Ordered messages on one broker: sends with a queue selector or a sharding key put each key's messages in one queue,
 * and an orderly listener gets every key's messages in send order, one call per queue at a time, also across a
 * SUSPEND_CURRENT_QUEUE_A_MOMENT. Bad queue choices get specific errors.
 */
@ExtendWith(CassandraFixture.class)
class OrderedDeliveryTest {
  private static final String TOPIC = "OrderedTopic";
  private static final int KEYS = 20;
  private static final int PER_KEY = 50;
  private static BrokerProcess broker;
  private static DefaultMQProducer producer;

  @BeforeAll
  static void start(CassandraFixture.Cassandra cassandra) throws Exception {
    broker = BrokerProcess.on(cassandra, "ordering", Map.of()).start();
    producer = broker.startProducer("OrderedProducer");
  }

  @AfterAll
  static void stop() {
    if (producer != null) {
      producer.shutdown();
    }
    if (broker != null) {
      broker.stop();
    }
  }

  @Test
  void eachKeyIsConsumedInSendOrderOneCallPerQueueAtATime() throws Exception {
    List<MessageQueue> queues = producer.fetchPublishMessageQueues(TOPIC);
    assertEquals(4, queues.size(), "queues: " + queues);
    for (int q = 0; q < queues.size(); q++) {
      assertEquals(q, queues.get(q).getQueueId());
      assertEquals(TOPIC, queues.get(q).getTopic());
    }

    // Four sending threads, each the only sender of its keys; even keys go by selector, odd ones by sharding key.
    Map<String, Set<Integer>> queuesOfKey = new ConcurrentHashMap<>();
    ExecutorService senders = Executors.newFixedThreadPool(4);
    List<Future<?>> sending = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int thread = t;
      sending.add(senders.submit(() -> {
        for (int seq = 0; seq < PER_KEY; seq++) {
          for (int k = thread; k < KEYS; k += 4) {
            String key = "key-" + k;
            Message msg = new Message(TOPIC, "T", key, (key + ":" + seq).getBytes(StandardCharsets.UTF_8));
            SendResult sent;
            if (k % 2 == 0) {
              sent = producer.send(msg, new SelectMessageQueueByHash(), key);
              assertEquals(Math.floorMod(key.hashCode(), 4), sent.getMessageQueue().getQueueId());
            } else {
              msg.setShardingKey(key);
              sent = producer.send(msg);
            }
            queuesOfKey.computeIfAbsent(key, x -> ConcurrentHashMap.newKeySet())
                .add(sent.getMessageQueue().getQueueId());
          }
        }
        return null;
      }));
    }
    for (Future<?> f : sending) {
      f.get();
    }
    senders.shutdown();
    assertEquals(KEYS, queuesOfKey.size());
    queuesOfKey.forEach((key, qs) -> assertEquals(1, qs.size(), key + " went to queues " + qs));
    queuesOfKey.forEach((key, qs) -> assertEquals(Math.floorMod(key.hashCode(), 4), qs.iterator().next(), key));

    Map<String, List<Integer>> consumed = new ConcurrentHashMap<>();
    Map<Integer, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    AtomicInteger overlaps = new AtomicInteger();
    AtomicInteger outOfOrder = new AtomicInteger();
    AtomicBoolean suspendedOnce = new AtomicBoolean();
    AtomicInteger redeliveredReconsumeTimes = new AtomicInteger(-1);
    DefaultMQPushConsumer consumer = new DefaultMQPushConsumer("OrderedConsumers");
    consumer.setNamesrvAddr(broker.address());
    consumer.subscribe(TOPIC, "*");
    consumer.setConsumeMessageBatchMaxSize(4);
    consumer.setConsumeThreadMin(4);
    consumer.setConsumeThreadMax(4);
    consumer.registerMessageListener((List<MessageExt> msgs, io.salvo.client.consumer.listener.ConsumeOrderlyContext ctx) -> {
      int queue = ctx.getMessageQueue().getQueueId();
      AtomicInteger running = inFlight.computeIfAbsent(queue, q -> new AtomicInteger());
      if (running.incrementAndGet() != 1) {
        overlaps.incrementAndGet();
      }
      try {
        Thread.sleep(1); // widen the window in which a second call on the queue would overlap
        for (MessageExt m : msgs) {
          String[] keyAndSeq = new String(m.getBody(), StandardCharsets.UTF_8).split(":");
          if (keyAndSeq[0].equals("key-3") && keyAndSeq[1].equals("10")) {
            if (suspendedOnce.compareAndSet(false, true)) {
              ctx.setSuspendCurrentQueueTimeMillis(200);
              return ConsumeOrderlyStatus.SUSPEND_CURRENT_QUEUE_A_MOMENT;
            }
            redeliveredReconsumeTimes.set(m.getReconsumeTimes());
          }
        }
        for (MessageExt m : msgs) {
          String[] keyAndSeq = new String(m.getBody(), StandardCharsets.UTF_8).split(":");
          List<Integer> seen = consumed.computeIfAbsent(keyAndSeq[0], k -> new ArrayList<>());
          int seq = Integer.parseInt(keyAndSeq[1]);
          synchronized (seen) {
            if (!seen.isEmpty() && seen.get(seen.size() - 1) >= seq) {
              outOfOrder.incrementAndGet();
            }
            seen.add(seq);
          }
        }
        return ConsumeOrderlyStatus.SUCCESS;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return ConsumeOrderlyStatus.SUSPEND_CURRENT_QUEUE_A_MOMENT;
      } finally {
        running.decrementAndGet();
      }
    });
    consumer.start();
    try {
      Eventually.within(Duration.ofSeconds(90), () -> {
        int total = consumed.values().stream().mapToInt(l -> {
          synchronized (l) {
            return l.size();
          }
        }).sum();
        if (total < KEYS * PER_KEY) {
          throw new AssertionError("consumed " + total + " of " + KEYS * PER_KEY);
        }
        return total;
      });
    } finally {
      consumer.shutdown();
    }
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < PER_KEY; i++) {
      expected.add(i);
    }
    assertEquals(KEYS, consumed.size());
    consumed.forEach((key, seqs) -> assertEquals(expected, seqs, "order of " + key));
    assertEquals(0, outOfOrder.get(), "out-of-order deliveries");
    assertEquals(0, overlaps.get(), "listener calls that overlapped on one queue");
    assertTrue(suspendedOnce.get(), "the suspend case was exercised");
    assertEquals(1, redeliveredReconsumeTimes.get(), "reconsume count of the suspended message when it came again");
  }

  @Test
  void badQueueChoicesGetSpecificErrors() throws Exception {
    Message msg = new Message(TOPIC, "T", "bad".getBytes(StandardCharsets.UTF_8));
    MQClientException nullChoice = assertThrows(MQClientException.class,
        () -> producer.send(msg, (mqs, m, arg) -> null, "x"));
    assertEquals(ErrorCode.BAD_REQUEST, nullChoice.errorCode());
    assertTrue(nullChoice.getMessage().contains("MessageQueueSelector returned null"), nullChoice.getMessage());

    MQClientException thrown = assertThrows(MQClientException.class,
        () -> producer.send(msg, new SelectMessageQueueByHash(), null));
    assertTrue(thrown.getMessage().contains("MessageQueueSelector threw"), thrown.getMessage());

    MQClientException otherTopic = assertThrows(MQClientException.class,
        () -> producer.send(msg, new MessageQueue("OtherTopic", "b", 0)));
    assertTrue(otherTopic.getMessage().contains("not a queue of topic '" + TOPIC + "'"), otherTopic.getMessage());

    long start = System.nanoTime();
    MQBrokerException missing = assertThrows(MQBrokerException.class,
        () -> producer.send(msg, new MessageQueue(TOPIC, "b", 9)));
    assertEquals(ErrorCode.INVALID_QUEUE, missing.errorCode());
    assertTrue(missing.getMessage().contains("queue 9 does not exist"), missing.getMessage());
    assertTrue(System.nanoTime() - start < Duration.ofSeconds(8).toNanos(), "an invalid chosen queue is not retried");

    Message a = new Message(TOPIC, "T", "a".getBytes(StandardCharsets.UTF_8));
    a.setShardingKey("one");
    Message b = new Message(TOPIC, "T", "b".getBytes(StandardCharsets.UTF_8));
    b.setShardingKey("two");
    MQClientException mixed = assertThrows(MQClientException.class, () -> producer.send(List.of(a, b)));
    assertTrue(mixed.getMessage().contains("must share one sharding key"), mixed.getMessage());
  }
}
