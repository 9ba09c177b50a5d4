package io.salvo.tests.groups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.salvo.client.consumer.DefaultMQPushConsumer;
import io.salvo.client.consumer.listener.ConsumeOrderlyContext;
import io.salvo.client.consumer.listener.ConsumeOrderlyStatus;
import io.salvo.client.consumer.listener.MessageListenerOrderly;
import io.salvo.client.message.Message;
import io.salvo.client.message.MessageExt;
import io.salvo.client.producer.DefaultMQProducer;
import io.salvo.tests.harness.AdminHttp;
import io.salvo.tests.harness.BrokerProcess;
import io.salvo.tests.harness.CassandraFixture;
import io.salvo.tests.harness.Eventually;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Orderly consumers of one group join and leave while keyed messages flow: no queue is ever in listener calls of two
 * members at once (each call's start and end are recorded per queue), and every key's messages are processed in send
 * order, each exactly once (hand-overs go through the old owner's final commit). A consumer that shuts down leaves
 * the group at once.
 */
@ExtendWith(CassandraFixture.class)
class OrderlyRebalanceTest {
  private static final String TOPIC = "RebalanceTopic";
  private static final String GROUP = "RebalanceGroup";
  private static final int KEYS = 40;

  private final Map<Integer, AtomicReference<String>> inCall = new ConcurrentHashMap<>();
  private final AtomicInteger overlaps = new AtomicInteger();
  private final List<String> overlapSamples = new ArrayList<>();
  private final Map<String, List<Integer>> processed = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> callsByMember = new ConcurrentHashMap<>();

  @Test
  void membersJoiningAndLeavingNeverShareAQueueAndKeysStayInOrder(CassandraFixture.Cassandra cassandra)
      throws Exception {
    try (BrokerProcess broker = BrokerProcess.on(cassandra, "rebalance", Map.of(
        "salvo.broker.groups.session-timeout", "4s",
        "salvo.broker.groups.heartbeat-interval", "500ms")).start()) {
      HttpResponse<String> created = AdminHttp.post(broker.managementUrl() + "/topics",
          "{\"name\":\"" + TOPIC + "\",\"queues\":8}");
      assertEquals(201, created.statusCode(), created.body());

      DefaultMQProducer producer = broker.startProducer("RebalanceProducer");
      AtomicBoolean sending = new AtomicBoolean(true);
      AtomicInteger sent = new AtomicInteger();
      Thread sender = new Thread(() -> {
        int[] next = new int[KEYS];
        try {
          while (sending.get()) {
            for (int k = 0; k < KEYS; k++) {
              Message m = new Message(TOPIC, "T", ("key-" + k + ":" + next[k]).getBytes(StandardCharsets.UTF_8));
              m.setShardingKey("key-" + k);
              producer.send(m);
              next[k]++;
              sent.incrementAndGet();
            }
          }
        } catch (Exception e) {
          throw new IllegalStateException("send failed after " + sent.get(), e);
        }
      }, "rebalance-sender");
      sender.start();

      List<DefaultMQPushConsumer> running = new ArrayList<>();
      try {
        running.add(consumer(broker, "c1"));
        Thread.sleep(4_000);
        running.add(consumer(broker, "c2"));
        Thread.sleep(4_000);
        running.add(consumer(broker, "c3"));
        Thread.sleep(4_000);
        running.remove(0).shutdown(); // c1 commits, then leaves the group: its queues move at once
        String members = AdminHttp.get(broker.managementUrl() + "/groups/" + GROUP).body();
        assertTrue(!members.contains("@c1@") && members.contains("@c2@"), "after c1's shutdown: " + members);
        Thread.sleep(6_000);
        running.add(consumer(broker, "c4"));
        Thread.sleep(6_000);
        sending.set(false);
        sender.join(30_000);
        producer.shutdown();
        int total = sent.get();
        Eventually.within(Duration.ofSeconds(60), () -> {
          int done = processed.values().stream().mapToInt(l -> {
            synchronized (l) {
              return l.size();
            }
          }).sum();
          if (done < total) {
            throw new AssertionError("processed " + done + " of " + total);
          }
          return done;
        });
      } finally {
        running.forEach(DefaultMQPushConsumer::shutdown);
      }
      System.out.println("orderly rebalance: sent " + sent.get() + ", listener calls by member " + callsByMember
          + ", overlaps " + overlaps.get());
      assertEquals(0, overlaps.get(), "listener calls of two members on one queue at once: " + overlapSamples);
      assertTrue(sent.get() > KEYS * 10, "sent " + sent.get());
      for (int k = 0; k < KEYS; k++) {
        List<Integer> seqs = processed.get("key-" + k);
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < seqs.size(); i++) {
          expected.add(i);
        }
        assertEquals(expected, seqs, "key-" + k + " processed out of order or twice");
      }
      assertTrue(callsByMember.keySet().containsAll(List.of("c1", "c2", "c3", "c4")), "members that consumed: "
          + callsByMember);
    }
  }

  private DefaultMQPushConsumer consumer(BrokerProcess broker, String name) throws Exception {
    DefaultMQPushConsumer consumer = new DefaultMQPushConsumer(GROUP);
    consumer.setNamesrvAddr(broker.address());
    consumer.setInstanceName(name);
    consumer.subscribe(TOPIC, "*");
    consumer.setConsumeMessageBatchMaxSize(8);
    consumer.registerMessageListener((MessageListenerOrderly) (List<MessageExt> msgs, ConsumeOrderlyContext ctx) -> {
      int queue = ctx.getMessageQueue().getQueueId();
      AtomicReference<String> holder = inCall.computeIfAbsent(queue, q -> new AtomicReference<>());
      if (!holder.compareAndSet(null, name)) {
        overlaps.incrementAndGet();
        synchronized (overlapSamples) {
          overlapSamples.add("queue " + queue + ": " + name + " while " + holder.get());
        }
      }
      try {
        callsByMember.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
        Thread.sleep(2);
        for (MessageExt m : msgs) {
          String[] keyAndSeq = new String(m.getBody(), StandardCharsets.UTF_8).split(":");
          List<Integer> seqs = processed.computeIfAbsent(keyAndSeq[0], k -> new ArrayList<>());
          synchronized (seqs) {
            seqs.add(Integer.parseInt(keyAndSeq[1]));
          }
        }
        return ConsumeOrderlyStatus.SUCCESS;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return ConsumeOrderlyStatus.SUSPEND_CURRENT_QUEUE_A_MOMENT;
      } finally {
        holder.compareAndSet(name, null);
      }
    });
    consumer.start();
    return consumer;
  }
}
