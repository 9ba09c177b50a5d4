package io.salvo.tests.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.salvo.client.consumer.ConsumeFromWhere;
import io.salvo.client.consumer.DefaultMQPushConsumer;
import io.salvo.client.consumer.listener.ConsumeConcurrentlyStatus;
import io.salvo.client.consumer.listener.ConsumeOrderlyStatus;
import io.salvo.client.consumer.listener.MessageListenerConcurrently;
import io.salvo.client.consumer.listener.MessageListenerOrderly;
import io.salvo.client.message.Message;
import io.salvo.client.message.MessageExt;
import io.salvo.client.producer.DefaultMQProducer;
import io.salvo.client.producer.SendCallback;
import io.salvo.client.producer.SendResult;
import io.salvo.persistence.cassandra.EmbeddedCassandraCluster;
import io.salvo.tests.harness.AdminHttp;
import io.salvo.tests.harness.BrokerProcess;
import io.salvo.tests.harness.CassandraFixture;
import io.salvo.tests.harness.Eventually;
import io.salvo.tests.harness.Ports;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Issue 8, acceptance 1: three brokers on a three-node loopback Cassandra (replication factor 3, QUORUM writes and
 * reads). A producer sends at a steady rate through all three addresses while a concurrent group and an orderly
 * group (two members each) consume; meanwhile node 3 joins, node 2 is SIGKILLed and restarted, and every node is
 * restarted in turn (SIGTERM, start). Every acknowledged message must be consumed by both groups (duplicates allowed,
 * counted), no orderly queue may be in listener calls of two members at once, and the send latency (from the moment
 * the pacer scheduled the send, so a stalled send counts its whole wait; a failed send is retried by the test and
 * keeps its first time) is printed per phase: longest pause, p99, p999.
 *
 * <p>Opt-in ({@code -Dsalvo.cluster=true}): three Cassandra nodes and three brokers on two cores take about 11 minutes,
 * too long for every build. Its first runs (with seed nodes) lost acknowledged messages: after the first seed was
 * restarted, queues had two writers of one journal (the replay filter logged conflicting writers, queues recovered
 * shorter than consumers had read them); with Cluster Bootstrap it passes (every acknowledged message consumed, no
 * conflicting writers). The acceptance run is {@code -Dsalvo.cluster=true -Dsalvo.cluster.minutes=3
 * -Dsalvo.cluster.rate=2000} (the faults are spread over that time).
 */
@EnabledIfSystemProperty(named = "salvo.cluster", matches = "true")
class ClusterFaultTest {
  private static final String TOPIC = "ClusterFaultTopic";
  private static final int QUEUES = 8;
  private static final double MINUTES = Double.parseDouble(System.getProperty("salvo.cluster.minutes", "0.75"));
  private static final int RATE = Integer.getInteger("salvo.cluster.rate", 300);
  /**
   * Cassandra nodes (replication factor the same, at most 3). 1 takes two JVMs off the machine, to see how long a queue
   * move takes when the brokers are not starved: {@code -Dsalvo.cluster.cassandra-nodes=1}.
   */
  private static final int CASSANDRA_NODES = Integer.getInteger("salvo.cluster.cassandra-nodes", 3);
  /** A broker start on a loaded 2-core machine running three Cassandra nodes takes well over the usual 90 s. */
  private static final Duration START_LIMIT = Duration.ofSeconds(240);
  /** Sends outstanding at most (10 s of sends); beyond it the pacer waits, and the wait counts in latency. */
  private static final int MAX_IN_FLIGHT = RATE * 10;
  /** A failed send is sent again after this (not at once: a storm of retries would slow the cluster it waits for). */
  private static final long RETRY_AFTER_MS = 1_000;

  private record Phase(String name, long startNanos) {}

  private record Ack(int phase, long latencyNanos, long ackNanos) {}

