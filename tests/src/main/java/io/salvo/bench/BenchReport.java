package io.salvo.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Reads the raw records of one {@code bench/run.sh} run (lines of {@code key=value} pairs: {@code kind=meta},
 * {@code kind=start}, {@code kind=run}, {@code kind=memory}) and prints the summary table, then writes it as
 * {@code PREFIX.md} and {@code PREFIX.tsv}. Every figure is the median over the runs of a row (throughput:
 * msgs/s; latency: the median of the runs' own exact percentiles); the ratio is Salvo / RocketMQ.
 *
 * <p>Usage: {@code BenchReport RECORDS_FILE OUTPUT_PREFIX}
 */
public final class BenchReport {

  private enum Better { HIGHER, LOWER, NONE }

  /** One row of the table. */
  private record Row(String workload, String unit, Better better, String salvo, String rocketmq, String ratio,
      String salvoRuns, String rocketmqRuns) {}

  private final List<Map<String, String>> records;
  private final Map<String, String> meta = new LinkedHashMap<>();
  private final List<Row> rows = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  private BenchReport(List<Map<String, String>> records) {
    this.records = records;
    for (Map<String, String> r : records) {
      if ("meta".equals(r.get("kind"))) {
        r.forEach((k, v) -> {
          if (!k.equals("kind")) {
            meta.put(k, v);
          }
        });
      }
    }
  }

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: BenchReport RECORDS_FILE OUTPUT_PREFIX");
      System.exit(2);
    }
    List<Map<String, String>> records = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of(args[0]))) {
      if (!line.isBlank()) {
        records.add(parse(line));
      }
    }
    BenchReport report = new BenchReport(records);
    report.build();
    String text = report.text();
    System.out.println(text);
    Path md = Path.of(args[1] + ".md");
    Path tsv = Path.of(args[1] + ".tsv");
    Files.writeString(md, report.markdown());
    Files.writeString(tsv, report.tsv());
    System.out.println("written: " + md + " and " + tsv);
  }

  static Map<String, String> parse(String line) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String token : line.trim().split("\\s+")) {
      int eq = token.indexOf('=');
      if (eq > 0) {
        m.putIfAbsent(token.substring(0, eq), token.substring(eq + 1));
      }
    }
    return m;
  }

  // ------------------------------------------------------------------------------------------------ rows

  private void build() {
    throughput("sync_t1", "sync send, 1 thread");
    throughput("sync_t8", "sync send, 8 threads");
    throughput("sync_t32", "sync send, 32 threads");
    throughput("async_w256", "async send, window 256 unacknowledged");
    throughput("batch_t1", "batch send 32 x 1 KiB, 1 thread");
    throughput("batch_t8", "batch send 32 x 1 KiB, 8 threads");
    throughput("batch_t32", "batch send 32 x 1 KiB, 32 threads");
    drain();
    endToEnd();
    throughput("durable_t8", "durable sync send, 8 threads (Salvo commitlog_sync batch / RocketMQ SYNC_FLUSH)");
    memory();
    startup();
    failures();
  }

  private List<Map<String, String>> runs(String broker, String row) {
    return records.stream()
        .filter(r -> "run".equals(r.get("kind")) && broker.equals(r.get("broker")) && row.equals(r.get("row")))
        .collect(Collectors.toList());
  }

  private static List<Map<String, String>> ok(List<Map<String, String>> runs) {
    return runs.stream().filter(r -> "ok".equals(r.get("status"))).collect(Collectors.toList());
  }

  /** A latency field in milliseconds: ours are {@code NAME_ms}, the anchor's produce lines {@code NAME_us}. */
  private static double latencyMs(Map<String, String> r, String name) {
    if (r.containsKey(name + "_ms")) {
      return number(r.get(name + "_ms"));
    }
    if (r.containsKey(name + "_us")) {
      return number(r.get(name + "_us")) / 1000.0;
    }
    return Double.NaN;
  }

  private void throughput(String id, String title) {
    List<Map<String, String>> s = ok(runs("salvo", id));
    List<Map<String, String>> q = ok(runs("rocketmq", id));
    if (runs("salvo", id).isEmpty() && runs("rocketmq", id).isEmpty()) {
      return;
    }
    add(title, "msg/s", Better.HIGHER, s, q, r -> number(r.get("msgs_per_s")), 0);
    add("  latency p50 (per call)", "ms", Better.LOWER, s, q, r -> latencyMs(r, "p50"), 2);
    add("  latency p99 (per call)", "ms", Better.LOWER, s, q, r -> latencyMs(r, "p99"), 2);
  }

  private void drain() {
    List<Map<String, String>> s = ok(runs("salvo", "drain"));
    List<Map<String, String>> q = ok(runs("rocketmq", "drain"));
    if (runs("salvo", "drain").isEmpty() && runs("rocketmq", "drain").isEmpty()) {
      return;
    }
    String title = "drain a backlog of " + backlog(s) + " (Salvo) / " + backlog(q)
        + " (RocketMQ) messages, one push consumer, from start()";
    add(title, "msg/s", Better.HIGHER, s, q, r -> number(r.get("msgs_per_s")), 0);
    for (Map<String, String> r : concat(s, q)) {
      if (!"true".equals(r.get("complete"))) {
        notes.add(r.get("broker") + " drain run " + r.get("rep") + " did not receive the whole backlog: "
            + r.get("received") + " of " + r.get("count"));
      }
      if (r.containsKey("requested") && !r.get("requested").equals(r.get("count"))) {
        notes.add(r.get("broker") + " drain run " + r.get("rep") + ": the backlog reached " + r.get("count") + " of "
            + r.get("requested") + " messages within the fill limit (" + meta.getOrDefault("fill_limit", "?")
            + " s, " + r.get("fill_msgs_per_s") + " msg/s); the drain ran on what was stored");
      }
    }
  }

  private static String backlog(List<Map<String, String>> runs) {
    List<String> counts = runs.stream().map(r -> r.getOrDefault("count", "?")).distinct().collect(Collectors.toList());
    return counts.isEmpty() ? "?" : counts.stream().map(c -> group(number(c), 0)).collect(Collectors.joining("/"));
  }

  private void endToEnd() {
    List<Map<String, String>> s = ok(runs("salvo", "e2e"));
    List<Map<String, String>> q = ok(runs("rocketmq", "e2e"));
    if (runs("salvo", "e2e").isEmpty() && runs("rocketmq", "e2e").isEmpty()) {
      return;
    }
    String rate = meta.getOrDefault("e2e_rate", "5000");
    add("end-to-end at " + group(number(rate), 0) + " msg/s, send -> listener: p50", "ms", Better.LOWER, s, q,
        r -> number(r.get("e2e_p50_ms")), 2);
    add("  end-to-end p99", "ms", Better.LOWER, s, q, r -> number(r.get("e2e_p99_ms")), 2);
    add("  end-to-end max", "ms", Better.LOWER, s, q, r -> number(r.get("e2e_max_ms")), 2);
    add("  end-to-end: send rate achieved", "msg/s", Better.HIGHER, s, q, r -> number(r.get("achieved_rate")), 0);
    add("  end-to-end: share of measured messages received", "%", Better.HIGHER, s, q,
        r -> 100.0 * number(r.get("received")) / Math.max(1, number(r.get("sent"))), 1);
  }

  private void memory() {
    List<Map<String, String>> mem = records.stream().filter(r -> "memory".equals(r.get("kind")))
        .collect(Collectors.toList());
    double salvoBroker = max(mem, "salvo", r -> number(r.get("broker_hwm_kB")));
    double salvoCassandra = max(mem, "salvo", r -> number(r.get("cassandra_hwm_kB")));
    double salvoBoth = max(mem, "salvo", r -> number(r.get("broker_hwm_kB")) + number(r.get("cassandra_hwm_kB")));
    double rmqAnon = max(mem, "rocketmq", r -> number(r.get("broker_anon_peak_kB")));
    double rmqHwm = max(mem, "rocketmq", r -> number(r.get("broker_hwm_kB")));
    addValues("peak RSS: Salvo broker JVM (VmHWM) / RocketMQ broker anonymous RSS", "MB", Better.LOWER,
        salvoBroker / 1024, rmqAnon / 1024, 0, "", "");
    addValues("peak RSS: Salvo's Cassandra JVM (VmHWM)", "MB", Better.NONE, salvoCassandra / 1024, Double.NaN, 0, "", "");
    addValues("peak RSS: Salvo broker + Cassandra / RocketMQ broker anonymous RSS", "MB", Better.LOWER,
        salvoBoth / 1024, rmqAnon / 1024, 0, "", "");
    addValues("peak RSS: RocketMQ broker incl. mapped CommitLog pages (VmHWM)", "MB", Better.NONE, Double.NaN,
        rmqHwm / 1024, 0, "", "");
  }

  private static double max(List<Map<String, String>> mem, String broker, Function<Map<String, String>, Double> f) {
    return mem.stream().filter(r -> broker.equals(r.get("broker"))).map(f).filter(d -> !d.isNaN())
        .mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }

  private void startup() {
    List<Map<String, String>> s = records.stream()
        .filter(r -> "start".equals(r.get("kind")) && "salvo".equals(r.get("broker"))).collect(Collectors.toList());
    List<Map<String, String>> q = records.stream()
        .filter(r -> "start".equals(r.get("kind")) && "rocketmq".equals(r.get("broker"))).collect(Collectors.toList());
    // a start that had to build the project first is timed by the node's own "ready in" figure
    Function<Map<String, String>, Double> secs = r -> ("1".equals(r.get("built_first")) && r.containsKey("node_ready_ms")
        ? number(r.get("node_ready_ms")) : number(r.get("startup_ms"))) / 1000.0;
    add("start-up to ready (Salvo incl. Cassandra / RocketMQ NameServer + broker)", "s", Better.LOWER, s, q, secs, 1);
  }

  private void failures() {
    for (Map<String, String> r : records) {
      if (!"run".equals(r.get("kind"))) {
        continue;
      }
      String who = r.get("broker") + " " + r.get("row") + " run " + r.get("rep");
      if (!"ok".equals(r.get("status"))) {
        notes.add(who + " failed (no result line; see the logs)");
      } else if (number(r.getOrDefault("errors", "0")) > 0 || number(r.getOrDefault("not_ok", "0")) > 0) {
        notes.add(who + ": " + r.get("errors") + " errors, " + r.getOrDefault("not_ok", "0") + " not SEND_OK; first: "
            + r.getOrDefault("first_error", "-"));
      }
    }
  }

  private void add(String workload, String unit, Better better, List<Map<String, String>> salvo,
      List<Map<String, String>> rocketmq, Function<Map<String, String>, Double> figure, int decimals) {
    double[] s = salvo.stream().map(figure).filter(d -> !d.isNaN()).mapToDouble(Double::doubleValue).toArray();
    double[] q = rocketmq.stream().map(figure).filter(d -> !d.isNaN()).mapToDouble(Double::doubleValue).toArray();
    addValues(workload, unit, better, median(s), median(q), decimals, list(s, decimals), list(q, decimals));
  }

  private void addValues(String workload, String unit, Better better, double salvo, double rocketmq, int decimals,
      String salvoRuns, String rocketmqRuns) {
    String ratio = "";
    if (!Double.isNaN(salvo) && !Double.isNaN(rocketmq) && rocketmq > 0) {
      double x = salvo / rocketmq;
      ratio = x >= 10 ? String.format(Locale.ROOT, "%.1f", x)
          : x >= 0.1 ? String.format(Locale.ROOT, "%.2f", x) : String.format(Locale.ROOT, "%.3f", x);
      ratio += better == Better.LOWER ? " (lower is better)" : better == Better.HIGHER ? " (higher is better)" : "";
    }
    rows.add(new Row(workload, unit, better, group(salvo, decimals), group(rocketmq, decimals), ratio, salvoRuns,
        rocketmqRuns));
  }

  static double median(double[] values) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] v = values.clone();
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  private static String list(double[] values, int decimals) {
    return Arrays.stream(values).mapToObj(v -> group(v, decimals)).collect(Collectors.joining(", "));
  }

  private static String group(double v, int decimals) {
    if (Double.isNaN(v)) {
      return "-";
    }
    return String.format(Locale.ROOT, "%,." + decimals + "f", v);
  }

  private static double number(String s) {
    if (s == null || s.isEmpty()) {
      return Double.NaN;
    }
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    List<T> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  // ------------------------------------------------------------------------------------------------ output

  private List<String> header() {
    List<String> h = new ArrayList<>();
    h.add("Salvo " + meta.getOrDefault("salvo_version", "?") + " (" + meta.getOrDefault("salvo_commit", "?")
        + ") beside Apache RocketMQ " + meta.getOrDefault("rocketmq_version", "?") + ", "
        + meta.getOrDefault("mode", "?") + " run");
    h.add("date: " + meta.getOrDefault("started", "?") + " to " + meta.getOrDefault("finished", "?") + " ("
        + meta.getOrDefault("elapsed_s", "?") + " s)");
    h.add("machine: " + meta.getOrDefault("cpus", "?") + " CPUs, "
        + group(number(meta.getOrDefault("mem_total_kB", "")) / 1024 / 1024, 1) + " GiB; load average (1, 5, 15 min) "
        + meta.getOrDefault("load_start", "?") + " at the start, " + meta.getOrDefault("load_end", "?") + " at the end");
    h.add("java: " + meta.getOrDefault("java_version", "?").replace('_', ' '));
    h.add("method: 1 KiB bodies; a fresh broker per group, " + meta.getOrDefault("warm_load", "?")
        + " s unrecorded warm load after each start; each run " + meta.getOrDefault("warmup", "?") + " s warm-up + "
        + meta.getOrDefault("secs", "?") + " s measured in a new client JVM; median of "
        + meta.getOrDefault("reps", "?") + " run(s); latency percentiles exact (nearest rank over all samples)");
    return h;
  }

  private String text() {
    int w0 = "workload".length();
    int w1 = "Salvo".length();
    int w2 = "RocketMQ".length();
    for (Row r : rows) {
      w0 = Math.max(w0, (r.workload() + " (" + r.unit() + ")").length());
      w1 = Math.max(w1, r.salvo().length());
      w2 = Math.max(w2, r.rocketmq().length());
    }
    StringBuilder b = new StringBuilder("\n");
    header().forEach(l -> b.append(l).append('\n'));
    b.append('\n');
    String fmt = "%-" + w0 + "s | %" + w1 + "s | %" + w2 + "s | %s%n";
    b.append(String.format(fmt, "workload", "Salvo", "RocketMQ", "ratio Salvo/RocketMQ"));
    b.append("-".repeat(w0)).append("-+-").append("-".repeat(w1)).append("-+-").append("-".repeat(w2))
        .append("-+-").append("-".repeat(28)).append('\n');
    for (Row r : rows) {
      b.append(String.format(fmt, r.workload() + " (" + r.unit() + ")", r.salvo(), r.rocketmq(), r.ratio()));
    }
    if (!notes.isEmpty()) {
      b.append("\nnotes:\n");
      notes.forEach(n -> b.append("- ").append(n).append('\n'));
    }
    return b.toString();
  }

  private String markdown() {
    StringBuilder b = new StringBuilder();
    List<String> h = header();
    b.append("# ").append(h.get(0)).append("\n\n");
    h.subList(1, h.size()).forEach(l -> b.append("- ").append(l).append('\n'));
    b.append("- command: `bin/salvo bench").append("quick".equals(meta.get("mode")) ? " --quick" : "")
        .append("` (docs/benchmark.md); raw records beside this file (`.raw.tsv`)\n\n");
    b.append("| workload | Salvo | RocketMQ | ratio Salvo/RocketMQ |\n|---|---:|---:|---|\n");
    for (Row r : rows) {
      b.append("| ").append(r.workload().strip()).append(" (").append(r.unit()).append(") | ").append(r.salvo())
          .append(" | ").append(r.rocketmq()).append(" | ").append(r.ratio()).append(" |\n");
    }
    b.append("\n## Runs\n\n| workload | Salvo runs | RocketMQ runs |\n|---|---|---|\n");
    for (Row r : rows) {
      if (!r.salvoRuns().isEmpty() || !r.rocketmqRuns().isEmpty()) {
        b.append("| ").append(r.workload().strip()).append(" (").append(r.unit()).append(") | ")
            .append(r.salvoRuns()).append(" | ").append(r.rocketmqRuns()).append(" |\n");
      }
    }
    b.append("\n## Load during each run\n\n| broker | run | load before | load after | broker CPU (cores) |\n|---|---|---|---|---|\n");
    for (Map<String, String> r : records) {
      if ("run".equals(r.get("kind"))) {
        b.append("| ").append(r.get("broker")).append(" | ").append(r.get("row")).append(" #").append(r.get("rep"))
            .append(" | ").append(r.getOrDefault("load_before", "-")).append(" | ")
            .append(r.getOrDefault("load_after", "-")).append(" | ").append(r.getOrDefault("broker_cores", "-"))
            .append(" |\n");
      }
    }
    if (!notes.isEmpty()) {
      b.append("\n## Notes\n\n");
      notes.forEach(n -> b.append("- ").append(n).append('\n'));
    }
    return b.toString();
  }

  private String tsv() {
    StringBuilder b = new StringBuilder();
    header().forEach(l -> b.append("# ").append(l).append('\n'));
    b.append("workload\tunit\tbetter\tsalvo\trocketmq\tratio\tsalvo_runs\trocketmq_runs\n");
    for (Row r : rows) {
      b.append(String.join("\t", r.workload().strip(), r.unit(), r.better().name().toLowerCase(Locale.ROOT),
          r.salvo().replace(",", ""), r.rocketmq().replace(",", ""), r.ratio().replaceAll(" .*", ""),
          r.salvoRuns().replace(",", "").replace("  ", " ").replace(" ", ";"),
          r.rocketmqRuns().replace(",", "").replace("  ", " ").replace(" ", ";"))).append('\n');
    }
    return b.toString();
  }
}
