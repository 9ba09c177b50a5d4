package io.salvo.tests.retention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.salvo.client.admin.DefaultMQAdminExt;
import io.salvo.client.exception.SalvoClientException;
import io.salvo.client.message.Message;
import io.salvo.client.message.MessageExt;
import io.salvo.client.producer.DefaultMQProducer;
import io.salvo.client.producer.SendResult;
import io.salvo.core.error.ErrorCode;
import io.salvo.tests.harness.AdminHttp;
import io.salvo.tests.harness.BrokerProcess;
import io.salvo.tests.harness.CassandraFixture;
import io.salvo.tests.harness.Collector;
import io.salvo.tests.harness.Eventually;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 7, retention: a topic kept for 1 minute loses its old messages (whole journal ranges deleted by the retention
 * job), keeps the new ones, a group behind the first retained message resumes there and its lag report says how many
 * it missed, the queues recover with their offsets intact after a restart, and Cassandra logs no tombstone warning.
 */
@ExtendWith(CassandraFixture.class)
class RetentionTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int OLD = 400;
  private static final int NEW = 300;

  @Test
  void oldMessagesGoNewOnesStayAndConsumersBehindMoveForward(CassandraFixture.Cassandra cassandra) throws Exception {
    Path cassandraLog = cassandra.server().logFile();
    long logStart = Files.size(cassandraLog);
    BrokerProcess broker = BrokerProcess.on(cassandra, "broker-retention", Map.of(
        "salvo.broker.retention.interval", "2s",
        "salvo.broker.retention.min-step", "1",
        "salvo.broker.queue.snapshot-every", "50")).start();
    DefaultMQProducer producer = broker.startProducer("RetentionProducers");
    DefaultMQAdminExt admin = new DefaultMQAdminExt();
    admin.setNamesrvAddr(broker.address());
    admin.start();
    String topic = "RetentionTopic";
    String group = "BehindGroup";
    try {
      assertEquals(201, AdminHttp.post(broker.managementUrl() + "/topics", "{\"name\":\"" + topic + "\",\"queues\":2}")
          .statusCode());
      JsonNode set = JSON.readTree(AdminHttp.put(broker.managementUrl() + "/topics/" + topic + "/retention",
          "{\"retention\":\"1m\"}").body());
      assertEquals(60_000, set.path("retentionMs").asLong(), set.toString());
      assertEquals(400, AdminHttp.put(broker.managementUrl() + "/topics/" + topic + "/retention",
          "{\"retention\":\"soon\"}").statusCode());

      List<SendResult> old = send(producer, topic, "old", OLD);
      // The group has consumed nothing: its offsets stay at the start.
      admin.resetOffsetByTimestamp(topic, group, 0, true);
      long oldSentAt = System.currentTimeMillis();
      System.out.printf("sent %d old messages; waiting for them to pass the 1-minute retention%n", OLD);
      Thread.sleep(Math.max(0, oldSentAt + 61_000 - System.currentTimeMillis()));
      List<SendResult> fresh = send(producer, topic, "new", NEW);
      long[] firstNew = new long[2];
      long[] next = new long[2];
      firstNew[0] = firstNew[1] = Long.MAX_VALUE;
      for (SendResult r : fresh) {
        int q = r.getMessageQueue().getQueueId();
        firstNew[q] = Math.min(firstNew[q], r.getQueueOffset());
        next[q] = Math.max(next[q], r.getQueueOffset() + 1);
      }

      long deletedAt = System.currentTimeMillis();
      JsonNode described = Eventually.within(Duration.ofSeconds(30), () -> {
        JsonNode t = JSON.readTree(AdminHttp.get(broker.managementUrl() + "/topics/" + topic).body());
        for (JsonNode q : t.path("offsets")) {
          assertEquals(firstNew[q.path("queueId").asInt()], q.path("minOffset").asLong(), t.toString());
        }
        return t;
      });
      System.out.printf("retention deleted the old messages %d ms after the new ones were sent: %s%n",
          System.currentTimeMillis() - deletedAt, described.path("offsets"));
      String brokerLog = Files.readString(broker.logFile());
      assertTrue(brokerLog.contains("retention deleted offsets"), "the deletion is logged");
      brokerLog.lines().filter(l -> l.contains("retention deleted")).forEach(System.out::println);

      // Old messages are gone from lookups, new ones are there.
      SalvoClientException gone = assertThrows(SalvoClientException.class,
          () -> admin.viewMessage(topic, old.get(0).getMsgId()));
      assertEquals(ErrorCode.MESSAGE_NOT_FOUND, gone.errorCode());
      assertEquals(fresh.get(0).getMsgId(), admin.viewMessage(topic, fresh.get(0).getMsgId()).getMsgId());
      List<MessageExt> all = admin.queryMessageByTime(topic, 0, 0, 1000);
      assertEquals(NEW, all.size(), "messages left in the topic");
      all.forEach(m -> assertTrue(new String(m.getBody(), StandardCharsets.UTF_8).startsWith("new-")));

      // The lag report says the group missed the old ones.
      JsonNode lag = JSON.readTree(AdminHttp.get(broker.managementUrl() + "/groups/" + group + "/lag").body());
      System.out.println("lag of the group behind: " + lag);
      long expired = 0;
      for (JsonNode q : lag.path("queues")) {
        expired += q.path("expiredUnconsumed").asLong();
        assertTrue(q.path("note").asText().contains("expired by retention"), q.toString());
      }
      assertEquals(OLD, expired, "messages the group never consumed, deleted");
      assertEquals(NEW, lag.path("totalLag").asLong());

      // The group behind resumes at the first retained message: exactly the new ones.
      try (Collector behind = Collector.start(broker.address(), group, topic)) {
        Eventually.within(Duration.ofSeconds(60), () -> assertEquals(NEW, behind.messages().size()));
        Thread.sleep(1000);
        Set<String> ids = new HashSet<>();
        fresh.forEach(r -> ids.add(r.getMsgId()));
        assertEquals(ids, behind.messages().keySet());
      }

      // After a restart the queues have their offsets: recovery starts at the newest snapshot, past the deleted range.
      producer.shutdown();
      broker.stop();
      broker.start();
      producer = broker.startProducer("RetentionProducers");
      JsonNode after = JSON.readTree(AdminHttp.get(broker.managementUrl() + "/topics/" + topic).body());
      System.out.println("after restart: " + after.path("offsets"));
      for (JsonNode q : after.path("offsets")) {
        int id = q.path("queueId").asInt();
        assertEquals(firstNew[id], q.path("minOffset").asLong(), after.toString());
        assertEquals(next[id], q.path("nextOffset").asLong(), after.toString());
      }
      for (SendResult r : send(producer, topic, "later", 10)) {
        assertTrue(r.getQueueOffset() >= next[r.getMessageQueue().getQueueId()], "offsets go on after a restart: " + r);
      }

      String cassandraLines = Files.readString(cassandraLog).substring((int) Math.min(logStart, Files.size(cassandraLog)));
      List<String> tombstoneWarnings = new ArrayList<>();
      cassandraLines.lines().filter(l -> l.toLowerCase().contains("tombstone")).forEach(tombstoneWarnings::add);
      System.out.println("Cassandra log lines about tombstones during the test: " + tombstoneWarnings.size());
      assertEquals(List.of(), tombstoneWarnings);
    } finally {
      admin.shutdown();
      producer.shutdown();
      broker.stop();
    }
  }

  private static List<SendResult> send(DefaultMQProducer producer, String topic, String prefix, int count)
      throws Exception {
    List<SendResult> results = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      Message m = new Message(topic, "T", (prefix + "-" + i).getBytes(StandardCharsets.UTF_8));
      m.setKeys(prefix + "-key-" + i);
      results.add(producer.send(m));
    }
    return results;
  }
}
