package io.salvo.tests.groups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.salvo.client.message.Message;
import io.salvo.client.producer.DefaultMQProducer;
import io.salvo.client.producer.selector.SelectMessageQueueByHash;
import io.salvo.tests.harness.AdminHttp;
import io.salvo.tests.harness.BrokerProcess;
import io.salvo.tests.harness.CassandraFixture;
import io.salvo.tests.harness.ConsumerProcess;
import io.salvo.tests.harness.Eventually;
import io.salvo.tests.harness.JavaProcess;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Orderly consumer JVMs of one group while 200 keys x 500 messages are sent with a selector: a fourth member joins, one
 * is SIGKILLed, one stops gracefully. From the start and end of every listener call (per queue, on the machine's
 * monotonic clock) a checker shows no queue was ever in calls of two members at once, and every key's messages were
 * first processed in send order.
 */
@ExtendWith(CassandraFixture.class)
class OrderlyKillTest {
  private static final String TOPIC = "OrderlyKillTopic";
  private static final String GROUP = "OrderlyKillGroup";
  private static final int KEYS = 200;
  private static final int PER_KEY = 500;
  private static final int SENDERS = 16;

  /** One listener call: member, queue, start and end (end = the kill time for a call cut short). */
  private record Call(String member, int queue, long start, long end, List<String> bodies) {}

