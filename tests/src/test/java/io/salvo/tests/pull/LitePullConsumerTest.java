package io.salvo.tests.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.salvo.client.consumer.DefaultLitePullConsumer;
import io.salvo.client.exception.MQClientException;
import io.salvo.client.message.Message;
import io.salvo.client.message.MessageExt;
import io.salvo.client.message.MessageQueue;
import io.salvo.client.producer.DefaultMQProducer;
import io.salvo.core.error.ErrorCode;
import io.salvo.tests.harness.AdminHttp;
import io.salvo.tests.harness.BrokerProcess;
import io.salvo.tests.harness.CassandraFixture;
import io.salvo.tests.harness.Eventually;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Acceptance 4 of issue 5: the lite pull consumer. One broker for the class; each test has its own topic and group.
 */
@ExtendWith(CassandraFixture.class)
class LitePullConsumerTest {
  private static final Duration LIMIT = Duration.ofSeconds(30);

  private static BrokerProcess broker;
  private static DefaultMQProducer producer;
  private final List<DefaultLitePullConsumer> consumers = new ArrayList<>();

  @BeforeAll
  static void start(CassandraFixture.Cassandra cassandra) throws Exception {
    broker = BrokerProcess.on(cassandra, "lite-pull", Map.of(
        "salvo.broker.groups.session-timeout", "4s",
        "salvo.broker.groups.heartbeat-interval", "500ms")).start();
    producer = broker.startProducer("LitePullProducers");
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

  @org.junit.jupiter.api.AfterEach
  void shutdownConsumers() {
    consumers.forEach(DefaultLitePullConsumer::shutdown);
  }

  @Test
  void seekToAnOffsetThenPollReturnsFromExactlyThere() throws Exception {
    String topic = topic("PullSeek", 1);
    send(topic, 0, "m", 0, 20);
    DefaultLitePullConsumer consumer = consumer("PullSeekGroup");
    consumer.setAutoCommit(false);
    consumer.subscribe(topic, "*");
    consumer.start();
    MessageQueue q0 = queue(topic, 0);
    awaitAssignment(consumer, Set.of(q0));

    List<MessageExt> before = pollAtLeast(consumer, 3);
    assertEquals(0, before.get(0).getQueueOffset(), "a new group starts at the first message");

    consumer.seek(q0, 7);
    List<MessageExt> after = pollAtLeast(consumer, 13);
    assertEquals(range(7, 20), offsets(after), "what was fetched before the seek is not returned");
    assertEquals("m-7", body(after.get(0)));
    assertEquals(List.of(), consumer.poll(500));
    Eventually.within(LIMIT, () -> {
      assertEquals(7, consumer.committed(q0), "the seek's position is committed");
      return null;
    });
  }

  @Test
  void seekToATimestampReturnsTheFirstMessageStoredAtOrAfterIt() throws Exception {
    String topic = topic("PullTime", 1);
    send(topic, 0, "early", 0, 10);
    Thread.sleep(400);
    long between = System.currentTimeMillis();
    Thread.sleep(400);
    send(topic, 0, "late", 0, 10);

    DefaultLitePullConsumer consumer = consumer("PullTimeGroup");
    MessageQueue q0 = queue(topic, 0);
    consumer.assign(List.of(q0));
    consumer.start();
    long offset = consumer.offsetForTimestamp(q0, between);
    assertEquals(10, offset);
    consumer.seek(q0, offset);

    List<MessageExt> polled = pollAtLeast(consumer, 10);
    assertEquals(range(10, 20), offsets(polled));
    assertEquals("late-0", body(polled.get(0)));
    assertTrue(polled.get(0).getStoreTimestamp() >= between, "stored at " + polled.get(0).getStoreTimestamp());
  }

  @Test
  void afterCommitSyncANewConsumerOfTheGroupResumesAtTheCommittedOffsets() throws Exception {
    String topic = topic("PullResume", 4);
    Set<String> all = sendRoundRobin(topic, "r", 40);

    DefaultLitePullConsumer first = consumer("PullResumeGroup");
    first.setAutoCommit(false);
    first.subscribe(topic, "*");
    first.start();
    List<MessageExt> firstPolled = pollAtLeast(first, 15);
    first.commitSync();
    first.shutdown();

    DefaultLitePullConsumer second = consumer("PullResumeGroup");
    second.setAutoCommit(false);
    second.subscribe(topic, "*");
    second.start();
    for (int q = 0; q < 4; q++) {
      // -1 (none) only for a queue the first consumer had not started yet
      assertEquals(nextOffset(firstPolled, q), Math.max(0, second.committed(queue(topic, q))),
          "committed offset of queue " + q);
    }
    List<MessageExt> secondPolled = pollAtLeast(second, all.size() - firstPolled.size());
    assertEquals(List.of(), second.poll(500));

    assertNoRepeatsAndNothingMissing(all, firstPolled, secondPolled);
    for (MessageExt m : secondPolled) {
      assertTrue(m.getQueueOffset() >= nextOffset(firstPolled, m.getQueueId()), "before the committed offset: " + m);
    }
  }

  @Test
  void anAssignModeConsumerPollsCommitsAndResumesWithoutJoiningTheGroup() throws Exception {
    String topic = topic("PullAssign", 2);
    Set<String> all = sendRoundRobin(topic, "a", 30);

    DefaultLitePullConsumer first = consumer("PullAssignGroup");
    first.setAutoCommit(false);
    first.start();
    List<MessageQueue> queues = new ArrayList<>(first.fetchMessageQueues(topic));
    assertEquals(2, queues.size());
    first.assign(queues);
    List<MessageExt> firstPolled = pollAtLeast(first, 10);
    first.commitSync();
    for (MessageQueue q : queues) {
      assertEquals(nextOffset(firstPolled, q.getQueueId()), first.committed(q));
    }
    HttpResponse<String> group = AdminHttp.get(broker.managementUrl() + "/groups/PullAssignGroup");
    assertEquals(200, group.statusCode(), group.body());
    assertTrue(group.body().contains("\"members\":[]"), "not a member: " + group.body());
    first.shutdown();

    DefaultLitePullConsumer second = consumer("PullAssignGroup");
    second.setAutoCommit(false);
    second.assign(queues);
    second.start();
    List<MessageExt> secondPolled = pollAtLeast(second, all.size() - firstPolled.size());
    assertEquals(List.of(), second.poll(500));
    assertNoRepeatsAndNothingMissing(all, firstPolled, secondPolled);
  }

  @Test
  void twoSubscribedConsumersOfAGroupSplitTheQueuesAndGetEveryMessageOnce() throws Exception {
    String topic = topic("PullSplit", 4);
    DefaultLitePullConsumer one = consumer("PullSplitGroup");
    DefaultLitePullConsumer two = consumer("PullSplitGroup");
    for (DefaultLitePullConsumer c : List.of(one, two)) {
      c.subscribe(topic, "*");
      c.start();
    }
    Eventually.within(LIMIT, () -> {
      Set<MessageQueue> both = new HashSet<>(one.assignment());
      both.addAll(two.assignment());
      assertEquals(2, one.assignment().size(), "one has " + one.assignment());
      assertEquals(2, two.assignment().size(), "two has " + two.assignment());
      assertEquals(4, both.size());
      return null;
    });
    Set<String> all = sendRoundRobin(topic, "s", 200);

    List<MessageExt> byOne = new ArrayList<>();
    List<MessageExt> byTwo = new ArrayList<>();
    long deadline = System.nanoTime() + LIMIT.toNanos();
    while (byOne.size() + byTwo.size() < all.size() && System.nanoTime() < deadline) {
      byOne.addAll(one.poll(100));
      byTwo.addAll(two.poll(100));
    }
    byOne.addAll(one.poll(300));
    byTwo.addAll(two.poll(300));
    assertNoRepeatsAndNothingMissing(all, byOne, byTwo);
    assertTrue(byOne.size() > 0 && byTwo.size() > 0, byOne.size() + " and " + byTwo.size());
    Set<Integer> queuesOfOne = queueIds(byOne);
    queuesOfOne.retainAll(queueIds(byTwo));
    assertEquals(Set.of(), queuesOfOne, "queues consumed by both");
  }

  @Test
  void misuseGetsASpecificError() throws Exception {
    String topic = topic("PullMisuse", 2);
    send(topic, 0, "x", 0, 3);
    DefaultLitePullConsumer consumer = consumer("PullMisuseGroup");
    MQClientException notStarted = assertThrows(MQClientException.class, consumer::poll);
    assertEquals(ErrorCode.BAD_REQUEST, notStarted.errorCode());
    assertTrue(notStarted.getMessage().contains("not started: call start() first"), notStarted.getMessage());

    consumer.assign(List.of(queue(topic, 0)));
    consumer.start();
    MQClientException unassigned = assertThrows(MQClientException.class, () -> consumer.seek(queue(topic, 1), 0));
    assertEquals(ErrorCode.QUEUE_NOT_ASSIGNED, unassigned.errorCode());
    assertTrue(unassigned.getMessage().contains("queue " + topic + "#1 is not assigned"), unassigned.getMessage());

    MQClientException beyond = assertThrows(MQClientException.class, () -> consumer.seek(queue(topic, 0), 4));
    assertEquals(ErrorCode.INVALID_OFFSET, beyond.errorCode());
    assertTrue(beyond.getMessage().contains("invalid offset 4") && beyond.getMessage().contains("0 to 3"),
        beyond.getMessage());
    MQClientException negative = assertThrows(MQClientException.class, () -> consumer.seek(queue(topic, 0), -1));
    assertEquals(ErrorCode.INVALID_OFFSET, negative.errorCode());
    MQClientException mixed = assertThrows(MQClientException.class, () -> consumer.subscribe(topic, "*"));
    assertEquals(ErrorCode.BAD_REQUEST, mixed.errorCode());
    MQClientException noQueue = assertThrows(MQClientException.class, () -> consumer.seek(queue(topic, 9), 0));
    assertEquals(ErrorCode.INVALID_QUEUE, noQueue.errorCode());
  }

  @Test
  void anAssignModeCommitIsFencedWhileAMemberOfTheGroupHoldsTheQueue() throws Exception {
    String topic = topic("PullFenced", 1);
    send(topic, 0, "f", 0, 5);
    MessageQueue q0 = queue(topic, 0);
    DefaultLitePullConsumer member = consumer("PullFencedGroup");
    member.subscribe(topic, "*");
    member.start();
    awaitAssignment(member, Set.of(q0));

    DefaultLitePullConsumer assigned = consumer("PullFencedGroup");
    assigned.setAutoCommit(false);
    assigned.assign(List.of(q0));
    assigned.start();
    pollAtLeast(assigned, 1);
    MQClientException fenced = assertThrows(MQClientException.class, assigned::commitSync);
    assertEquals(ErrorCode.FENCED, fenced.errorCode());
    assertTrue(fenced.getMessage().contains("is held by member"), fenced.getMessage());
  }

  // ---- helpers ----

  private static void awaitAssignment(DefaultLitePullConsumer consumer, Set<MessageQueue> queues) {
    Eventually.within(LIMIT, () -> {
      assertEquals(queues, consumer.assignment());
      return null;
    });
  }

  private DefaultLitePullConsumer consumer(String group) {
    DefaultLitePullConsumer consumer = new DefaultLitePullConsumer(group);
    consumer.setNamesrvAddr(broker.address());
    consumers.add(consumer);
    return consumer;
  }

  private static String topic(String name, int queues) throws Exception {
    HttpResponse<String> created = AdminHttp.post(broker.managementUrl() + "/topics",
        "{\"name\":\"" + name + "\",\"queues\":" + queues + "}");
    assertEquals(201, created.statusCode(), created.body());
    return name;
  }

  private static MessageQueue queue(String topic, int queueId) {
    return new MessageQueue(topic, broker.address(), queueId);
  }

  private static void send(String topic, int queueId, String prefix, int from, int count) throws Exception {
    MessageQueue mq = producer.fetchPublishMessageQueues(topic).get(queueId);
    for (int i = from; i < from + count; i++) {
      producer.send(new Message(topic, "T", (prefix + "-" + i).getBytes(StandardCharsets.UTF_8)), mq);
    }
  }

  /** Sends {@code count} messages spread over the topic's queues; returns their bodies. */
  private static Set<String> sendRoundRobin(String topic, String prefix, int count) throws Exception {
    Set<String> bodies = new TreeSet<>();
    for (int i = 0; i < count; i++) {
      String body = prefix + "-" + i;
      producer.send(new Message(topic, "T", body.getBytes(StandardCharsets.UTF_8)));
      bodies.add(body);
    }
    return bodies;
  }

  private static List<MessageExt> pollAtLeast(DefaultLitePullConsumer consumer, int count) throws Exception {
    List<MessageExt> out = new ArrayList<>();
    long deadline = System.nanoTime() + LIMIT.toNanos();
    while (out.size() < count) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("polled " + out.size() + " of " + count + " within " + LIMIT + ": " + offsets(out));
      }
      out.addAll(consumer.poll(200));
    }
    return out;
  }

  /** The offset after the last message of queue {@code queueId} in {@code polled}; 0 when there is none. */
  private static long nextOffset(List<MessageExt> polled, int queueId) {
    return polled.stream().filter(m -> m.getQueueId() == queueId).mapToLong(m -> m.getQueueOffset() + 1).max()
        .orElse(0);
  }

  private static void assertNoRepeatsAndNothingMissing(Set<String> sent, List<MessageExt> a, List<MessageExt> b) {
    List<String> received = new ArrayList<>();
    a.forEach(m -> received.add(body(m)));
    b.forEach(m -> received.add(body(m)));
    Set<String> distinct = new TreeSet<>(received);
    assertEquals(received.size(), distinct.size(), "repeated: " + repeats(received));
    assertEquals(sent, distinct);
  }

  private static List<String> repeats(List<String> received) {
    List<String> sorted = new ArrayList<>(received);
    Collections.sort(sorted);
    List<String> out = new ArrayList<>();
    for (int i = 1; i < sorted.size(); i++) {
      if (sorted.get(i).equals(sorted.get(i - 1))) {
        out.add(sorted.get(i));
      }
    }
    return out;
  }

  private static Set<Integer> queueIds(List<MessageExt> messages) {
    Set<Integer> out = new TreeSet<>();
    messages.forEach(m -> out.add(m.getQueueId()));
    return out;
  }

  private static List<Long> offsets(List<MessageExt> messages) {
    return messages.stream().map(MessageExt::getQueueOffset).toList();
  }

  private static List<Long> range(long from, long to) {
    List<Long> out = new ArrayList<>();
    for (long o = from; o < to; o++) {
      out.add(o);
    }
    return out;
  }

  private static String body(MessageExt m) {
    return new String(m.getBody(), StandardCharsets.UTF_8);
  }
}
