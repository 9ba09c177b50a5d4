package io.salvo.tests.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.salvo.client.consumer.ConsumeFromWhere;
import io.salvo.client.consumer.DefaultMQPushConsumer;
import io.salvo.client.consumer.listener.ConsumeConcurrentlyStatus;
import io.salvo.client.consumer.listener.MessageListenerConcurrently;
import io.salvo.client.exception.SalvoClientException;
import io.salvo.client.message.Message;
import io.salvo.client.producer.DefaultMQProducer;
import io.salvo.client.producer.SendResult;
import io.salvo.cluster.admin.cli.AdminCli;
import io.salvo.core.error.ErrorCode;
import io.salvo.tests.harness.AdminHttp;
import io.salvo.tests.harness.BrokerProcess;
import io.salvo.tests.harness.CassandraFixture;
import io.salvo.tests.harness.Eventually;
import io.salvo.tests.harness.Ports;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 8, the admin API on a two-node cluster (the second node read-only): a topic is created, grown (never shrunk),
 * described, sent to and consumed from, looked up, placed on the nodes, then deleted (new sends get TOPIC_NOT_FOUND) and
 * created again empty (also once its queues moved to the other node); groups are listed with their lag; {@code /ready} and {@code /metrics} answer with the expected series;
 * the read-only node refuses every mutation with 403; {@code bin/salvo admin}'s main prints tables and exit codes.
 */