  @Test
  void killedAndLeavingMembersNeverShareAQueueAndKeysStayInOrder(CassandraFixture.Cassandra cassandra)
      throws Exception {
    try (BrokerProcess broker = BrokerProcess.on(cassandra, "orderly-kill", Map.of(
        "salvo.broker.groups.session-timeout", "4s",
        "salvo.broker.groups.heartbeat-interval", "500ms")).start()) {
      assertEquals(201, AdminHttp.post(broker.managementUrl() + "/topics",
          "{\"name\":\"" + TOPIC + "\",\"queues\":8}").statusCode());
      Map<String, JavaProcess> members = new TreeMap<>();
      Map<String, Long> killedAt = new HashMap<>();
      try {
        for (String name : List.of("o1", "o2", "o3")) {
          members.put(name, start(broker, name));
        }
        DefaultMQProducer producer = broker.startProducer("OrderlyKillProducer");
        AtomicInteger sent = new AtomicInteger();
        ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
        try {
          List<Future<?>> sending = new ArrayList<>();
          for (int t = 0; t < SENDERS; t++) {
            int thread = t;
            sending.add(senders.submit(() -> {
              for (int seq = 0; seq < PER_KEY; seq++) {
                for (int k = thread; k < KEYS; k += SENDERS) {
                  String key = "k" + k;
                  producer.send(new Message(TOPIC, "T", (key + ":" + seq).getBytes(StandardCharsets.UTF_8)),
                      new SelectMessageQueueByHash(), key);
                  sent.incrementAndGet();
                }
              }
              return null;
            }));
          }
          int total = KEYS * PER_KEY;
          awaitSent(sent, total / 4);
          members.put("o4", start(broker, "o4"));
          awaitSent(sent, total / 2);
          killedAt.put("o2", System.nanoTime());
          members.get("o2").kill(); // SIGKILL
          awaitSent(sent, 3 * total / 4);
          members.get("o3").terminate(); // SIGTERM: commits and leaves
          for (Future<?> f : sending) {
            f.get();
          }
        } finally {
          senders.shutdown();
          producer.shutdown();
        }
        List<Call> calls;
        try {
          calls = Eventually.within(Duration.ofSeconds(120), () -> {
            List<Call> all = calls(members, killedAt);
            Set<String> distinct = new java.util.HashSet<>();
            all.forEach(c -> distinct.addAll(c.bodies()));
            if (distinct.size() < KEYS * PER_KEY) {
              throw new AssertionError("processed " + distinct.size() + " of " + KEYS * PER_KEY + " distinct messages");
            }
            return all;
          });
        } finally {
          saveOutputs(members, broker);
        }

        List<String> overlaps = new ArrayList<>();
        Map<Integer, List<Call>> byQueue = new TreeMap<>();
        calls.forEach(c -> byQueue.computeIfAbsent(c.queue(), q -> new ArrayList<>()).add(c));
        for (List<Call> queueCalls : byQueue.values()) {
          queueCalls.sort(Comparator.comparingLong(Call::start));
          for (int i = 1; i < queueCalls.size(); i++) {
            Call before = queueCalls.get(i - 1);
            Call after = queueCalls.get(i);
            if (after.start() < before.end() && !after.member().equals(before.member())) {
              overlaps.add("queue " + after.queue() + ": " + after.member() + " started while " + before.member()
                  + " was in a call");
            }
          }
        }
        Map<String, List<Integer>> firstTimes = new HashMap<>();
        Map<String, Set<Integer>> seen = new HashMap<>();
        int repeats = 0;
        List<Call> inTime = new ArrayList<>(calls);
        inTime.sort(Comparator.comparingLong(Call::start));
        for (Call c : inTime) {
          for (String body : c.bodies()) {
            String[] keyAndSeq = body.split(":");
            int seq = Integer.parseInt(keyAndSeq[1]);
            if (seen.computeIfAbsent(keyAndSeq[0], k -> new LinkedHashSet<>()).add(seq)) {
              firstTimes.computeIfAbsent(keyAndSeq[0], k -> new ArrayList<>()).add(seq);
            } else {
              repeats++;
            }
          }
        }
        Map<String, Integer> callsPerMember = new TreeMap<>();
        calls.forEach(c -> callsPerMember.merge(c.member(), 1, Integer::sum));
        System.out.println("orderly kill: " + KEYS * PER_KEY + " sent, listener calls per member " + callsPerMember
            + ", " + repeats + " messages processed again after o2's kill, overlaps " + overlaps.size());
        assertTrue(overlaps.isEmpty(), "queues in calls of two members at once: "
            + overlaps.subList(0, Math.min(10, overlaps.size())));
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < PER_KEY; i++) {
          expected.add(i);
        }
        assertEquals(KEYS, firstTimes.size());
        firstTimes.forEach((key, seqs) -> assertEquals(expected, seqs, key + " first processed out of send order"));
        for (String name : List.of("o1", "o2", "o3", "o4")) {
          assertTrue(callsPerMember.getOrDefault(name, 0) > 0, name + " processed nothing: " + callsPerMember);
        }
      } finally {
        members.values().forEach(JavaProcess::close);
      }
    }
  }

  /** Keeps every member's output and the group's state under target/orderly-kill, and names what is missing. */
  private static void saveOutputs(Map<String, JavaProcess> members, BrokerProcess broker) throws Exception {
    java.nio.file.Path dir = java.nio.file.Path.of("target", "orderly-kill");
    java.nio.file.Files.createDirectories(dir);
    Set<String> processed = new java.util.HashSet<>();
    for (Map.Entry<String, JavaProcess> m : members.entrySet()) {
      List<String> lines = m.getValue().lines();
      java.nio.file.Files.write(dir.resolve(m.getKey() + ".log"), lines);
      for (String line : lines) {
        if (line.startsWith("CONSUMED ")) {
          processed.add(line.split(" ")[2]);
        }
      }
    }
    List<String> missing = new ArrayList<>();
    for (int k = 0; k < KEYS; k++) {
      for (int seq = 0; seq < PER_KEY; seq++) {
        String body = "k" + k + ":" + seq;
        if (!processed.contains(body)) {
          missing.add(body + " (queue " + Math.floorMod(("k" + k).hashCode(), 8) + ")");
        }
      }
    }
    String group = AdminHttp.get(broker.managementUrl() + "/groups/" + GROUP).body();
    java.nio.file.Files.writeString(dir.resolve("group.json"), group);
    System.out.println("orderly kill: missing " + missing.size() + ": "
        + missing.subList(0, Math.min(20, missing.size())) + "; group " + group);
  }

  private static void awaitSent(AtomicInteger sent, int count) {
    Eventually.within(Duration.ofSeconds(180), () -> {
      if (sent.get() < count) {
        throw new AssertionError("sent " + sent.get() + " of " + count);
      }
      return null;
    });
  }

  private static JavaProcess start(BrokerProcess broker, String name) {
    return ConsumerProcess.launch(broker, GROUP, TOPIC, name, true);
  }

  /** Every listener call in the members' output; a call a kill cut short ends at the kill. */
  private static List<Call> calls(Map<String, JavaProcess> members, Map<String, Long> killedAt) {
    List<Call> out = new ArrayList<>();
    for (Map.Entry<String, JavaProcess> member : members.entrySet()) {
      Map<Integer, Long> open = new HashMap<>();
      List<String> bodies = new ArrayList<>();
      for (String line : member.getValue().lines()) {
        String[] parts = line.split(" ");
        switch (parts[0]) {
          case "START" -> open.put(Integer.parseInt(parts[2]), Long.parseLong(parts[3]));
          case "CONSUMED" -> bodies.add(parts[2]);
          case "END" -> {
            int queue = Integer.parseInt(parts[2]);
            out.add(new Call(member.getKey(), queue, open.remove(queue), Long.parseLong(parts[3]),
                List.copyOf(bodies)));
            bodies.clear();
          }
          default -> { }
        }
      }
      Long kill = killedAt.get(member.getKey());
      open.forEach((queue, start) -> out.add(new Call(member.getKey(), queue, start,
          kill != null ? kill : Long.MAX_VALUE, List.of())));
    }
    return out;
  }
}
