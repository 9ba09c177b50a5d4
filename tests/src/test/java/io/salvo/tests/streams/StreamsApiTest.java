package io.salvo.tests.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.Done;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.japi.Pair;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.salvo.client.internal.ClientRuntime;
import io.salvo.client.javadsl.CommittableMessage;
import io.salvo.client.javadsl.ConsumerSettings;
import io.salvo.client.javadsl.SalvoFlow;
import io.salvo.client.javadsl.ProducerSettings;
import io.salvo.client.javadsl.SalvoProducer;
import io.salvo.client.javadsl.SalvoSink;
import io.salvo.client.javadsl.SalvoSource;
import io.salvo.client.javadsl.Subscriptions;
import io.salvo.client.message.Message;
import io.salvo.client.message.MessageExt;
import io.salvo.client.producer.SendResult;
import io.salvo.client.producer.SendStatus;
import io.salvo.tests.harness.AdminHttp;
import io.salvo.tests.harness.BrokerProcess;
import io.salvo.tests.harness.CassandraFixture;
import io.salvo.tests.harness.Eventually;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Akka Streams API end to end: a producer Sink sends, a committable Source with the committer Sink consumes,
 * the group's offsets follow what the stream committed, and a queue moves between members whatever the stream does.
 */
@ExtendWith(CassandraFixture.class)
class StreamsApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Clients with a 10 s request timeout: a fresh broker on a busy shared host may take over 3 s to answer. */
  static final Config CLIENT = ConfigFactory.parseString("salvo.client.request-timeout = 10s")
      .withFallback(ConfigFactory.load());

  private ActorSystem<Void> system;

  @BeforeEach
  void startSystem() {
    system = ActorSystem.create(Behaviors.empty(), "streams-test", ClientRuntime.config());
  }

  @AfterEach
  void stopSystem() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** Where each message was received: body, queue and offset. */
  private record Received(String body, int queueId, long offset) {}

  @Test
  void aCommittableSourceConsumesEveryMessageOnceAndResumesFromWhatItCommitted(CassandraFixture.Cassandra cassandra)
      throws Exception {
    String topic = "StreamsTopic";
    int count = 2000;
    long uncommittedFrom = 400; // per queue: offsets from here on are received but not committed by the first run
    try (BrokerProcess broker = BrokerProcess.on(cassandra, "streams", Map.of()).start()) {
      createTopic(broker, topic, 4);
      ProducerSettings producer = ProducerSettings.create(CLIENT, "StreamsProducer").withNamesrvAddr(broker.address())
          .withSendTimeout(Duration.ofSeconds(10));
      send(producer, topic, "first", count);

      ConsumerSettings settings = ConsumerSettings.create(CLIENT, "StreamsGroup").withNamesrvAddr(broker.address());
      Map<String, List<Received>> first = new ConcurrentHashMap<>();
      SalvoSource.DrainingControl<Done> run1 = SalvoSource.committable(settings, Subscriptions.topics(topic, "*"))
          .map(m -> record(first, m))
          .filter(m -> m.committableOffset().offset() < uncommittedFrom)
          .map(CommittableMessage::committableOffset)
          .via(SalvoFlow.committer())
          .toMat(Sink.ignore(), SalvoSource::createDrainingControl)
          .run(system);
      Eventually.within(Duration.ofSeconds(60), () -> assertEquals(count, first.size(), "distinct messages received"));
      run1.drainAndShutdown(system.executionContext()).toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertEveryMessageOnce(first, "first", count);
      assertTrue(run1.isShutdown().toCompletableFuture().isDone());

      Set<String> uncommitted = first.values().stream().map(l -> l.get(0))
          .filter(r -> r.offset() >= uncommittedFrom).map(Received::body).collect(Collectors.toCollection(TreeSet::new));
      assertEquals(count - 4 * uncommittedFrom, uncommitted.size(), "messages at offsets the first run left uncommitted");
      send(producer, topic, "second", 200);

      // The second run copies each message to another topic and commits it once its copy is stored.
      Map<String, List<Received>> second = new ConcurrentHashMap<>();
      List<SendResult> copies = new CopyOnWriteArrayList<>();
      SalvoSource.DrainingControl<Done> run2 = SalvoSource.committable(settings, Subscriptions.topics(topic, "*"))
          .map(m -> record(second, m))
          .map(m -> Pair.create(new Message(topic + "Copy", "copy", m.message().getBody()), m.committableOffset()))
          .via(SalvoProducer.flowWithPassThrough(producer))
          .map(sent -> {
            copies.add(sent.first());
            return sent.second();
          })
          .toMat(SalvoSink.committer(), SalvoSource::createDrainingControl)
          .run(system);
      int expected = uncommitted.size() + 200;
      Eventually.within(Duration.ofSeconds(60), () -> assertEquals(expected, second.size(), "distinct messages"));
      Thread.sleep(1_500); // anything committed by the first run would have come first, with its queue's offsets
      run2.drainAndShutdown(system.executionContext()).toCompletableFuture().get(30, TimeUnit.SECONDS);

      Set<String> again = new TreeSet<>(second.keySet());
      again.removeIf(b -> b.startsWith("second-"));
      assertEquals(uncommitted, again, "the restarted source re-read exactly what the first run had not committed");
      second.forEach((body, times) -> assertEquals(1, times.size(), body + " received " + times));
      assertEquals(expected, copies.size(), "copies stored");
      assertTrue(copies.stream().allMatch(r -> r.getSendStatus() == SendStatus.SEND_OK), "copies " + copies);
      assertEquals(expected, copies.stream().map(r -> r.getMessageQueue().getQueueId() + "@" + r.getQueueOffset())
          .distinct().count(), "distinct positions of the copies");

      Map<String, Long> offsets = committedOffsets(broker, "StreamsGroup");
      Map<String, Long> ends = queueEnds(topic, first, second);
      assertEquals(ends, offsets, "the group's committed offsets are the queues' ends");
    }
  }

  @Test
  void aQueueMovesToANewMemberWhileTheOldOneHoldsItsMessagesUncommitted(CassandraFixture.Cassandra cassandra)
      throws Exception {
    String topic = "HandOverTopic";
    String group = "HandOverGroup";
    int count = 400;
    try (BrokerProcess broker = BrokerProcess.on(cassandra, "streams-handover", Map.of(
        "salvo.broker.groups.session-timeout", "4s",
        "salvo.broker.groups.heartbeat-interval", "500ms")).start()) {
      createTopic(broker, topic, 4);
      send(ProducerSettings.create(CLIENT, "HandOverProducer").withNamesrvAddr(broker.address())
          .withSendTimeout(Duration.ofSeconds(10)), topic, "m", count);
      ConsumerSettings settings = ConsumerSettings.create(CLIENT, group).withNamesrvAddr(broker.address());

      // Member 1 takes every message and commits none of them (yet).
      List<CommittableMessage> held = new CopyOnWriteArrayList<>();
      Pair<SalvoSource.Control, java.util.concurrent.CompletionStage<Done>> member1 =
          SalvoSource.committable(settings, Subscriptions.topics(topic, "*"))
              .toMat(Sink.foreach(held::add), Keep.both())
              .run(system);
      Eventually.within(Duration.ofSeconds(60), () -> assertEquals(count, held.size(), "held by member 1"));

      // Member 2 joins: half the queues move to it although member 1 committed nothing, and it gets their messages.
      Map<String, List<Received>> member2Received = new ConcurrentHashMap<>();
      SalvoSource.DrainingControl<Done> member2 = SalvoSource.committable(settings, Subscriptions.topics(topic, "*"))
          .map(m -> record(member2Received, m))
          .map(CommittableMessage::committableOffset)
          .toMat(SalvoSink.committer(), SalvoSource::createDrainingControl)
          .run(system);
      Map<Integer, Long> perQueue = held.stream().collect(Collectors.groupingBy(
          m -> m.committableOffset().queueId(), TreeMap::new, Collectors.counting()));
      Set<Integer> moved = Eventually.within(Duration.ofSeconds(60), () -> {
        Set<Integer> queues = member2Received.values().stream().map(l -> l.get(0).queueId())
            .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(2, queues.size(), "queues member 2 consumes");
        long expected = queues.stream().mapToLong(perQueue::get).sum();
        assertEquals(expected, member2Received.size(), "messages of the moved queues " + queues);
        return queues;
      });
      Set<String> heldOfMoved = held.stream().filter(m -> moved.contains(m.committableOffset().queueId()))
          .map(m -> body(m.message())).collect(Collectors.toCollection(TreeSet::new));
      assertEquals(heldOfMoved, new TreeSet<>(member2Received.keySet()),
          "member 2 got exactly the moved queues' messages that member 1 had not committed");

      // Member 1 commits everything it held, the moved queues' messages too: those commits are ignored.
      held.forEach(m -> m.committableOffset().commit());
      Eventually.within(Duration.ofSeconds(20), () -> {
        Map<String, Long> offsets = committedOffsets(broker, group);
        for (int q = 0; q < 4; q++) {
          assertEquals(perQueue.get(q), offsets.get(topic + "#" + q), "committed offset of queue " + q);
        }
        return null;
      });
      member1.first().shutdown().toCompletableFuture().get(30, TimeUnit.SECONDS);
      member2.drainAndShutdown(system.executionContext()).toCompletableFuture().get(30, TimeUnit.SECONDS);
      member2Received.forEach((body, times) -> assertEquals(1, times.size(), body + " received " + times));

      // A new member finds nothing left to consume.
      Map<String, List<Received>> member3Received = new ConcurrentHashMap<>();
      SalvoSource.DrainingControl<Done> member3 = SalvoSource.committable(settings, Subscriptions.topics(topic, "*"))
          .map(m -> record(member3Received, m))
          .map(CommittableMessage::committableOffset)
          .toMat(SalvoSink.committer(), SalvoSource::createDrainingControl)
          .run(system);
      Eventually.within(Duration.ofSeconds(30), () -> {
        JsonNode d = JSON.readTree(AdminHttp.get(broker.managementUrl() + "/groups/" + group).body());
        assertEquals(1, d.path("members").size(), "members: " + d);
        String member = d.path("members").get(0).asText();
        Map<String, String> grants = heldBy(broker, group);
        assertEquals(4, grants.size(), "grants: " + d);
        assertTrue(grants.values().stream().allMatch(member::equals), "grants: " + d);
        return null;
      });
      Thread.sleep(1_500);
      member3.drainAndShutdown(system.executionContext()).toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertEquals(Map.of(), member3Received, "messages consumed again after every queue was committed");
    }
  }

  private void send(ProducerSettings settings, String topic, String prefix, int count) throws Exception {
    Source.range(0, count - 1)
        .map(i -> new Message(topic, "T", (prefix + "-" + i).getBytes(StandardCharsets.UTF_8)))
        .runWith(SalvoProducer.sink(settings), system)
        .toCompletableFuture().get(120, TimeUnit.SECONDS);
  }

  private static CommittableMessage record(Map<String, List<Received>> into, CommittableMessage m) {
    into.computeIfAbsent(body(m.message()), b -> new CopyOnWriteArrayList<>())
        .add(new Received(body(m.message()), m.committableOffset().queueId(), m.committableOffset().offset()));
    return m;
  }

  private static String body(MessageExt m) {
    return new String(m.getBody(), StandardCharsets.UTF_8);
  }

  private static void assertEveryMessageOnce(Map<String, List<Received>> received, String prefix, int count) {
    for (int i = 0; i < count; i++) {
      List<Received> times = received.get(prefix + "-" + i);
      assertEquals(1, times == null ? 0 : times.size(), prefix + "-" + i + " received " + times);
    }
  }

  private static void createTopic(BrokerProcess broker, String topic, int queues) throws Exception {
    var created = AdminHttp.post(broker.managementUrl() + "/topics",
        "{\"name\":\"" + topic + "\",\"queues\":" + queues + "}");
    assertEquals(201, created.statusCode(), created.body());
  }

  /** Queue entity id ("T#0") to the next offset after the last message received in it. */
  @SafeVarargs
  private static Map<String, Long> queueEnds(String topic, Map<String, List<Received>>... runs) {
    Map<String, Long> ends = new TreeMap<>();
    for (Map<String, List<Received>> run : runs) {
      run.values().forEach(l -> l.forEach(r -> ends.merge(topic + "#" + r.queueId(), r.offset() + 1, Math::max)));
    }
    return ends;
  }

  private static Map<String, Long> committedOffsets(BrokerProcess broker, String group) throws Exception {
    JsonNode description = JSON.readTree(AdminHttp.get(broker.managementUrl() + "/groups/" + group).body());
    Map<String, Long> offsets = new TreeMap<>();
    description.path("offsets").fields().forEachRemaining(e -> offsets.put(e.getKey(), e.getValue().asLong()));
    return offsets;
  }

  private static Map<String, String> heldBy(BrokerProcess broker, String group) throws Exception {
    JsonNode description = JSON.readTree(AdminHttp.get(broker.managementUrl() + "/groups/" + group).body());
    Map<String, String> grants = new HashMap<>();
    description.path("grants").fields().forEachRemaining(e -> grants.put(e.getKey(), e.getValue().asText()));
    return grants;
  }
}