  /** One orderly listener call: member, queue, start and end (System.nanoTime). */
  private record Call(String member, int queue, long start, long end) {}

  private final List<Phase> phases = new CopyOnWriteArrayList<>();
  private final ConcurrentLinkedQueue<Ack> acks = new ConcurrentLinkedQueue<>();
  private final Map<String, String> acked = new ConcurrentHashMap<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger failedAttempts = new AtomicInteger();
  private final Map<String, Integer> failures = new ConcurrentHashMap<>();
  private final Map<String, Integer> concurrentSeen = new ConcurrentHashMap<>();
  private final Map<String, Integer> orderlySeen = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
  private volatile boolean sending = true;

  @Test
  void everyAcknowledgedMessageIsConsumedWhileNodesJoinDieAndRestart() throws Exception {
    long began = System.nanoTime();
    try (EmbeddedCassandraCluster cassandra =
        CassandraFixture.startFreshCluster(Path.of("target", "cassandra-cluster"), CASSANDRA_NODES)) {
      System.out.printf("cluster fault: Cassandra %s up in %d s%n", cassandra.contactPoints(), seconds(began));
      List<BrokerProcess> nodes = brokers(cassandra);
      // If the test JVM is told to stop (a build timeout), the brokers and Cassandra nodes must not outlive it.
      Thread cleanup = new Thread(() -> {
        nodes.forEach(BrokerProcess::kill);
        cassandra.stop();
      }, "cluster-fault-cleanup");
      Runtime.getRuntime().addShutdownHook(cleanup);
      List<DefaultMQPushConsumer> consumers = new ArrayList<>();
      ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor();
      DefaultMQProducer producer = null;
      try {
        // Bootstrap forms the cluster once two of the three contact points answer: start nodes 1 and 2 together.
        nodes.get(0).launch();
        nodes.get(1).launch();
        nodes.get(0).awaitReady(START_LIMIT);
        nodes.get(1).awaitReady(START_LIMIT);
        assertEquals(201, AdminHttp.post(nodes.get(0).managementUrl() + "/topics",
            "{\"name\":\"" + TOPIC + "\",\"queues\":" + QUEUES + "}").statusCode());
        String namesrv = nodes.stream().map(BrokerProcess::address).collect(Collectors.joining(";"));
        for (int m = 1; m <= 2; m++) {
          consumers.add(consumer(namesrv, "ClusterFaultConcurrent", "c" + m, false));
          consumers.add(consumer(namesrv, "ClusterFaultOrderly", "o" + m, true));
        }
        producer = new DefaultMQProducer("ClusterFaultProducer");
        producer.setNamesrvAddr(namesrv);
        producer.setSendMsgTimeout(15_000);
        producer.start();
        runFaults(nodes, producer, retries);
        Eventually.within(Duration.ofSeconds(120), () -> assertEquals(0, inFlight.get(), "sends still in flight"));
        try {
          awaitConsumed();
        } catch (AssertionError e) {
          diagnose(nodes);
          throw e;
        } finally {
          report();
        }
      } finally {
        sending = false;
        retries.shutdownNow();
        if (producer != null) {
          producer.shutdown();
        }
        consumers.forEach(DefaultMQPushConsumer::shutdown);
        nodes.forEach(BrokerProcess::kill);
        Runtime.getRuntime().removeShutdownHook(cleanup);
      }
    }
    for (int i = 0; i < phases.size(); i++) {
      int p = i;
      assertTrue(acks.stream().anyMatch(a -> a.phase() == p), "no send acknowledged in phase " + phases.get(i));
    }
    List<String> overlaps = overlaps();
    assertTrue(overlaps.isEmpty(), "orderly queues in calls of two members at once: "
        + overlaps.subList(0, Math.min(10, overlaps.size())));
    System.out.printf("cluster fault: whole test %d s%n", seconds(began));
  }

