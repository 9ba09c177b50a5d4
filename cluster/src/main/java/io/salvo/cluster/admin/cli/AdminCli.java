package io.salvo.cluster.admin.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * {@code bin/salvo admin ...}: the admin API (docs/admin-api.md) from a terminal. Prints aligned tables, or the
 * broker's JSON with {@code --json}. Exit codes: 0 done, 1 the broker refused (its error code and message are printed),
 * 2 usage error, 3 no broker answered at the URL.
 */
public final class AdminCli {
  static final int OK = 0;
  static final int BROKER_ERROR = 1;
  static final int USAGE = 2;
  static final int UNREACHABLE = 3;
  static final String DEFAULT_URL = "http://127.0.0.1:8558";

  private static final ObjectMapper JSON = new ObjectMapper();

  static final String HELP = """
      usage: bin/salvo admin [--url URL] [--json] COMMAND ...

      Commands:
        topic     create, list, describe, delete topics; grow their queues; set their retention
        group     list, describe consumer groups; their lag; reset their offsets to a time
        cluster   members and readiness (status); which node holds which queue (queues)
        message   look a message up by id

      Options:
        --url URL   the management port of any broker node (default http://127.0.0.1:8558, env SALVO_ADMIN_URL)
        --json      print the broker's JSON answer instead of a table
        --help      help for any command, e.g. bin/salvo admin topic --help

      Exit codes: 0 done, 1 the broker refused (its error is printed), 2 usage error, 3 cannot connect.
      """;

  static final String TOPIC_HELP = """
      usage: bin/salvo admin topic create NAME [--queues N]   create a topic (the broker's default queue count if not given)
             bin/salvo admin topic list                       the topic names
             bin/salvo admin topic describe NAME              queue count, retention, each queue's offsets
             bin/salvo admin topic delete NAME                delete a topic and its messages
             bin/salvo admin topic set-queues NAME N          grow a topic to N queues (never shrinks)
             bin/salvo admin topic set-retention NAME DURATION how long it keeps messages: 72h, 30m, 7d; 0 for the default
      """;

  static final String GROUP_HELP = """
      usage: bin/salvo admin group list                        the consumer group names
             bin/salvo admin group describe NAME               members, generation, committed offsets
             bin/salvo admin group lag NAME                    per queue: committed, first and next offsets, lag
             bin/salvo admin group reset-offset NAME --topic T --timestamp MS|ISO-8601
                                                               consume T again from the first message stored at or
                                                               after the time (ms since the epoch or 2026-12-03T15:00:00Z)
      """;

  static final String CLUSTER_HELP = """
      usage: bin/salvo admin cluster status                    members (Akka Management) and whether this node is ready
             bin/salvo admin cluster queues [--topic T]        which node holds which queue
      """;

  static final String MESSAGE_HELP = """
      usage: bin/salvo admin message get TOPIC ID              the message with that id, with its queue and offset
      """;

  /** A wrong command line: what was wrong and the help to print with it. */
  static final class UsageException extends Exception {
    final String help;

    UsageException(String message, String help) {
      super(message);
      this.help = help;
    }
  }

  /** What to print from an answer (a JSON document; for /ready, {@code {"status": code, "body": text}}). */
  interface Renderer {
    void render(JsonNode answer, PrintStream out);
  }

  /** One HTTP call: method, path (with query), JSON body or null, and how to show the answer. */
  record Call(String method, String path, String body, Renderer renderer) {}

  /** A parsed command line: the broker URL, raw JSON or not, and the calls to make in order (empty: help printed). */
  record Invocation(String url, boolean json, List<Call> calls, String help) {}

