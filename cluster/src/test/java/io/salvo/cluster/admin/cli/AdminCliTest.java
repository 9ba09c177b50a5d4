package io.salvo.cluster.admin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AdminCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void parsesTopicCreateWithOptionsAnywhere() throws Exception {
    AdminCli.Invocation i = AdminCli.parse(new String[] {"--url", "http://h:1", "topic", "create", "Orders",
        "--queues=8", "--json"}, null);
    assertEquals("http://h:1", i.url());
    assertTrue(i.json());
    AdminCli.Call call = i.calls().get(0);
    assertEquals("POST", call.method());
    assertEquals("/topics", call.path());
    assertEquals(JSON.readTree("{\"name\":\"Orders\",\"queues\":8}"), JSON.readTree(call.body()));
  }

  @Test
  void urlComesFromTheEnvironmentUnlessGiven() throws Exception {
    assertEquals("http://env:2", AdminCli.parse(new String[] {"topic", "list"}, "http://env:2").url());
    assertEquals(AdminCli.DEFAULT_URL, AdminCli.parse(new String[] {"topic", "list"}, null).url());
  }

  @Test
  void buildsPathsAndBodies() throws Exception {
    AdminCli.Call grow = AdminCli.parse(new String[] {"topic", "set-queues", "Orders", "16"}, null).calls().get(0);
    assertEquals("PUT /topics/Orders/queues {\"queues\":16}", grow.method() + " " + grow.path() + " " + grow.body());
    AdminCli.Call delete = AdminCli.parse(new String[] {"topic", "delete", "a b"}, null).calls().get(0);
    assertEquals("DELETE /topics/a%20b", delete.method() + " " + delete.path());
    AdminCli.Call reset = AdminCli.parse(new String[] {"group", "reset-offset", "G", "--topic", "T", "--timestamp",
        "2026-12-03T15:00:00Z"}, null).calls().get(0);
    assertEquals("/groups/G/reset-offset", reset.path());
    assertEquals(1_796_310_000_000L, JSON.readTree(reset.body()).path("timestamp").asLong());
    assertEquals(2, AdminCli.parse(new String[] {"cluster", "status"}, null).calls().size());
    assertEquals("/topics/T/messages/ABC", AdminCli.parse(new String[] {"message", "get", "T", "ABC"}, null)
        .calls().get(0).path());
  }

  @Test
  void helpAtEveryLevel() throws Exception {
    AdminCli.Invocation top = AdminCli.parse(new String[] {"--help"}, null);
    assertTrue(top.help().contains("Exit codes"), top.help());
    assertTrue(AdminCli.parse(new String[] {"group", "--help"}, null).help().contains("reset-offset NAME --topic"));
    assertTrue(AdminCli.parse(new String[] {"topic", "create", "-h"}, null).help().contains("set-queues"));
  }

  @Test
  void usageErrorsNameWhatIsWrong() {
    assertEquals("a command is needed", usage());
    assertEquals("unknown command 'frob'", usage("frob"));
    assertEquals("topic create needs a topic NAME", usage("topic", "create"));
    assertEquals("the queue count must be a number, not 'x'", usage("topic", "set-queues", "T", "x"));
    assertEquals("group reset-offset needs --timestamp", usage("group", "reset-offset", "G", "--topic", "T"));
    assertEquals("unknown option --queues for topic list", usage("topic", "list", "--queues", "3"));
    assertEquals("unexpected 'extra' after topic describe", usage("topic", "describe", "T", "extra"));
    assertTrue(usage("group", "reset-offset", "G", "--topic", "T", "--timestamp", "yesterday")
        .startsWith("--timestamp must be ms since the epoch"));
  }

  @Test
  void exitCodesForUsageAndUnreachableBroker() throws Exception {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
    assertEquals(AdminCli.USAGE, AdminCli.run(new String[] {"topic"}, System.out, errStream, null));
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    assertEquals(AdminCli.UNREACHABLE, AdminCli.run(new String[] {"--url", "http://127.0.0.1:" + port, "topic",
        "list"}, System.out, errStream, null));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("cannot connect"), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void tablesAlignColumnsAndRightAlignNumbers() {
    String text = new Table("TOPIC", "QUEUE", "LAG").numeric("QUEUE", "LAG")
        .row("Orders", 0, 12345)
        .row("T", 10, 7)
        .row("X", 1, null)
        .render();
    assertEquals("""
        TOPIC   QUEUE    LAG
        Orders      0  12345
        T          10      7
        X           1      -
        """, text);
  }

  @Test
  void rendersATopicAndABrokerError() throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
    AdminCli.renderTopic(JSON.readTree("{\"name\":\"T\",\"queues\":2,\"retention\":\"PT72H\",\"retentionIsDefault\":true,"
        + "\"offsets\":[{\"queueId\":0,\"minOffset\":0,\"nextOffset\":10},{\"queueId\":1,\"minOffset\":5,"
        + "\"nextOffset\":100}]}"), out);
    assertEquals("""
        topic T: 2 queues, retention PT72H (the broker's default)
        QUEUE  MIN OFFSET  NEXT OFFSET  MESSAGES
            0           0           10        10
            1           5          100        95
        """, buf.toString(StandardCharsets.UTF_8));
    buf.reset();
    AdminCli.printError(404, JSON.readTree("{\"code\":2001,\"error\":\"TOPIC_NOT_FOUND\",\"message\":\"topic 'X' does"
        + " not exist\"}"), "", out);
    assertEquals("error TOPIC_NOT_FOUND (2001, HTTP 404): topic 'X' does not exist\n", buf.toString(StandardCharsets.UTF_8));
  }

  private static String usage(String... args) {
    AdminCli.UsageException e = assertThrows(AdminCli.UsageException.class, () -> AdminCli.parse(args, null));
    return e.getMessage();
  }
}
