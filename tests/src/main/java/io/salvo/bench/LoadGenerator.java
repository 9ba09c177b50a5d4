package io.salvo.bench;

import io.salvo.client.consumer.ConsumeFromWhere;
import io.salvo.client.consumer.DefaultMQPushConsumer;
import io.salvo.client.consumer.listener.ConsumeConcurrentlyStatus;
import io.salvo.client.consumer.listener.MessageListenerConcurrently;
import io.salvo.client.message.Message;
import io.salvo.client.message.MessageExt;
import io.salvo.client.producer.DefaultMQProducer;
import io.salvo.client.producer.SendCallback;
import io.salvo.client.producer.SendResult;
import io.salvo.client.producer.SendStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Salvo's load generator for {@code bin/salvo bench}: one measured run per JVM, using only the public client API,
 * and one machine-readable line at the end ({@code RESULT key=value ...}) that {@code bench/run.sh} collects.
 * Not a test; nothing is asserted.
 *
 * <pre>
 *   LoadGenerator produce send=sync|async|batch threads=N seconds=30 warmup=10 [window=256] [batch=32] topic=T
 *   LoadGenerator drain   count=1000000 topic=T [fill-limit-s=600] [timeout-s=600]
 *   LoadGenerator e2e     rate=5000 seconds=30 warmup=10 topic=T [wait-s=30]
 * </pre>
 * Common keys: {@code address} (127.0.0.1:9876), {@code size} (1024 bytes of body).
 *
 * <p>produce: the senders run for {@code warmup + seconds}; only sends that complete inside the last
 * {@code seconds} are counted, and each of them contributes one latency sample (sync and batch: the blocking call;
 * async: from the call to its callback). Async senders share a window of {@code window} unacknowledged messages.
 * Batch sends {@code batch} messages per call and counts messages; its latency is per call.
 *
 * <p>drain: fills the topic with {@code count} messages (batches of 32 on 4 threads: filling is not measured), then
 * starts a new push consumer group from the first offset and times {@code start()} to the last delivery.
 *
 * <p>e2e: a push consumer listens while one thread sends asynchronously at a fixed rate; each measured message
 * carries its send time (epoch microseconds) in a user property, and the listener records receive − send.
 *
 * <p>Latency percentiles are exact: every sample is kept and the p-th percentile is the value of nearest rank
 * ceil(p/100 × n) in the sorted samples.
 */
public final class LoadGenerator {
  private static final String SENT_AT = "bench_sent_us";

  private final Map<String, String> options;
  private final String address;
  private final String topic;
  private final byte[] body;

