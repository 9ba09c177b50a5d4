package io.salvo.tests.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.Done;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.stream.javadsl.Sink;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.salvo.client.consumer.ConsumeFromWhere;
import io.salvo.client.consumer.DefaultLitePullConsumer;
import io.salvo.client.consumer.DefaultMQPushConsumer;
import io.salvo.client.consumer.MessageSelector;
import io.salvo.client.consumer.listener.ConsumeConcurrentlyStatus;
import io.salvo.client.consumer.listener.MessageListenerConcurrently;
import io.salvo.client.exception.MQClientException;
import io.salvo.client.internal.ClientRuntime;
import io.salvo.client.javadsl.ConsumerSettings;
import io.salvo.client.javadsl.SalvoSink;
import io.salvo.client.javadsl.SalvoSource;
import io.salvo.client.javadsl.Subscriptions;
import io.salvo.client.message.Message;
import io.salvo.client.message.MessageExt;
import io.salvo.client.producer.DefaultMQProducer;
import io.salvo.client.producer.SendResult;
import io.salvo.core.error.ErrorCode;
import io.salvo.core.protocol.v1.FilterExpression;
import io.salvo.core.protocol.v1.HeartbeatRequest;
import io.salvo.core.protocol.v1.HeartbeatResponse;
import io.salvo.core.protocol.v1.ReceiveMessagesRequest;
import io.salvo.core.protocol.v1.ReceiveMessagesResponse;
import io.salvo.core.protocol.v1.Subscription;
import io.salvo.tests.harness.AdminHttp;
import io.salvo.tests.harness.BrokerProcess;
import io.salvo.tests.harness.CassandraFixture;
import io.salvo.tests.harness.Eventually;
import io.salvo.tests.harness.RawClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 6, filtering: one topic, several groups filtering it differently on the broker (tags, SQL92 over properties,
 * SQL92 over TAGS, a filter that matches nothing, a lite pull consumer, an Akka Streams source). Each group receives exactly its messages,
 * and its committed offsets still reach the end of every queue (the messages filtered out are passed). A malformed
 * SQL92 expression is refused at subscribe and over raw gRPC with INVALID_FILTER naming the column.
 */
@ExtendWith(CassandraFixture.class)
class BrokerFilterTest {
  private static final Duration LIMIT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOPIC = "FilterTopic";
  private static final int MESSAGES = 120;

  private static BrokerProcess broker;
  private static DefaultMQProducer producer;