@ExtendWith(CassandraFixture.class)
class AdminApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOPIC = "AdminTopic";
  private static final String GROUP = "AdminGroup";
  private static final int MESSAGES = 20;

  private static BrokerProcess broker;
  private static BrokerProcess readOnly;

  @BeforeAll
  static void start(CassandraFixture.Cassandra cassandra) {
    int remotePort = Ports.free();
    // The later -D wins: the first node's remoting port is chosen here so that the second can name it as its seed.
    broker = BrokerProcess.on(cassandra, "broker-admin", Map.of("salvo.broker.topics.auto-create", "false",
        "akka.remote.artery.canonical.port", String.valueOf(remotePort))).start();
    readOnly = BrokerProcess.on(cassandra, "broker-admin-read-only", Map.of("salvo.broker.topics.auto-create", "false",
        "salvo.broker.admin.read-only", "true",
        "akka.cluster.seed-nodes.0", "akka://salvo@127.0.0.1:" + remotePort)).start();
  }

  @AfterAll
  static void stop() {
    if (readOnly != null) {
      readOnly.stop();
    }
    if (broker != null) {
      broker.stop();
    }
  }

  @Test
  void topicsGroupsPlacementMetricsReadOnlyAndTheCli() throws Exception {
    String url = broker.managementUrl();
    // Both nodes ready: Up, and Cassandra answers.
    for (BrokerProcess b : List.of(broker, readOnly)) {
      Eventually.within(Duration.ofSeconds(30), () -> {
        HttpResponse<String> ready = AdminHttp.get(b.managementUrl() + "/ready");
        assertEquals(200, ready.statusCode(), ready.body());
        return null;
      });
    }

    // Create, grow, refuse to shrink.
    HttpResponse<String> created = AdminHttp.post(url + "/topics", "{\"name\":\"" + TOPIC + "\",\"queues\":2}");
    assertEquals(201, created.statusCode(), created.body());
    HttpResponse<String> grown = AdminHttp.put(url + "/topics/" + TOPIC + "/queues", "{\"queues\":4}");
    assertEquals(200, grown.statusCode(), grown.body());
    assertEquals(4, JSON.readTree(grown.body()).path("queues").asInt());
    assertEquals(4, JSON.readTree(grown.body()).path("offsets").size());
    HttpResponse<String> shrink = AdminHttp.put(url + "/topics/" + TOPIC + "/queues", "{\"queues\":2}");
    assertEquals(400, shrink.statusCode(), shrink.body());
    assertEquals("QUEUE_COUNT_SHRINK", JSON.readTree(shrink.body()).path("error").asText());

    // Send and consume through the first node.
    Set<String> received = ConcurrentHashMap.newKeySet();
    DefaultMQPushConsumer consumer = new DefaultMQPushConsumer(GROUP);
    consumer.setNamesrvAddr(broker.address());
    consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
    consumer.subscribe(TOPIC, "*");
    consumer.registerMessageListener((MessageListenerConcurrently) (msgs, context) -> {
      msgs.forEach(m -> received.add(new String(m.getBody(), StandardCharsets.UTF_8)));
      return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
    });
    consumer.start();
    DefaultMQProducer producer = broker.startProducer("AdminProducers");
    List<SendResult> sent = new ArrayList<>();
    long bodyBytes = 0;
    try {
      for (int i = 0; i < MESSAGES; i++) {
        String body = "admin-" + i;
        bodyBytes += body.length();
        sent.add(producer.send(new Message(TOPIC, "TagA", body.getBytes(StandardCharsets.UTF_8))));
      }
      Eventually.within(Duration.ofSeconds(40), () -> assertEquals(MESSAGES, received.size()));

      JsonNode topic = JSON.readTree(AdminHttp.get(url + "/topics/" + TOPIC).body());
      long stored = 0;
      for (JsonNode q : topic.path("offsets")) {
        stored += q.path("nextOffset").asLong() - q.path("minOffset").asLong();
      }
      assertEquals(MESSAGES, stored, topic.toString());

      // Lookup by id.
      HttpResponse<String> byId = AdminHttp.get(url + "/topics/" + TOPIC + "/messages/" + sent.get(3).getMsgId());
      assertEquals(200, byId.statusCode(), byId.body());
      assertEquals("admin-3", JSON.readTree(byId.body()).get(0).path("body").asText());

      // Groups: listed, lag drains to 0.
      JsonNode groups = JSON.readTree(AdminHttp.get(url + "/groups").body());
      assertTrue(groups.path("groups").toString().contains("\"" + GROUP + "\""), groups.toString());
      Eventually.within(Duration.ofSeconds(20), () -> {
        JsonNode lag = JSON.readTree(AdminHttp.get(url + "/groups/" + GROUP + "/lag").body());
        assertEquals(0, lag.path("totalLag").asLong(), lag.toString());
        return null;
      });

      // Placement: every queue on one of the two nodes.
      JsonNode placement = JSON.readTree(AdminHttp.get(url + "/cluster/queues?topic=" + TOPIC).body());
      assertEquals(4, placement.path("queues").size(), placement.toString());
      for (JsonNode q : placement.path("queues")) {
        assertTrue(placement.path("nodes").has(q.path("node").asText()), placement.toString());
      }
      System.out.println("placement: " + placement);

      // Metrics, summed over both nodes (a queue's sends are counted where the queue entity runs).
      String metrics = AdminHttp.get(url + "/metrics").body();
      String metricsReadOnly = AdminHttp.get(readOnly.managementUrl() + "/metrics").body();
      System.out.println("metrics of the first node:\n" + metrics);
      String topicLabel = "{topic=\"" + TOPIC + "\"}";
      assertEquals(MESSAGES, sample(metrics, "salvo_topic_sent_messages_total" + topicLabel)
          + sample(metricsReadOnly, "salvo_topic_sent_messages_total" + topicLabel));
      assertEquals(bodyBytes, sample(metrics, "salvo_topic_sent_bytes_total" + topicLabel)
          + sample(metricsReadOnly, "salvo_topic_sent_bytes_total" + topicLabel));
      assertTrue(sample(metrics, "salvo_topic_delivered_messages_total" + topicLabel) >= MESSAGES, metrics);
      assertTrue(sample(metrics, "salvo_topic_delivered_bytes_total" + topicLabel) >= bodyBytes, metrics);
      assertTrue(metrics.contains("salvo_group_lag_messages{group=\"" + GROUP + "\""), metrics);
      assertEquals(0, sample(metrics, "salvo_group_lag_messages{group=\"" + GROUP + "\",topic=\"" + TOPIC
          + "\",queue=\"0\"}"), metrics);
      assertTrue(sample(metrics, "salvo_delivery_streams_open") >= 1, metrics);
      assertTrue(sample(metrics, "salvo_journal_write_seconds_count") + sample(metricsReadOnly,
          "salvo_journal_write_seconds_count") >= 1, metrics);
      assertTrue(sample(metrics, "salvo_journal_messages_per_write") >= 1, metrics);
      assertTrue(sample(metrics, "salvo_jvm_heap_used_bytes") > 1_000_000, metrics);
      assertTrue(sample(metrics, "salvo_jvm_threads") > 10, metrics);
      assertTrue(metrics.contains("# TYPE salvo_journal_write_seconds histogram\n"), metrics);
      assertTrue(metrics.contains("salvo_delivery_backpressure_seconds_total "), metrics);
    } finally {
      consumer.shutdown();
    }

    // The read-only node: reads work, every mutation is refused with 403, Akka Management's included.
    String roUrl = readOnly.managementUrl();
    assertTrue(AdminHttp.get(roUrl + "/topics").body().contains(TOPIC));
    for (HttpResponse<String> refused : List.of(
        AdminHttp.post(roUrl + "/topics", "{\"name\":\"NotCreated\"}"),
        AdminHttp.put(roUrl + "/topics/" + TOPIC + "/queues", "{\"queues\":8}"),
        AdminHttp.delete(roUrl + "/topics/" + TOPIC),
        AdminHttp.put(roUrl + "/cluster/members/akka://salvo@127.0.0.1:1", "operation=Leave"))) {
      assertEquals(403, refused.statusCode(), refused.body());
      assertEquals("READ_ONLY", JSON.readTree(refused.body()).path("error").asText(), refused.body());
    }

    // The CLI's main, in this JVM.
    Cli describe = cli("--url", url, "topic", "describe", TOPIC);
    assertEquals(0, describe.code(), describe.err());
    assertTrue(describe.out().contains("topic " + TOPIC + ": 4 queues"), describe.out());
    assertTrue(describe.out().contains("QUEUE  MIN OFFSET  NEXT OFFSET  MESSAGES"), describe.out());
    Cli status = cli("--url", url, "cluster", "status");
    assertEquals(0, status.code(), status.err());
    assertTrue(status.out().contains("Up") && status.out().contains("this node ready: yes"), status.out());
    Cli lag = cli("--url", url, "group", "lag", GROUP);
    assertEquals(0, lag.code(), lag.err());
    assertTrue(lag.out().contains("total lag 0"), lag.out());
    Cli missing = cli("--url", url, "topic", "describe", "NoSuchAdminTopic");
    assertEquals(1, missing.code());
    assertTrue(missing.err().contains("TOPIC_NOT_FOUND"), missing.err());
    Cli refused = cli("--url", roUrl, "topic", "create", "NotCreated");
    assertEquals(1, refused.code());
    assertTrue(refused.err().contains("READ_ONLY (1016, HTTP 403)"), refused.err());
    assertEquals(2, cli("--url", url, "topic", "frob").code());
    assertEquals(3, cli("--url", "http://127.0.0.1:" + Ports.free(), "topic", "list").code());
    System.out.println(describe.out() + status.out() + lag.out());

    // Delete: gone for sends and routes; created again it starts with its new queue count.
    HttpResponse<String> deleted = AdminHttp.delete(url + "/topics/" + TOPIC);
    assertEquals(200, deleted.statusCode(), deleted.body());
    System.out.println("deleted: " + deleted.body());
    assertEquals(MESSAGES, JSON.readTree(deleted.body()).path("deletedMessages").asLong(), deleted.body());
    assertEquals(0, JSON.readTree(deleted.body()).path("remainingMessages").asLong(), deleted.body());
    assertEquals(404, AdminHttp.get(url + "/topics/" + TOPIC).statusCode());
    assertTrue(!AdminHttp.get(url + "/topics").body().contains("\"" + TOPIC + "\""));
    Exception e = assertThrows(Exception.class,
        () -> producer.send(new Message(TOPIC, "TagA", "after delete".getBytes(StandardCharsets.UTF_8))));
    assertEquals(ErrorCode.TOPIC_NOT_FOUND, e instanceof SalvoClientException c ? c.errorCode() : null, String.valueOf(e));
    HttpResponse<String> again = AdminHttp.post(url + "/topics", "{\"name\":\"" + TOPIC + "\",\"queues\":2}");
    assertEquals(201, again.statusCode(), again.body());
    JsonNode recreated = JSON.readTree(AdminHttp.get(url + "/topics/" + TOPIC).body());
    assertEquals(2, recreated.path("queues").asInt(), recreated.toString());
    for (JsonNode q : recreated.path("offsets")) { // the old messages are gone; offsets go on where they were
      assertEquals(q.path("nextOffset").asLong(), q.path("minOffset").asLong(), recreated.toString());
    }
    producer.shutdown();

    // The first node leaves: its queues recover on the other one from the snapshot the deletion saved (nothing to
    // replay below it), still empty.
    broker.stop();
    Eventually.within(Duration.ofSeconds(60), () -> {
      HttpResponse<String> after = AdminHttp.get(roUrl + "/topics/" + TOPIC);
      assertEquals(200, after.statusCode(), after.body());
      JsonNode offsets = JSON.readTree(after.body()).path("offsets");
      assertEquals(2, offsets.size(), after.body());
      for (JsonNode q : offsets) {
        assertEquals(MESSAGES / 4, q.path("nextOffset").asLong(), after.body());
        assertEquals(MESSAGES / 4, q.path("minOffset").asLong(), after.body());
      }
      return null;
    });
  }

  private record Cli(int code, String out, String err) {}

  private static Cli cli(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = AdminCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), null);
    return new Cli(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** The value of one sample line {@code series value} (0 when absent). */
  private static double sample(String metrics, String series) {
    Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(metrics);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }
}