  /**
   * Three brokers on {@code cassandra}, forming their cluster by Cluster Bootstrap over the three management
   * endpoints (with seed nodes, a restarted first seed once formed a second cluster beside the running one, and each
   * ran every queue: two writers of one journal, acknowledged messages lost). None started.
   */
  private static List<BrokerProcess> brokers(EmbeddedCassandraCluster cassandra) {
    Map<String, String> settings = Map.of(
        "salvo.persistence.replication-factor", String.valueOf(Math.min(3, CASSANDRA_NODES)),
        "salvo.persistence.write-consistency", "QUORUM",
        "salvo.persistence.read-consistency", "QUORUM",
        // Binding the remoting port took over Akka's 3 s on a host with a load average of 70.
        "akka.remote.artery.bind.bind-timeout", "30s");
    List<BrokerProcess> nodes = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      nodes.add(BrokerProcess.on(cassandra.contactPoints(), "t_clusterfault", "cluster-node-" + i, Ports.free(),
          settings));
    }
    String contactPoints = nodes.stream().map(BrokerProcess::managementEndpoint).collect(Collectors.joining(","));
    for (BrokerProcess node : nodes) {
      node.with("salvo.cluster.contact-points", contactPoints);
    }
    return nodes;
  }

  /** The faults, one phase each, spread over the run's length; the pacer sends all along. */
  private void runFaults(List<BrokerProcess> nodes, DefaultMQProducer producer, ScheduledExecutorService retries)
      throws InterruptedException {
    long total = (long) (MINUTES * 60_000);
    long gap = Math.max(5_000, total / 8);
    long start = System.nanoTime();
    phase("nodes 1+2");
    Thread pacer = new Thread(() -> pace(producer, retries), "cluster-fault-pacer");
    pacer.start();
    Thread.sleep(gap);
    phase("node 3 joins");
    nodes.get(2).start(START_LIMIT);
    Thread.sleep(gap);
    phase("node 2 SIGKILLed");
    nodes.get(1).kill();
    Thread.sleep(Math.max(gap, 12_000)); // failure detection + split-brain resolver stable-after (7 s)
    phase("node 2 restarted");
    nodes.get(1).start(START_LIMIT);
    Thread.sleep(gap);
    for (int i = 1; i <= 3; i++) {
      phase("node " + i + " restart");
      nodes.get(i - 1).stop();
      nodes.get(i - 1).start(START_LIMIT);
      Thread.sleep(gap);
    }
    phase("all up");
    long left = total - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    Thread.sleep(Math.max(gap, left));
    sending = false;
    pacer.join(30_000);
  }

  private void phase(String name) {
    phases.add(new Phase(name, System.nanoTime()));
    System.out.printf("cluster fault: phase '%s' (%d acknowledged, %d in flight, %d failed attempts%s)%n", name,
        acked.size(), inFlight.get(), failedAttempts.get(), failedAttempts.get() == 0 ? "" : ", most: " + topFailures());
  }

  /** Schedules RATE sends a second at even times; each send's latency counts from its scheduled time. */
  private void pace(DefaultMQProducer producer, ScheduledExecutorService retries) {
    long began = System.nanoTime();
    long issued = 0;
    while (sending) {
      long due = (System.nanoTime() - began) * RATE / 1_000_000_000L;
      while (issued < due && inFlight.get() < MAX_IN_FLIGHT) {
        inFlight.incrementAndGet();
        send(producer, retries, "m" + issued, began + issued * 1_000_000_000L / RATE);
        issued++;
      }
      LockSupport.parkNanos(2_000_000);
    }
  }

  private void send(DefaultMQProducer producer, ScheduledExecutorService retries, String body, long scheduled) {
    SendCallback callback = new SendCallback() {
      @Override
      public void onSuccess(SendResult result) {
        long now = System.nanoTime();
        acked.put(body, result.getMsgId());
        acks.add(new Ack(phaseAt(scheduled), now - scheduled, now));
        inFlight.decrementAndGet();
      }

      @Override
      public void onException(Throwable e) {
        failedAttempts.incrementAndGet();
        String why = String.valueOf(e.getMessage());
        failures.merge(e.getClass().getSimpleName() + ": " + why.substring(0, Math.min(90, why.length())), 1,
            Integer::sum);
        if (!retries.isShutdown()) {
          retries.schedule(() -> send(producer, retries, body, scheduled), RETRY_AFTER_MS, TimeUnit.MILLISECONDS);
        }
      }
    };
    try {
      producer.send(new Message(TOPIC, "T", body.getBytes(StandardCharsets.UTF_8)), callback);
    } catch (Exception e) {
      callback.onException(e);
    }
  }

  private int phaseAt(long nanos) {
    int index = 0;
    for (int i = 0; i < phases.size(); i++) {
      if (phases.get(i).startNanos() <= nanos) {
        index = i;
      }
    }
    return index;
  }

  private DefaultMQPushConsumer consumer(String namesrv, String group, String member, boolean orderly)
      throws Exception {
    DefaultMQPushConsumer consumer = new DefaultMQPushConsumer(group);
    consumer.setNamesrvAddr(namesrv);
    consumer.setInstanceName(member);
    consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
    consumer.setConsumeMessageBatchMaxSize(16);
    consumer.subscribe(TOPIC, "*");
    if (orderly) {
      consumer.registerMessageListener((MessageListenerOrderly) (msgs, ctx) -> {
        long start = System.nanoTime();
        count(orderlySeen, msgs);
        LockSupport.parkNanos(500_000); // a call that takes some time, so that an overlap would show
        calls.add(new Call(member, ctx.getMessageQueue().getQueueId(), start, System.nanoTime()));
        return ConsumeOrderlyStatus.SUCCESS;
      });
    } else {
      consumer.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
        count(concurrentSeen, msgs);
        return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
      });
    }
    consumer.start();
    return consumer;
  }

  private static void count(Map<String, Integer> seen, List<MessageExt> msgs) {
    for (MessageExt m : msgs) {
      seen.merge(new String(m.getBody(), StandardCharsets.UTF_8), 1, Integer::sum);
    }
  }

  private void awaitConsumed() {
    Eventually.within(Duration.ofSeconds(180), () -> {
      long missingConcurrent = acked.keySet().stream().filter(b -> !concurrentSeen.containsKey(b)).count();
      long missingOrderly = acked.keySet().stream().filter(b -> !orderlySeen.containsKey(b)).count();
      if (missingConcurrent + missingOrderly > 0) {
        throw new AssertionError("of " + acked.size() + " acknowledged, not yet consumed: " + missingConcurrent
            + " by the concurrent group, " + missingOrderly + " by the orderly group, e.g. "
            + acked.keySet().stream().filter(b -> !orderlySeen.containsKey(b) || !concurrentSeen.containsKey(b))
                .limit(5).toList());
      }
    });
  }

  /**
   * Tells lag from loss for a failed run: each group's lag as the brokers see it, and where a few unconsumed messages
   * are (a message found in its queue below the group's committed offset was skipped; at or above it, not yet
   * delivered).
   */
  private void diagnose(List<BrokerProcess> nodes) {
    String url = nodes.stream().filter(BrokerProcess::isAlive).findFirst().map(BrokerProcess::managementUrl)
        .orElse(null);
    if (url == null) {
      return;
    }
    try {
      for (String group : List.of("ClusterFaultConcurrent", "ClusterFaultOrderly")) {
        System.out.printf("cluster fault: diagnose %s: %s%n", group, AdminHttp.get(url + "/groups/" + group).body());
        System.out.printf("cluster fault: diagnose %s lag: %s%n", group,
            AdminHttp.get(url + "/groups/" + group + "/lag").body());
      }
      acked.entrySet().stream()
          .filter(e -> !orderlySeen.containsKey(e.getKey()) || !concurrentSeen.containsKey(e.getKey()))
          .limit(5).forEach(e -> {
            try {
              System.out.printf("cluster fault: diagnose unconsumed %s (concurrent %s, orderly %s): %s%n", e.getKey(),
                  concurrentSeen.containsKey(e.getKey()), orderlySeen.containsKey(e.getKey()),
                  AdminHttp.get(url + "/topics/" + TOPIC + "/messages/" + e.getValue()).body());
            } catch (Exception ex) {
              System.out.printf("cluster fault: diagnose lookup of %s failed: %s%n", e.getValue(), ex);
            }
          });
    } catch (Exception e) {
      System.out.printf("cluster fault: diagnose failed: %s%n", e);
    }
  }

  /** Calls of one queue by two members that overlap in time. */
  private List<String> overlaps() {
    Map<Integer, List<Call>> byQueue = new TreeMap<>();
    calls.forEach(c -> byQueue.computeIfAbsent(c.queue(), q -> new ArrayList<>()).add(c));
    List<String> out = new ArrayList<>();
    for (List<Call> queueCalls : byQueue.values()) {
      queueCalls.sort(Comparator.comparingLong(Call::start));
      long end = Long.MIN_VALUE;
      String holder = null;
      for (Call c : queueCalls) {
        if (c.start() < end && !c.member().equals(holder)) {
          out.add("queue " + c.queue() + ": " + c.member() + " started while " + holder + " was in a call");
        }
        if (c.end() > end) {
          end = c.end();
          holder = c.member();
        }
      }
    }
    return out;
  }

  private void report() {
    List<Ack> all = new ArrayList<>(acks);
    System.out.printf("cluster fault: %d msg/s for %.2f min: %d acknowledged, %d failed attempts retried by the test"
            + " (%s); duplicates consumed: concurrent group %d, orderly group %d; orderly calls %d, overlaps %d%n",
        RATE, MINUTES, acked.size(), failedAttempts.get(), topFailures(), duplicates(concurrentSeen),
        duplicates(orderlySeen), calls.size(), overlaps().size());
    for (int i = 0; i < phases.size(); i++) {
      int p = i;
      printLatency("phase '" + phases.get(i).name() + "'", all.stream().filter(a -> a.phase() == p).toList());
    }
    printLatency("whole run", all);
    System.out.println("cluster fault: target: p99 <= 1000 ms while a queue moves");
  }

  private String topFailures() {
    return failures.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(3)
        .map(e -> e.getValue() + " x " + e.getKey()).collect(Collectors.joining("; "));
  }

  private static void printLatency(String label, List<Ack> acks) {
    if (acks.isEmpty()) {
      System.out.printf("cluster fault: %-24s no acknowledged sends%n", label);
      return;
    }
    long[] latencies = acks.stream().mapToLong(Ack::latencyNanos).sorted().toArray();
    long[] times = acks.stream().mapToLong(Ack::ackNanos).sorted().toArray();
    long gap = 0;
    for (int i = 1; i < times.length; i++) {
      gap = Math.max(gap, times[i] - times[i - 1]);
    }
    System.out.printf("cluster fault: %-24s %7d sends  p50 %7.1f ms  p99 %8.1f ms  p999 %8.1f ms  max %8.1f ms"
            + "  longest gap between acks %7.1f ms%n", label, latencies.length, ms(at(latencies, 0.5)),
        ms(at(latencies, 0.99)), ms(at(latencies, 0.999)), ms(latencies[latencies.length - 1]), ms(gap));
  }

  private static long at(long[] sorted, double quantile) {
    return sorted[Math.min(sorted.length - 1, (int) Math.floor(quantile * sorted.length))];
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }

  private static long duplicates(Map<String, Integer> seen) {
    return seen.values().stream().mapToLong(n -> n - 1).sum();
  }

  private static long seconds(long since) {
    return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - since);
  }
}