  @BeforeAll
  static void start(CassandraFixture.Cassandra cassandra) throws Exception {
    broker = BrokerProcess.on(cassandra, "broker-filter", Map.of()).start();
    producer = broker.startProducer("FilterProducers");
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

  /** What the test sends: message {@code i}'s tag and properties, the same every run. */
  private record Sent(String body, String tag, Map<String, String> properties) {}

  private static Sent sent(int i) {
    String tag = switch (i % 4) {
      case 0 -> "TagA";
      case 1 -> "TagB";
      case 2 -> "TagC";
      default -> null;
    };
    Map<String, String> p = new LinkedHashMap<>();
    p.put("region", i % 3 == 0 ? "eu" : "us");
    if (i % 10 == 7) {
      p.put("amount", "n/a");
    } else if (i % 10 != 9) {
      p.put("amount", Integer.toString(i * 10));
    }
    return new Sent("m" + i, tag, p);
  }

  private static long amount(Sent s) {
    String a = s.properties().get("amount");
    return a == null || a.equals("n/a") ? Long.MIN_VALUE : Long.parseLong(a);
  }

  @Test
  void eachGroupReceivesExactlyItsMessagesAndItsOffsetsReachTheEndOfTheQueues() throws Exception {
    List<Sent> all = new ArrayList<>();
    Map<Integer, Long> queueEnds = new TreeMap<>();
    Map<Integer, List<Sent>> byQueue = new TreeMap<>();
    for (int i = 0; i < MESSAGES; i++) {
      Sent s = sent(i);
      all.add(s);
      Message m = new Message(TOPIC, s.tag(), s.body().getBytes(StandardCharsets.UTF_8));
      s.properties().forEach(m::putUserProperty);
      SendResult r = producer.send(m);
      queueEnds.merge(r.getMessageQueue().getQueueId(), r.getQueueOffset() + 1, Math::max);
      byQueue.computeIfAbsent(r.getMessageQueue().getQueueId(), q -> new ArrayList<>()).add(s);
    }
    assertOnlyMatchingMessagesCrossTheWire(queueEnds, byQueue);

    // group -> (selector, the same condition written in Java)
    Map<String, MessageSelector> selectors = new LinkedHashMap<>();
    Map<String, Predicate<Sent>> expected = new LinkedHashMap<>();
    selectors.put("FilterByTag", MessageSelector.byTag("TagA || TagB"));
    expected.put("FilterByTag", s -> "TagA".equals(s.tag()) || "TagB".equals(s.tag()));
    selectors.put("FilterSqlProperties", MessageSelector.bySql("region = 'eu' AND amount > 300"));
    expected.put("FilterSqlProperties", s -> s.properties().get("region").equals("eu") && amount(s) > 300);
    selectors.put("FilterSqlTags",
        MessageSelector.bySql("TAGS IN ('TagC') OR (TAGS IS NULL AND amount NOT BETWEEN 100 AND 900)"));
    expected.put("FilterSqlTags", s -> "TagC".equals(s.tag())
        || (s.tag() == null && amount(s) != Long.MIN_VALUE && (amount(s) < 100 || amount(s) > 900)));
    selectors.put("FilterSqlMissing", MessageSelector.bySql("amount IS NULL OR NOT (amount >= 0)"));
    expected.put("FilterSqlMissing", s -> !s.properties().containsKey("amount"));
    selectors.put("FilterNothing", MessageSelector.bySql("amount < 0"));
    expected.put("FilterNothing", s -> false);

    Map<String, Map<String, Integer>> received = new ConcurrentHashMap<>();
    List<DefaultMQPushConsumer> consumers = new ArrayList<>();
    DefaultLitePullConsumer pull = new DefaultLitePullConsumer("FilterPullSql");
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "filter-test", ClientRuntime.config());
    SalvoSource.DrainingControl<Done> stream = null;
    try {
      for (Map.Entry<String, MessageSelector> e : selectors.entrySet()) {
        consumers.add(pushConsumer(e.getKey(), e.getValue(), received));
      }
      pull.setNamesrvAddr(broker.address());
      pull.subscribe(TOPIC, MessageSelector.bySql("NOT (region = 'eu') AND TAGS <> 'TagA'"));
      expected.put("FilterPullSql", s -> !s.properties().get("region").equals("eu") && s.tag() != null
          && !s.tag().equals("TagA"));
      pull.start();
      // AND binds tighter than OR
      String streamSql = "amount >= 1000 OR region = 'us' AND TAGS = 'TagC'";
      expected.put("FilterStreamSql", s -> amount(s) >= 1000
          || (s.properties().get("region").equals("us") && "TagC".equals(s.tag())));
      Map<String, Integer> streamed = received.computeIfAbsent("FilterStreamSql", g -> new ConcurrentHashMap<>());
      stream = SalvoSource.committable(
              ConsumerSettings.create("FilterStreamSql").withNamesrvAddr(broker.address()),
              Subscriptions.sql(TOPIC, streamSql))
          .map(m -> {
            streamed.merge(body(m.message()), 1, Integer::sum);
            return m.committableOffset();
          })
          .toMat(SalvoSink.committer(), SalvoSource::createDrainingControl)
          .run(system);

      Map<String, Set<String>> wanted = new TreeMap<>();
      expected.forEach((group, p) -> {
        Set<String> bodies = new TreeSet<>();
        all.stream().filter(p).forEach(s -> bodies.add(s.body()));
        wanted.put(group, bodies);
      });
      assertTrue(wanted.get("FilterSqlProperties").size() > 5 && wanted.get("FilterSqlTags").size() > 5
          && wanted.get("FilterSqlMissing").size() > 5 && wanted.get("FilterPullSql").size() > 5
          && wanted.get("FilterStreamSql").size() > 5, wanted.toString());

      Map<String, Integer> pulled = received.computeIfAbsent("FilterPullSql", g -> new ConcurrentHashMap<>());
      Eventually.within(LIMIT, () -> {
        for (MessageExt m : pull.poll(200)) {
          pulled.merge(body(m), 1, Integer::sum);
        }
        for (Map.Entry<String, Set<String>> w : wanted.entrySet()) {
          assertEquals(w.getValue(), received.getOrDefault(w.getKey(), Map.of()).keySet(), w.getKey());
        }
        return null;
      });
      // Every group's offsets reach the end of every queue: filtered-out messages are passed, also by a group that
      // receives nothing at all.
      for (String group : expected.keySet()) {
        Eventually.within(LIMIT, () -> {
          if (group.equals("FilterPullSql")) {
            pull.poll(10); // with auto-commit, what the last poll returned counts as consumed at the next poll
          }
          assertEquals(expectedOffsets(queueEnds), committedOffsets(group), group);
          return null;
        });
      }
      received.forEach((group, counts) -> counts.forEach((body, times) ->
          assertEquals(1, times, group + " received " + body + " " + times + " times")));
      assertFalse(received.containsKey("FilterNothing"), "FilterNothing received " + received.get("FilterNothing"));
      System.out.printf("BrokerFilterTest: %d messages on %s queues; received per group: %s%n", MESSAGES,
          queueEnds.size(), received.entrySet().stream()
              .map(e -> e.getKey() + "=" + e.getValue().size()).toList());
    } finally {
      consumers.forEach(DefaultMQPushConsumer::shutdown);
      pull.shutdown();
      if (stream != null) {
        stream.drainAndShutdown(system.executionContext()).toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  /**
   * Raw ReceiveMessages with a SQL92 filter, queue by queue: the stream's elements hold only the matching messages,
   * and their next_offset still reaches the end of the queue.
   */
  private static void assertOnlyMatchingMessagesCrossTheWire(Map<Integer, Long> queueEnds,
      Map<Integer, List<Sent>> byQueue) {
    FilterExpression sql = FilterExpression.newBuilder().setType(FilterExpression.Type.SQL92)
        .setExpression("TAGS = 'TagA' AND region = 'eu'").build();
    try (RawClient raw = new RawClient(broker.grpcPort())) {
      for (Map.Entry<Integer, Long> q : queueEnds.entrySet()) {
        long end = q.getValue();
        List<ReceiveMessagesResponse> elements = RawClient.await(raw.client().receiveMessages(
                ReceiveMessagesRequest.newBuilder().setGroup("FilterRaw").setClientId("raw").setTopic(TOPIC)
                    .setQueueId(q.getKey()).setOffset(0).setFilter(sql).build())
            .takeWhile(r -> r.getStatus().getCode() == 0 && r.getNextOffset() < end, true)
            .completionTimeout(LIMIT)
            .runWith(Sink.seq(), raw.system()));
        ReceiveMessagesResponse last = elements.get(elements.size() - 1);
        assertEquals(0, last.getStatus().getCode(), last.getStatus().getMessage());
        assertEquals(end, last.getNextOffset(), "queue " + q.getKey());
        List<String> bodies = new ArrayList<>();
        elements.forEach(r -> r.getMessagesList().forEach(m -> bodies.add(m.getMessage().getBody().toStringUtf8())));
        List<String> matching = byQueue.get(q.getKey()).stream()
            .filter(s -> "TagA".equals(s.tag()) && s.properties().get("region").equals("eu"))
            .map(Sent::body).toList();
        assertEquals(matching, bodies, "queue " + q.getKey() + ": what crossed the wire");
      }
    }
  }

  @Test
  void aMalformedSqlExpressionIsRefusedAtSubscribeAndOverGrpcNamingTheColumn() throws Exception {
    DefaultMQPushConsumer consumer = new DefaultMQPushConsumer("FilterBadSql");
    MQClientException atSubscribe = assertThrows(MQClientException.class,
        () -> consumer.subscribe(TOPIC, MessageSelector.bySql("region = 'eu' AND amount >")));
    assertEquals(ErrorCode.INVALID_FILTER, atSubscribe.errorCode());
    assertTrue(atSubscribe.getMessage().contains("at column 27: expected a property, TAGS or a literal after '>', "
        + "found end of expression"), atSubscribe.getMessage());

    FilterExpression bad = FilterExpression.newBuilder().setType(FilterExpression.Type.SQL92)
        .setExpression("region = 'eu' amount > 1").build();
    String where = "at column 15: expected AND, OR or the end of the expression, found property 'amount'";
    try (RawClient raw = new RawClient(broker.grpcPort())) {
      HeartbeatResponse heartbeat = RawClient.await(raw.client().heartbeat(HeartbeatRequest.newBuilder()
          .setGroup("FilterBadSql").setClientId("c1")
          .addSubscriptions(Subscription.newBuilder().setTopic(TOPIC).setFilter(bad))
          .build()));
      assertEquals(ErrorCode.INVALID_FILTER.number(), heartbeat.getStatus().getCode(), heartbeat.getStatus().getMessage());
      assertTrue(heartbeat.getStatus().getMessage().contains(where), heartbeat.getStatus().getMessage());

      List<ReceiveMessagesResponse> refused = RawClient.await(raw.client().receiveMessages(
              ReceiveMessagesRequest.newBuilder().setGroup("FilterBadSql").setClientId("c1").setTopic(TOPIC)
                  .setQueueId(0).setOffset(0).setFilter(bad).build())
          .runWith(Sink.seq(), raw.system()));
      assertEquals(1, refused.size(), refused.toString());
      assertEquals(ErrorCode.INVALID_FILTER.number(), refused.get(0).getStatus().getCode(),
          refused.get(0).getStatus().getMessage());
      assertTrue(refused.get(0).getStatus().getMessage().contains(where), refused.get(0).getStatus().getMessage());
    }
    assertEquals(404, AdminHttp.get(broker.managementUrl() + "/groups/FilterBadSql").statusCode(),
        "a refused heartbeat joins no group");
  }

  private static DefaultMQPushConsumer pushConsumer(String group, MessageSelector selector,
      Map<String, Map<String, Integer>> received) throws MQClientException {
    DefaultMQPushConsumer consumer = new DefaultMQPushConsumer(group);
    consumer.setNamesrvAddr(broker.address());
    consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
    consumer.subscribe(TOPIC, selector);
    consumer.registerMessageListener((MessageListenerConcurrently) (msgs, context) -> {
      Map<String, Integer> counts = received.computeIfAbsent(group, g -> new ConcurrentHashMap<>());
      for (MessageExt m : msgs) {
        counts.merge(body(m), 1, Integer::sum);
      }
      return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
    });
    consumer.start();
    return consumer;
  }

  private static String body(MessageExt m) {
    return new String(m.getBody(), StandardCharsets.UTF_8);
  }

  private static Map<String, Long> expectedOffsets(Map<Integer, Long> queueEnds) {
    Map<String, Long> out = new TreeMap<>();
    queueEnds.forEach((queue, end) -> out.put(TOPIC + "#" + queue, end));
    return out;
  }

  /** The group's committed offsets of the filtered topic (not of its retry topic, which push consumers also read). */
  private static Map<String, Long> committedOffsets(String group) throws Exception {
    JsonNode offsets = JSON.readTree(AdminHttp.get(broker.managementUrl() + "/groups/" + group).body())
        .path("offsets");
    Map<String, Long> out = new TreeMap<>();
    offsets.fields().forEachRemaining(e -> {
      if (e.getKey().startsWith(TOPIC + "#")) {
        out.put(e.getKey(), e.getValue().asLong());
      }
    });
    return out;
  }
}