  private AdminCli() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err, System.getenv("SALVO_ADMIN_URL")));
  }

  /** Runs a command line ({@code envUrl}: SALVO_ADMIN_URL or null); answers the exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err, String envUrl) {
    Invocation invocation;
    try {
      invocation = parse(args, envUrl);
    } catch (UsageException e) {
      err.println("salvo admin: " + e.getMessage());
      err.print(e.help);
      return USAGE;
    }
    if (invocation.help() != null) {
      out.print(invocation.help());
      return OK;
    }
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    for (Call call : invocation.calls()) {
      int code = execute(http, invocation, call, out, err);
      if (code != OK) {
        return code;
      }
    }
    return OK;
  }

  private static int execute(HttpClient http, Invocation invocation, Call call, PrintStream out, PrintStream err) {
    String target = invocation.url().replaceAll("/+$", "") + call.path();
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target)).timeout(Duration.ofSeconds(60));
    HttpRequest.BodyPublisher body = call.body() == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(call.body());
    request.method(call.method(), body).header("Content-Type", "application/json");
    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (ConnectException e) {
      err.println("salvo admin: cannot connect to " + invocation.url() + " (" + e + "); is a broker running there?"
          + " Set --url or SALVO_ADMIN_URL");
      return UNREACHABLE;
    } catch (IOException e) {
      err.println("salvo admin: no answer from " + target + ": " + e);
      return UNREACHABLE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return UNREACHABLE;
    }
    JsonNode answer;
    if (call.path().equals("/ready")) {
      ObjectNode ready = JSON.createObjectNode();
      ready.put("status", response.statusCode());
      ready.put("body", response.body());
      answer = ready;
    } else {
      try {
        answer = JSON.readTree(response.body());
      } catch (IOException e) {
        answer = null;
      }
      if (response.statusCode() >= 400 || answer == null) {
        printError(response.statusCode(), answer, response.body(), err);
        return BROKER_ERROR;
      }
    }
    if (invocation.json()) {
      out.println(answer.toPrettyString());
    } else {
      call.renderer().render(answer, out);
    }
    return OK;
  }

  static void printError(int status, JsonNode answer, String raw, PrintStream err) {
    if (answer != null && answer.has("error")) {
      err.println("error " + answer.path("error").asText() + " (" + answer.path("code").asInt() + ", HTTP " + status
          + "): " + answer.path("message").asText());
    } else {
      err.println("error: HTTP " + status + ": " + raw.strip());
    }
  }

  // ---- parsing

  static Invocation parse(String[] args, String envUrl) throws UsageException {
    String url = envUrl == null || envUrl.isBlank() ? DEFAULT_URL : envUrl;
    boolean json = false;
    boolean help = false;
    List<String> words = new ArrayList<>();
    Map<String, String> options = new java.util.LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--json" -> json = true;
        case "--help", "-h", "help" -> help = true;
        default -> {
          if (a.startsWith("--")) {
            String name = a.contains("=") ? a.substring(2, a.indexOf('=')) : a.substring(2);
            String value;
            if (a.contains("=")) {
              value = a.substring(a.indexOf('=') + 1);
            } else if (i + 1 < args.length) {
              value = args[++i];
            } else {
              throw new UsageException("option --" + name + " needs a value", HELP);
            }
            if (name.equals("url")) {
              url = value;
            } else {
              options.put(name, value);
            }
          } else {
            words.add(a);
          }
        }
      }
    }
    if (words.isEmpty()) {
      if (help) {
        return new Invocation(url, json, List.of(), HELP);
      }
      throw new UsageException("a command is needed", HELP);
    }
    String area = words.get(0);
    String areaHelp = switch (area) {
      case "topic" -> TOPIC_HELP;
      case "group" -> GROUP_HELP;
      case "cluster" -> CLUSTER_HELP;
      case "message" -> MESSAGE_HELP;
      default -> throw new UsageException("unknown command '" + area + "'", HELP);
    };
    if (help) {
      return new Invocation(url, json, List.of(), areaHelp);
    }
    if (words.size() < 2) {
      throw new UsageException(area + " needs a subcommand", areaHelp);
    }
    Args a = new Args(area + " " + words.get(1), words.subList(2, words.size()), options, areaHelp);
    List<Call> calls = switch (area) {
      case "topic" -> topic(words.get(1), a);
      case "group" -> group(words.get(1), a);
      case "cluster" -> cluster(words.get(1), a);
      default -> message(words.get(1), a);
    };
    a.done();
    return new Invocation(url, json, calls, null);
  }

  /** The words after a subcommand and its options, consumed by name; leftovers are a usage error. */
  private static final class Args {
    private final String command;
    private final List<String> words;
    private final Map<String, String> options;
    private final String help;
    private int next;

    Args(String command, List<String> words, Map<String, String> options, String help) {
      this.command = command;
      this.words = words;
      this.options = new java.util.LinkedHashMap<>(options);
      this.help = help;
    }

    String word(String what) throws UsageException {
      if (next >= words.size()) {
        throw new UsageException(command + " needs " + what, help);
      }
      return words.get(next++);
    }

    String option(String name, boolean required) throws UsageException {
      String value = options.remove(name);
      if (value == null && required) {
        throw new UsageException(command + " needs --" + name, help);
      }
      return value;
    }

    int number(String what, String value) throws UsageException {
      try {
        return Integer.parseInt(value);
      } catch (NumberFormatException e) {
        throw new UsageException(what + " must be a number, not '" + value + "'", help);
      }
    }

    void done() throws UsageException {
      if (next < words.size()) {
        throw new UsageException("unexpected '" + words.get(next) + "' after " + command, help);
      }
      if (!options.isEmpty()) {
        throw new UsageException("unknown option --" + options.keySet().iterator().next() + " for " + command, help);
      }
    }

    UsageException unknown() {
      return new UsageException("unknown subcommand '" + command + "'", help);
    }
  }

  private static List<Call> topic(String sub, Args a) throws UsageException {
    switch (sub) {
      case "create": {
        String name = a.word("a topic NAME");
        String queues = a.option("queues", false);
        ObjectNode body = JSON.createObjectNode().put("name", name);
        if (queues != null) {
          body.put("queues", a.number("--queues", queues));
        }
        return List.of(new Call("POST", "/topics", body.toString(),
            (j, out) -> out.println("created topic " + j.path("name").asText() + " with " + j.path("queues").asInt()
                + " queues")));
      }
      case "list":
        return List.of(new Call("GET", "/topics", null, AdminCli::renderTopics));
      case "describe":
        return List.of(new Call("GET", "/topics/" + encode(a.word("a topic NAME")), null, AdminCli::renderTopic));
      case "delete": {
        return List.of(new Call("DELETE", "/topics/" + encode(a.word("a topic NAME")), null, (j, out) -> {
          out.println("deleted topic " + j.path("name").asText() + " (" + j.path("queues").asInt() + " queues, "
              + j.path("deletedMessages").asLong() + " messages deleted)");
          if (!j.path("note").asText().isEmpty()) {
            out.println("note: " + j.path("note").asText());
          }
        }));
      }
      case "set-queues": {
        String name = a.word("a topic NAME");
        int queues = a.number("the queue count", a.word("the new queue count N"));
        return List.of(new Call("PUT", "/topics/" + encode(name) + "/queues",
            JSON.createObjectNode().put("queues", queues).toString(), AdminCli::renderTopic));
      }
      case "set-retention": {
        String name = a.word("a topic NAME");
        String retention = a.word("a DURATION such as 72h");
        return List.of(new Call("PUT", "/topics/" + encode(name) + "/retention",
            JSON.createObjectNode().put("retention", retention).toString(), AdminCli::renderTopic));
      }
      default:
        throw a.unknown();
    }
  }

  private static List<Call> group(String sub, Args a) throws UsageException {
    switch (sub) {
      case "list":
        return List.of(new Call("GET", "/groups", null, (j, out) -> {
          Table t = new Table("GROUP");
          j.path("groups").forEach(g -> t.row(g.asText()));
          out.print(t.render());
        }));
      case "describe":
        return List.of(new Call("GET", "/groups/" + encode(a.word("a group NAME")), null, AdminCli::renderGroup));
      case "lag":
        return List.of(new Call("GET", "/groups/" + encode(a.word("a group NAME")) + "/lag", null, AdminCli::renderLag));
      case "reset-offset": {
        String group = a.word("a group NAME");
        String topic = a.option("topic", true);
        long timestamp = timestamp(a.option("timestamp", true), a);
        return List.of(new Call("POST", "/groups/" + encode(group) + "/reset-offset",
            JSON.createObjectNode().put("topic", topic).put("timestamp", timestamp).toString(), (j, out) -> {
              out.println("group " + group + " consumes " + topic + " again from " + Instant.ofEpochMilli(timestamp));
              Table t = new Table("TOPIC", "QUEUE", "OFFSET").numeric("QUEUE", "OFFSET");
              j.path("offsets").forEach(o -> t.row(o.path("topic").asText(), o.path("queueId").asInt(),
                  o.path("offset").asLong()));
              out.print(t.render());
            }));
      }
      default:
        throw a.unknown();
    }
  }

  private static List<Call> cluster(String sub, Args a) throws UsageException {
    switch (sub) {
      case "status":
        return List.of(new Call("GET", "/cluster/members", null, AdminCli::renderMembers),
            new Call("GET", "/ready", null, (j, out) -> out.println("this node ready: "
                + (j.path("status").asInt() == 200 ? "yes" : "no (HTTP " + j.path("status").asInt() + ": "
                + j.path("body").asText().strip() + ")"))));
      case "queues": {
        String topic = a.option("topic", false);
        return List.of(new Call("GET", "/cluster/queues" + (topic == null ? "" : "?topic=" + encode(topic)), null,
            AdminCli::renderPlacement));
      }
      default:
        throw a.unknown();
    }
  }

  private static List<Call> message(String sub, Args a) throws UsageException {
    if (!sub.equals("get")) {
      throw a.unknown();
    }
    String topic = a.word("a TOPIC");
    String id = a.word("a message ID");
    return List.of(new Call("GET", "/topics/" + encode(topic) + "/messages/" + encode(id), null,
        AdminCli::renderMessages));
  }

  /** Milliseconds since the epoch, or an ISO-8601 instant. */
  static long timestamp(String value, Args a) throws UsageException {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException notMillis) {
      try {
        return Instant.parse(value).toEpochMilli();
      } catch (DateTimeParseException e) {
        throw new UsageException("--timestamp must be ms since the epoch or an ISO-8601 time such as"
            + " 2026-12-03T15:00:00Z, not '" + value + "'", a.help);
      }
    }
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  // ---- rendering

  static void renderTopics(JsonNode j, PrintStream out) {
    Table t = new Table("TOPIC");
    j.path("topics").forEach(n -> t.row(n.asText()));
    out.print(t.render());
  }

  static void renderTopic(JsonNode j, PrintStream out) {
    out.println("topic " + j.path("name").asText() + ": " + j.path("queues").asInt() + " queues, retention "
        + j.path("retention").asText() + (j.path("retentionIsDefault").asBoolean() ? " (the broker's default)" : ""));
    Table t = new Table("QUEUE", "MIN OFFSET", "NEXT OFFSET", "MESSAGES").numeric("QUEUE", "MIN OFFSET", "NEXT OFFSET",
        "MESSAGES");
    j.path("offsets").forEach(o -> t.row(o.path("queueId").asInt(), o.path("minOffset").asLong(),
        o.path("nextOffset").asLong(), o.path("nextOffset").asLong() - o.path("minOffset").asLong()));
    out.print(t.render());
  }

  static void renderGroup(JsonNode j, PrintStream out) {
    out.println("group " + j.path("group").asText() + ", generation " + j.path("generation").asLong() + ", "
        + j.path("members").size() + " members");
    Table members = new Table("MEMBER");
    j.path("members").forEach(m -> members.row(m.asText()));
    if (members.size() > 0) {
      out.print(members.render());
    }
    Table offsets = new Table("QUEUE", "COMMITTED OFFSET", "HELD BY").numeric("COMMITTED OFFSET");
    for (Iterator<Map.Entry<String, JsonNode>> it = j.path("offsets").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      offsets.row(e.getKey(), e.getValue().asLong(), j.path("grants").path(e.getKey()).asText("-"));
    }
    out.print(offsets.render());
  }

  static void renderLag(JsonNode j, PrintStream out) {
    out.println("group " + j.path("group").asText() + ": total lag " + j.path("totalLag").asLong());
    Table t = new Table("TOPIC", "QUEUE", "COMMITTED", "MIN OFFSET", "NEXT OFFSET", "LAG", "EXPIRED UNCONSUMED")
        .numeric("QUEUE", "COMMITTED", "MIN OFFSET", "NEXT OFFSET", "LAG", "EXPIRED UNCONSUMED");
    j.path("queues").forEach(q -> t.row(q.path("topic").asText(), q.path("queueId").asInt(),
        q.path("committedOffset").asLong(), q.path("minOffset").asLong(), q.path("nextOffset").asLong(),
        q.path("lag").asLong(), q.path("expiredUnconsumed").asLong()));
    out.print(t.render());
  }

  static void renderMembers(JsonNode j, PrintStream out) {
    out.println("self " + j.path("selfNode").asText() + ", leader " + j.path("leader").asText("-") + ", oldest "
        + j.path("oldest").asText("-"));
    Table t = new Table("NODE", "STATUS", "REACHABLE", "ROLES");
    List<String> unreachable = new ArrayList<>();
    j.path("unreachable").forEach(u -> unreachable.add(u.path("node").asText()));
    j.path("members").forEach(m -> {
      List<String> roles = new ArrayList<>();
      m.path("roles").forEach(r -> roles.add(r.asText()));
      t.row(m.path("node").asText(), m.path("status").asText(),
          unreachable.contains(m.path("node").asText()) ? "no" : "yes", String.join(",", roles));
    });
    out.print(t.render());
  }

  static void renderPlacement(JsonNode j, PrintStream out) {
    Table nodes = new Table("NODE", "QUEUE SHARDS", "QUEUE ENTITIES").numeric("QUEUE SHARDS", "QUEUE ENTITIES");
    for (Iterator<Map.Entry<String, JsonNode>> it = j.path("nodes").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      nodes.row(e.getKey(), e.getValue().path("shards").asInt(), e.getValue().path("entities").asLong());
    }
    out.print(nodes.render());
    out.println();
    Table queues = new Table("TOPIC", "QUEUE", "SHARD", "NODE").numeric("QUEUE", "SHARD");
    j.path("queues").forEach(q -> queues.row(q.path("topic").asText(), q.path("queueId").asInt(),
        q.path("shard").asText(), q.path("node").isNull() ? "(not allocated yet)" : q.path("node").asText()));
    out.print(queues.render());
  }

  static void renderMessages(JsonNode j, PrintStream out) {
    Table t = new Table("MESSAGE ID", "QUEUE", "OFFSET", "TAGS", "KEYS", "STORED", "BODY")
        .numeric("QUEUE", "OFFSET");
    j.forEach(m -> t.row(m.path("messageId").asText(), m.path("queueId").asInt(), m.path("queueOffset").asLong(),
        m.path("tags").asText(""), m.path("keys").isArray() ? join(m.path("keys")) : m.path("keys").asText(""),
        m.path("storeTimestamp").isNumber() ? Instant.ofEpochMilli(m.path("storeTimestamp").asLong()) : "-",
        abbreviate(m.path("body").asText(""), 40)));
    out.print(t.render());
  }

  private static String join(JsonNode array) {
    List<String> parts = new ArrayList<>();
    array.forEach(p -> parts.add(p.asText()));
    return String.join(",", parts);
  }

  private static String abbreviate(String s, int max) {
    String oneLine = s.replace('\n', ' ');
    return oneLine.length() <= max ? oneLine : oneLine.substring(0, max - 1) + "…";
  }
}