  private LoadGenerator(Map<String, String> options) {
    this.options = options;
    this.address = text("address", "127.0.0.1:9876");
    this.topic = text("topic", "BenchTopic");
    this.body = new byte[number("size", 1024)];
    new SplittableRandom(7).nextBytes(body);
  }

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      System.err.println("usage: LoadGenerator produce|drain|e2e key=value ...");
      System.exit(2);
    }
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 1; i < args.length; i++) {
      int eq = args[i].indexOf('=');
      if (eq <= 0) {
        System.err.println("LoadGenerator: expected key=value, got '" + args[i] + "'");
        System.exit(2);
      }
      options.put(args[i].substring(0, eq), args[i].substring(eq + 1));
    }
    LoadGenerator generator = new LoadGenerator(options);
    Result result;
    try {
      result = switch (args[0]) {
        case "produce" -> generator.produce();
        case "drain" -> generator.drain();
        case "e2e" -> generator.endToEnd();
        default -> throw new IllegalArgumentException("unknown mode '" + args[0] + "'");
      };
    } catch (Throwable e) {
      // the client's threads are not daemons: exit, or the JVM would wait for them forever
      System.err.println("LoadGenerator " + args[0] + " failed:");
      e.printStackTrace();
      System.out.println(new Result(args[0]).put("failed", e.toString().replaceAll("\\s+", "_")).line());
      System.out.flush();
      System.exit(1);
      return;
    }
    result.put("cpu_ms", ProcessHandle.current().info().totalCpuDuration().map(d -> d.toMillis()).orElse(-1L));
    System.out.println(result.line());
    System.out.flush();
    System.exit(0); // client threads are not all daemons
  }

  // ------------------------------------------------------------------------------------------------ produce

  private Result produce() throws Exception {
    String mode = text("send", "sync");
    int threads = number("threads", 1);
    int seconds = number("seconds", 30);
    int warmup = number("warmup", 10);
    int window = number("window", 256);
    int batchSize = mode.equals("batch") ? number("batch", 32) : 1;
    if (!List.of("sync", "async", "batch").contains(mode)) {
      throw new IllegalArgumentException("send must be sync, async or batch, not " + mode);
    }

    DefaultMQProducer producer = producer("bench_" + mode);
    long begin = System.nanoTime();
    long measureFrom = begin + TimeUnit.SECONDS.toNanos(warmup);
    long measureUntil = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
    Samples latencies = new Samples();
    AtomicLong counted = new AtomicLong();
    AtomicLong notOk = new AtomicLong();
    Failures failures = new Failures();
    Semaphore unacknowledged = new Semaphore(window);

    /** Counts a completed send if it completed inside the measured period. */
    interface Outcome {
      void record(SendResult result, long now, long start, int messages);
    }
    Outcome outcome = (result, now, start, messages) -> {
      if (now < measureFrom || now >= measureUntil) {
        return;
      }
      if (result.getSendStatus() == SendStatus.SEND_OK) {
        counted.addAndGet(messages);
        latencies.add(now - start);
      } else {
        notOk.addAndGet(messages);
      }
    };

    List<Thread> senders = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread sender = new Thread(() -> {
        while (System.nanoTime() < measureUntil) {
          long start = System.nanoTime();
          try {
            if (mode.equals("async")) {
              unacknowledged.acquire();
              long sentAt = System.nanoTime();
              producer.send(new Message(topic, "TagA", body), new SendCallback() {
                @Override
                public void onSuccess(SendResult result) {
                  long now = System.nanoTime();
                  unacknowledged.release();
                  outcome.record(result, now, sentAt, 1);
                }

                @Override
                public void onException(Throwable e) {
                  unacknowledged.release();
                  failures.add(e);
                }
              });
            } else if (mode.equals("batch")) {
              List<Message> messages = new ArrayList<>(batchSize);
              for (int i = 0; i < batchSize; i++) {
                messages.add(new Message(topic, "TagA", body));
              }
              SendResult result = producer.send(messages);
              outcome.record(result, System.nanoTime(), start, batchSize);
            } else {
              SendResult result = producer.send(new Message(topic, "TagA", body));
              outcome.record(result, System.nanoTime(), start, 1);
            }
          } catch (InterruptedException e) {
            return;
          } catch (Exception e) {
            if (mode.equals("async")) {
              unacknowledged.release(); // the send was refused before it took a place in the window
            }
            failures.add(e);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
          }
        }
      }, "bench-sender-" + t);
      senders.add(sender);
    }
    senders.forEach(Thread::start);
    for (Thread sender : senders) {
      sender.join();
    }
    unacknowledged.tryAcquire(window, 30, TimeUnit.SECONDS); // late callbacks fall outside the window anyway
    producer.shutdown();

    long[] sorted = latencies.sorted();
    Result r = new Result("produce");
    r.put("send", mode).put("threads", threads).put("batch", batchSize).put("window", mode.equals("async") ? window : 0)
        .put("size", body.length).put("warmup_s", warmup).put("seconds", seconds)
        .put("msgs", counted.get()).put("msgs_per_s", String.format("%.0f", counted.get() / (double) seconds))
        .put("samples", sorted.length)
        .put("p50_ms", ms(percentile(sorted, 50))).put("p99_ms", ms(percentile(sorted, 99)))
        .put("max_ms", ms(percentile(sorted, 100)))
        .put("not_ok", notOk.get());
    return failures.into(r);
  }

  // ------------------------------------------------------------------------------------------------ drain

  private Result drain() throws Exception {
    int wanted = number("count", 1_000_000);
    long fillLimit = TimeUnit.SECONDS.toNanos(number("fill-limit-s", 600));
    Failures failures = new Failures();

    // 1. the backlog: batches of 32 on 4 threads until `wanted` messages are acknowledged or the time limit is up
    DefaultMQProducer producer = producer("bench_backlog");
    AtomicLong claimed = new AtomicLong();
    AtomicLong stored = new AtomicLong();
    long fillStart = System.nanoTime();
    List<Thread> fillers = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      Thread filler = new Thread(() -> {
        while (System.nanoTime() - fillStart < fillLimit) {
          long from = claimed.getAndAdd(32);
          if (from >= wanted) {
            return;
          }
          int n = (int) Math.min(32, wanted - from);
          List<Message> messages = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            messages.add(new Message(topic, "TagA", body));
          }
          try {
            if (producer.send(messages).getSendStatus() == SendStatus.SEND_OK) {
              stored.addAndGet(n);
            } else {
              claimed.addAndGet(-n);
            }
          } catch (Exception e) {
            failures.add(e);
            claimed.addAndGet(-n); // give the slots back: retried by the next claim
          }
        }
      }, "bench-backlog-" + t);
      fillers.add(filler);
      filler.start();
    }
    for (Thread filler : fillers) {
      filler.join();
    }
    double fillSeconds = (System.nanoTime() - fillStart) / 1e9;
    producer.shutdown();
    long backlog = stored.get();
    System.err.printf("backlog: %d of %d messages in %.1f s%n", backlog, wanted, fillSeconds);

    // 2. the drain: a new group from the first offset
    AtomicLong received = new AtomicLong();
    AtomicLong firstAt = new AtomicLong();
    CountDownLatch all = new CountDownLatch(1);
    DefaultMQPushConsumer consumer = new DefaultMQPushConsumer("bench_drain_" + System.nanoTime());
    consumer.setNamesrvAddr(address);
    consumer.setInstanceName("bench-drain-" + ProcessHandle.current().pid());
    consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
    consumer.subscribe(topic, "*");
    consumer.registerMessageListener((MessageListenerConcurrently) (messages, context) -> {
      long before = received.getAndAdd(messages.size());
      if (before == 0) {
        firstAt.compareAndSet(0, System.nanoTime());
      }
      if (before + messages.size() >= backlog) {
        all.countDown();
      }
      return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
    });
    long start = System.nanoTime();
    consumer.start();
    boolean complete = backlog > 0 && all.await(number("timeout-s", 600), TimeUnit.SECONDS);
    long end = System.nanoTime();
    long got = received.get();
    consumer.shutdown();

    double seconds = (end - start) / 1e9;
    double fromFirst = firstAt.get() == 0 ? 0 : (end - firstAt.get()) / 1e9;
    Result r = new Result("drain");
    r.put("requested", wanted).put("count", backlog).put("size", body.length)
        .put("fill_s", String.format("%.1f", fillSeconds))
        .put("fill_msgs_per_s", String.format("%.0f", backlog / fillSeconds))
        .put("received", got).put("complete", complete && got >= backlog)
        .put("drain_s", String.format("%.2f", seconds))
        .put("msgs_per_s", String.format("%.0f", got / seconds))
        .put("msgs_per_s_from_first", fromFirst > 0 ? String.format("%.0f", got / fromFirst) : "0");
    return failures.into(r);
  }

  // ------------------------------------------------------------------------------------------------ e2e

  private Result endToEnd() throws Exception {
    int rate = number("rate", 5000);
    int seconds = number("seconds", 30);
    int warmup = number("warmup", 10);
    Samples latencies = new Samples();
    Samples toStore = new Samples();
    Samples fromStore = new Samples();
    AtomicLong received = new AtomicLong();
    Failures failures = new Failures();

    DefaultMQProducer producer = producer("bench_e2e");
    createTopic(producer);

    DefaultMQPushConsumer consumer = new DefaultMQPushConsumer("bench_e2e_" + System.nanoTime());
    consumer.setNamesrvAddr(address);
    consumer.setInstanceName("bench-e2e-" + ProcessHandle.current().pid());
    consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
    consumer.subscribe(topic, "*");
    consumer.registerMessageListener((MessageListenerConcurrently) (messages, context) -> {
      long now = epochMicros();
      for (MessageExt m : messages) {
        String sentAt = m.getUserProperty(SENT_AT);
        if (sentAt != null) {
          long sent = Long.parseLong(sentAt);
          long stored = m.getStoreTimestamp() * 1000;
          latencies.add((now - sent) * 1000); // samples in nanoseconds
          toStore.add(Math.max(0, stored - sent) * 1000);
          fromStore.add(Math.max(0, now - stored) * 1000);
          received.incrementAndGet();
        }
      }
      return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
    });
    consumer.start();

    Semaphore unacknowledged = new Semaphore(1024);
    long interval = 1_000_000_000L / rate;
    long begin = System.nanoTime();
    long measureFrom = begin + TimeUnit.SECONDS.toNanos(warmup);
    long end = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
    long measuredSent = 0;
    long firstMeasured = 0;
    long lastMeasured = 0;
    for (long i = 0; ; i++) {
      long due = begin + i * interval;
      if (due >= end) {
        break;
      }
      long now;
      while ((now = System.nanoTime()) < due) {
        LockSupport.parkNanos(due - now);
      }
      if (now >= end) {
        break; // the sender fell behind (a full window); stop at the end of the measured period all the same
      }
      Message m = new Message(topic, "TagA", body);
      boolean measured = now >= measureFrom; // by the clock: a sender behind schedule still measures on time
      if (measured) {
        m.putUserProperty(SENT_AT, Long.toString(epochMicros()));
      }
      unacknowledged.acquire();
      try {
        producer.send(m, new SendCallback() {
          @Override
          public void onSuccess(SendResult result) {
            unacknowledged.release();
          }

          @Override
          public void onException(Throwable e) {
            unacknowledged.release();
            failures.add(e);
          }
        });
      } catch (Exception e) {
        unacknowledged.release();
        failures.add(e);
        continue;
      }
      if (measured) {
        measuredSent++;
        lastMeasured = System.nanoTime();
        if (firstMeasured == 0) {
          firstMeasured = lastMeasured;
        }
      }
    }
    long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(number("wait-s", 30));
    while (received.get() < measuredSent - failures.count() && System.nanoTime() < waitUntil) {
      Thread.sleep(20);
    }
    producer.shutdown();
    consumer.shutdown();

    long[] sorted = latencies.sorted();
    double sendSeconds = Math.max(1e-9, (lastMeasured - firstMeasured) / 1e9);
    Result r = new Result("e2e");
    r.put("rate", rate).put("size", body.length).put("warmup_s", warmup).put("seconds", seconds)
        .put("sent", measuredSent).put("achieved_rate", String.format("%.0f", measuredSent / sendSeconds))
        .put("received", received.get()).put("samples", sorted.length)
        .put("e2e_p50_ms", ms(percentile(sorted, 50))).put("e2e_p99_ms", ms(percentile(sorted, 99)))
        .put("e2e_max_ms", ms(percentile(sorted, 100)));
    // Where the time went (store time has millisecond precision): send → store timestamp, store → listener.
    long[] stored = toStore.sorted();
    long[] delivered = fromStore.sorted();
    r.put("to_store_p50_ms", ms(percentile(stored, 50))).put("to_store_p99_ms", ms(percentile(stored, 99)))
        .put("from_store_p50_ms", ms(percentile(delivered, 50)))
        .put("from_store_p99_ms", ms(percentile(delivered, 99)));
    return failures.into(r);
  }

  // ------------------------------------------------------------------------------------------------ helpers

  /** Creates the topic (auto-create on first send) before a consumer subscribes; a slow broker gets 5 tries. */
  private void createTopic(DefaultMQProducer producer) throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        producer.send(new Message(topic, "TagA", body));
        return;
      } catch (Exception e) {
        if (attempt == 5) {
          throw e;
        }
        System.err.println("creating topic " + topic + ": " + e + "; again");
      }
    }
  }

  private DefaultMQProducer producer(String group) throws Exception {
    DefaultMQProducer producer = new DefaultMQProducer(group);
    producer.setNamesrvAddr(address);
    producer.setInstanceName(group + "-" + ProcessHandle.current().pid());
    producer.start();
    return producer;
  }

  private String text(String key, String fallback) {
    return options.getOrDefault(key, fallback);
  }

  private int number(String key, int fallback) {
    return Integer.parseInt(options.getOrDefault(key, Integer.toString(fallback)));
  }

  private static long epochMicros() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
  }

  /** Nearest rank: the smallest sample such that at least p % of the samples are at or below it; -1 if none. */
  static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return -1;
    }
    long rank = (long) Math.ceil(p / 100.0 * sorted.length);
    return sorted[(int) Math.min(sorted.length, Math.max(1, rank)) - 1];
  }

  private static String ms(long nanos) {
    return nanos < 0 ? "NaN" : String.format("%.3f", nanos / 1e6);
  }

  /** Latency samples in nanoseconds: one unsynchronized buffer per recording thread, merged at the end. */
  static final class Samples {
    private static final class Buffer {
      long[] values = new long[8192];
      int size;
    }

    private final List<Buffer> buffers = new ArrayList<>();
    private final ThreadLocal<Buffer> mine = ThreadLocal.withInitial(this::register);

    private synchronized Buffer register() {
      Buffer buffer = new Buffer();
      buffers.add(buffer);
      return buffer;
    }

    void add(long nanos) {
      Buffer b = mine.get();
      if (b.size == b.values.length) {
        b.values = Arrays.copyOf(b.values, b.size * 2);
      }
      b.values[b.size++] = nanos;
    }

    /** Call once every recording thread has stopped (joined, or its window released). */
    synchronized long[] sorted() {
      int total = 0;
      for (Buffer b : buffers) {
        total += b.size;
      }
      long[] all = new long[total];
      int at = 0;
      for (Buffer b : buffers) {
        System.arraycopy(b.values, 0, all, at, b.size);
        at += b.size;
      }
      Arrays.sort(all);
      return all;
    }
  }

  /** Counts failures and keeps the first one's description. */
  static final class Failures {
    private final AtomicLong count = new AtomicLong();
    private final AtomicReference<String> first = new AtomicReference<>();

    void add(Throwable e) {
      count.incrementAndGet();
      first.compareAndSet(null, e.getClass().getSimpleName() + ":" + e.getMessage());
    }

    long count() {
      return count.get();
    }

    Result into(Result r) {
      String f = first.get();
      return r.put("errors", count.get()).put("first_error", f == null ? "-" : f.replaceAll("\\s+", "_"));
    }
  }

  /** One result line: {@code RESULT tool=salvo-loadgen bench=MODE key=value ...}. */
  static final class Result {
    private final Map<String, Object> fields = new LinkedHashMap<>();

    Result(String bench) {
      fields.put("tool", "salvo-loadgen");
      fields.put("bench", bench);
    }

    Result put(String key, Object value) {
      fields.put(key, value);
      return this;
    }

    String line() {
      StringBuilder b = new StringBuilder("RESULT");
      fields.forEach((k, v) -> b.append(' ').append(k).append('=').append(String.valueOf(v).replaceAll("\\s+", "_")));
      return b.toString();
    }
  }
}
